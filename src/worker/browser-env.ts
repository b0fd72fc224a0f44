/**
 * The browser engines a pipeline job runs on (../pipeline/job.ts JobEnv): ffmpeg.wasm decode workers, OPFS,
 * the flow engine (CPU workers or WebGPU), the model runtime, the app's label files.
 */
import { decodeVideo, probeVideo } from '../decode/client';
import { rgbToJpeg } from '../decode/thumbnail';
import { AppError } from '../errors';
import { openFlowEngine } from '../flow/engine';
import { flowPreviewJpeg } from '../flow/preview';
import { LABEL_FILES, parseLabels, type LabelSet } from '../io/labels';
import { ModelStore } from '../io/model-store';
import { OpfsDir, opfsDir, opfsList, opfsRemove } from '../io/opfs';
import { OpfsVerdictStore } from '../io/verdict-store';
import { configureOrt, loseWebGpuDeviceForTest } from '../model/ort';
import { ModelRuntime } from '../model/runtime';
import { capabilities, threadCount } from '../platform/capabilities';
import type { JobEnv } from '../pipeline/job';
import { APP_ID } from '../pipeline/video';
import { downloadModel } from '../model/url-download';

/** The app's base URL (where /labels and the ORT files are served). */
const base = new URL(import.meta.env.BASE_URL, self.location.origin).href;

let labels: Promise<Partial<Record<LabelSet, string[]>>> | null = null;
function loadLabels(): Promise<Partial<Record<LabelSet, string[]>>> {
  labels ??= Promise.all(Object.entries(LABEL_FILES).map(async ([set, path]) => [set, parseLabels(await (await fetch(base + path)).text())] as const)).then(
    Object.fromEntries,
  );
  return labels;
}

/** JPEG of decoded frame number `frame` (the last one when the video is shorter): decodes from the start up to it. */
async function frameAt(file: File, frame: number, fps?: number): Promise<Blob> {
  let last: { width: number; height: number; data: Uint8Array } | null = null;
  for await (const batch of decodeVideo(file, { fps, maxFrames: frame + 1 })) {
    const data = batch.frames[batch.frames.length - 1];
    if (data) last = { width: batch.width, height: batch.height, data };
  }
  if (!last) throw new AppError('E_NO_FRAMES');
  return rgbToJpeg(last);
}

export function browserJobEnv(): JobEnv {
  configureOrt({ numThreads: threadCount(navigator.hardwareConcurrency) });
  const env: JobEnv = {
    capabilities,
    async probe(file) {
      const { meta, thumbnail } = await probeVideo(file, true);
      return { meta, thumbnail: thumbnail ? await rgbToJpeg(thumbnail) : undefined };
    },
    decode: decodeVideo,
    models: new ModelStore(),
    runtime: new ModelRuntime({ verdicts: new OpfsVerdictStore(), version: APP_ID }),
    openFlow: openFlowEngine,
    setModelThreads: (threads) => configureOrt({ numThreads: threadCount(threads) }),
    results: {
      async fresh(id) {
        await opfsRemove('results', id);
        return new OpfsDir(await opfsDir('results', id));
      },
      folder: async (id) => new OpfsDir(await opfsDir('results', id)),
      remove: (id) => opfsRemove('results', id),
      async createFile(name) {
        const root = new OpfsDir(await opfsDir('results'));
        return { file: await root.create(name), size: () => root.size(name) };
      },
      list: async () => (await opfsList('results')).map(({ name, folder, bytes }) => ({ id: name, folder, bytes })),
    },
    labels: loadLabels,
    async storageEstimate() {
      const est = await navigator.storage?.estimate?.().catch(() => null);
      return est ? { usage: est.usage ?? 0, quota: est.quota ?? 0 } : null;
    },
    fetchModel: (url, signal, hooks) => downloadModel((u, init) => fetch(u, init), url, signal, hooks),
    flowPreview: flowPreviewJpeg,
    frameAt,
  };
  if (__TEST_HOOKS__) {
    env.loseModelGpu = loseWebGpuDeviceForTest;
    env.fillDiskForTest = (dir, { afterBytes, file }) => {
      if (dir instanceof OpfsDir) dir.failWritesForTest(afterBytes, file);
    };
  }
  return env;
}
