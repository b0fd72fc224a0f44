/**
 * Benchmark stage `flow`, Chromium part (tools/bench/flow.ts measures Node workers and OpenCV first): TV-L1
 * frame pairs per second of the app in headless Chromium, on the same grey frames flow.ts wrote (bench work dir,
 * `flow-frames-WxH.npy`) and the same number of pairs, against flow.ts's OpenCV figures of the same size and
 * thread count measured just before.
 * - the app's pool of flow workers (src/flow/pool.ts createBrowserFlowPool: the pipeline's CPU path) with 1 and
 *   with N workers, all pairs submitted at once, one untimed pair per worker first;
 * - the app's WebGPU TV-L1 (src/flow/webgpu, batched pairs) when the page has an adapter: every pair and every
 *   run on a hardware adapter; on a software adapter (SwiftShader, ~100× slower than a GPU) one pair, once, after
 *   one untimed pair (pipeline compilation), labelled software and without a ratio — full and dry-run modes only.
 * This module also turns flow.ts's own results into figures and ratios.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freshPage, openHarness, serveFile } from './lib/browser';
import { ratio, type Figure, type Ratio, type StageData } from './lib/schema';
import { figure, type StageOptions, type StageResult, type Summary } from './lib/stats';

/** What this module reads of flow.ts's results (kept loose: flow.ts may add implementations). */
interface NodeFlowResults {
  input: { pairs: number; sourceSize?: string; video?: string; firstFrame?: number };
  runs: number;
  opencv: string;
  rows: Array<{ impl: string; threads: number; size: string; pairsPerSecond: Summary }>;
}

const NODE_LABELS: Record<string, string> = {
  'ts-cpu-node': 'TypeScript TV-L1, Node worker_threads',
  'wasm-cpu-node': 'WebAssembly TV-L1 kernels, Node worker_threads',
  opencv: 'OpenCV DualTVL1',
};

function fromSummary(id: string, label: string, side: Figure['side'], s: Summary, params: Figure['params']): Figure {
  return { id, label, side, unit: 'pairs/s', median: s.median, min: s.min, max: s.max, runs: s.runs, params };
}

export async function run(opts: StageOptions, node: StageResult): Promise<StageData> {
  const nodeResults = node.results as NodeFlowResults;
  const pairs = nodeResults.input.pairs;
  const figures: Figure[] = [];
  const ratios: Ratio[] = [];
  const skipped: string[] = [];
  const opencv = new Map<string, Figure>();
  for (const row of nodeResults.rows) {
    const isRef = row.impl === 'opencv';
    const label = `${isRef ? `OpenCV ${nodeResults.opencv} DualTVL1` : (NODE_LABELS[row.impl] ?? row.impl)}, ${row.size}, ${row.threads} thread(s)`;
    const f = fromSummary(`flow.${row.impl}.${row.size}.t${row.threads}`, label, isRef ? 'reference' : 'app', row.pairsPerSecond, {
      size: row.size,
      threads: row.threads,
      impl: row.impl,
      pairs,
    });
    figures.push(f);
    if (isRef) opencv.set(`${row.size}.${row.threads}`, f);
  }
  for (const f of figures.filter((x) => x.side === 'app')) {
    const ref = opencv.get(`${f.params.size}.${f.params.threads}`);
    if (ref)
      ratios.push(
        ratio(f.id, `TV-L1 ${f.params.size}, ${f.params.threads} thread(s): ${NODE_LABELS[String(f.params.impl)] ?? f.params.impl} / OpenCV`, f, ref),
      );
  }

  const sizes = [...new Set(nodeResults.rows.map((r) => r.size))];
  const threads = [...new Set(nodeResults.rows.filter((r) => r.impl === 'opencv').map((r) => r.threads))].sort((a, b) => a - b);
  const runs = opts.runs ?? nodeResults.runs;
  const details: Record<string, unknown> = { pairs, input: nodeResults.input, node: nodeResults };
  const app = await openHarness();
  try {
    const env = await app.page.evaluate(() => window.harness.benchEnvironment());
    details.environment = env;
    for (const size of sizes) {
      const frames = join(opts.workDir, `flow-frames-${size}.npy`);
      if (!existsSync(frames)) throw new Error(`${frames} missing: flow.ts writes it`);
      const page = await freshPage(app);
      try {
        const url = await serveFile(page, frames);
        for (const t of threads) {
          const r = await page.evaluate(([u, p, w, n]) => window.harness.benchFlowPool(u, p, w, n), [url, pairs, t, runs] as const);
          const f = figure(
            `flow.chromium-pool.${size}.t${t}`,
            `app flow workers in Chromium (CPU path), ${size}, ${t} worker(s)`,
            'app',
            'pairs/s',
            r.seconds.map((s) => pairs / s),
            {
              size,
              threads: t,
              impl: 'chromium-pool',
              pairs,
            },
          );
          figures.push(f);
          const ref = opencv.get(`${size}.${t}`);
          if (ref) ratios.push(ratio(f.id, `TV-L1 ${size}, ${t} thread(s): app flow workers in Chromium / OpenCV`, f, ref));
        }
        if (env.adapter && (!env.softwareAdapter || !opts.quick)) {
          const software = env.softwareAdapter;
          const n = software ? 1 : pairs;
          const r = await page.evaluate(([u, count, repeat]) => window.harness.benchFlowWebgpu(u, count, repeat), [url, n, software ? 1 : runs] as const);
          const f = figure(
            `flow.webgpu${software ? '-software' : ''}.${size}`,
            `app WebGPU TV-L1 in Chromium${software ? ' on a SOFTWARE adapter' : ''} (${r.adapter}), ${size}, ${n} pair(s) per batch`,
            software ? 'info' : 'app',
            'pairs/s',
            r.seconds.map((s) => n / s),
            { size, impl: 'webgpu', adapter: r.adapter, software, pairs: n },
            software ? 'CPU-emulated WebGPU: not a GPU figure, no ratio' : undefined,
          );
          figures.push(f);
          const ref = opencv.get(`${size}.${Math.max(...threads)}`);
          if (!software && ref) ratios.push(ratio(f.id, `TV-L1 ${size}: app WebGPU / OpenCV ${ref.params.threads} threads`, f, ref));
        }
      } finally {
        await page.close();
      }
    }
    if (!env.adapter) skipped.push('WebGPU TV-L1: no adapter in this Chromium');
    else if (env.softwareAdapter && opts.quick) skipped.push(`WebGPU TV-L1: software adapter (${env.adapter}), left out in quick mode`);
  } finally {
    await app.close();
  }
  return {
    figures,
    ratios,
    skipped,
    method: [
      `Frames: consecutive frames of the fixture from frame ${nodeResults.input.firstFrame ?? '?'} on, canonical decode ${nodeResults.input.sourceSize ?? ''} to grey, cropped at the centre to each size; ${pairs} pairs (i, i+1), all submitted at once; pairs/s = pairs / seconds of the whole batch.`,
      'Node (tools/bench/flow.ts): the TypeScript CPU path on worker_threads, 1 and N workers, warmed up; OpenCV 4 DualTVL1 (tools/reference/flow_opencv.py, cv2.setNumThreads = the same count, one untimed pair first), same frames.',
      'Chromium: the app’s flow worker pool (the pipeline’s CPU path) in headless Chromium via the test build’s harness page (e2e/harness/bench.ts), 1 and N workers, one untimed pair per worker first; the WebGPU TV-L1 when an adapter exists (software adapters: one pair, labelled, no ratio).',
      `Every figure: median of ${runs} runs (min, max); ratios against OpenCV with the same size and thread count.`,
    ],
    details,
  };
}
