/**
 * One video, start to end (DESIGN §3): count the frames (the padding depends on the length), stream them
 * through the selected streams, then write predictions.json, meta.json and the .npz bundle next to the .npy
 * files. Pure orchestration: decoding, models, flow and storage are injected.
 */
import type { DecodeWarning, FrameBatch } from '../decode/frames';
import type { VideoMeta } from '../decode/probe';
import { writeZip } from '../io/bundle';
import { isPart, writeWhole, type OutputDir } from '../io/output';
import { DEFAULT_TVL1_PARAMS } from '../flow/cpu/params';
import { extractStreams, FrameCountMismatch, type ExtractProgress, type FlowEngine, type StreamModel, type StreamName } from './extract';
import type { ChunkChoice } from './memory-budget';
import { stepWindows, type StreamMeta, type VideoMetaJson } from './meta';
import { META_NAME, NPZ_NAME, PREDICTIONS_NAME } from './outputs';
import { sha256Hex } from '../io/sha256';
import { predict, type Predictions } from './predictions';
import { CROP, cropOrigin } from './streams';
import { buildTimeline, type Timeline } from './timeline';

export const APP_ID = 'i3d-browser 0.1';

export interface VideoModel {
  model: StreamModel;
  /** What meta.json says about it. */
  describe(): Pick<StreamMeta, 'model' | 'backend' | 'fallback'>;
}

export interface VideoJob {
  source: { name: string; bytes: number };
  probe: VideoMeta;
  /**
   * The number of frames the decode will give, when the container says it exactly (no fps filter): the
   * extraction is planned with it and checked at the end; without it, a counting pass comes first.
   */
  expectedFrames?: number | null;
  /** Decoded frame count with these options (a decode pass that only counts). */
  countFrames(): Promise<number>;
  frames(): AsyncIterable<FrameBatch>;
  /** ffmpeg's warnings of the last complete decode (frames() or countFrames()). */
  decodeWarnings?(): DecodeWarning[];
  /** Seconds the decoder worked on the last complete decode, when it says. */
  decodeBusySeconds?(): number | undefined;
  models: Partial<Record<StreamName, VideoModel>>;
  flow?: FlowEngine & { backend: string };
  fps: number | null;
  flowMode: 'float' | 'jpeg8';
  maxChunkFrames: number;
  /** How the chunk length was chosen (meta.json's `chunking`). */
  chunking?: ChunkChoice;
  out: OutputDir;
  classNames(classes: number): readonly string[];
  onProgress?: (p: VideoProgress) => void;
  /** Each flow entry as it is ready (for previews). */
  onFlowEntry?: (entry: Float32Array, index: number) => void;
  signal?: AbortSignal;
  /** Stop between chunks (E_PAUSED); a later run with `resume` goes on from there. */
  pause?: AbortSignal;
  /**
   * What must not change for an interrupted run of this video to be resumed (the settings and models): each
   * finished chunk is recorded in `out` under it, and a run with `resume` set goes on from the last one recorded
   * under the same key (or starts afresh).
   */
  resume?: { key: string };
}

export type VideoProgress = { stage: 'count' } | ({ stage: 'extract' } & ExtractProgress) | { stage: 'bundle' };

export interface VideoSummary {
  predictions: Predictions;
  meta: VideoMetaJson;
  /** Files in the output folder with their sizes in bytes. */
  files: Record<string, number>;
  /** The top classes' scores at each feature step, per stream and joint (absent in summaries saved before it). */
  timeline?: Timeline;
}

export { NPZ_NAME };

const json = (v: unknown) => new TextEncoder().encode(`${JSON.stringify(v, null, 2)}\n`);

/**
 * The record of an interrupted run's progress, kept in its output folder until the video is done. Written whole
 * (a temporary file renamed), so a record cut off mid-write never replaces the last one.
 */
export const RESUME_FILE = '.resume.json';

interface ResumeRecord {
  format: 'i3d-resume/1';
  key: string;
  decodedFrames: number;
  next: Partial<Record<StreamName, number>>;
}

async function readResume(out: OutputDir, key: string): Promise<ResumeRecord | null> {
  if (!(await out.list()).includes(RESUME_FILE)) return null;
  let text = '';
  const decoder = new TextDecoder();
  for await (const c of out.read(RESUME_FILE)) text += decoder.decode(c, { stream: true });
  try {
    const r = JSON.parse(text + decoder.decode()) as ResumeRecord;
    return r.format === 'i3d-resume/1' && r.key === key && Number.isInteger(r.decodedFrames) ? r : null;
  } catch {
    return null; // a record cut off mid-write: start afresh
  }
}

/** Empties the folder (a run that cannot resume what is there). */
async function clear(out: OutputDir): Promise<void> {
  for (const name of await out.list()) await out.remove(name);
}

/** Size and SHA-256 of every file in `out` but meta.json and the resume record (read back as written). */
async function checksums(out: OutputDir): Promise<Record<string, { bytes: number; sha256: string }>> {
  const record: Record<string, { bytes: number; sha256: string }> = {};
  for (const name of (await out.list()).sort()) {
    if (name === META_NAME || name === RESUME_FILE || isPart(name)) continue;
    const chunks: Uint8Array[] = [];
    for await (const c of out.read(name)) chunks.push(c.slice());
    const blob = new Blob(chunks as Uint8Array<ArrayBuffer>[]);
    record[name] = { bytes: blob.size, sha256: await sha256Hex(blob) };
  }
  return record;
}

/** meta.json's `busySeconds`: what the decoder and the CPU flow workers say they worked. */
function busySeconds(job: VideoJob): VideoMetaJson['busySeconds'] {
  const decode = job.decodeBusySeconds?.();
  const flow = job.flow?.work?.();
  if (decode === undefined && !flow) return undefined;
  return { ...(decode !== undefined ? { decode } : {}), ...(flow ? { flow: flow.seconds, flowWorkers: flow.workers } : {}) };
}

export async function runVideo(job: VideoJob): Promise<VideoSummary> {
  const t0 = Date.now();
  const resumeKey = job.resume?.key;
  const previous = resumeKey !== undefined ? await readResume(job.out, resumeKey) : null;
  if (resumeKey !== undefined && !previous) await clear(job.out);
  // a run stopped after its meta.json: the folder is no longer complete while its files are written again
  if (previous && (await job.out.list()).includes(META_NAME)) await job.out.remove(META_NAME);
  // the padding (and so every feature) depends on the frame count: know it before the first model pass
  let decodedFrames = previous?.decodedFrames ?? job.expectedFrames ?? null;
  if (decodedFrames === null) {
    job.onProgress?.({ stage: 'count' });
    decodedFrames = await job.countFrames();
  }
  const t1 = Date.now();
  let resumeFrom = previous?.next;
  const record = (n: number) =>
    resumeKey === undefined
      ? undefined
      : (next: Partial<Record<StreamName, number>>) =>
          writeWhole(job.out, RESUME_FILE, json({ format: 'i3d-resume/1', key: resumeKey, decodedFrames: n, next }));
  const extract = (n: number) =>
    extractStreams({
      resume: resumeFrom,
      onChunk: record(n),
      pause: job.pause,
      frames: job.frames(),
      decodedFrames: n,
      models: { rgb: job.models.rgb?.model, flow: job.models.flow?.model },
      flow: job.flow,
      out: job.out,
      maxChunkFrames: job.maxChunkFrames,
      signal: job.signal,
      onProgress: (p) => job.onProgress?.({ stage: 'extract', ...p }),
      onFlowEntry: job.onFlowEntry,
    });
  let res: Awaited<ReturnType<typeof extract>>;
  try {
    res = await extract(decodedFrames);
  } catch (e) {
    if (!(e instanceof FrameCountMismatch)) throw e;
    // the container's frame count (or a resumed run's plan) was wrong: count, then run again from the start
    job.onProgress?.({ stage: 'count' });
    decodedFrames = e.actual ?? (await job.countFrames());
    resumeFrom = undefined;
    res = await extract(decodedFrames);
  }
  const t2 = Date.now();
  const fps = job.fps ?? job.probe.fps;
  const streams: VideoMetaJson['streams'] = {};
  let any: { frames: number; paddedFrames: number; steps: number } | null = null;
  for (const name of ['rgb', 'flow'] as const) {
    const r = res.streams[name];
    const m = job.models[name];
    if (!r || !m) continue;
    any = r;
    streams[name] = { frames: r.frames, paddedFrames: r.paddedFrames, steps: r.steps, chunks: r.chunks, files: r.files, ...m.describe() };
  }
  if (!any) throw new Error('no stream ran');
  const logits = {
    rgb: res.streams.rgb && { logits: res.streams.rgb.logits, steps: res.streams.rgb.steps, classes: res.streams.rgb.classes },
    flow: res.streams.flow && { logits: res.streams.flow.logits, steps: res.streams.flow.steps, classes: res.streams.flow.classes },
  };
  const predictions = predict(logits, (k) => job.classNames(k));
  const decodeWarnings = [...(job.decodeWarnings?.() ?? [])];
  // the container's count was wrong (a truncated or damaged file): a warning, the features are the decoded frames'
  if (job.expectedFrames != null && decodedFrames !== job.expectedFrames) {
    decodeWarnings.unshift({ message: `container lists ${job.probe.frameCount ?? job.expectedFrames} frames, decoded ${decodedFrames}`, count: 1 });
  }
  const meta: VideoMetaJson = {
    format: 'i3d-features/1',
    app: APP_ID,
    createdAt: new Date().toISOString(),
    source: job.source,
    video: {
      decodedFrames,
      fps,
      rate: job.fps ?? 'native',
      width: job.probe.width,
      height: job.probe.height,
      decodedWidth: res.width,
      decodedHeight: res.height,
      duration: job.probe.duration,
      rotation: job.probe.rotation,
    },
    decodeWarnings,
    crop: { size: CROP, ...cropOrigin(res.width, res.height) },
    numbering: 'decoded frames are numbered from 0; stream entry s is decoded frame s+1 (RGB: that frame; flow: from frame s to s+1); time = frame / fps',
    flow:
      job.models.flow && job.flow
        ? { mode: job.flowMode, backend: job.flow.backend, algorithm: 'TV-L1 as OpenCV 4 DualTVL1OpticalFlow', params: { ...DEFAULT_TVL1_PARAMS }, bound: 20 }
        : undefined,
    streams,
    steps: stepWindows(Math.max(any.frames, 9), any.frames, any.steps, fps),
    seconds: { count: (t1 - t0) / 1000, extract: (t2 - t1) / 1000 },
    stageSeconds: res.stageSeconds,
    busySeconds: busySeconds(job),
    resumedFrom: res.resumedFrom,
    ...(job.chunking ? { chunking: job.chunking } : {}),
  };
  await writeWhole(job.out, PREDICTIONS_NAME, json(predictions));
  job.onProgress?.({ stage: 'bundle' });
  const arrays = (await job.out.list()).filter((n) => n.endsWith('.npy'));
  await writeZip(
    arrays.map((file) => ({ name: file, dir: job.out, file })),
    await job.out.create(NPZ_NAME),
  );
  // unfinished files an interrupted run left (every output is whole by now): a complete folder holds none
  for (const name of await job.out.list()) if (isPart(name)) await job.out.remove(name);
  meta.checksums = await checksums(job.out);
  meta.seconds.total = (Date.now() - t0) / 1000;
  const metaBytes = json(meta);
  await writeWhole(job.out, META_NAME, metaBytes);
  if (resumeKey !== undefined) await job.out.remove(RESUME_FILE);
  // the folder now: the files just summed up, and meta.json
  const sizes: [string, number][] = [...Object.entries(meta.checksums).map(([name, c]): [string, number] => [name, c.bytes]), [META_NAME, metaBytes.length]];
  const files = Object.fromEntries(sizes.sort(([a], [b]) => (a < b ? -1 : 1)));
  const top = predictions.joint ?? predictions.rgb ?? predictions.flow ?? [];
  const timeline = buildTimeline(
    logits,
    top,
    meta.steps.map((s) => s.centerTime),
  );
  return { predictions, meta, files, timeline };
}
