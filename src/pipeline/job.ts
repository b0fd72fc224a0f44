/**
 * The composition root of the pipeline worker: what one call of the worker API does, from the request to the
 * engines. It chooses and checks the models, opens the flow engine, runs one video (./video.ts) into a results
 * folder, imports checkpoints and bundles results. Everything it touches is injected as a `JobEnv` (the browser
 * worker passes ffmpeg.wasm, OPFS, the flow workers and the model runtime; tests pass fakes), so this file has no
 * DOM and no engine of its own.
 */
import type { DecodeEnd, DecodeStreamOptions, FrameBatch } from '../decode/frames';
import type { VideoMeta } from '../decode/probe';
import { AppError, type ErrorCode } from '../errors';
import { wasmMemoryExhausted, type FaultForTest, type FaultKind, type QuotaForTest } from '../faults';
import type { FlowEngine, ToEntry } from '../flow/engine-api';
import type { FlowEncoding } from '../flow/postprocess';
import { writeZip, type BundleEntry } from '../io/bundle';
import { classNames, type LabelSet } from '../io/labels';
import type { ConfirmDownload, ImportStage, ImportStageListener, ModelRecord, StoredModels } from '../io/model-record';
import { checkCheckpoint, convertCheckpoint } from '../model/convert';
import { isPart, partName, type OutputDir, type OutputFile } from '../io/output';
import type { FeatureArrays } from '../model/features';
import type { DownloadHooks } from '../model/url-download';
import { I3D_FEATURE_CHANNELS } from '../model/i3d-layout';
import type { TemporalPads } from '../model/graph/pads';
import type { WasmForm } from '../model/graph/wasm-graph';
import type { Device, ModelDtype } from '../model/types';
import type { Verification } from '../model/verify';
import { capabilityReport, type Capabilities, type CapabilityReport, type DevicePreference } from '../platform/policy';
import type { StreamModel, StreamName } from './extract';
import { flowEntry } from './flow-entry';
import { chooseChunk } from './memory-budget';
import type { StreamMeta, VideoMetaJson } from './meta';
import { estimateOutputBytes, expectedFrames } from './output-size';
import { describeResults, type ResultEntry, type ResultInfo } from './results';
import { APP_ID, NPZ_NAME, runVideo, type VideoModel, type VideoProgress, type VideoSummary } from './video';

export interface ProbeInfo {
  meta: VideoMeta;
  /** JPEG of the first decoded frame (canonical size). */
  thumbnail?: Blob;
}

/** Where TV-L1 runs: `auto` = WebGPU on a hardware adapter (the models' policy), else the CPU workers. */
export type FlowBackend = 'auto' | 'cpu' | 'webgpu';

export type { ResultInfo } from './results';

export interface ExtractSettings {
  streams: StreamName[];
  /** Model ids (ModelRecord.id) per stream. */
  models: Partial<Record<StreamName, string>>;
  dtype: ModelDtype;
  device: DevicePreference;
  flowBackend: FlowBackend;
  /** Decode rate; null keeps every decoded frame. */
  fps: number | null;
  /** Decode at most this many frames; null for all. */
  maxFrames: number | null;
  flowMode: FlowEncoding;
  /**
   * Most stream entries per model pass (longer streams run in exact overlapping chunks); null: the longest that
   * fits the memory budget (./memory-budget.ts).
   */
  maxChunkFrames: number | null;
  /**
   * Memory budget (bytes) the chunk length is chosen for when `maxChunkFrames` is null; null or absent: a share of
   * the device's memory (navigator.deviceMemory; the CLI gives its own from os.totalmem()).
   */
  memoryBudgetBytes?: number | null;
  /**
   * Threads for this worker's engines (the model's WASM threads, the flow pool); null or absent: from the core
   * count. Several extractions at once (the CLI's --jobs) split the cores with it. The model's threads are fixed
   * when its runtime first starts in this worker.
   */
  threads?: number | null;
}

export interface ExtractRequest {
  /** Results folder name (results/<id>). */
  id: string;
  file: File;
  probe: VideoMeta;
  settings: ExtractSettings;
  /**
   * Go on from the last finished chunk recorded in results/<id> (an interrupted run of the same video with the
   * same settings and models), or start afresh where there is none; without it the folder is emptied first.
   */
  resume?: boolean;
  /** Test builds only: destroy the WebGPU devices (models and flow) once this many frames are decoded. */
  loseGpuAfterFrames?: number;
  /** Test builds only: check the WebGPU adapter again, its outputs perturbed by this much (../model/verify.ts). */
  perturbVerificationForTest?: number;
  /** Test builds only: a worker of this extraction fails (../faults.ts). */
  faultForTest?: FaultForTest;
  /** Test builds only: this extraction's writes run out of space (../faults.ts). */
  quotaForTest?: QuotaForTest;
}

export interface ModelSource {
  file?: File;
  url?: string;
  name: string;
}

/** A results folder and the name of the video it came from (a folder of that name in a bundle). */
export interface ResultFolder {
  id: string;
  name: string;
}

/** A stream's loaded model, as the runtime hands it out. */
export interface RuntimeModel {
  readonly inChannels: number;
  readonly classes: number;
  readonly featureChannels: number;
  readonly device: Device;
  readonly compute: 'fp32' | 'fp16';
  readonly fallbacks: readonly string[];
  /** The WebGPU adapter's check against WASM, when the model was loaded on WebGPU. */
  readonly verification?: Verification;
  run(x: Float32Array, T: number, pads: TemporalPads): Promise<FeatureArrays>;
}

export interface OpenedFlowEngine extends FlowEngine {
  readonly backend: string;
  close(): void;
  loseGpuForTest?(): void;
  faultForTest?(kind: FaultKind): void;
}

/** The engines and storage a job runs on. */
export interface JobEnv {
  capabilities(): Promise<Capabilities>;
  probe(file: File): Promise<ProbeInfo>;
  decode(file: File, opts: DecodeStreamOptions): AsyncIterable<FrameBatch>;
  /** Stored models (../io/model-store.ts). */
  models: StoredModels;
  runtime: {
    device(preference: DevicePreference): Promise<Device>;
    open(
      key: { id: string; dtype: ModelDtype; wasmForm?: WasmForm },
      bytes: () => Promise<Uint8Array>,
      device: Device,
      test?: { perturbVerification?: number },
    ): Promise<RuntimeModel>;
    release(id?: string): Promise<void>;
  };
  openFlow(backend: FlowBackend, caps: Capabilities, toEntry: ToEntry): Promise<OpenedFlowEngine>;
  /** Sets the model runtime's WASM threads (effective until its runtime has started). */
  setModelThreads?(threads: number): void;
  results: {
    /** An empty folder results/<id> (what was there is removed). */
    fresh(id: string): Promise<OutputDir>;
    folder(id: string): Promise<OutputDir>;
    remove(id: string): Promise<void>;
    /** A file directly under results/ (bundles). */
    createFile(name: string): Promise<{ file: OutputFile; size(): Promise<number> }>;
    /** What is directly under results/ (folders and files), with sizes. */
    list(): Promise<ResultEntry[]>;
  };
  labels(): Promise<Partial<Record<LabelSet, string[]>>>;
  /** Storage used and granted (navigator.storage.estimate()); null where the browser does not say. */
  storageEstimate(): Promise<{ usage: number; quota: number } | null>;
  /** A checkpoint from a URL the user gave (../model/url-download.ts): `hooks.confirm` before the body, progress while it streams. */
  fetchModel(url: string, signal: AbortSignal, hooks: DownloadHooks): Promise<Blob>;
  /** JPEG of decoded frame number `frame` (decoded with the `fps` filter when given; absent where there is no canvas). */
  frameAt?(file: File, frame: number, fps?: number): Promise<Blob>;
  /** A picture of a flow entry, for the UI (absent where there is no canvas). */
  flowPreview?(entry: Float32Array): Promise<Blob>;
  /** Test builds only: destroys the WebGPU device the models use. */
  loseModelGpu?(): void;
  /** Test builds only: writes into `dir` throw the browser's quota error as `quota` says. */
  fillDiskForTest?(dir: OutputDir, quota: QuotaForTest): void;
}

export interface PipelineService {
  probe(file: File): Promise<ProbeInfo>;
  extract(
    req: ExtractRequest,
    onProgress: (p: VideoProgress) => void,
    onFlowPreview: ((jpeg: Blob) => void) | undefined,
    signal: AbortSignal,
    /** Stop at the next point between chunks (E_PAUSED); `resume` goes on from there. */
    pause?: AbortSignal,
  ): Promise<VideoSummary>;
  bundle(zipName: string, folders: ResultFolder[], signal: AbortSignal): Promise<number>;
  removeResult(id: string): Promise<void>;
  /** Everything under results/: each folder's size and video. */
  listResults(): Promise<ResultInfo[]>;
  /** JPEG of the frame a results' timeline shows at `seconds` (`video`: its meta.json fps and decode rate). */
  frameAt(file: File, seconds: number, video: Pick<VideoMetaJson['video'], 'fps' | 'rate'>): Promise<Blob>;
  /**
   * Checks, converts and stores a checkpoint. A URL source is downloaded first (stages `connecting`, then
   * `downloading` with its progress); `confirm` is asked once its response headers are in (absent: confirmed already).
   */
  importModel(source: ModelSource, dtype: ModelDtype, onStage: ImportStageListener, signal: AbortSignal, confirm?: ConfirmDownload): Promise<ModelRecord>;
  listModels(): Promise<ModelRecord[]>;
  removeModel(id: string): Promise<void>;
  /** What this browser offers, with what `auto` picks and why. */
  capabilities(): Promise<CapabilityReport>;
  releaseModels(): Promise<void>;
  /**
   * Test builds only: the next extraction fails once with `code`, thrown by its model pass after `passes` passes
   * (as a model that fails while computing features would); the extractions after it run as usual.
   */
  failNextExtractForTest?(code: ErrorCode, passes: number): void;
}

/** A failure armed by a test for the next extraction (test builds only). */
interface TestFailure {
  code: ErrorCode;
  passes: number;
}

/** The stream models of one extraction, their model pass number `failure.passes` (counted over all streams) throwing the test's failure. */
function failingModels(models: Partial<Record<StreamName, VideoModel>>, failure: TestFailure): Partial<Record<StreamName, VideoModel>> {
  let passes = 0;
  const wrap = (m: StreamModel): StreamModel => ({
    inChannels: m.inChannels,
    classes: m.classes,
    featureChannels: m.featureChannels,
    run: (x, T, pads) => {
      if (passes++ === failure.passes) return Promise.reject(new AppError(failure.code, 'failure requested by a test'));
      return m.run(x, T, pads);
    },
  });
  const out: Partial<Record<StreamName, VideoModel>> = {};
  for (const [stream, vm] of Object.entries(models) as [StreamName, VideoModel][]) out[stream] = { ...vm, model: wrap(vm.model) };
  return out;
}

/** At most one call every `ms` (the first one at once). */
function throttled<T>(ms: number, fn: (v: T) => void): (v: T) => void {
  let last = -Infinity;
  return (v) => {
    if (performance.now() - last < ms) return;
    last = performance.now();
    fn(v);
  };
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;

/** Test builds: the pipeline worker (where this runs) fails as asked. */
function pipelineFault(kind: FaultKind): void {
  if (kind === 'oom') throw wasmMemoryExhausted();
  if (kind === 'exit') return (globalThis as { close?: () => void }).close?.();
  setTimeout(() => {
    throw new Error('a crash requested by a test');
  });
}

function checkAbort(signal: AbortSignal): void {
  if (signal.aborted) throw new AppError('E_CANCELLED');
}

/**
 * The files of a results folder that go into a bundle: the .npz repeats the .npy arrays, so it stays out, and so do
 * records and unfinished (temporary) files.
 */
export function bundleFiles(files: readonly string[]): string[] {
  return files.filter((f) => f !== NPZ_NAME && !f.startsWith('.') && !isPart(f));
}

/** Stream entries of a video of `frames` decoded frames (each stream has one fewer); null when not known. */
function streamEntries(frames: number | null): number | null {
  return frames !== null && frames > 1 ? frames - 1 : null;
}

/** What must be the same for a results folder's finished chunks to be reused: the source, settings and models. */
function resumeKey(req: ExtractRequest, chosen: [StreamName, ModelRecord][], chunk: number): string {
  const { settings: s } = req;
  return JSON.stringify({
    app: APP_ID,
    source: [req.file.name, req.file.size, req.file.lastModified],
    models: chosen.map(([stream, r]) => [stream, r.sourceSha256]),
    dtype: s.dtype,
    device: s.device,
    flow: [s.flowBackend, s.flowMode],
    fps: s.fps,
    maxFrames: s.maxFrames,
    chunk,
  });
}

export function createPipeline(env: JobEnv): PipelineService {
  /** Imports in progress by model id: the same checkpoint twice at once is imported once. */
  const importing = new Map<string, Promise<ModelRecord>>();
  /** Test builds only: the failure the next extraction throws. */
  let failNext: TestFailure | null = null;
  /** The WASM graph form the last extraction loaded its models in (the next keeps it when it costs little). */
  let lastWasmForm: WasmForm | null = null;

  /** The ONNX model of `dtype`, converted from the stored checkpoint the first time it is asked for. */
  async function modelBytes(id: string, dtype: ModelDtype): Promise<Uint8Array> {
    const stored = await env.models.variant(id, dtype);
    if (stored) return stored;
    const onnx = convertCheckpoint(await checkCheckpoint(await env.models.source(id)), dtype);
    await env.models.saveVariant(id, dtype, onnx);
    return onnx;
  }

  async function importCheckpoint(blob: Blob, name: string, dtype: ModelDtype, onStage: (s: ImportStage) => void, signal: AbortSignal) {
    onStage('reading');
    const checked = await checkCheckpoint(blob);
    checkAbort(signal);
    onStage('checking');
    const id = checked.sha256.slice(0, 16);
    const running = importing.get(id);
    if (running) return running;
    // the same checkpoint imported before (same bytes, same id) is found again: nothing is stored twice, and
    // pages that share the storage (the CLI's --jobs) never write the same model's files at once
    const stored = await env.models.get(id).catch(() => null);
    if (stored) {
      if (!stored.variants[dtype]) {
        // converted from the checkpoint just read and checked (not read back from storage)
        onStage('converting');
        await env.models.saveVariant(id, dtype, convertCheckpoint(checked, dtype));
      }
      onStage('done');
      return env.models.get(id);
    }
    const record: ModelRecord = {
      id,
      name,
      modality: checked.info.modality,
      classes: checked.info.numClasses,
      inChannels: checked.info.inChannels,
      widthDivisor: checked.info.widthDivisor,
      checkpointFormat: checked.format,
      sourceBytes: blob.size,
      sourceSha256: checked.sha256,
      importedAt: new Date().toISOString(),
      variants: { [dtype]: 0 },
    };
    const done = env.models
      .save(
        record,
        blob,
        () => convertCheckpoint(checked, dtype),
        onStage,
        () => checkAbort(signal),
      )
      .then(() => env.models.get(id));
    importing.set(id, done);
    try {
      const saved = await done;
      onStage('done');
      return saved;
    } finally {
      importing.delete(id);
    }
  }

  /** The stored record of each chosen stream's model, checked against the stream it is chosen for. */
  async function chosenModels(settings: ExtractSettings): Promise<[StreamName, ModelRecord][]> {
    const out: [StreamName, ModelRecord][] = [];
    for (const stream of settings.streams) {
      const id = settings.models[stream];
      if (!id) throw new AppError('E_MODEL_MISSING', `no ${stream} model chosen`);
      const record = await env.models.get(id);
      if (record.modality !== stream) {
        throw new AppError('E_MODEL_MODALITY', `${record.name} is a ${record.modality} model, chosen for the ${stream} stream`);
      }
      out.push([stream, record]);
    }
    return out;
  }

  /** The loaded model of each chosen stream. */
  async function streamModels(
    settings: ExtractSettings,
    chosen: [StreamName, ModelRecord][],
    wasmForm: WasmForm,
    perturbVerification?: number,
  ): Promise<Partial<Record<StreamName, VideoModel>>> {
    if (settings.threads) env.setModelThreads?.(settings.threads);
    const device = await env.runtime.device(settings.device);
    const out: Partial<Record<StreamName, VideoModel>> = {};
    for (const [stream, record] of chosen) {
      const { id } = record;
      const model = await env.runtime.open({ id, dtype: settings.dtype, wasmForm }, () => modelBytes(id, settings.dtype), device, { perturbVerification });
      // this video's view of the check (a model kept for the next video reports it as cached)
      const { verification } = model;
      out[stream] = {
        model,
        describe: (): Pick<StreamMeta, 'model' | 'backend' | 'fallback' | 'verification'> => ({
          model: {
            name: record.name,
            modality: record.modality,
            classes: record.classes,
            dtype: settings.dtype,
            compute: model.compute,
            widthDivisor: record.widthDivisor,
            sha256: record.sourceSha256,
          },
          backend: model.device,
          fallback: model.fallbacks.length > 0 ? model.fallbacks.join('; ') : undefined,
          verification,
        }),
      };
    }
    return out;
  }

  /** Refuses early (E_QUOTA) a video whose results would not fit in the storage left. */
  async function checkSpace(req: ExtractRequest, chosen: [StreamName, ModelRecord][]): Promise<void> {
    const { settings } = req;
    const frames = expectedFrames(req.probe, settings.fps, settings.maxFrames);
    const estimate = await env.storageEstimate();
    if (frames === null || !estimate) return;
    const shapes = chosen.map(([, r]) => ({ classes: r.classes, featureChannels: I3D_FEATURE_CHANNELS / r.widthDivisor }));
    const needed = estimateOutputBytes(frames, shapes);
    const free = estimate.quota - estimate.usage;
    if (needed > free) {
      throw new AppError('E_QUOTA', `the results of ${frames} frames need about ${megabytes(needed)}; ${megabytes(Math.max(free, 0))} are free`);
    }
  }

  return {
    probe: (file) => env.probe(file),

    async extract(req, onProgress, onFlowPreview, signal, pause) {
      // taken at once: a failure armed while this extraction starts is for the next one
      const failure = __TEST_HOOKS__ ? failNext : null;
      if (__TEST_HOOKS__) failNext = null;
      const { settings } = req;
      const chosen = await chosenModels(settings);
      await checkSpace(req, chosen);
      const detected = await env.capabilities();
      // the chunk length and the WASM graph's form, from the memory budget (before the models load in that form)
      const chunking = chooseChunk({
        streams: settings.streams,
        dtype: settings.dtype,
        explicitChunk: settings.maxChunkFrames,
        budgetBytes: settings.memoryBudgetBytes ?? null,
        deviceMemoryBytes: detected.deviceMemoryGiB ? detected.deviceMemoryGiB * 1024 ** 3 : null,
        // the stream's length (the decoded frames but one), as the container or the duration tells
        frames: streamEntries(expectedFrames(req.probe, settings.fps, settings.maxFrames)),
        keepForm: lastWasmForm,
      });
      lastWasmForm = chunking.wasmForm;
      let models = await streamModels(settings, chosen, chunking.wasmForm, __TEST_HOOKS__ ? req.perturbVerificationForTest : undefined);
      if (__TEST_HOOKS__ && failure) models = failingModels(models, failure);
      checkAbort(signal);
      // the flow pool sizes itself from the cores it is given
      const caps = settings.threads ? { ...detected, cores: settings.threads } : detected;
      const toEntry: ToEntry = (flow, width, height) => flowEntry(flow, width, height, settings.flowMode);
      const flow = settings.streams.includes('flow') ? await env.openFlow(settings.flowBackend, caps, toEntry) : undefined;
      try {
        const names = await env.labels();
        const out = req.resume ? await env.results.folder(req.id) : await env.results.fresh(req.id);
        if (__TEST_HOOKS__ && req.quotaForTest) env.fillDiskForTest?.(out, req.quotaForTest);
        let lastEnd: DecodeEnd | null = null;
        const decodeOptions: DecodeStreamOptions = {
          fps: settings.fps ?? undefined,
          maxFrames: settings.maxFrames ?? undefined,
          signal,
          onEnd: (end) => (lastEnd = end),
        };
        const { flowPreview } = env;
        let loseGpuAt = __TEST_HOOKS__ ? req.loseGpuAfterFrames : undefined;
        let fault = __TEST_HOOKS__ ? req.faultForTest : undefined;
        const frameOptions: DecodeStreamOptions =
          __TEST_HOOKS__ && fault?.worker === 'decode'
            ? { ...decodeOptions, faultForTest: { kind: fault.kind, afterFrames: fault.afterFrames } }
            : decodeOptions;
        return await runVideo({
          source: { name: req.file.name, bytes: req.file.size },
          probe: req.probe,
          // without an fps filter the decode gives the stream's frames: the container's count, checked at the end
          expectedFrames: settings.fps === null && req.probe.frameCount !== null ? Math.min(req.probe.frameCount, settings.maxFrames ?? Infinity) : null,
          async countFrames() {
            let n = 0;
            for await (const b of env.decode(req.file, { ...decodeOptions, countOnly: true })) n += b.frames.length;
            return n;
          },
          frames: () => env.decode(req.file, frameOptions),
          decodeWarnings: () => lastEnd?.warnings ?? [],
          decodeBusySeconds: () => lastEnd?.busySeconds,
          models,
          flow,
          fps: settings.fps,
          flowMode: settings.flowMode,
          maxChunkFrames: chunking.maxChunkFrames,
          chunking,
          out,
          classNames: (k) => classNames(k, names),
          onProgress: (p) => {
            if (__TEST_HOOKS__ && loseGpuAt !== undefined && p.stage === 'extract' && p.decodedFrames >= loseGpuAt) {
              loseGpuAt = undefined;
              flow?.loseGpuForTest?.();
              env.loseModelGpu?.();
            }
            if (__TEST_HOOKS__ && fault && fault.worker !== 'decode' && p.stage === 'extract' && p.decodedFrames >= fault.afterFrames) {
              const { worker, kind } = fault;
              fault = undefined;
              if (worker === 'flow') flow?.faultForTest?.(kind);
              else pipelineFault(kind);
            }
            onProgress(p);
          },
          onFlowEntry:
            onFlowPreview && flowPreview ? throttled(1500, (entry: Float32Array) => void flowPreview(entry).then(onFlowPreview, () => undefined)) : undefined,
          signal,
          pause,
          resume: { key: resumeKey(req, chosen, chunking.maxChunkFrames) },
        });
      } finally {
        flow?.close();
      }
    },

    async bundle(zipName, folders, signal) {
      const entries: BundleEntry[] = [];
      for (const f of folders) {
        const dir = await env.results.folder(f.id);
        const stem = f.name.replace(/\.[^.]+$/, '');
        for (const file of bundleFiles(await dir.list())) entries.push({ name: `${stem}/${file}`, dir, file });
      }
      checkAbort(signal);
      const target = await env.results.createFile(zipName);
      try {
        await writeZip(entries, target.file);
      } catch (e) {
        // (a full disk): the unfinished bundle goes
        await env.results.remove(partName(zipName)).catch(() => undefined);
        throw e;
      }
      return target.size();
    },

    removeResult: (id) => env.results.remove(id),
    listResults: async () => describeResults(await env.results.list(), (id) => env.results.folder(id)),
    async frameAt(file, seconds, video) {
      if (!env.frameAt) throw new AppError('E_INTERNAL', 'no frame pictures here');
      return env.frameAt(file, Math.max(0, Math.round(seconds * video.fps)), video.rate === 'native' ? undefined : video.rate);
    },

    async importModel(source, dtype, onStage, signal, confirm) {
      checkAbort(signal);
      let blob: Blob;
      if (source.file) blob = source.file;
      else if (source.url) {
        onStage('connecting');
        blob = await env.fetchModel(source.url, signal, { confirm, onProgress: (p) => onStage('downloading', p) });
      } else throw new AppError('E_INTERNAL', 'no model source');
      return importCheckpoint(blob, source.name, dtype, onStage, signal);
    },

    listModels: () => env.models.list(),
    async removeModel(id) {
      await env.runtime.release(id);
      await env.models.remove(id);
    },
    capabilities: async () => capabilityReport(await env.capabilities()),
    releaseModels: () => env.runtime.release(),
    ...(__TEST_HOOKS__
      ? {
          failNextExtractForTest(code: ErrorCode, passes: number) {
            failNext = { code, passes };
          },
        }
      : {}),
  };
}
