/**
 * Harness functions for the model on WebGPU vs WASM, and for whole extractions through the worker
 * (merged into `window.harness` by harness.ts).
 */
import { bridge, type ExtractSettings } from '../../src/bridge/pipeline';
import { decodeNpy } from '../../src/io/npy';
import { opfsDir } from '../../src/io/opfs';
import { runI3d } from '../../src/model/features';
import { createSession, release } from '../../src/model/ort';
import { graphFor } from '../../src/model/runtime';
import type { Device } from '../../src/model/types';
import { verificationInput as input } from '../../src/model/verify';
import type { VideoSummary } from '../../src/pipeline/video';
import { fetchBytes } from './io';

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return a.length === b.length ? m : Infinity;
}

export const modelHarness = {
  /** Runs the ONNX model at `url` on each device (no fallback) in the graph the app runs there, and compares the outputs. */
  async modelOnDevices(url: string, channels: number, T: number) {
    const bytes = await fetchBytes(url);
    const x = input(channels, T, 7);
    const out: Partial<Record<Device, { fc: Float32Array; map: Float32Array; logits: Float32Array; seconds: number; device: string }>> = {};
    for (const device of ['wasm', 'webgpu'] as const) {
      const session = await createSession(graphFor(bytes)(device), { device, fallback: false });
      const t0 = performance.now();
      const r = await runI3d(session, x, T, channels);
      out[device] = { ...r, seconds: (performance.now() - t0) / 1000, device: session.device };
      await release(session);
    }
    const [w, g] = [out.wasm!, out.webgpu!];
    return {
      devices: [w.device, g.device],
      seconds: { wasm: w.seconds, webgpu: g.seconds },
      maxAbsDiff: { fc: maxAbsDiff(w.fc, g.fc), map: maxAbsDiff(w.map, g.map), logits: maxAbsDiff(w.logits, g.logits) },
    };
  },

  /** Imports checkpoints served at `urls` through the worker (as the app does). */
  async importModels(urls: { url: string; name: string }[], dtype: ExtractSettings['dtype']) {
    const ids: string[] = [];
    for (const { url, name } of urls) {
      const file = new File([await fetchBytes(url)], name);
      const rec = await bridge().importModel({ file, name }, dtype);
      ids.push(rec.id);
    }
    return ids;
  },

  /**
   * One extraction through the worker. `loseGpu`: destroy the WebGPU devices once the first frame is decoded
   * (models loaded, nothing computed yet), as a driver reset would. `perturbVerification`: check the WebGPU
   * adapter again with its outputs perturbed by that much (src/model/verify.ts).
   */
  async extract(id: string, url: string, settings: ExtractSettings, loseGpu = false, perturbVerification?: number): Promise<VideoSummary> {
    const file = new File([await fetchBytes(url)], 'video.mp4');
    const { meta } = await bridge().probe(file);
    return bridge().extract({
      id,
      file,
      probe: meta,
      settings,
      loseGpuAfterFrames: loseGpu ? 1 : undefined,
      perturbVerificationForTest: perturbVerification,
    });
  },

  /** Frees the worker's loaded models, as the end of a queue does (the next video loads them again). */
  releaseModels: () => bridge().releaseModels(),

  /** Max abs difference of every .npy file of two result folders. */
  async compareResults(a: string, b: string) {
    const read = async (id: string, name: string) => {
      const dir = await opfsDir('results', id);
      const file = await (await dir.getFileHandle(name)).getFile();
      return decodeNpy(new Uint8Array(await file.arrayBuffer()));
    };
    const names = [];
    for await (const name of ((await opfsDir('results', a)) as unknown as { keys(): AsyncIterable<string> }).keys()) {
      if (name.endsWith('.npy')) names.push(name);
    }
    const out: Record<string, number> = {};
    for (const name of names.sort()) {
      const [x, y] = [await read(a, name), await read(b, name)];
      out[name] = maxAbsDiff(x.data as Float32Array, y.data as Float32Array);
    }
    return out;
  },
};
