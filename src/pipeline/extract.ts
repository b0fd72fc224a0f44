/**
 * One video's streams through I3D: decoded frames in, feature rows out, in bounded memory.
 *
 * Frames arrive in decode order. Frame d ≥ 1 becomes RGB entry d − 1; the flow between frames d − 1 and d
 * becomes flow entry d − 1 (computed by the flow engine, several pairs at a time, results kept in order).
 * Each stream runs through its model in the chunks of ./geometry.ts (one pass when the stream fits in one
 * chunk), as soon as a chunk's entries are there; entries no later chunk needs are dropped, so memory is
 * bounded by the chunk size whatever the video length. Kept feature rows go straight to .npy files.
 *
 * The engines are injected (pure orchestration): the browser worker passes ORT sessions and a pool of flow
 * workers, Node tests pass the same code running in-process.
 */
import { AppError } from '../errors';
import type { FrameBatch } from '../decode/frames';
import { partName, type OutputDir } from '../io/output';
import { NpyRowWriter } from '../io/npy-writer';
import { npyHeader } from '../io/npy';
import { I3D_MIN_FRAMES } from '../model/i3d-layout';
import type { TemporalPads } from '../model/graph/pads';
import type { FeatureArrays } from '../model/features';
import type { FlowEngine } from '../flow/engine-api';
import { planChunks, stepCount, type Chunk } from './geometry';
import { assembleInput, rgbCrop, type StreamEntry } from './streams';

export type StreamName = 'rgb' | 'flow';

/** The decoder produced another number of frames than the extraction was planned for. */
export class FrameCountMismatch extends Error {
  constructor(
    readonly planned: number,
    /** The true count when the decoder ended first; null when it went past the plan. */
    readonly actual: number | null,
  ) {
    super(`planned for ${planned} frames, the decoder gave ${actual ?? `more than ${planned}`}`);
  }
}

/** Features of a chunk in the output layouts: fc (T',F), map (T',7,7,F), logits (T',K). */
export type ChunkFeatures = FeatureArrays;

export interface StreamModel {
  /** 3 (RGB) or 2 (flow). */
  readonly inChannels: number;
  readonly classes: number;
  readonly featureChannels: number;
  /** x is (1, C, T, 224, 224). */
  run(x: Float32Array, T: number, pads: TemporalPads): Promise<ChunkFeatures>;
}

export type { FlowEngine };

export interface ExtractProgress {
  decodedFrames: number;
  totalFrames: number;
  flowPairs: number;
  steps: Partial<Record<StreamName, number>>;
  totalSteps: number;
  /** Chunks finished per stream, of `totalChunks`. */
  chunks: Partial<Record<StreamName, number>>;
  totalChunks: number;
  /** A resumed run: the chunk each resumed stream started at. */
  resumedFrom?: Partial<Record<StreamName, number>>;
}

export interface ExtractRequest {
  frames: AsyncIterable<FrameBatch>;
  /** Frames the decoder will produce (counted beforehand: the padding depends on it). */
  decodedFrames: number;
  models: Partial<Record<StreamName, StreamModel>>;
  flow?: FlowEngine;
  out: OutputDir;
  /** Most stream entries per model pass. */
  maxChunkFrames: number;
  onProgress?: (p: ExtractProgress) => void;
  /** Every flow entry (2, 224, 224) as it is ready, with its stream index (for previews). */
  onFlowEntry?: (entry: Float32Array, index: number) => void;
  signal?: AbortSignal;
  /**
   * Resume an interrupted run into the same files: per stream, the chunk to start at (the rows of the chunks
   * before it are kept in the files; its entries before that chunk are not computed, their frames only decoded).
   */
  resume?: Partial<Record<StreamName, number>>;
  /** After a chunk's rows are written: the next chunk of every stream (what `resume` takes). */
  onChunk?: (next: Partial<Record<StreamName, number>>) => Promise<void> | void;
  /**
   * Stop between chunks: once aborted, the run ends with E_PAUSED at the first point where every stream has
   * finished the same number of chunks (and `onChunk` has recorded it), so a resume loses no computed chunk.
   */
  pause?: AbortSignal;
}

export interface StreamResult {
  /** Stream entries before padding. */
  frames: number;
  paddedFrames: number;
  steps: number;
  classes: number;
  featureChannels: number;
  chunks: number;
  /** (steps, classes), for predictions. */
  logits: Float32Array;
  files: Record<string, number[]>;
}

/**
 * Where the orchestrating thread's time goes, in milliseconds: waiting for decoded frames, waiting for flow,
 * preparing model inputs, I3D per stream, writing rows. What is left of the wall time is bookkeeping.
 */
export class StageClock {
  readonly ms: Record<string, number> = {};
  /** Adds the time since `t0` to `stage`; returns now. */
  add(stage: string, t0: number): number {
    const t = performance.now();
    this.ms[stage] = (this.ms[stage] ?? 0) + (t - t0);
    return t;
  }
  seconds(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.ms).map(([k, v]) => [k, Math.round(v) / 1000]));
  }
}

export interface ExtractResult {
  /** A resumed run: the chunk each resumed stream started at. */
  resumedFrom?: Partial<Record<StreamName, number>>;
  /** Seconds the orchestrating thread spent in each stage (see StageClock). */
  stageSeconds: Record<string, number>;
  width: number;
  height: number;
  streams: Partial<Record<StreamName, StreamResult>>;
}

const MAP_SIZE = 7;

class StreamState {
  /** Entries [base, base + entries.length) of the stream. */
  entries: StreamEntry[] = [];
  base = 0;
  received = 0;
  next = 0;
  written = 0;
  readonly logits: Float32Array;
  /** The last chunk's model input: the model has finished with it when its run resolves. */
  private input: Float32Array | undefined;
  readonly writers: { fc: NpyRowWriter; map: NpyRowWriter; logits: NpyRowWriter };

  constructor(
    readonly name: StreamName,
    readonly model: StreamModel,
    readonly realFrames: number,
    readonly chunks: readonly Chunk[],
    readonly steps: number,
    writers: StreamState['writers'],
  ) {
    this.writers = writers;
    this.logits = new Float32Array(steps * model.classes);
  }

  /** The stream's files, new or (`from` > 0: resuming at chunk `from`) reopened after the rows kept. */
  static async open(name: StreamName, model: StreamModel, realFrames: number, chunks: readonly Chunk[], steps: number, out: OutputDir, from = 0) {
    const F = model.featureChannels;
    const K = model.classes;
    const shapes = { fc: [steps, F], map: [steps, MAP_SIZE, MAP_SIZE, F], logits: [steps, K] };
    const kept = from > 0 ? chunks[from - 1].keepTo : 0;
    const logits = from > 0 ? await readRows(out, `${name}_logits.npy`, shapes.logits, kept) : null;
    const open = (kind: keyof typeof shapes) =>
      from > 0 ? NpyRowWriter.resume(out, `${name}_${kind}.npy`, shapes[kind], kept) : NpyRowWriter.open(out, `${name}_${kind}.npy`, shapes[kind]);
    const opened: NpyRowWriter[] = [];
    try {
      for (const kind of ['fc', 'map', 'logits'] as const) opened.push(await open(kind));
    } catch (e) {
      // (a full disk while writing a header): the files opened so far are let go
      await Promise.allSettled(opened.map((w) => w.abandon()));
      throw e;
    }
    const [fc, map, logitsFile] = opened;
    const writers = { fc, map, logits: logitsFile };
    const state = new StreamState(name, model, realFrames, chunks, steps, writers);
    if (from > 0) {
      state.logits.set(logits as Float32Array);
      state.next = from;
      state.written = kept;
      // the entries before the first chunk still to run are never computed
      state.base = from < chunks.length ? Math.min(chunks[from].start, realFrames - 1) : realFrames;
      state.received = state.base;
    }
    return state;
  }

  /** Whether entry i is computed (a resumed stream skips the entries of its finished chunks). */
  wants(i: number): boolean {
    return i >= this.base;
  }

  push(entry: StreamEntry): void {
    this.entries.push(entry);
    this.received++;
  }

  /** Entry i of the padded stream (indices past the real frames repeat the last one). */
  private entry(i: number): StreamEntry {
    const j = Math.min(i, this.realFrames - 1) - this.base;
    const e = this.entries[j];
    if (!e) throw new Error(`${this.name} entry ${i} was dropped`);
    return e;
  }

  /** Runs every chunk whose entries have all arrived. */
  async runReady(onStep: () => Promise<void>, clock: StageClock): Promise<void> {
    while (this.next < this.chunks.length) {
      const c = this.chunks[this.next];
      if (this.received < Math.min(c.end, this.realFrames)) return;
      const inputs: StreamEntry[] = [];
      for (let i = c.start; i < c.end; i++) inputs.push(this.entry(i));
      const T = c.end - c.start;
      let t = performance.now();
      // one input buffer per stream, reused by every chunk of its length: a chunk's input (77 MiB for 128 RGB
      // frames) is not left to the garbage collector while the next one is built
      const x = (this.input = assembleInput(inputs, this.model.inChannels, this.input));
      t = clock.add('prepare', t);
      const f = await this.model.run(x, T, c.pads);
      t = clock.add(`i3d_${this.name}`, t);
      if (f.steps !== c.steps) throw new Error(`${this.name}: model gave ${f.steps} steps for a chunk of ${c.steps}`);
      const [a, b] = [c.keepFrom - c.firstStep, c.keepTo - c.firstStep];
      const F = f.channels;
      const K = f.classes;
      await this.writers.fc.append(f.fc.subarray(a * F, b * F));
      await this.writers.map.append(f.map.subarray(a * MAP_SIZE * MAP_SIZE * F, b * MAP_SIZE * MAP_SIZE * F));
      await this.writers.logits.append(f.logits.subarray(a * K, b * K));
      clock.add('write', t);
      this.logits.set(f.logits.subarray(a * K, b * K), c.keepFrom * K);
      this.written = c.keepTo;
      this.next++;
      // drop what later chunks do not read (keep the last real entry: short streams repeat it)
      const keepFrom = Math.min(this.next < this.chunks.length ? this.chunks[this.next].start : this.realFrames - 1, this.realFrames - 1);
      if (keepFrom > this.base) {
        this.entries.splice(0, keepFrom - this.base);
        this.base = keepFrom;
      }
      await onStep();
    }
  }

  /** Closes the files of a run that failed (OPFS allows one open handle per file: a second run must open them). */
  async abandon(): Promise<void> {
    await Promise.allSettled([this.writers.fc.abandon(), this.writers.map.abandon(), this.writers.logits.abandon()]);
  }

  async close(chunks: number): Promise<StreamResult> {
    await this.writers.fc.close();
    await this.writers.map.close();
    await this.writers.logits.close();
    const F = this.model.featureChannels;
    return {
      frames: this.realFrames,
      paddedFrames: Math.max(0, I3D_MIN_FRAMES - this.realFrames),
      steps: this.steps,
      classes: this.model.classes,
      featureChannels: F,
      chunks,
      logits: this.logits,
      files: {
        [`${this.name}_fc.npy`]: [this.steps, F],
        [`${this.name}_map.npy`]: [this.steps, MAP_SIZE, MAP_SIZE, F],
        [`${this.name}_logits.npy`]: [this.steps, this.model.classes],
      },
    };
  }
}

/**
 * The first `rows` rows of a float32 .npy file of `shape` (written by NpyRowWriter): an interrupted run's
 * temporary file, or the file itself when it was finished.
 */
async function readRows(out: OutputDir, name: string, shape: readonly number[], rows: number): Promise<Float32Array> {
  const from = npyHeader('<f4', shape).length;
  const bytes = new Uint8Array(rows * shape.slice(1).reduce((a, b) => a * b, 1) * 4);
  const file = (await out.list()).includes(partName(name)) ? partName(name) : name;
  let at = 0;
  for await (const chunk of out.read(file)) {
    const lo = Math.max(from - at, 0);
    const hi = Math.min(chunk.length, from + bytes.length - at);
    if (hi > lo) bytes.set(chunk.subarray(lo, hi), at + lo - from);
    at += chunk.length;
    if (at >= from + bytes.length) break;
  }
  if (at < from + bytes.length) throw new Error(`${name}: fewer than ${rows} rows to resume from`);
  return new Float32Array(bytes.buffer);
}

/** The items of `source`, with the time spent waiting for each added to `stage`. */
async function* timed<T>(source: AsyncIterable<T>, clock: StageClock, stage: string): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      const t = performance.now();
      const r = await it.next();
      clock.add(stage, t);
      if (r.done) return;
      yield r.value;
    }
  } finally {
    // the consumer stopped early (an error, a cancel): stop the source, as for-await would
    await it.return?.();
  }
}

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw new AppError('E_CANCELLED');
}

export async function extractStreams(req: ExtractRequest): Promise<ExtractResult> {
  const n = req.decodedFrames;
  const real = n - 1;
  if (real < 1) throw new AppError('E_TOO_FEW_FRAMES', `${n} decoded frame${n === 1 ? '' : 's'}`);
  if (req.models.flow && !req.flow) throw new Error('a flow model needs a flow engine');
  if (!req.models.rgb && !req.models.flow) throw new Error('no stream selected');
  const T = Math.max(real, I3D_MIN_FRAMES);
  const chunks = planChunks(T, req.maxChunkFrames);
  const steps = stepCount(T);
  const states: Partial<Record<StreamName, StreamState>> = {};
  try {
    for (const name of ['rgb', 'flow'] as const) {
      const model = req.models[name];
      const from = Math.min(req.resume?.[name] ?? 0, chunks.length);
      if (model) states[name] = await StreamState.open(name, model, real, chunks, steps, req.out, from);
    }
    return await runStreams(req, states, chunks.length, steps);
  } catch (e) {
    // e.g. FrameCountMismatch: the caller runs again into the same files
    await Promise.allSettled(Object.values(states).map((s) => s.abandon()));
    throw e;
  }
}

async function runStreams(req: ExtractRequest, states: Partial<Record<StreamName, StreamState>>, chunkCount: number, steps: number): Promise<ExtractResult> {
  const n = req.decodedFrames;
  const { rgb, flow } = states;
  const progress: ExtractProgress = {
    decodedFrames: 0,
    totalFrames: n,
    flowPairs: flow?.base ?? 0,
    steps: {},
    totalSteps: steps,
    chunks: {},
    totalChunks: chunkCount,
  };
  const resumedFrom: Partial<Record<StreamName, number>> = {};
  for (const s of [rgb, flow]) if (s && s.next > 0) resumedFrom[s.name] = s.next;
  if (Object.keys(resumedFrom).length > 0) progress.resumedFrom = resumedFrom;
  let lastReport = -Infinity;
  const report = () => {
    lastReport = performance.now();
    for (const s of [rgb, flow]) {
      if (!s) continue;
      progress.steps[s.name] = s.written;
      (progress.chunks as Partial<Record<StreamName, number>>)[s.name] = s.next;
    }
    req.onProgress?.({ ...progress, steps: { ...progress.steps }, chunks: { ...progress.chunks } });
  };
  /** A chunk of some stream was written: record where a resume would start; pause when the streams are level. */
  const onStep = async () => {
    report();
    const next: Partial<Record<StreamName, number>> = {};
    for (const s of [rgb, flow]) if (s) next[s.name] = s.next;
    await req.onChunk?.(next);
    const counts = Object.values(next);
    if (req.pause?.aborted && counts.every((c) => c === counts[0]) && (counts[0] ?? 0) < chunkCount) throw new AppError('E_PAUSED');
  };

  const clock = new StageClock();
  const pendingFlow: Promise<Float32Array>[] = [];
  const takeFlow = async () => {
    const t = performance.now();
    const e = await (pendingFlow.shift() as Promise<Float32Array>);
    clock.add('flowWait', t);
    flow?.push(e);
    req.onFlowEntry?.(e, progress.flowPairs);
    progress.flowPairs++;
    await flow?.runReady(onStep, clock);
  };
  let prev: Uint8Array | null = null;
  let width = 0;
  let height = 0;
  let d = 0;
  try {
    for await (const batch of timed(req.frames, clock, 'decodeWait')) {
      width = batch.width;
      height = batch.height;
      for (const frame of batch.frames) {
        checkAbort(req.signal);
        if (d >= n) throw new FrameCountMismatch(n, null);
        if (d >= 1 && rgb?.wants(d - 1)) {
          const t = performance.now();
          // held as bytes until its chunks have run
          rgb.push(rgbCrop(frame, width, height));
          clock.add('prepare', t);
          await rgb.runReady(onStep, clock);
        }
        if (flow && req.flow) {
          if (prev && flow.wants(d - 1)) pendingFlow.push(req.flow.entry(prev, frame, width, height));
          prev = frame;
          while (pendingFlow.length >= 2 * req.flow.parallelism) await takeFlow();
        }
        d++;
        progress.decodedFrames = d;
        if (performance.now() - lastReport > 250) report();
      }
      report();
    }
    while (pendingFlow.length > 0) await takeFlow();
  } finally {
    // let flow tasks that are still running settle before the caller tears things down
    await Promise.allSettled(pendingFlow);
  }
  if (d !== n) throw new FrameCountMismatch(n, d);
  const result: ExtractResult = { width, height, streams: {}, stageSeconds: {}, resumedFrom: progress.resumedFrom };
  for (const s of [rgb, flow]) {
    if (!s) continue;
    await s.runReady(onStep, clock);
    result.streams[s.name] = await s.close(chunkCount);
  }
  result.stageSeconds = clock.seconds();
  return result;
}
