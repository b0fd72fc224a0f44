/**
 * Benchmark stage `i3d`: seconds per clip (1, C, T, 224, 224) of the I3D features (fc, map, logits in one run)
 * for the RGB (C = 3) and flow (C = 2) models, published-width random-weight checkpoints.
 * - app: the app's ONNX conversion (fp32 / fp16 / q8) run through src/model/ort.ts and runI3d (onnxruntime-web)
 *   in headless Chromium via the harness page, WASM EP with 1 thread and with all cores — a fresh page per thread
 *   count (onnxruntime fixes its thread count when its runtime starts) — and the WebGPU EP when the page has a
 *   hardware adapter; on a software adapter (SwiftShader) only a tiny labelled check (slim model, 9 frames).
 * - reference: tools/reference's PyTorch InceptionI3d on the CPU (torch.set_num_threads with the same count),
 *   tools/bench/torch_i3d.py.
 * Both: one untimed run, then `runs` timed runs on the same clip; model loading is not timed (reported apart).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Page } from '@playwright/test';
import type { Modality, ModelDtype } from '../../src/model/types';
import { freshPage, openHarness, serveFile } from './lib/browser';
import { PYTHON, ROOT } from './lib/env';
import { checkpoint, onnxModel } from './lib/models';
import { ratio, type Figure, type Ratio, type StageData } from './lib/schema';
import { figure, type StageOptions } from './lib/stats';

interface Config {
  divisor: 1 | 8;
  frames: number;
  dtypes: ModelDtype[];
  modalities: Modality[];
  threads: number[];
  runs: number;
  /** Run the tiny check on a software WebGPU adapter. */
  softwareWebgpuCheck: boolean;
}

function config(opts: StageOptions): Config {
  const cores = cpus().length;
  const both = cores > 1 ? [1, cores] : [1];
  if (opts.dryRun)
    return {
      divisor: 8,
      frames: 9,
      dtypes: ['fp32', 'fp16', 'q8'],
      modalities: ['rgb', 'flow'],
      threads: both,
      runs: opts.runs ?? 1,
      softwareWebgpuCheck: false,
    };
  if (opts.quick)
    return { divisor: 1, frames: 64, dtypes: ['fp32', 'q8'], modalities: ['rgb', 'flow'], threads: [cores], runs: opts.runs ?? 2, softwareWebgpuCheck: false };
  return {
    divisor: 1,
    frames: 64,
    dtypes: ['fp32', 'fp16', 'q8'],
    modalities: ['rgb', 'flow'],
    threads: both,
    runs: opts.runs ?? 3,
    softwareWebgpuCheck: true,
  };
}

const CHANNELS: Record<Modality, number> = { rgb: 3, flow: 2 };

interface TorchTiming {
  torch: string;
  threads: number;
  loadSeconds: number;
  warmupSeconds: number;
  seconds: number[];
}

function timeTorch(ckpt: string, frames: number, threads: number, runs: number): TorchTiming {
  const dir = mkdtempSync(join(tmpdir(), 'bench-torch-'));
  try {
    const out = join(dir, 't.json');
    execFileSync(
      PYTHON,
      [join(ROOT, 'tools/bench/torch_i3d.py'), ckpt, '--frames', String(frames), '--threads', String(threads), '--runs', String(runs), '--json', out],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    return JSON.parse(readFileSync(out, 'utf8')) as TorchTiming;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Adds frames/s (frames / median seconds) to a seconds-per-clip figure. */
function withFps(f: Figure, frames: number): Figure {
  f.params.framesPerSecond = Number((frames / f.median).toPrecision(4));
  return f;
}

async function timeApp(page: Page, model: string, channels: number, frames: number, device: 'wasm' | 'webgpu', threads: number, runs: number) {
  const url = await serveFile(page, model);
  return page.evaluate(([u, c, t, d, th, r]) => window.harness.benchI3d(u, c, t, d, th, r), [url, channels, frames, device, threads, runs] as const);
}

export async function run(opts: StageOptions): Promise<StageData> {
  const cfg = config(opts);
  const figures: Figure[] = [];
  const ratios: Ratio[] = [];
  const skipped: string[] = [];
  const details: Record<string, unknown> = { frames: cfg.frames, divisor: cfg.divisor, load: {} as Record<string, unknown> };
  const load = details.load as Record<string, unknown>;
  const ckpts: Record<Modality, string> = { rgb: await checkpoint('rgb', cfg.divisor), flow: await checkpoint('flow', cfg.divisor) };
  const models = new Map<string, string>();
  for (const m of cfg.modalities) for (const d of cfg.dtypes) models.set(`${m}.${d}`, await onnxModel(ckpts[m], d));
  const clip = `${cfg.frames}×224×224`;
  const width = cfg.divisor === 1 ? 'published width' : `width/${cfg.divisor}`;
  const torchFigures = new Map<string, Figure>();

  const app = await openHarness();
  try {
    const env = await app.page.evaluate(() => window.harness.benchEnvironment());
    details.environment = env;
    for (const threads of cfg.threads) {
      const page = await freshPage(app);
      try {
        for (const m of cfg.modalities) {
          const t = timeTorch(ckpts[m], cfg.frames, threads, cfg.runs);
          const ref = withFps(
            figure(`i3d.torch.${m}.t${threads}`, `PyTorch ${t.torch} CPU, ${m}, ${threads} thread(s)`, 'reference', 's/clip', t.seconds, {
              modality: m,
              threads,
            }),
            cfg.frames,
          );
          figures.push(ref);
          torchFigures.set(`${m}.${threads}`, ref);
          load[ref.id] = { loadSeconds: t.loadSeconds, warmupSeconds: t.warmupSeconds };
          for (const d of cfg.dtypes) {
            const r = await timeApp(page, models.get(`${m}.${d}`) as string, CHANNELS[m], cfg.frames, 'wasm', threads, cfg.runs);
            const f = withFps(
              figure(`i3d.wasm.${m}.${d}.t${threads}`, `onnxruntime-web WASM in Chromium, ${m} ${d}, ${threads} thread(s)`, 'app', 's/clip', r.seconds, {
                modality: m,
                dtype: d,
                device: r.device,
                threads,
              }),
              cfg.frames,
            );
            figures.push(f);
            load[f.id] = { loadSeconds: r.loadSeconds, warmupSeconds: r.warmupSeconds };
            ratios.push(ratio(`i3d.wasm.${m}.${d}.t${threads}`, `I3D ${m} ${d}, ${threads} thread(s): onnxruntime-web WASM / PyTorch`, f, ref));
          }
        }
      } finally {
        await page.close();
      }
    }

    const allThreads = Math.max(...cfg.threads);
    if (env.adapter && !env.softwareAdapter) {
      const page = await freshPage(app);
      try {
        for (const m of cfg.modalities) {
          for (const d of cfg.dtypes) {
            const model = d === 'fp16' && env.shaderF16 ? await onnxModel(ckpts[m], 'fp16', 'fp16') : (models.get(`${m}.${d}`) as string);
            const r = await timeApp(page, model, CHANNELS[m], cfg.frames, 'webgpu', allThreads, cfg.runs);
            const f = withFps(
              figure(`i3d.webgpu.${m}.${d}`, `onnxruntime-web WebGPU (${env.adapter}), ${m} ${d}`, 'app', 's/clip', r.seconds, {
                modality: m,
                dtype: d,
                device: r.device,
                adapter: env.adapter,
              }),
              cfg.frames,
            );
            figures.push(f);
            load[f.id] = { loadSeconds: r.loadSeconds, warmupSeconds: r.warmupSeconds };
            const ref = torchFigures.get(`${m}.${allThreads}`);
            if (ref) ratios.push(ratio(`i3d.webgpu.${m}.${d}`, `I3D ${m} ${d}: WebGPU / PyTorch CPU ${allThreads} threads`, f, ref));
          }
        }
      } finally {
        await page.close();
      }
    } else if (env.adapter && cfg.softwareWebgpuCheck) {
      // a software adapter runs on the CPU ~100× slower than a GPU: one tiny run to show the path works, no ratio
      const page = await freshPage(app);
      try {
        const model = await onnxModel(await checkpoint('rgb', 8), 'fp32');
        const r = await timeApp(page, model, 3, 9, 'webgpu', allThreads, 1);
        figures.push(
          figure(
            'i3d.webgpu-software.rgb.tiny',
            `onnxruntime-web WebGPU on a SOFTWARE adapter (${env.adapter}): tiny check, slim model (width/8), 9 frames`,
            'info',
            's/clip',
            r.seconds,
            {
              modality: 'rgb',
              dtype: 'fp32',
              device: r.device,
              adapter: env.adapter ?? '',
              software: true,
              frames: 9,
            },
            'CPU-emulated WebGPU: not a GPU figure and not comparable with the others',
          ),
        );
      } finally {
        await page.close();
      }
      skipped.push(`WebGPU at ${clip}: the only adapter is a software one (${env.adapter}); only the tiny labelled check ran`);
    } else {
      skipped.push(env.adapter ? `WebGPU: software adapter (${env.adapter}), check left out in this mode` : 'WebGPU: no adapter in this Chromium');
    }
  } finally {
    await app.close();
  }
  const left = (['fp32', 'fp16', 'q8'] as const).filter((d) => !cfg.dtypes.includes(d));
  if (left.length > 0) skipped.push(`dtypes ${left.join(', ')} (quick mode)`);
  if (!cfg.threads.includes(1)) skipped.push('1 thread (quick mode)');
  return {
    figures,
    ratios,
    skipped,
    method: [
      `Clip: (1, C, ${clip}) float32, C = 3 (RGB) or 2 (flow), uniform in [−1, 1); random-weight checkpoints of the ${width}, 400 classes; one run computes fc, map and logits.`,
      'App: the app’s ONNX conversion (src/model, made in Node by the same TypeScript) run as the pipeline runs it (src/model/runtime.ts graphFor: on WASM its Winograd rewrite, src/model/graph/wasm-graph.ts, made while the session loads; src/model/ort.ts + runI3d) in headless Chromium through the test build’s harness page (e2e/harness/bench.ts; the page’s main thread; the app runs the same code in its pipeline worker), WASM EP with 1 thread and with all cores, a fresh page per thread count.',
      'Reference: PyTorch CPU (tools/reference InceptionI3d.features under no_grad, torch.set_num_threads = the same count), tools/bench/torch_i3d.py.',
      `Both: one untimed warm-up run, then ${cfg.runs} timed runs; model loading is not in the figures (in details.load). frames/s = ${cfg.frames} / median seconds.`,
    ],
    details,
  };
}
