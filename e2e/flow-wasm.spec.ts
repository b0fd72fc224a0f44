/**
 * The app's CPU TV-L1 pool in Chromium (src/flow/pool.ts: browser workers, the kernel module fetched and compiled
 * once by the page and sent to each worker) runs the WebAssembly SIMD kernels by default and gives the flow of
 * the TypeScript TV-L1 in Node (itself OpenCV-exact) bit for bit; forcing the TypeScript kernels gives it too.
 * Logs the single-worker time per pair of both (no timing assertions).
 */
import { expect, test, type Page } from '@playwright/test';
import type { WasmHarness, WasmHarnessOptions } from './harness/wasm';
import { TVL1 } from '../src/flow/cpu/tvl1';
import { rgbToGray } from '../src/flow/gray';
import { makePair, translate } from '../test/flow/synthetic';
import { decodeRgbFrames } from '../src/decode/native-node';
import { FIXTURE, HARNESS } from './support/fixtures';

interface Case {
  width: number;
  height: number;
  pairs: Array<[Uint8Array, Uint8Array]>;
}

const b64 = (a: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

function run(page: Page, c: Case, opts: WasmHarnessOptions) {
  const pairs = c.pairs.map(([a, b]) => ({ gray0: b64(a), gray1: b64(b) }));
  return page.evaluate(([p, w, h, o]) => (window as unknown as { harness: WasmHarness }).harness.flowPoolRun(p, w, h, o), [
    pairs,
    c.width,
    c.height,
    opts,
  ] as const);
}

/** The flows must equal the TypeScript TV-L1's in Node bit for bit. */
function expectSameAsNode(c: Case, flows: string[], label: string): void {
  const tv = new TVL1();
  expect(flows).toHaveLength(c.pairs.length);
  c.pairs.forEach(([a, b], k) => {
    const want = tv.calc({ data: a, width: c.width, height: c.height }, { data: b, width: c.width, height: c.height });
    const bytes = Buffer.from(flows[k], 'base64');
    const got = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const ref = new Uint32Array(want.buffer);
    expect(got.length, label).toBe(ref.length);
    let differ = 0;
    for (let i = 0; i < ref.length; i++) if (got[i] !== ref[i]) differ++;
    expect(differ, `${label} pair ${k}: values that differ from the TypeScript flow in Node`).toBe(0);
  });
}

const median = (x: number[]) => [...x].sort((p, q) => p - q)[x.length >> 1];

test.beforeEach(async ({ page }) => {
  await page.goto(HARNESS);
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
});

test('the browser pool runs the WebAssembly kernels and matches the TypeScript flow bit for bit (fixture 342×256, 2 workers)', async ({ page }) => {
  const { width, height, frames } = await decodeRgbFrames(FIXTURE, { maxFrames: 33 });
  const gray = frames.slice(30).map((f) => rgbToGray(f, width, height));
  const c: Case = {
    width,
    height,
    pairs: [
      [gray[0], gray[1]],
      [gray[1], gray[2]],
    ],
  };
  const wasm = await run(page, c, { workers: 2, kernels: 'auto' });
  expect(wasm.kernels).toEqual(['wasm', 'wasm']);
  expectSameAsNode(c, wasm.flows, 'wasm');
});

test('small and degenerate sizes: wasm and forced TypeScript kernels both give the Node flow', async ({ page }) => {
  for (const [w, h] of [
    [12, 10],
    [1, 40],
    [40, 1],
    [33, 17],
  ]) {
    const p = makePair(w, h, 3, translate(0.8, -0.4));
    const c: Case = { width: w, height: h, pairs: [[p.data.slice(0, w * h), p.data.slice(w * h)]] };
    for (const kernels of ['wasm', 'ts'] as const) {
      const r = await run(page, c, { kernels });
      expect(r.kernels, `${w}×${h}`).toEqual([kernels]);
      expectSameAsNode(c, r.flows, `${kernels} ${w}×${h}`);
    }
  }
});

test('single-worker time per pair in Chromium, WebAssembly vs TypeScript kernels (logged)', async ({ page }) => {
  test.setTimeout(300_000);
  const { width, height, frames } = await decodeRgbFrames(FIXTURE, { maxFrames: 34 });
  const gray = frames.slice(30).map((f) => rgbToGray(f, width, height));
  const c: Case = { width, height, pairs: [0, 1, 2].map((i) => [gray[i], gray[i + 1]] as [Uint8Array, Uint8Array]) };
  const wasm = await run(page, c, { kernels: 'wasm', runs: 2 });
  const ts = await run(page, c, { kernels: 'ts', runs: 1 });
  expect(wasm.kernels).toEqual(['wasm', 'wasm', 'wasm']);
  expect(ts.kernels).toEqual(['ts', 'ts', 'ts']);
  expect(wasm.flows).toEqual(ts.flows);
  console.info(
    `Chromium, 1 worker, ${width}×${height}: WebAssembly ${median(wasm.msPerPair).toFixed(0)} ms/pair (min ${Math.min(...wasm.msPerPair).toFixed(0)}), ` +
      `TypeScript ${median(ts.msPerPair).toFixed(0)} ms/pair (min ${Math.min(...ts.msPerPair).toFixed(0)})`,
  );
});
