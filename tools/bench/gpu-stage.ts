/**
 * Benchmark stage `gpu`: tools/bench/gpu.ts (WebGPU TV-L1 pairs/s, I3D s/clip on onnxruntime-web's WebGPU EP per
 * dtype against the same clip on WASM, end-to-end frames/s) on Dawn in Node, as figures. Dawn comes from
 * WEBGPU_DAWN (a dawn.node file) or the `webgpu` npm package (a dev dependency); without either the stage
 * says so in `skipped`. This machine has no GPU: the stage runs on Dawn's software adapter (SwiftShader, Chromium's
 * Vulkan ICD) and a dry run measures only tiny inputs (slim model, 9 frames, fp32, 2 flow pairs at 128×96, no
 * end-to-end pass) — the figures check the code path, not a GPU. Real figures: the packed run on a GPU machine
 * (tools/bench/EXPERIMENTS.md).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { CHROMIUM } from '../cli/lib/chromium';
import { ROOT, TSX } from './lib/env';
import { ratio, type Figure, type Ratio, type StageData } from './lib/schema';
import { figure, type StageOptions } from './lib/stats';

const exec = promisify(execFile);

/** dawn.node: WEBGPU_DAWN, else the `webgpu` package's when installed; null when neither exists. */
function dawnPath(): string | null {
  if (process.env.WEBGPU_DAWN) return existsSync(process.env.WEBGPU_DAWN) ? process.env.WEBGPU_DAWN : null;
  try {
    const pkg = createRequire(join(ROOT, 'package.json')).resolve('webgpu/package.json');
    const p = join(dirname(pkg), 'dist', `${process.platform}-${process.arch}`, 'dawn.node');
    return existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

interface GpuReport {
  adapter: { vendor: string; architecture: string; device: string; description: string; shaderF16: boolean };
  flow?: { size: string; pairs: number; batch: number; pairsPerSecond: number; secondsPerPass: number[]; firstPairVsCpu: { meanEpe: number; maxEpe: number } };
  i3d: Array<{
    dtype: string;
    compute: string;
    device: string;
    input: string;
    width: string;
    secondsPerRun: number[];
    wasmSecondsPerClip?: number;
    maxRelDiffVsWasm?: number;
    cold: boolean;
  }>;
  e2e?: { frames: number; size: string; width: string; seconds: number[]; devices: string[] };
  totalSeconds: number;
}

export async function run(opts: StageOptions): Promise<StageData> {
  const dawn = dawnPath();
  const method = [
    'tools/bench/gpu.ts on Dawn (dawn.node) in Node: WebGPU TV-L1 (src/flow/webgpu) pairs/s over consecutive fixture pairs, one warm-up batch, median pass; ' +
      'I3D (random weights built by src/model/graph, run by src/model/runtime.ts) s/clip on onnxruntime-web WebGPU EP per dtype, and the same clip on WASM (reference side: the CPU path) with their max relative difference (fc/map/logits); ' +
      'end to end: pre-decoded frames → WebGPU flow → both I3D streams on WebGPU, frames/s.',
  ];
  if (!dawn) return { figures: [], ratios: [], skipped: ['gpu: no Dawn here (set WEBGPU_DAWN, or npm ci to install the webgpu dev dependency)'], method };
  const swiftshader = join(dirname(CHROMIUM), 'vk_swiftshader_icd.json');
  const env: NodeJS.ProcessEnv = { ...process.env, WEBGPU_DAWN: dawn };
  // this machine has no GPU: Dawn's software adapter unless the caller chose a driver
  if (!env.VK_ICD_FILENAMES && existsSync(swiftshader)) env.VK_ICD_FILENAMES = swiftshader;
  const out = join(opts.workDir, 'gpu.json');
  const args = opts.dryRun
    ? [
        '--width',
        'slim',
        '--dtypes',
        'fp32',
        '--size',
        '128x96',
        '--pairs',
        '2',
        '--batch',
        '2',
        '--flow-runs',
        '1',
        '--clip-frames',
        '9',
        '--i3d-runs',
        '0',
        '--e2e-frames',
        '0',
        '--threads',
        '1',
      ]
    : opts.quick
      ? [
          '--width',
          'slim',
          '--dtypes',
          'fp32,fp16,q8',
          '--size',
          '342x256',
          '--pairs',
          '4',
          '--batch',
          '4',
          '--flow-runs',
          '1',
          '--clip-frames',
          '9',
          '--i3d-runs',
          '1',
          '--e2e-frames',
          '10',
        ]
      : [
          '--width',
          'slim',
          '--dtypes',
          'fp32,fp16,q8',
          '--size',
          '342x256',
          '--pairs',
          '8',
          '--batch',
          '8',
          '--flow-runs',
          String(opts.runs ?? 2),
          '--clip-frames',
          '16',
          '--i3d-runs',
          String(opts.runs ?? 2),
          '--e2e-frames',
          '17',
        ];
  const { stdout } = await exec(TSX, [join(ROOT, 'tools/bench/gpu.ts'), ...args, '--out', out], { cwd: ROOT, env, maxBuffer: 64 << 20 });
  process.stdout.write(stdout);
  const r = JSON.parse(readFileSync(out, 'utf8')) as GpuReport;
  const adapter = [r.adapter.vendor, r.adapter.architecture, r.adapter.description].filter(Boolean).join(' ');
  const figures: Figure[] = [];
  const ratios: Ratio[] = [];
  if (r.flow) {
    const f = r.flow;
    figures.push(
      figure(
        'gpu.flow',
        `WebGPU TV-L1, ${f.size}, ${f.pairs} pairs, batch ${f.batch}`,
        'app',
        'pairs/s',
        f.secondsPerPass.map((s) => f.pairs / s),
        { size: f.size, pairs: f.pairs, batch: f.batch, adapter },
      ),
    );
    figures.push(
      figure('gpu.flow.epe', `WebGPU TV-L1 vs CPU, max end-point error, first pair of ${f.size}`, 'info', 'px', [f.firstPairVsCpu.maxEpe], {
        size: f.size,
        adapter,
      }),
    );
  }
  for (const row of r.i3d) {
    const params = { dtype: row.dtype, compute: row.compute, device: row.device, input: row.input, width: row.width, cold: row.cold, adapter };
    const g = figure(
      `gpu.i3d.${row.dtype}`,
      `I3D rgb ${row.width} ${row.dtype} on WebGPU (${row.device}), ${row.input}${row.cold ? ', first run' : ''}`,
      'app',
      's/clip',
      row.secondsPerRun,
      params,
    );
    figures.push(g);
    if (row.wasmSecondsPerClip !== undefined && row.maxRelDiffVsWasm !== undefined) {
      const w = figure(
        `gpu.i3d.${row.dtype}.wasm`,
        `I3D rgb ${row.width} ${row.dtype} on WASM, ${row.input}, first run`,
        'reference',
        's/clip',
        [row.wasmSecondsPerClip],
        { ...params, device: 'wasm' },
      );
      figures.push(
        w,
        figure(
          `gpu.i3d.${row.dtype}.diff`,
          `I3D ${row.dtype}: WebGPU vs WASM, max |diff| / max |WASM| of fc, map, logits`,
          'info',
          'rel. diff',
          [row.maxRelDiffVsWasm],
          params,
        ),
      );
      ratios.push(ratio(`gpu.i3d.${row.dtype}`, `I3D ${row.dtype} clip time, WebGPU vs WASM`, g, w));
    }
  }
  if (r.e2e) {
    const e = r.e2e;
    figures.push(
      figure(
        'gpu.e2e',
        `end to end on WebGPU from decoded frames: flow + RGB and flow I3D (${e.width} fp32), ${e.frames} frames of ${e.size}`,
        'app',
        'frames/s',
        e.seconds.map((s) => e.frames / s),
        { frames: e.frames, size: e.size, width: e.width, adapter },
      ),
    );
  }
  const skipped = opts.dryRun ? ['gpu: dry run — fp16 and q8, warm I3D runs and the end-to-end pass are left out (software adapter)'] : [];
  return { figures, ratios, skipped, method, details: r };
}
