/**
 * headless.html: the page `npm run extract` (and `npm run flow --backend webgpu`) drive in headless Chromium. No
 * UI: the same bridge, worker and pipeline as the app, exposed as `window.headless`. The command line puts files
 * into the page's two file inputs (#models, #video) and calls these functions.
 */
import { bridge } from '../bridge/pipeline';
import { fromBase64, toBase64 } from '../io/base64';
import { AppError, toErrorInfo, type ErrorInfo } from '../errors';
import type { ExtractSettings } from '../bridge/pipeline';
import type { ModelRecord } from '../io/model-record';
import type { VideoProgress, VideoSummary } from '../pipeline/video';
import { createWebGpuTvl1, type WebGpuTvl1 } from '../flow/webgpu/tvl1-webgpu';

const input = (id: string) => document.getElementById(id) as HTMLInputElement;

function progressLine(name: string, p: VideoProgress): string {
  if (p.stage !== 'extract') return `${name}: ${p.stage}`;
  const steps = Object.entries(p.steps).map(([s, n]) => `${s} ${n}/${p.totalSteps}`);
  return `${name}: decoded ${p.decodedFrames}/${p.totalFrames}, flow ${p.flowPairs}, ${steps.join(', ')}`;
}

/**
 * What a call that can fail for one input returns: page.evaluate turns a thrown error into a string and loses
 * its code, so the typed error crosses as a plain ErrorInfo (and the page-side stack, for --verbose).
 */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo; stack?: string };

async function settle<T>(run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (e) {
    return { ok: false, error: toErrorInfo(e), stack: e instanceof Error ? e.stack : undefined };
  }
}

let webgpuFlow: Promise<WebGpuTvl1 | null> | null = null;

const headless = {
  capabilities: () => bridge().capabilities(),
  /** Imports the checkpoints in #models (a checkpoint imported before is found again by its hash). */
  importModels(dtype: ExtractSettings['dtype']): Promise<Outcome<ModelRecord[]>> {
    return settle(async () => {
      const out: ModelRecord[] = [];
      for (const file of input('models').files ?? []) out.push(await bridge().importModel({ file, name: file.name }, dtype));
      return out;
    });
  },
  /** Extracts the video in #video; results stay in results/<id> until removed. */
  extract(id: string, settings: ExtractSettings): Promise<Outcome<VideoSummary>> {
    return settle(async () => {
      const file = (input('video').files ?? [])[0];
      if (!file) throw new AppError('E_INTERNAL', 'no video given');
      const { meta } = await bridge().probe(file);
      let last = 0;
      return bridge().extract(
        { id, file, probe: meta, settings },
        {
          onProgress: (p) => {
            if (Date.now() - last > 2000 || p.stage !== 'extract') {
              last = Date.now();
              console.log(`progress ${progressLine(file.name, p)}`);
            }
          },
        },
      );
    });
  },
  /**
   * Sends results/<id>/<file> to the command line: POSTed (streamed from disk) to the URL it gave, which its
   * server writes to the output folder. Not a download: Chromium stops a page's downloads without a gesture after
   * the first few.
   */
  async send(id: string, file: string, url: string): Promise<Outcome<number>> {
    return settle(async () => {
      const body = await bridge().resultFile([id, file]);
      const res = await fetch(url, { method: 'POST', body });
      if (!res.ok) throw new AppError('E_INTERNAL', `sending ${file}: ${res.status} ${await res.text()}`);
      return body.size;
    });
  },
  removeResult: (id: string) => bridge().removeResult(id),
  /** The WebGPU adapter TV-L1 runs on, or null without WebGPU. */
  async flowWebgpuAdapter(): Promise<string | null> {
    webgpuFlow ??= createWebGpuTvl1();
    return (await webgpuFlow)?.adapterDescription ?? null;
  },
  /** Raw TV-L1 flow of grey frame pairs (base64 uint8 in, base64 float32 (H, W, 2) out) on WebGPU. */
  async flowWebgpuRun(
    pairs: { gray0: string; gray1: string }[],
    width: number,
    height: number,
  ): Promise<{ adapter: string; flows: { flow: string; innerIterations: number }[] }> {
    webgpuFlow ??= createWebGpuTvl1();
    const tv = await webgpuFlow;
    if (!tv) throw new Error('no WebGPU adapter');
    const results = await tv.calcBatch(
      pairs.map((p) => ({ gray0: fromBase64(p.gray0), gray1: fromBase64(p.gray1) })),
      width,
      height,
    );
    return {
      adapter: tv.adapterDescription,
      flows: results.map((r) => ({ flow: toBase64(new Uint8Array(r.flow.buffer, r.flow.byteOffset, r.flow.byteLength)), innerIterations: r.innerIterations })),
    };
  },
};

export type Headless = typeof headless;

declare global {
  interface Window {
    headless: Headless;
  }
}
window.headless = headless;
document.body.dataset.ready = 'true';
