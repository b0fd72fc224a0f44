/** The command line of `npm run extract`: options → a checked `Options`. */
import { parseArgs } from 'node:util';
import { availableParallelism, totalmem } from 'node:os';
import { MODEL_DTYPES, type ModelDtype } from '../../../src/model/types';
import type { StreamName } from '../../../src/pipeline/extract';
import { chooseChunk, MIN_CHUNK_FRAMES, parseByteSize, type ChunkChoice } from '../../../src/pipeline/memory-budget';
import { parseShard, type Shard } from './shards';

export const USAGE = `usage: npm run extract -- VIDEO|DIR... --out DIR [--rgb MODEL.pt] [--flow MODEL.pt] [--list FILE|-] [--recursive]
    [--fps F] [--max-frames N] [--backend auto|webgpu|wasm] [--dtype fp32|fp16|q8] [--streams rgb,flow]
    [--flow-mode float|jpeg8] [--chunk FRAMES | --memory-budget SIZE] [--force] [--verify] [--json] [--verbose]
    [--shard I/N | --shards N] [--jobs N] [--h5 FILE [--h5-map]]
       npm run extract -- merge --out DIR [--list FILE | DIR --recursive | VIDEO...] [--verify] [--h5 FILE [--h5-map]]

  --chunk FRAMES        most stream frames per model pass (≥ ${MIN_CHUNK_FRAMES}; longer streams run in exact overlapping
                        chunks); default: the longest whose estimated peak memory fits the budget
  --memory-budget SIZE  the budget for that (e.g. 2G, 1500M; all of Chromium's processes); default: half of this
                        machine's memory; the videos of --jobs share it
  --h5 FILE   at the end, also write every complete video of the run (done now or before) to one HDF5 file:
              a group per output folder with <stream>_fc, <stream>_logits, step_frames, step_times and attributes
  --h5-map    also the <stream>_map arrays in it (T' x 7 x 7 x 1024 each: big)`;

/** The settings an output folder was made with (recorded in meta.json; a folder made otherwise is recomputed). */
export interface RunSettings {
  streams: StreamName[];
  dtype: ModelDtype;
  backend: 'auto' | 'webgpu' | 'wasm';
  fps: number | null;
  maxFrames: number | null;
  flowMode: 'float' | 'jpeg8';
  /** Most stream entries per model pass (explicit, or chosen from the memory budget: `Options.chunking`). */
  chunk: number;
}

export interface Options {
  out: string;
  positionals: string[];
  list: string | null;
  recursive: boolean;
  checkpoints: Partial<Record<StreamName, string>>;
  settings: RunSettings;
  /** How `settings.chunk` was chosen (meta.json's `chunking`). */
  chunking: ChunkChoice;
  force: boolean;
  verify: boolean;
  json: boolean;
  verbose: boolean;
  shard: Shard | null;
  jobs: number | null;
  /** --h5: the dataset's HDF5 file, written at the end (null: none). */
  h5: string | null;
  /** --h5-map: the map arrays in it too. */
  h5Maps: boolean;
}

/** Videos at once when --jobs is not given: one per 4 cores (1 on a 2-core machine); the jobs split the cores. */
export const defaultJobs = () => Math.max(1, Math.floor(availableParallelism() / 4));

function positiveNumber(name: string, v: string | undefined, integer: boolean): number | null {
  if (v === undefined) return null;
  const n = Number(v);
  if (!(n > 0) || (integer && !Number.isInteger(n))) throw new Error(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got ${v}`);
  return n;
}

const OPTIONS = {
  out: { type: 'string' },
  list: { type: 'string' },
  recursive: { type: 'boolean', default: false },
  rgb: { type: 'string' },
  flow: { type: 'string' },
  fps: { type: 'string' },
  'max-frames': { type: 'string' },
  backend: { type: 'string', default: 'auto' },
  dtype: { type: 'string', default: 'q8' },
  streams: { type: 'string' },
  'flow-mode': { type: 'string', default: 'float' },
  chunk: { type: 'string' },
  'memory-budget': { type: 'string' },
  force: { type: 'boolean', default: false },
  verify: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  verbose: { type: 'boolean', default: false },
  shard: { type: 'string' },
  shards: { type: 'string' },
  jobs: { type: 'string' },
  h5: { type: 'string' },
  'h5-map': { type: 'boolean', default: false },
} as const;

/**
 * Parses argv (without the `merge` word); `env` gives the shard in an indexed batch job, `memoryBytes` the
 * machine's memory the default budget is a share of.
 */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv, merge = false, memoryBytes = totalmem()): Options {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  if (!values.out || (positionals.length === 0 && !values.list)) throw new Error(USAGE);
  const declared = [...(values.rgb ? ['rgb'] : []), ...(values.flow ? ['flow'] : [])];
  const streams = (values.streams?.split(',') ?? declared) as StreamName[];
  if (!merge) {
    if (streams.length === 0 || streams.some((s) => s !== 'rgb' && s !== 'flow'))
      throw new Error('--streams must list rgb and/or flow (and give their --rgb/--flow checkpoints)');
    for (const s of streams) if (!values[s]) throw new Error(`the ${s} stream needs --${s} CHECKPOINT.pt`);
  }
  if (!(MODEL_DTYPES as readonly string[]).includes(values.dtype)) throw new Error(`--dtype must be one of ${MODEL_DTYPES.join(', ')}`);
  const backend = values.backend;
  if (backend !== 'auto' && backend !== 'webgpu' && backend !== 'wasm') throw new Error('--backend must be auto, webgpu or wasm');
  if (values['h5-map'] && !values.h5) throw new Error('--h5-map needs --h5 FILE');
  const flowMode = values['flow-mode'];
  if (flowMode !== 'float' && flowMode !== 'jpeg8') throw new Error('--flow-mode must be float or jpeg8');
  const explicitChunk = positiveNumber('chunk', values.chunk, true);
  if (explicitChunk !== null && explicitChunk < MIN_CHUNK_FRAMES)
    throw new Error(`--chunk must be at least ${MIN_CHUNK_FRAMES} (each feature step sees 107 frames), got ${explicitChunk}`);
  if (explicitChunk !== null && values['memory-budget'] !== undefined) throw new Error('give --chunk or --memory-budget, not both');
  const dtype = values.dtype as ModelDtype;
  const jobs = positiveNumber('jobs', values.jobs, true);
  // the videos that run at once share the budget
  const share = jobs ?? defaultJobs();
  const chunking = chooseChunk({
    streams,
    dtype,
    explicitChunk,
    budgetBytes: values['memory-budget'] !== undefined ? Math.floor(parseByteSize(values['memory-budget']) / share) : null,
    deviceMemoryBytes: Math.floor(memoryBytes / share),
  });
  return {
    out: values.out,
    positionals,
    list: values.list ?? null,
    recursive: values.recursive,
    checkpoints: Object.fromEntries(streams.map((s) => [s, values[s]])),
    settings: {
      streams,
      dtype,
      backend,
      fps: positiveNumber('fps', values.fps, false),
      maxFrames: positiveNumber('max-frames', values['max-frames'], true),
      flowMode,
      chunk: chunking.maxChunkFrames,
    },
    chunking,
    force: values.force,
    verify: values.verify,
    json: values.json,
    verbose: values.verbose,
    shard: parseShard(values.shard, values.shards, env),
    jobs,
    h5: values.h5 ?? null,
    h5Maps: values['h5-map'],
  };
}
