/**
 * The chunk length and the WASM graph's form from a memory budget (issue 12). A stream runs through I3D in
 * overlapping chunks of at most `maxChunkFrames` entries (./geometry.ts: exact for any length ≥ the floor), and the
 * chunk length is what the extraction's memory grows with: the model's intermediates in onnxruntime's WASM heap
 * (linear in the frames of one pass, and the heap never shrinks) and the stream entries held for the next chunk.
 * Everything else (the browser, the models, ffmpeg.wasm's heap, the flow workers) is about the same whatever the
 * chunk length.
 *
 * The estimate is a line fitted to measured peaks (tools/bench/chunks.ts, bench/chunks.md): the summed PSS of
 * all Chromium processes during `npm run extract` on WASM, published-width models, at 128, 192 and 256 frames.
 * It is for the WASM backend (on WebGPU the intermediates are in GPU memory: the estimate is then on the safe
 * side). The WASM graph's forms (src/model/graph/wasm-graph.ts WASM_FORMS) hold less of a pass at some cost in
 * time; since short chunks re-run their overlap, a long chunk in a frugal form often beats a short one in the
 * fastest (planForBudget weighs both). At the floor in the most frugal form the estimate is ≈ 2.0 GiB: a smaller
 * budget gets that, and meta.json's `estimatedPeakBytes` says by how much it is exceeded.
 * Pure: the callers give the device's memory (navigator.deviceMemory in the browser, os.totalmem() in the CLI).
 */
import { AppError } from '../errors';
import type { WasmForm } from '../model/graph/wasm-graph';
import type { ModelDtype } from '../model/types';
import type { StreamName } from './extract';
import { I3D_MIN_FRAMES } from '../model/i3d-layout';
import { planChunks } from './geometry';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** Shortest chunk the plan accepts for every stream length (the receptive field is 107 frames), rounded up. */
export const MIN_CHUNK_FRAMES = 128;
/** Longest chunk the budget picks in any form (see WASM_FORM_MODEL). An explicit chunk length may be longer. */
export const MAX_BUDGET_CHUNK_FRAMES = 512;
/** Chunk lengths the budget picks are multiples of this (fewer distinct plans, the same features). */
export const CHUNK_STEP_FRAMES = 16;

/** Share of the device's memory the default budget takes (the browser, the OS and other tabs need the rest). */
export const DEFAULT_BUDGET_FRACTION = 0.5;
/** The default budget when the device's memory is unknown. */
export const FALLBACK_BUDGET_BYTES = 2 * GiB;

/**
 * Fitted to the measurements (bench/chunks.md; both streams, q8, WASM, 2 threads, peak summed PSS of all
 * Chromium processes): fixture (342×256 decode) 2845 / 3536 / 4103 MiB at 128 / 192 / 256 frames, a 1080p source
 * at --fps 2 3091 MiB at 128. The slope (≈ 9.8 MiB per frame) is nearly all I3D intermediates in the WASM heap
 * (one pass of the Winograd graph in Node: +544 MiB at 64 frames, +1206 MiB at 128; the held stream entries were
 * 0.96 MiB per frame then, 0.53 MiB since RGB entries are held in bytes: estimatePeakBytes counts the entries held
 * now); the base is taken from the 1080p source (its decoder holds ≈ 250 MiB more) and rounded up.
 * Those runs kept the origin's storage in the browser process's memory (the CLI's Chromium had an off-the-record
 * profile: 121 MiB for both imported checkpoints and their models); it is on disk now, and the base is 100 MiB
 * lower than fitted (bench/chunks.md).
 */
export const MEMORY_MODEL = {
  /** Chromium's processes with both models loaded, the decoder and the flow workers, before any chunk. */
  baseBytes: 1750 * MiB,
  /** Per frame of a chunk: I3D intermediates in the WASM heap and the held entries of both streams. */
  perFrameBytes: 10 * MiB,
} as const;

/**
 * The WASM graph's forms (src/model/graph/wasm-graph.ts WASM_FORMS), fastest first: per chunk frame, the memory
 * (the Winograd form's fitted slope; the others scaled by their passes' measured intermediates in Node,
 * tools/bench/i3d-heap.ts at 128 and 256 frames: 9.4, 5.0 and 2.1 MiB per frame, plus the held entries and a
 * margin), the time of a pass relative to the Winograd form's (same measurements: 5.35, 5.75, 7.15 s), and the
 * longest chunk the budget picks in the form: onnxruntime's 32-bit WASM heap (4 GiB at most) holds one pass's
 * intermediates, measured to run at 368 frames in the Winograd form (both streams in Chromium, ≈ 3.5 GiB), 512 in
 * `direct-stem` (+2.7 GiB in Node) and 1024 in `direct-stem-56` (+2.9 GiB in Node, but its time per frame that
 * long is not known: it stops at 512) (bench/chunks.md).
 */
export const WASM_FORM_MODEL: Record<WasmForm, { perFrameBytes: number; relativeTime: number; maxChunkFrames: number }> = {
  winograd: { perFrameBytes: MEMORY_MODEL.perFrameBytes, relativeTime: 1, maxChunkFrames: 368 },
  'direct-stem': { perFrameBytes: 5.5 * MiB, relativeTime: 1.07, maxChunkFrames: 512 },
  'direct-stem-56': { perFrameBytes: 2.75 * MiB, relativeTime: 1.34, maxChunkFrames: 512 },
};
const FORMS = Object.keys(WASM_FORM_MODEL) as WasmForm[];

/** The stream length the plan assumes when the video's is not known: a long video. */
const LONG_STREAM_FRAMES = 1000;

/**
 * How much more model time the plan accepts to stay in the form the models are loaded in: another form means
 * rewriting both graphs and new sessions (seconds), which a queue of videos on either side of a form's longest
 * chunk would otherwise pay again and again.
 */
export const KEEP_FORM_SLACK = 0.1;

/**
 * Stream frames fed through I3D per frame of a stream of `n` entries with chunks of `chunk`: the chunks overlap by
 * the receptive field (107 frames), so short chunks feed more (a long stream: 4.9× at 128, 1.5× at 256; one chunk
 * that holds the whole stream: 1).
 */
function refeed(n: number, chunk: number): number {
  const T = Math.max(n, I3D_MIN_FRAMES);
  return planChunks(T, chunk).reduce((sum, c) => sum + (c.end - c.start), 0) / T;
}

/**
 * Bytes of one stream entry the extraction holds (./streams.ts): RGB as its 224×224 crop in bytes (3 channels),
 * flow as 224×224 float32 (2 channels).
 */
const ENTRY_BYTES: Record<StreamName, number> = { rgb: 224 * 224 * 3, flow: 224 * 224 * 2 * 4 };
/** The same when MEMORY_MODEL was fitted: the RGB entries were normalised float32 then. */
const FITTED_ENTRY_BYTES = 224 * 224 * 3 * 4 + ENTRY_BYTES.flow;
/** The model file of each dtype, held in the page while it runs (the WASM graph is float32 for every dtype). */
const MODEL_FILE_BYTES: Record<ModelDtype, number> = { fp32: 50 * MiB, fp16: 25 * MiB, q8: 13 * MiB };

export interface BudgetInputs {
  streams: readonly StreamName[];
  dtype: ModelDtype;
}

/**
 * Estimated peak memory (bytes, all of the browser's processes) of an extraction with `chunk` frames per pass
 * through the WASM graph's `form`.
 */
export function estimatePeakBytes(chunk: number, { streams, dtype }: BudgetInputs, form: WasmForm = 'winograd'): number {
  const held = streams.reduce((sum, s) => sum + ENTRY_BYTES[s], 0);
  // fitted with both streams (float32 entries) and q8: a missing stream holds fewer entries and one model less
  const models = streams.length * (MODEL_FILE_BYTES[dtype] - MODEL_FILE_BYTES.q8);
  return MEMORY_MODEL.baseBytes + models + chunk * (WASM_FORM_MODEL[form].perFrameBytes - FITTED_ENTRY_BYTES + held);
}

export interface ChunkChoice {
  /** Most stream entries per model pass. */
  maxChunkFrames: number;
  /** `explicit`: the user's chunk length; `budget`: planForBudget's (the least model time that fits `budgetBytes`, or the floor). */
  from: 'explicit' | 'budget';
  /** The budget and where it came from (`setting`: the user's; `device`: a share of the device's memory). */
  budgetBytes: number;
  budgetFrom: 'setting' | 'device' | 'fallback';
  /** The WASM graph's form: the fastest that fits with the chosen length (src/model/graph/wasm-graph.ts). */
  wasmForm: WasmForm;
  /** The estimate for the chosen length and form (may exceed the budget at the floor or with an explicit length). */
  estimatedPeakBytes: number;
  /** From the budget: the stream length the plan was made for (the video's, or its estimate); absent: a long stream. */
  plannedFrames?: number;
}

/**
 * The chunk length (multiple of CHUNK_STEP_FRAMES, from MIN_CHUNK_FRAMES to the form's longest) and WASM graph
 * form whose estimated peak fits `budgetBytes` with the least I3D time for a stream of `frames` entries (the
 * form's relative time × the refeed of that length; unknown: a long stream). No chunk is longer than the stream
 * needs (rounded up to the step), so a short video's plan holds no more than it uses. Ties go to the longer
 * chunk, then the faster form. When nothing fits: the floor in the form that needs the least memory. `keepForm`
 * (the form the models are loaded in): kept when its best plan has the same chunk length and is within
 * KEEP_FORM_SLACK of the best's time.
 */
export function planForBudget(
  budgetBytes: number,
  inputs: BudgetInputs,
  frames: number | null = null,
  keepForm: WasmForm | null = null,
): { chunk: number; wasmForm: WasmForm } {
  const n = frames !== null && frames > 0 ? Math.ceil(frames) : LONG_STREAM_FRAMES;
  const longest = Math.max(MIN_CHUNK_FRAMES, Math.ceil(n / CHUNK_STEP_FRAMES) * CHUNK_STEP_FRAMES);
  const bestOf = (forms: readonly WasmForm[]) => {
    let best: { chunk: number; wasmForm: WasmForm; time: number } | null = null;
    for (const form of forms) {
      const top = Math.min(WASM_FORM_MODEL[form].maxChunkFrames, longest);
      for (let c = top - (top % CHUNK_STEP_FRAMES); c >= MIN_CHUNK_FRAMES; c -= CHUNK_STEP_FRAMES) {
        if (estimatePeakBytes(c, inputs, form) > budgetBytes) continue;
        const time = WASM_FORM_MODEL[form].relativeTime * refeed(n, c);
        if (!best || time < best.time - 1e-9) best = { chunk: c, wasmForm: form, time };
      }
    }
    return best;
  };
  const best = bestOf(FORMS);
  if (!best) return { chunk: MIN_CHUNK_FRAMES, wasmForm: FORMS[FORMS.length - 1] };
  const kept = keepForm && keepForm !== best.wasmForm ? bestOf([keepForm]) : null;
  // the same chunk length either way: a video's chunks (and so where an interrupted run resumes) do not depend on
  // what ran before it
  const pick = kept && kept.chunk === best.chunk && kept.time <= best.time * (1 + KEEP_FORM_SLACK) ? kept : best;
  return { chunk: pick.chunk, wasmForm: pick.wasmForm };
}

/** The default budget: a share of the device's memory (bytes; null when unknown). */
export function defaultBudgetBytes(deviceMemoryBytes: number | null): number {
  return deviceMemoryBytes !== null && deviceMemoryBytes > 0 ? Math.floor(deviceMemoryBytes * DEFAULT_BUDGET_FRACTION) : FALLBACK_BUDGET_BYTES;
}

/**
 * The chunk length and WASM graph form of a video: an explicit length wins (with the fastest form that holds it
 * and fits the budget with it); otherwise planForBudget's for the video's stream length `frames` when known (the
 * budget: the user's, or a share of the device's memory).
 */
export function chooseChunk(
  opts: BudgetInputs & {
    explicitChunk: number | null;
    budgetBytes: number | null;
    deviceMemoryBytes: number | null;
    frames?: number | null;
    /** The form the models are loaded in now (planForBudget's `keepForm`). */
    keepForm?: WasmForm | null;
  },
): ChunkChoice {
  const budgetBytes = opts.budgetBytes ?? defaultBudgetBytes(opts.deviceMemoryBytes);
  const budgetFrom = opts.budgetBytes !== null ? 'setting' : opts.deviceMemoryBytes !== null && opts.deviceMemoryBytes > 0 ? 'device' : 'fallback';
  const explicit = opts.explicitChunk;
  const plan =
    explicit !== null
      ? {
          chunk: explicit,
          wasmForm:
            FORMS.find((f) => explicit <= WASM_FORM_MODEL[f].maxChunkFrames && estimatePeakBytes(explicit, opts, f) <= budgetBytes) ?? FORMS[FORMS.length - 1],
        }
      : planForBudget(budgetBytes, opts, opts.frames ?? null, opts.keepForm ?? null);
  return {
    maxChunkFrames: plan.chunk,
    from: explicit !== null ? 'explicit' : 'budget',
    budgetBytes,
    budgetFrom,
    wasmForm: plan.wasmForm,
    estimatedPeakBytes: estimatePeakBytes(plan.chunk, opts, plan.wasmForm),
    ...(explicit === null && opts.frames ? { plannedFrames: Math.ceil(opts.frames) } : {}),
  };
}

const UNITS: Record<string, number> = { '': 1, K: 1024, M: MiB, G: GiB, T: 1024 * GiB };

/**
 * A size such as `2G`, `1500M`, `1.5GiB`, `800MB` or `2147483648` (bytes; K/M/G/T are powers of 1024, with or
 * without `B`/`iB`). Throws E_MEMORY_BUDGET for anything else or for a size under 64 MiB.
 */
export function parseByteSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(text);
  if (!m) throw new AppError('E_MEMORY_BUDGET', `got "${text}"`);
  const bytes = Math.floor(Number(m[1]) * UNITS[m[2].toUpperCase()]);
  if (!(bytes >= 64 * MiB)) throw new AppError('E_MEMORY_BUDGET', `got "${text}": at least 64M`);
  return bytes;
}
