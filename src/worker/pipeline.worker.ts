/// <reference lib="webworker" />
/** Thin pipeline worker: wires the engines to the pure pipeline and exposes the API through comlink. */
import { expose } from 'comlink';
import '../bridge/comlink-errors';
import { decodeVideo, probeVideo } from '../decode/client';
import { rgbToJpeg } from '../decode/thumbnail';
import { AppError } from '../errors';
import { writeZip, type BundleEntry } from '../io/bundle';
import { classNames, LABEL_FILES, parseLabels, type LabelSet } from '../io/labels';
import { ModelStore } from '../io/model-store';
import { OpfsDir, opfsDir, opfsRemove } from '../io/opfs';
import { configureOrt, loseWebGpuDeviceForTest } from '../model/ort';
import { capabilities, resolveDevice } from '../platform/capabilities';
import { openFlowEngine } from '../pipeline/flow-engine';
import { flowPreviewJpeg } from '../pipeline/flow-preview';
import { SessionModel } from '../pipeline/session-model';
import { runVideo, type VideoModel } from '../pipeline/video';
import type { StreamName } from '../pipeline/extract';
import type { PipelineApi } from './pipeline.api';

const jobs = new Map<number, AbortController>();

const models = new ModelStore();

function job(jobId: number): AbortSignal {
  const c = new AbortController();
  jobs.set(jobId, c);
  return c.signal;
}

/** The app's base URL (where /labels and the ORT files are served). */
const base = new URL(import.meta.env.BASE_URL, self.location.origin).href;
configureOrt({ numThreads: Math.max(1, Math.min(navigator.hardwareConcurrency || 1, 8)) });

let labels: Promise<Partial<Record<LabelSet, string[]>>> | null = null;
function loadLabels(): Promise<Partial<Record<LabelSet, string[]>>> {
  labels ??= Promise.all(
    Object.entries(LABEL_FILES).map(async ([set, path]) => [set, parseLabels(await (await fetch(base + path)).text())] as const),
  ).then(Object.fromEntries);
  return labels;
}

/** At most one flow preview every 1.5 s (the first one at once). */
function throttledPreview(send: (jpeg: Blob) => void): (entry: Float32Array) => void {
  let last = -Infinity;
  return (entry) => {
    if (performance.now() - last < 1500) return;
    last = performance.now();
    void flowPreviewJpeg(entry).then(send, () => undefined);
  };
}

const api: PipelineApi = {
  async probe(file) {
    const { meta, thumbnail } = await probeVideo(file, true);
    return { meta, thumbnail: thumbnail ? await rgbToJpeg(thumbnail) : undefined };
  },

  async extract(jobId, req, onProgress, onFlowPreview) {
    const signal = job(jobId);
    const { settings } = req;
    const caps = await capabilities();
    const device = resolveDevice(settings.device, caps);
    const opened: SessionModel[] = [];
    const streamModels: Partial<Record<StreamName, VideoModel>> = {};
    const flow = settings.streams.includes('flow') ? await openFlowEngine(settings.flowBackend, caps, settings.flowMode) : undefined;
    try {
      for (const stream of settings.streams) {
        const id = settings.models[stream];
        if (!id) throw new AppError('E_MODEL_MISSING', `no ${stream} model chosen`);
        const { bytes, record } = await models.modelBytes(id, settings.dtype);
        if (record.modality !== stream) throw new AppError('E_MODEL_MISSING', `${record.name} is a ${record.modality} model, not ${stream}`);
        const model = await SessionModel.open(bytes, device, { halfCompute: caps.shaderF16 });
        opened.push(model);
        streamModels[stream] = {
          model,
          describe: () => ({
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
          }),
        };
      }
      const names = await loadLabels();
      await opfsRemove('results', req.id);
      const out = new OpfsDir(await opfsDir('results', req.id));
      const decodeOptions = { fps: settings.fps ?? undefined, maxFrames: settings.maxFrames ?? undefined, signal };
      return await runVideo({
        source: { name: req.file.name, bytes: req.file.size },
        probe: req.probe,
        // without an fps filter the decode gives the stream's frames: the container's count, checked at the end
        expectedFrames:
          settings.fps === null && req.probe.frameCount !== null
            ? Math.min(req.probe.frameCount, settings.maxFrames ?? Infinity)
            : null,
        async countFrames() {
          let n = 0;
          for await (const b of decodeVideo(req.file, { ...decodeOptions, countOnly: true })) n += b.frames.length;
          return n;
        },
        frames: () => decodeVideo(req.file, decodeOptions),
        models: streamModels,
        flow,
        fps: settings.fps,
        flowMode: settings.flowMode,
        maxChunkFrames: settings.maxChunkFrames,
        out,
        classNames: (k) => classNames(k, names),
        onProgress: (p) => {
          if (req.loseGpuAfterFrames !== undefined && p.stage === 'extract' && p.decodedFrames >= req.loseGpuAfterFrames) {
            delete req.loseGpuAfterFrames;
            flow?.loseGpuForTest?.();
            loseWebGpuDeviceForTest();
          }
          onProgress(p);
        },
        onFlowEntry: onFlowPreview ? throttledPreview(onFlowPreview) : undefined,
        signal,
      });
    } finally {
      jobs.delete(jobId);
      flow?.close();
      await Promise.allSettled(opened.map((m) => m.close()));
    }
  },

  async bundle(zipName, folders) {
    const entries: BundleEntry[] = [];
    for (const f of folders) {
      const dir = new OpfsDir(await opfsDir('results', f.id));
      const stem = f.name.replace(/\.[^.]+$/, '');
      for (const file of await dir.list()) entries.push({ name: `${stem}/${file}`, dir, file });
    }
    const root = new OpfsDir(await opfsDir('results'));
    await writeZip(entries, await root.create(zipName));
    return root.size(zipName);
  },

  async removeResult(id) {
    await opfsRemove('results', id);
  },

  async importModel(jobId, source, dtype, onStage) {
    job(jobId);
    try {
      let blob: Blob;
      if (source.file) blob = source.file;
      else if (source.url) {
        let res: Response;
        try {
          res = await fetch(source.url, { mode: 'cors', credentials: 'omit' });
        } catch (e) {
          throw new AppError('E_FETCH', `${source.url}: ${e instanceof Error ? e.message : String(e)}`);
        }
        if (!res.ok) throw new AppError('E_FETCH', `${source.url}: HTTP ${res.status}`);
        blob = await res.blob();
      } else throw new AppError('E_INTERNAL', 'no model source');
      return await models.importCheckpoint(blob, source.name, dtype, (s) => onStage(s));
    } finally {
      jobs.delete(jobId);
    }
  },

  listModels: () => models.list(),
  removeModel: (id) => models.remove(id),
  capabilities: () => capabilities(),

  abort(jobId) {
    jobs.get(jobId)?.abort();
  },
  crashForTest() {
    setTimeout(() => {
      throw new Error('crash requested by a test');
    });
  },
};

expose(api);
