/**
 * The WASM graph (src/model/graph/wasm-graph.ts: Winograd convolutions) also runs on onnxruntime-web's WebGPU EP
 * (Chromium's software adapter: slim model, 9 frames) and gives the same features there as on WASM. Its default
 * GEMM stage and its separable transforms (grouped Convs) need the EP's NCHW layout: onnxruntime-web 1.30's WebGPU
 * grouped Conv is wrong in the default NHWC layout; the form without grouped Convs (Slices + MatMul GEMM, dense
 * transforms) is right in both layouts.
 * The app's WebGPU graph is the last form with the 1×1×1 convs as MatMuls (src/model/graph/webgpu-graph.ts; webgpu.spec.ts
 * checks it per dtype through the harness's modelOnDevices).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test } from '@playwright/test';
import { randomStateDict } from '../test/model-graph/random-state-dict';
import { buildI3dOnnx } from '../src/model/graph/i3d-graph';
import { toWasmGraph } from '../src/model/graph/wasm-graph';
import { CACHE, HARNESS } from './support/fixtures';
import { serveFile } from './support/page';

test.describe.configure({ timeout: 600_000 });

// the WASM graph's own exactness is checked against PyTorch in Node (test/model-graph/wasm-parity.test.ts); this
// second opinion from another backend runs for the default form, and for the others in the long set (I3D_FULL=1)
const cases = [
  { dtype: 'fp32', gemm: 'conv', separable: true, layout: 'NCHW', always: true },
  { dtype: 'q8', gemm: 'conv', separable: true, layout: 'NCHW', always: false },
  { dtype: 'fp32', gemm: 'matmul', separable: false, layout: undefined, always: false },
] as const;

for (const { dtype, gemm, separable, layout, always } of cases) {
  test(`the ${dtype} WASM graph (${gemm} GEMM, ${separable ? 'separable' : 'dense'} transforms) gives the same features on WebGPU${layout ? ` (${layout})` : ''} as on WASM (slim model, 9 frames)`, async ({
    page,
  }) => {
    test.skip(!always && process.env.I3D_FULL !== '1', 'a software adapter takes ~45 s per form; all of them with I3D_FULL=1');
    const info = { modality: 'rgb' as const, inChannels: 3, numClasses: 400, widthDivisor: 8 };
    const report: Record<string, string> = {};
    const model = toWasmGraph(buildI3dOnnx(randomStateDict(info, 9), info, { dtype }), { report, gemm, separable });
    expect(Object.keys(report)).toHaveLength(20);
    const dir = resolve(CACHE, 'wasm-graph');
    mkdirSync(dir, { recursive: true });
    const file = resolve(dir, `rgb-${dtype}-${gemm}.onnx`);
    writeFileSync(file, model);
    await page.goto(HARNESS);
    await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
    const url = await serveFile(page, file, `wasm-graph-${dtype}-${gemm}.onnx`);
    const r = await page.evaluate(
      async ([u, l]) => {
        const h = window.harness;
        const wasm = await h.i3dLoad(u, 3, 'wasm');
        const gpu = await h.i3dLoad(u, 3, 'webgpu', l);
        const diff = await h.i3dCompare(wasm.id, gpu.id, 9);
        await h.i3dRelease(wasm.id);
        await h.i3dRelease(gpu.id);
        return { devices: [wasm.device, gpu.device], diff };
      },
      [url, layout] as const,
    );
    console.log(dtype, gemm, JSON.stringify(r));
    expect(r.devices).toEqual(['wasm', 'webgpu']);
    for (const v of Object.values(r.diff)) expect(v).toBeLessThanOrEqual(1e-3);
  });
}
