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
 * (a dev dependency: its prebuilt dawn.node).
 * Frames: a (N, H, W) or (N, H, W, 3) uint8 .npy of grey or rgb24 frames (tools/bench/pack-flow-webgpu.ts writes one), else the fixture
 * video decoded with native ffmpeg (canonical 342×256, grey as OpenCV), from frame 30 on; cropped to --size
 * (left columns / top rows, like `npm run bench -- flow`).
 * Throughput: for every mode and batch size, one untimed warm-up batch, then `runs` timed passes over `pairs`
 * consecutive pairs (batches of that size, two submissions in flight); the median pass gives pairs/s.
 * Agreement: the first `check` pairs against the CPU path (mean, p99.9 and max end-point error, bit-exact share,
 * iteration counts).
 */
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TVL1 } from '../../src/flow/cpu/tvl1';
import { type ScheduleMode, createWebGpuTvl1 } from '../../src/flow/webgpu/tvl1-webgpu';
import { type Frames, agreement, crop, installDawn, loadDawn, pairsOf, readFramesNpy, timeWebGpuFlow, toGray } from './lib/webgpu-node';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE = join(ROOT, '../shared/fixtures/v_GGSY1Qvo990.mp4');
const FIRST_FRAME = 30;

/** Grey frames: an .npy of grey or rgb24 frames, else the fixture decoded with native ffmpeg from frame 30 on. */
async function loadFrames(npyPath: string | undefined, count: number): Promise<Frames> {
  if (npyPath) {
    const f = readFramesNpy(npyPath, count);
    return f.channels === 3 ? toGray(f) : f;
  }
  const { decodeRgbFrames } = await import('../../src/decode/native-node');
  const { width, height, frames } = await decodeRgbFrames(FIXTURE, { maxFrames: FIRST_FRAME + count });
  return toGray({ width, height, frames: frames.slice(FIRST_FRAME) });
}

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
  const gpu = installDawn(await loadDawn(values.dawn), values.flags ? values.flags.split(',') : []);

  const frames = crop(await loadFrames(values.frames, pairs + 1), w, h);
  const input = pairsOf(frames, pairs);

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
      const { pairsPerSecond, seconds, results } = await timeWebGpuFlow(gpuTv, input, w, h, batch, runs);
      const checks = cpu.map((c, k) => ({
        ...agreement(results[k].flow, c.flow),
        iterations: `${results[k].innerIterations}/${results[k].outerIterations} (CPU ${c.inner}/${c.outer})`,
      }));
      const row = {
        mode,
        loopMaxPixels: gpuTv.loopMaxPixels,
        loopWorkgroupSize: gpuTv.loopWorkgroupSize,
        batch,
        pairsPerSecond,
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
