/**
 * The CPU TV-L1 against OpenCV on the first 24 frame pairs of the fixture video, decoded at the canonical size
 * (342×256) with the native ffmpeg CLI and the canonical filter graph; grey by src/flow/gray.ts, which must equal
 * OpenCV's COLOR_RGB2GRAY byte for byte. The WebAssembly SIMD kernels (the default path) against OpenCV, and the
 * TypeScript kernels against them bit for bit.
 */
import { describe, expect, it } from 'vitest';
import { canonicalFilter } from '../../src/decode/filter';
import { TVL1 } from '../../src/flow/cpu/tvl1';
import { rgbToGray } from '../../src/flow/gray';
import { createWasmKernels } from '../../src/flow/wasm/kernels';
import { decodeRgbFrames } from '../../src/decode/native-node';
import { compileTVL1WasmModule } from '../../src/flow/wasm/node';
import { FIXTURE, epeStats, opencvFlowForVideo } from './reference';

const PAIRS = 24;

describe('TV-L1 CPU vs OpenCV on the fixture video', () => {
  it(`first ${PAIRS} pairs at 342×256: mean EPE ≤ 0.01 px, p99.9 ≤ 0.1 px`, { timeout: 600_000 }, async () => {
    const { width, height, frames } = await decodeRgbFrames(FIXTURE, { maxFrames: PAIRS + 1 });
    expect([width, height]).toEqual([342, 256]);
    expect(frames.length).toBe(PAIRS + 1);
    const ref = opencvFlowForVideo(FIXTURE, canonicalFilter(), PAIRS + 1);
    expect(ref.flow.shape).toEqual([PAIRS, height, width, 2]);

    const n = width * height;
    const gray = frames.map((f) => rgbToGray(f, width, height));
    gray.forEach((g, i) => expect(g).toEqual((ref.gray.data as Uint8Array).subarray(i * n, (i + 1) * n)));

    const wasm = new TVL1({}, createWasmKernels(await compileTVL1WasmModule()));
    const ts = new TVL1();
    const flow = new Float32Array(n * 2);
    const tsFlow = new Float32Array(n * 2);
    const all = { mean: 0, p999: 0, max: 0, exact: 0, tsDiffers: 0 };
    for (let i = 0; i < PAIRS; i++) {
      wasm.calc({ data: gray[i], width, height }, { data: gray[i + 1], width, height }, flow);
      const s = epeStats(flow, (ref.flow.data as Float32Array).subarray(i * n * 2, (i + 1) * n * 2));
      all.mean += s.mean / PAIRS;
      all.p999 = Math.max(all.p999, s.p999);
      all.max = Math.max(all.max, s.max);
      all.exact += s.exact / PAIRS;
      expect(flow.every(Number.isFinite)).toBe(true);
      expect(s.mean).toBeLessThanOrEqual(0.01);
      expect(s.p999).toBeLessThanOrEqual(0.1);
      // the TypeScript kernels give the same flow bit for bit (so the same distance to OpenCV)
      ts.calc({ data: gray[i], width, height }, { data: gray[i + 1], width, height }, tsFlow);
      const a = new Uint32Array(flow.buffer);
      const b = new Uint32Array(tsFlow.buffer);
      for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) all.tsDiffers++;
    }
    console.info(
      `fixture ${PAIRS} pairs (WebAssembly kernels; TypeScript identical: ${all.tsDiffers === 0}): mean EPE ${all.mean.toExponential(2)} px, worst p99.9 ${all.p999.toExponential(2)}, max ${all.max.toExponential(2)}, bit-exact vs OpenCV ${(100 * all.exact).toFixed(2)} %`,
    );
    expect(all.tsDiffers, 'values where the TypeScript and WebAssembly flows differ').toBe(0);
  });
});
