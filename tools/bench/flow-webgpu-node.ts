/**
 * WebGPU TV-L1 (src/flow/webgpu) in Node through Dawn: agreement with the CPU path and frame pairs per second,
 * per schedule mode and batch size. Meant for a machine with a GPU; runs on any Dawn adapter (also SwiftShader:
 * VK_ICD_FILENAMES=<chromium dir>/vk_swiftshader_icd.json).
 *
 *   npx tsx tools/bench/flow-webgpu-node.ts [--dawn PATH/dawn.node] [--frames FRAMES.npy] [--size 341x256]
 *       [--pairs 32] [--modes auto,loop,grid] [--batches 1,8,32] [--runs 3] [--check 4] [--loop-max PIXELS]
 *       [--loop-wg 64|256|1024] [--flags DAWN_TOGGLES] [--out FILE.json]
 *
 * Dawn: `--dawn` (or WEBGPU_DAWN) names a dawn.node file; otherwise the `webgpu` npm package is imported
 * (`npm install --no-save --ignore-scripts webgpu@0.6.2`; it is not a project dependency).
 * Frames: a (N, H, W) uint8 .npy of grey frames (tools/bench/pack-flow-webgpu.ts writes one), else the fixture
 * video decoded with native ffmpeg (canonical 342×256, grey as OpenCV), from frame 30 on; cropped to --size
 * (left columns / top rows, like `npm run bench -- flow`).
 * Throughput: for every mode and batch size, one untimed warm-up batch, then `runs` timed passes over `pairs`
 * consecutive pairs (batches of that size, two submissions in flight); the median pass gives pairs/s.
 * Agreement: the first `check` pairs against the CPU path (mean, p99.9 and max end-point error, bit-exact share,
 * iteration counts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TVL1 } from '../../src/flow/cpu/tvl1';
import { rgbToGray } from '../../src/flow/gray';
import { type FlowPair, type ScheduleMode, createWebGpuTvl1 } from '../../src/flow/webgpu/tvl1-webgpu';
import { decodeNpy } from '../../src/io/npy';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE = join(ROOT, '../shared/fixtures/v_GGSY1Qvo990.mp4');
const FIRST_FRAME = 30;

interface Dawn {
  create(flags: string[]): GPU;
  globals: object;
}

async function loadDawn(path: string | undefined): Promise<Dawn> {
  if (path) return createRequire(import.meta.url)(resolve(path)) as Dawn;
  const name = 'webgpu'; // a variable: neither bundlers nor the type checker follow it
  return (await import(name)) as Dawn;
}

interface Frames {
  width: number;
  height: number;
  frames: Uint8Array[];
}

async function loadFrames(npyPath: string | undefined, count: number): Promise<Frames> {
  if (npyPath) {
    const a = decodeNpy(new Uint8Array(readFileSync(npyPath)));
    const [n, h, w] = a.shape;
    const data = a.data as Uint8Array;
    return { width: w, height: h, frames: Array.from({ length: Math.min(n, count) }, (_, k) => data.subarray(k * w * h, (k + 1) * w * h)) };
  }
  const { decodeRgbFrames } = await import('../../src/decode/native-node');
  const { width, height, frames } = await decodeRgbFrames(FIXTURE, { maxFrames: FIRST_FRAME + count });
  return { width, height, frames: frames.slice(FIRST_FRAME).map((f) => rgbToGray(f, width, height)) };
}

function crop(f: Frames, w: number, h: number): Frames {
  if (w > f.width || h > f.height) throw new Error(`--size ${w}x${h} is larger than the frames (${f.width}x${f.height})`);
  const frames = f.frames.map((g) => {
    const out = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) out.set(g.subarray(y * f.width, y * f.width + w), y * w);
    return out;
  });
  return { width: w, height: h, frames };
}

function agreement(gpu: Float32Array, cpu: Float32Array) {
  const n = cpu.length / 2;
  const e = new Float64Array(n);
  let sum = 0;
  let same = 0;
  for (let i = 0; i < n; i++) {
    e[i] = Math.hypot(gpu[2 * i] - cpu[2 * i], gpu[2 * i + 1] - cpu[2 * i + 1]);
    sum += e[i];
    if (gpu[2 * i] === cpu[2 * i] && gpu[2 * i + 1] === cpu[2 * i + 1]) same++;
  }
  e.sort();
  return { meanEpe: sum / n, p999Epe: e[Math.min(n - 1, Math.floor(0.999 * n))], maxEpe: e[n - 1], bitExactPixels: same / n };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dawn: { type: 'string', default: process.env.WEBGPU_DAWN },
      flags: { type: 'string', default: '' },
      frames: { type: 'string' },
      size: { type: 'string', default: '341x256' },
      pairs: { type: 'string', default: '32' },
      modes: { type: 'string', default: 'auto,loop,grid' },
      batches: { type: 'string', default: '1,8,32' },
      runs: { type: 'string', default: '3' },
      check: { type: 'string', default: '4' },
      'loop-max': { type: 'string' },
      'loop-wg': { type: 'string' },
      out: { type: 'string' },
    },
  });
  const [w, h] = values.size.split('x').map(Number);
  const pairs = Number(values.pairs);
  const runs = Number(values.runs);
  const check = Math.min(Number(values.check), pairs);
  const dawn = await loadDawn(values.dawn);
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create(values.flags ? values.flags.split(',') : []);

  const frames = crop(await loadFrames(values.frames, pairs + 1), w, h);
  if (frames.frames.length < pairs + 1) throw new Error(`only ${frames.frames.length} frames for ${pairs} pairs`);
  const input: FlowPair[] = Array.from({ length: pairs }, (_, k) => ({ gray0: frames.frames[k], gray1: frames.frames[k + 1] }));

  const cpu: Array<{ flow: Float32Array; inner: number; outer: number }> = [];
  const tv = new TVL1();
  for (let k = 0; k < check; k++) {
    const flow = tv.calc({ data: input[k].gray0, width: w, height: h }, { data: input[k].gray1, width: w, height: h });
    cpu.push({ flow, inner: tv.stats.innerIterations, outer: tv.stats.outerIterations });
  }

  const report: Record<string, unknown> = { size: `${w}x${h}`, pairs, runs, rows: [] as unknown[] };
  const rows = report.rows as Array<Record<string, unknown>>;
  for (const mode of values.modes.split(',') as ScheduleMode[]) {
    for (const batch of values.batches.split(',').map(Number)) {
      const gpuTv = await createWebGpuTvl1({
        gpu,
        mode,
        maxBatch: batch,
        powerPreference: 'high-performance',
        loopMaxPixels: values['loop-max'] === undefined ? undefined : Number(values['loop-max']),
        loopWorkgroupSize: values['loop-wg'] === undefined ? undefined : (Number(values['loop-wg']) as 64 | 256 | 1024),
      });
      if (!gpuTv) throw new Error('no WebGPU adapter (check the Vulkan/Metal/D3D driver, or VK_ICD_FILENAMES)');
      report.adapter = gpuTv.adapterDescription;
      await gpuTv.calcBatch(input.slice(0, batch), w, h); // warm-up: pipelines, buffers, driver caches
      const seconds: number[] = [];
      let results = null;
      for (let r = 0; r < runs; r++) {
        const t0 = performance.now();
        results = await gpuTv.calcBatch(input, w, h);
        seconds.push((performance.now() - t0) / 1000);
      }
      const checks = cpu.map((c, k) => ({
        ...agreement(results![k].flow, c.flow),
        iterations: `${results![k].innerIterations}/${results![k].outerIterations} (CPU ${c.inner}/${c.outer})`,
      }));
      const row = {
        mode,
        loopMaxPixels: gpuTv.loopMaxPixels,
        loopWorkgroupSize: gpuTv.loopWorkgroupSize,
        batch,
        pairsPerSecond: pairs / median(seconds),
        secondsPerPass: seconds,
        worstMeanEpe: Math.max(...checks.map((c) => c.meanEpe)),
        worstMaxEpe: Math.max(...checks.map((c) => c.maxEpe)),
        checks,
      };
      rows.push(row);
      console.log(
        `${mode.padEnd(5)} (loop ≤ ${gpuTv.loopMaxPixels} px, wg ${gpuTv.loopWorkgroupSize}) batch ${String(batch).padStart(3)}: ${row.pairsPerSecond.toFixed(2).padStart(8)} pairs/s ` +
          `(passes ${seconds.map((s) => s.toFixed(2)).join(', ')} s); worst mean EPE ${row.worstMeanEpe.toExponential(2)}, ` +
          `max ${row.worstMaxEpe.toExponential(2)}, bit-exact ${checks.map((c) => (100 * c.bitExactPixels).toFixed(1)).join('/')} %`,
      );
      gpuTv.destroy();
    }
  }
  console.log(`adapter: ${String(report.adapter)}; ${pairs} pairs of ${w}x${h}`);
  if (values.out) writeFileSync(values.out, JSON.stringify(report, null, 2));
  process.exit(0); // Dawn keeps the event loop alive
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
