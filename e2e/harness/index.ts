/**
 * Test harness page (harness.html): exposes the app's own modules to the Playwright tests, so they check the
 * code the app runs, in the browser it runs in.
 */
import { decodeVideo, probeVideo } from '../../src/decode/client';
import { bridge, bridgeTestHooks } from '../../src/bridge/pipeline';
import { benchHarness } from './bench';
import { flowHarness } from './flow';
import { i3dHarness } from './i3d';
import { modelHarness } from './model';
import { wasmHarness } from './wasm';
import { fetchBytes } from './io';
import { sha256Hex } from '../../src/io/sha256';
import type { DecodeWarning } from '../../src/decode/frames';

/** Fetches a file the test served and wraps it as a File. */
async function fetchFile(url: string, name: string): Promise<File> {
  return new File([await fetchBytes(url)], name);
}

const base = {
  fetchFile,
  probe: async (url: string, name: string) => (await probeVideo(await fetchFile(url, name), false)).meta,
  /** The probe's metadata, or the typed error it ends with. */
  async probeOutcome(url: string, name: string) {
    try {
      return { meta: (await probeVideo(await fetchFile(url, name), true)).meta };
    } catch (e) {
      const err = e as { code?: string; detail?: string };
      return { error: { code: err.code ?? String(e), detail: err.detail ?? '' } };
    }
  },
  /**
   * Probes `n` copies of a video at once and counts the decode workers the client has alive at a time: the page's
   * Worker constructor is wrapped for the call, a worker counting from `new Worker` until `terminate()`.
   */
  async probeMany(url: string, n: number) {
    const bytes = await fetchBytes(url);
    const Native = globalThis.Worker;
    let live = 0;
    let peak = 0;
    let started = 0;
    globalThis.Worker = class extends Native {
      constructor(...args: ConstructorParameters<typeof Worker>) {
        super(...args);
        started++;
        peak = Math.max(peak, ++live);
      }
      override terminate() {
        live--;
        super.terminate();
      }
    };
    try {
      const metas = await Promise.all(Array.from({ length: n }, (_, i) => probeVideo(new File([bytes], `clip-${i}.mp4`), true)));
      return { frames: metas.map((m) => m.meta.frameCount), started, peak, live };
    } finally {
      globalThis.Worker = Native;
    }
  },
  /** SHA-256 of every decoded frame, plus sizes, timing and the decoder's warnings. */
  async decodeHashes(url: string, name: string, fps?: number) {
    const file = await fetchFile(url, name);
    const hashes: string[] = [];
    let width = 0;
    let height = 0;
    const end: { warnings: DecodeWarning[] | null } = { warnings: null };
    const t0 = performance.now();
    for await (const batch of decodeVideo(file, { fps, onEnd: (e) => (end.warnings = e.warnings) })) {
      width = batch.width;
      height = batch.height;
      for (const f of batch.frames) hashes.push(await sha256Hex(f));
    }
    return { hashes, width, height, warnings: end.warnings, seconds: (performance.now() - t0) / 1000, isolated: crossOriginIsolated };
  },
  /** How many frames a decode gives, or the typed error it ends with. */
  async decodeOutcome(url: string, name: string, fps?: number) {
    try {
      let frames = 0;
      for await (const batch of decodeVideo(await fetchFile(url, name), { fps })) frames += batch.frames.length;
      return { frames };
    } catch (e) {
      const err = e as { code?: string; detail?: string };
      return { error: { code: err.code ?? String(e), detail: err.detail ?? '' } };
    }
  },
  /** Calls the pipeline worker through the bridge. */
  bridgeProbe: async (url: string, name: string) => {
    const file = await fetchFile(url, name);
    const info = await bridge().probe(file);
    return { meta: info.meta, thumbnailBytes: info.thumbnail?.size ?? 0 };
  },
  bridgeCrash: async () => {
    const b = bridge();
    const before = b.restarts;
    if (!bridgeTestHooks) throw new Error('not a test build');
    const outcome = await bridgeTestHooks.crash(b).then(
      () => 'resolved',
      (e: unknown) => (e as { code?: string }).code ?? String(e),
    );
    return { outcome, restarts: b.restarts - before };
  },
};

const harness = { ...base, ...flowHarness, ...modelHarness, ...benchHarness, ...i3dHarness, ...wasmHarness };

declare global {
  interface Window {
    harness: typeof harness;
  }
}
window.harness = harness;
document.body.dataset.ready = 'true';
