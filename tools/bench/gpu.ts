/**
 * The GPU measuring route (issue 12): on one WebGPU adapter (Dawn in Node), in one run, writes one JSON with
 * - the adapter (vendor, architecture, device, description, shader-f16),
 * - WebGPU TV-L1 pairs/s at --size (src/flow/webgpu, batches of --batch, median of --flow-runs passes) and its
 *   agreement with the CPU path (end-point error on the first pair),
 * - I3D clip time on onnxruntime-web's WebGPU EP per dtype (fp32, fp16 — half compute where the adapter has
 *   shader-f16 —, q8): random weights from --seed built by the app's graph builder (src/model/graph) at --width
 *   (published or slim), a (1, C, --clip-frames, 224, 224) input, through the app's runtime (src/model/runtime.ts
 *   SessionModel: the same graphs the app runs); one warm-up, median of --i3d-runs; and the same input on
 *   onnxruntime-web WASM (the app's WASM graph): its time and the max relative difference of fc/map/logits,
 * - end to end from pre-decoded frames: --e2e-frames rgb24 frames → WebGPU TV-L1 of every pair → both I3D streams
 *   (fp32) on WebGPU, one after the other, as frames/s (decode, flow post-processing and crops included in the time,
 *   decode not),
 * - with --graphs (e.g. stored,mm1,winograd,winograd+mm1): the RGB fp32 model's graph forms on WebGPU
 *   (src/model/graph/webgpu-graph.ts), each timed like the dtypes and compared with the WASM graph's output.
 * Every figure carries its input sizes.
 *
 *   npx tsx tools/bench/gpu.ts [--dawn PATH/dawn.node] [--frames RGB.npy] [--width published|slim] [--dtypes fp32,fp16,q8]
 *       [--size 342x256] [--pairs 32] [--batch 16] [--flow-runs 3] [--clip-frames 64] [--i3d-runs 3 (0: the first run only)]
 *       [--e2e-frames 65 (0: none)] [--wasm-check 1] [--graphs FORMS] [--threads N] [--seed 1] [--flags DAWN_TOGGLES] [--out FILE.json]
 *
 * Dawn: as tools/bench/flow-webgpu-node.ts (--dawn or WEBGPU_DAWN, else the `webgpu` dev dependency); software adapter:
 * VK_ICD_FILENAMES=<chromium dir>/vk_swiftshader_icd.json. Frames: an (N, H, W, 3) uint8 .npy (the packer writes
 * one), else the fixture decoded with native ffmpeg from frame 30 on.
 * On the GPU machine: `npx tsx tools/bench/pack-flow-webgpu.ts --with-node` here, then carry .cache/gpu-bench and run
 * `sh .cache/gpu-bench/run.sh gpu --out "$OUT/gpu.json"` there (tools/bench/EXPERIMENTS.md).
 */
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TVL1 } from '../../src/flow/cpu/tvl1';
import { createWebGpuTvl1 } from '../../src/flow/webgpu/tvl1-webgpu';
import type { FeatureArrays } from '../../src/model/features';
import { samePads } from '../../src/model/graph/pads';
import { buildI3dOnnx } from '../../src/model/graph/i3d-graph';
import { runI3d, toFeatureLayouts } from '../../src/model/features';
import { configureOrt, createSession, release } from '../../src/model/ort';
import { toWebGpuGraph, type WebGpuGraphOptions } from '../../src/model/graph/webgpu-graph';
import { SessionModel } from '../../src/model/runtime';
import type { I3dInfo, Modality, ModelDtype } from '../../src/model/types';
import { relativeMaxDiff, verificationInput } from '../../src/model/verify';
import { flowEntry } from '../../src/pipeline/flow-entry';
import { assembleInput, rgbEntry } from '../../src/pipeline/streams';
import { randomStateDict } from '../../test/model-graph/random-state-dict';
import { type Frames, agreement, crop, installDawn, loadDawn, median, pairsOf, readFramesNpy, timeWebGpuFlow, toGray } from './lib/webgpu-node';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE = join(ROOT, '../shared/fixtures/v_GGSY1Qvo990.mp4');
const FIRST_FRAME = 30;

async function loadRgb(npyPath: string | undefined, count: number): Promise<Frames> {
  if (npyPath) {
    const f = readFramesNpy(npyPath, count);
    if (f.channels !== 3) throw new Error(`${npyPath}: expected (N, H, W, 3) rgb24 frames`);
    return f;
  }
  const { decodeRgbFrames } = await import('../../src/decode/native-node');
  const { width, height, frames } = await decodeRgbFrames(FIXTURE, { maxFrames: FIRST_FRAME + count });
  return { width, height, frames: frames.slice(FIRST_FRAME) };
}

const info = (modality: Modality, divisor: number): I3dInfo => ({ modality, inChannels: modality === 'rgb' ? 3 : 2, numClasses: 400, widthDivisor: divisor });

/** The app's model file for random weights: fp32, fp16 or q8, built by src/model/graph. */
function model(modality: Modality, divisor: number, dtype: ModelDtype, seed: number): Uint8Array {
  const i = info(modality, divisor);
  return buildI3dOnnx(randomStateDict(i, seed), i, { dtype, sourceSha256: `random-seed-${seed}` });
}

async function timeRuns(m: SessionModel, x: Float32Array, T: number, runs: number): Promise<{ seconds: number[]; out: FeatureArrays }> {
  const seconds: number[] = [];
  let out: FeatureArrays | null = null;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    out = await m.run(x, T, samePads(T));
    seconds.push((performance.now() - t0) / 1000);
  }
  return { seconds, out: out! };
}

const since = (t0: number) => (performance.now() - t0) / 1000;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dawn: { type: 'string', default: process.env.WEBGPU_DAWN },
      flags: { type: 'string', default: '' },
      frames: { type: 'string' },
      width: { type: 'string', default: 'published' },
      dtypes: { type: 'string', default: 'fp32,fp16,q8' },
      size: { type: 'string', default: '342x256' },
      pairs: { type: 'string', default: '32' },
      batch: { type: 'string', default: '16' },
      'flow-runs': { type: 'string', default: '3' },
      'clip-frames': { type: 'string', default: '64' },
      'i3d-runs': { type: 'string', default: '3' },
      'e2e-frames': { type: 'string', default: '65' },
      'wasm-check': { type: 'string', default: '1' },
      graphs: { type: 'string', default: '' },
      threads: { type: 'string' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string' },
    },
  });
  const started = performance.now();
  const [w, h] = values.size.split('x').map(Number);
  const pairs = Number(values.pairs);
  const batch = Number(values.batch);
  const T = Number(values['clip-frames']);
  const e2eFrames = Number(values['e2e-frames']);
  const seed = Number(values.seed);
  if (values.width !== 'published' && values.width !== 'slim') throw new Error('--width is published or slim');
  const divisor = values.width === 'slim' ? 8 : 1;
  const dtypes = values.dtypes.split(',').filter(Boolean) as ModelDtype[];
  if (values.threads) configureOrt({ numThreads: Number(values.threads) });

  const gpu = installDawn(await loadDawn(values.dawn), values.flags ? values.flags.split(',') : []);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('no WebGPU adapter (check the Vulkan driver, or VK_ICD_FILENAMES)');
  const a = adapter.info;
  const report: Record<string, unknown> = {
    adapter: { vendor: a.vendor, architecture: a.architecture, device: a.device, description: a.description, shaderF16: adapter.features.has('shader-f16') },
    node: process.version,
    options: values,
  };
  const write = () => values.out && writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(
    `adapter: ${[a.vendor, a.architecture, a.device, a.description].filter(Boolean).join(' / ')}; shader-f16 ${String(adapter.features.has('shader-f16'))}`,
  );

  const rgb = await loadRgb(values.frames, Math.max(pairs + 1, e2eFrames));
  const gray = toGray(rgb);

  // TV-L1
  if (pairs > 0) {
    const g = crop(gray, w, h);
    const input = pairsOf(g, pairs);
    const tv = await createWebGpuTvl1({ gpu, maxBatch: batch, powerPreference: 'high-performance' });
    if (!tv) throw new Error('no WebGPU adapter for TV-L1');
    const { pairsPerSecond, seconds, results } = await timeWebGpuFlow(tv, input, w, h, batch, Number(values['flow-runs']));
    const cpu = new TVL1().calc({ data: input[0].gray0, width: w, height: h }, { data: input[0].gray1, width: w, height: h });
    report.flow = { size: `${w}x${h}`, pairs, batch, mode: 'auto', pairsPerSecond, secondsPerPass: seconds, firstPairVsCpu: agreement(results[0].flow, cpu) };
    tv.destroy();
    console.log(
      `TV-L1 ${w}x${h}, ${pairs} pairs, batch ${batch}: ${pairsPerSecond.toFixed(2)} pairs/s; first pair vs CPU ${JSON.stringify(agreement(results[0].flow, cpu))}`,
    );
    write();
  }

  // I3D per dtype, RGB stream
  const i3d: Array<Record<string, unknown>> = [];
  report.i3d = i3d;
  const x = verificationInput(3, T, seed);
  for (const dtype of dtypes) {
    const t0 = performance.now();
    const bytes = model('rgb', divisor, dtype, seed);
    const built = since(t0);
    const t1 = performance.now();
    const m = await SessionModel.open(bytes, 'webgpu', { halfCompute: adapter.features.has('shader-f16') });
    const loaded = since(t1);
    const row: Record<string, unknown> = {
      stream: 'rgb',
      dtype,
      compute: m.compute,
      device: m.device,
      fallbacks: m.fallbacks,
      width: values.width,
      input: `1x3x${T}x224x224`,
      modelBytes: bytes.length,
      buildSeconds: built,
      loadSeconds: loaded,
    };
    i3d.push(row);
    // one untimed warm-up (pipelines, buffers), then the timed runs; with --i3d-runs 0 the first run is the figure
    const first = await timeRuns(m, x, T, 1);
    row.firstRunSeconds = first.seconds[0];
    const i3dRuns = Number(values['i3d-runs']);
    const gpuRuns = i3dRuns > 0 ? await timeRuns(m, x, T, i3dRuns) : first;
    row.cold = i3dRuns === 0;
    row.secondsPerClip = median(gpuRuns.seconds);
    row.secondsPerRun = gpuRuns.seconds;
    await m.close();
    if (values['wasm-check'] !== '0') {
      const wasm = await SessionModel.open(bytes, 'wasm');
      const wasmRun = await timeRuns(wasm, x, T, 1);
      row.wasmSecondsPerClip = wasmRun.seconds[0];
      row.maxRelDiffVsWasm = relativeMaxDiff(wasmRun.out, gpuRuns.out);
      await wasm.close();
    }
    console.log(
      `I3D rgb ${values.width} ${dtype} (compute ${m.compute}) on ${m.device}, 1x3x${T}x224x224: ${(row.secondsPerClip as number).toFixed(3)} s/clip` +
        (row.wasmSecondsPerClip === undefined
          ? ''
          : `; WASM ${(row.wasmSecondsPerClip as number).toFixed(2)} s, max rel. diff ${(row.maxRelDiffVsWasm as number).toExponential(2)}`),
    );
    write();
  }

  // graph forms of the RGB fp32 model on WebGPU, against the WASM graph's output
  const forms = values.graphs.split(',').filter(Boolean);
  if (forms.length > 0) {
    const bytes = model('rgb', divisor, 'fp32', seed);
    const wasm = await SessionModel.open(bytes, 'wasm');
    const reference = (await timeRuns(wasm, x, T, 1)).out;
    await wasm.close();
    const rows: Array<Record<string, unknown>> = [];
    report.graphs = rows;
    for (const form of forms) {
      const opts: WebGpuGraphOptions = { winograd: form.includes('winograd'), mm1: form.includes('mm1') };
      try {
        const t0 = performance.now();
        const session = await createSession(toWebGpuGraph(bytes, opts), { device: 'webgpu', fallback: false });
        const loadSeconds = since(t0);
        const seconds: number[] = [];
        let out = reference;
        for (let r = 0; r <= Math.max(1, Number(values['i3d-runs'])); r++) {
          const t1 = performance.now();
          out = toFeatureLayouts(await runI3d(session, x, T, 3, samePads(T)));
          if (r > 0) seconds.push(since(t1));
        }
        await release(session);
        const row = {
          form,
          input: `1x3x${T}x224x224`,
          loadSeconds,
          secondsPerClip: median(seconds),
          secondsPerRun: seconds,
          maxRelDiffVsWasm: relativeMaxDiff(reference, out),
        };
        rows.push(row);
        console.log(
          `I3D rgb ${values.width} fp32, graph ${form} on webgpu: ${row.secondsPerClip.toFixed(3)} s/clip, max rel. diff vs WASM ${row.maxRelDiffVsWasm.toExponential(2)}`,
        );
      } catch (e) {
        rows.push({ form, error: e instanceof Error ? e.message : String(e) });
        console.log(`I3D graph ${form} on webgpu failed: ${String(e)}`);
      }
      write();
    }
  }

  // end to end from pre-decoded frames: flow + both streams on WebGPU
  if (e2eFrames >= 10) {
    const rgbModel = await SessionModel.open(model('rgb', divisor, 'fp32', seed), 'webgpu');
    const flowModel = await SessionModel.open(model('flow', divisor, 'fp32', seed + 1), 'webgpu');
    const tv = await createWebGpuTvl1({ gpu, maxBatch: batch, powerPreference: 'high-performance' });
    if (!tv) throw new Error('no WebGPU adapter for TV-L1');
    const frames = { ...rgb, frames: rgb.frames.slice(0, e2eFrames) };
    const g = { ...gray, frames: gray.frames.slice(0, e2eFrames) };
    const pass = async () => {
      const t0 = performance.now();
      const flows = await tv.calcBatch(pairsOf(g, e2eFrames - 1), g.width, g.height);
      const flowX = assembleInput(
        flows.map((f) => flowEntry(f.flow, g.width, g.height, 'float')),
        2,
      );
      const rgbX = assembleInput(
        frames.frames.slice(1).map((f) => rgbEntry(f, frames.width, frames.height)),
        3,
      );
      const n = e2eFrames - 1;
      await rgbModel.run(rgbX, n, samePads(n));
      await flowModel.run(flowX, n, samePads(n));
      return since(t0);
    };
    const warm = await pass();
    const seconds = [await pass()];
    report.e2e = {
      frames: e2eFrames,
      size: `${g.width}x${g.height}`,
      width: values.width,
      dtype: 'fp32',
      devices: [rgbModel.device, flowModel.device],
      warmUpSeconds: warm,
      seconds,
      framesPerSecond: e2eFrames / median(seconds),
    };
    console.log(
      `end to end, ${e2eFrames} frames of ${g.width}x${g.height}, ${values.width} fp32 on ${rgbModel.device}/${flowModel.device}: ${(e2eFrames / median(seconds)).toFixed(2)} frames/s`,
    );
    tv.destroy();
    await rgbModel.close();
    await flowModel.close();
  }
  report.totalSeconds = since(started);
  write();
  process.exit(0); // Dawn keeps the event loop alive
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
