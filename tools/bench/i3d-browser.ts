/**
 * I3D speed in Chromium: onnxruntime-web WASM (and optionally WebGPU) next to PyTorch CPU, same thread count,
 * measured alternately in the same run.
 *
 *   npx tsx tools/bench/i3d-browser.ts [--variants base,tuned] [--threads 1,2] [--frames 64] [--rounds 5]
 *       [--torch] [--profile VARIANT] [--check] [--memory] [--out FILE]
 *
 * Models: published widths (1024 features, 400 classes, RGB), random weights made in TypeScript
 * (test/model-graph/random-state-dict.ts), one ONNX file per variant under .cache/bench-i3d/. A variant is a
 * graph formulation and dtype (src/model/graph) plus session options (src/model/ort.ts SessionTuning); see
 * VARIANTS. The page is served by a Vite dev server (the app's own modules, cross-origin isolated so WASM
 * threads work) and driven through src/app/harness-i3d.ts; one page per thread count (ORT fixes its WASM
 * threads when it starts). All variants of a thread count are loaded at once and run in rotating order, round
 * after round, each round also timing PyTorch (tools/bench/torch_i3d.py --serve, a persistent process) when --torch:
 * so every ratio compares runs taken minutes apart at most, under the same machine load. One untimed warm-up run
 * per variant. --check compares each variant's outputs with the first variant's on the same input.
 * --profile: one extra profiled run (ORT enableProfiling) of that variant per thread count; prints time per
 * layer group and op type. --memory: afterwards, each variant alone in a fresh page (one run of `frames`), with the
 * peak resident memory of the page's renderer process (WASM memory only grows, so this is the run's high-water mark).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { randomStateDict } from '../../test/model-graph/random-state-dict';
import { buildI3dOnnx, type BuildOptions } from '../../src/model/graph/i3d-graph';
import { toWasmGraph, type WasmGraphOptions } from '../../src/model/graph/wasm-graph';
import type { SessionTuning } from '../../src/model/ort';
import type { I3dInfo } from '../../src/model/types';
import { launchBrowser, openPage, parseProfile, startServer, type ProfileEvent } from './lib/i3d-page';
import { formatTable, machineInfo, round, summarise, type Summary } from './lib/stats';
import { commandLine, descendants, memoryKiB, processKind } from './lib/procs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CACHE = join(ROOT, '.cache', 'bench-i3d');
const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
const INFO: I3dInfo = { modality: 'rgb', inChannels: 3, numClasses: 400, widthDivisor: 1 };

interface Variant {
  build: BuildOptions;
  /** Rewrite the stored graph with toWasmGraph (src/model/graph/wasm-graph.ts) and these options. */
  wasmGraph?: WasmGraphOptions;
  tuning?: SessionTuning;
  device?: 'wasm' | 'webgpu';
}

/** Named variants; the model file is shared between variants with the same build options. */
export const VARIANTS: Record<string, Variant> = {
  base: { build: { dtype: 'fp32' } },
  q8: { build: { dtype: 'q8' } },
  arena: { build: { dtype: 'fp32' }, tuning: { enableCpuMemArena: true, enableMemPattern: true } },
  fixedT: { build: { dtype: 'fp32' }, tuning: { freeDimensionOverrides: { T: 64 } } },
  wino2: { build: { dtype: 'fp32' }, wasmGraph: { blocks: { 56: 2, 28: 2, 14: 2, 7: 0 }, stem: 0 } },
  wino4: { build: { dtype: 'fp32' }, wasmGraph: { stem: 0 } },
  winoS2: { build: { dtype: 'fp32' }, wasmGraph: { stem: 2 } },
  wino: { build: { dtype: 'fp32' }, wasmGraph: {} },
  winoMM: { build: { dtype: 'fp32' }, wasmGraph: { gemm: 'matmul' } },
  winoDense: { build: { dtype: 'fp32' }, wasmGraph: { separable: false } },
  winoEven: { build: { dtype: 'fp32' }, wasmGraph: { blocks: { 14: 2, 7: 0 } } },
  winoArena: { build: { dtype: 'fp32' }, wasmGraph: {}, tuning: { enableCpuMemArena: true, enableMemPattern: true } },
  winoNoSpin: { build: { dtype: 'fp32' }, wasmGraph: {}, tuning: { extra: { 'session.intra_op.allow_spinning': '0' } } },
  winoFixedT: { build: { dtype: 'fp32' }, wasmGraph: {}, tuning: { freeDimensionOverrides: { T: 64 } } },
  winoBasic: { build: { dtype: 'fp32' }, wasmGraph: {}, tuning: { graphOptimizationLevel: 'basic' } },
  winoQ8: { build: { dtype: 'q8' }, wasmGraph: {} },
};

function modelFile(v: Variant): string {
  const key = JSON.stringify({ ...v.build, wasm: v.wasmGraph }).replace(/[^a-zA-Z0-9]+/g, '_');
  return join(CACHE, `rgb400-${key}.onnx`);
}

function buildModels(names: string[]): void {
  mkdirSync(CACHE, { recursive: true });
  const sd = randomStateDict(INFO, 1);
  for (const n of names) {
    const path = modelFile(VARIANTS[n]);
    const sources = ['i3d-graph.ts', 'wasm-graph.ts', 'winograd.ts'].map((f) => statSync(join(ROOT, 'src/model/graph', f)).mtimeMs);
    try {
      if (statSync(path).mtimeMs > Math.max(...sources)) continue;
    } catch {
      // not built yet
    }
    const model = buildI3dOnnx(sd, INFO, VARIANTS[n].build);
    const wasm = VARIANTS[n].wasmGraph;
    writeFileSync(path, wasm ? toWasmGraph(model, wasm) : model);
  }
}

class Torch {
  private readonly proc: ChildProcessByStdio<Writable, Readable, null>;
  private readonly lines: AsyncIterator<string>;
  constructor() {
    this.proc = spawn(PYTHON, [join(ROOT, 'tools/bench/torch_i3d.py'), '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.lines = createInterface({ input: this.proc.stdout })[Symbol.asyncIterator]();
  }
  private async next(): Promise<Record<string, unknown>> {
    const r = await this.lines.next();
    if (r.done) throw new Error('torch_i3d.py --serve ended');
    return JSON.parse(r.value) as Record<string, unknown>;
  }
  async ready(): Promise<string> {
    return String((await this.next()).torch);
  }
  async time(frames: number, threads: number): Promise<number> {
    this.proc.stdin.write(`${frames} ${threads}\n`);
    return Number((await this.next()).seconds);
  }
  close(): void {
    this.proc.stdin.end();
  }
}

/** Sum of kernel times by layer group (Conv3d_1a, Conv3d_2c, Mixed_3b, …) and by op type, in ms. */
function summariseProfile(events: ProfileEvent[]): { byLayer: Record<string, number>; byOp: Record<string, number>; byNode: Record<string, number>; total: number } {
  const byLayer: Record<string, number> = {};
  const byNode: Record<string, number> = {};
  const byOp: Record<string, number> = {};
  let total = 0;
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time')) continue;
    const ms = (e.dur ?? 0) / 1000;
    const layer = e.name.split(/[./]/)[0];
    byLayer[layer] = (byLayer[layer] ?? 0) + ms;
    const op = e.args?.op_name ?? '?';
    byOp[op] = (byOp[op] ?? 0) + ms;
    const node = e.name.replace(/_kernel_time$/, '');
    byNode[node] = (byNode[node] ?? 0) + ms;
    total += ms;
  }
  return { byLayer, byOp, byNode, total };
}

/** Polls the resident memory of the renderer processes of the Chromium this process started; stop() returns the largest seen (bytes). */
function rssSampler(): { stop: () => number } {
  let peak = 0;
  const sample = () => {
    for (const pid of descendants(process.pid)) {
      if (processKind(commandLine(pid)) !== 'renderer') continue;
      peak = Math.max(peak, 1024 * (memoryKiB(pid)?.rss ?? 0));
    }
  };
  const timer = setInterval(sample, 250);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      variants: { type: 'string', default: 'base' },
      threads: { type: 'string', default: '1,2' },
      frames: { type: 'string', default: '64' },
      rounds: { type: 'string', default: '3' },
      torch: { type: 'boolean', default: false },
      profile: { type: 'string' },
      check: { type: 'boolean', default: false },
      memory: { type: 'boolean', default: false },
      out: { type: 'string', default: join(ROOT, 'bench', 'out', 'i3d-browser.json') },
    },
  });
  const names = values.variants.split(',');
  for (const n of names) if (!VARIANTS[n]) throw new Error(`unknown variant ${n}; known: ${Object.keys(VARIANTS).join(', ')}`);
  const threadCounts = values.threads.split(',').map(Number);
  const frames = Number(values.frames);
  const rounds = Number(values.rounds);
  const load0 = loadavg();
  buildModels(names);
  const server = await startServer(ROOT, CACHE);
  const browser = await launchBrowser();
  const torch = values.torch ? new Torch() : null;
  const torchVersion = torch ? await torch.ready() : null;
  const results: Record<string, unknown>[] = [];
  const table: string[][] = [['threads', 'variant', 'median s', 'min', 'max', 'vs PyTorch', 'paired ratio (min–max)', 'load s']];
  try {
    for (const threads of threadCounts) {
      const { page, profileLines } = await openPage(server.url, threads, browser);
      const ids: Record<string, number> = {};
      const loadSeconds: Record<string, number> = {};
      for (const n of names) {
        const v = VARIANTS[n];
        const file = modelFile(v).split('/').pop() as string;
        const r = await page.evaluate(([u, d, t]) => window.i3d.i3dLoad(u, 3, d, t), [`/__models/${file}`, v.device ?? 'wasm', v.tuning] as const);
        ids[n] = r.id;
        loadSeconds[n] = r.loadSeconds;
        await page.evaluate(([id, T]) => window.i3d.i3dRun(id, T), [r.id, frames] as const); // warm-up
      }
      if (values.check) {
        for (const n of names.slice(1)) {
          const d = await page.evaluate(([a, b, T]) => window.i3d.i3dCompare(a, b, T), [ids[names[0]], ids[n], frames] as const);
          console.log(`check ${n} vs ${names[0]} (${threads} threads): max abs diff ${JSON.stringify(d)}`);
        }
      }
      const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
      const torchTimes: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const order = names.map((_, i) => names[(i + r) % names.length]);
        for (const n of order) {
          const t = await page.evaluate(([id, T]) => window.i3d.i3dRun(id, T), [ids[n], frames] as const);
          times[n].push(t.seconds);
        }
        if (torch) torchTimes.push(await torch.time(frames, threads));
        console.log(`threads ${threads} round ${r + 1}: ${names.map((n) => `${n} ${times[n][r].toFixed(2)}`).join(', ')}${torch ? `, torch ${torchTimes[r].toFixed(2)}` : ''}  (load ${loadavg()[0].toFixed(1)})`);
      }
      const torchSummary: Summary | null = torch && rounds > 0 ? summarise(torchTimes) : null;
      for (const n of rounds > 0 ? names : []) {
        const s = summarise(times[n]);
        const ratio = torchSummary ? round(s.median / torchSummary.median, 3) : null;
        // each round's time over the same round's PyTorch time (runs minutes apart at most)
        const paired = torchSummary ? summarise(times[n].map((t, i) => t / torchTimes[i])) : null;
        results.push({ threads, variant: n, seconds: s, vsTorch: ratio, pairedVsTorch: paired, loadSeconds: round(loadSeconds[n]), runs: times[n] });
        const pairedText = paired ? `${paired.median.toFixed(2)} (${paired.min.toFixed(2)}–${paired.max.toFixed(2)})` : '';
        table.push([String(threads), n, s.median.toFixed(2), s.min.toFixed(2), s.max.toFixed(2), ratio === null ? '' : ratio.toFixed(2), pairedText, loadSeconds[n].toFixed(1)]);
      }
      if (torchSummary) {
        results.push({ threads, variant: 'pytorch', seconds: torchSummary, runs: torchTimes });
        table.push([String(threads), `PyTorch ${torchVersion}`, torchSummary.median.toFixed(2), torchSummary.min.toFixed(2), torchSummary.max.toFixed(2), '1.00', '', '']);
      }
      if (values.profile) {
        const v = VARIANTS[values.profile];
        const file = modelFile(v).split('/').pop() as string;
        profileLines.length = 0;
        const p = await page.evaluate(([u, d, t]) => window.i3d.i3dLoad(u, 3, d, t), [`/__models/${file}`, v.device ?? 'wasm', { ...v.tuning, enableProfiling: true }] as const);
        await page.evaluate(([id, T]) => window.i3d.i3dRun(id, T), [p.id, frames] as const);
        await page.evaluate((id) => window.i3d.i3dEndProfiling(id), p.id);
        await new Promise((r) => setTimeout(r, 500));
        const prof = summariseProfile(parseProfile(profileLines));
        const sorted = (o: Record<string, number>) => Object.entries(o).sort((a, b) => b[1] - a[1]).map(([k, ms]) => `${k} ${ms.toFixed(0)} (${((100 * ms) / prof.total).toFixed(1)}%)`);
        console.log(`profile ${values.profile}, ${threads} threads, ${frames} frames: kernels ${prof.total.toFixed(0)} ms`);
        console.log(`  by layer: ${sorted(prof.byLayer).join(', ')}`);
        console.log(`  by op: ${sorted(prof.byOp).join(', ')}`);
        console.log(`  top nodes: ${sorted(prof.byNode).slice(0, 30).join(', ')}`);
        results.push({ threads, variant: values.profile, profile: prof });
        await page.evaluate((id) => window.i3d.i3dRelease(id), p.id);
      }
      await page.close();
      if (values.memory) {
        for (const n of names) {
          const v = VARIANTS[n];
          const { page: p } = await openPage(server.url, threads, browser);
          const sampler = rssSampler();
          const file = modelFile(v).split('/').pop() as string;
          const r = await p.evaluate(([u, d, t]) => window.i3d.i3dLoad(u, 3, d, t), [`/__models/${file}`, v.device ?? 'wasm', v.tuning] as const);
          const t = await p.evaluate(([id, T]) => window.i3d.i3dRun(id, T), [r.id, frames] as const);
          const peak = sampler.stop();
          console.log(`memory ${n}, ${threads} threads, ${frames} frames: peak renderer RSS ${(peak / 2 ** 20).toFixed(0)} MiB (run ${t.seconds.toFixed(2)} s)`);
          results.push({ threads, variant: n, frames, peakRendererRssMiB: Math.round(peak / 2 ** 20) });
          await p.close();
        }
      }
    }
  } finally {
    torch?.close();
    await browser.close();
    await server.close();
  }
  const load1 = loadavg();
  const out = { machine: machineInfo(), date: new Date().toISOString(), frames, rounds, loadAverage: { start: load0, end: load1 }, results };
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`\n${frames} frames, 224×224 RGB, published widths; load average ${load0.map((x) => x.toFixed(1)).join(' ')} → ${load1.map((x) => x.toFixed(1)).join(' ')}`);
  console.log(formatTable(table));
  console.log(`wrote ${values.out}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
