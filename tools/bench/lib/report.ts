/** Readable forms of the results: a plain-text table per stage, results.md, and the chart (HTML/SVG → PNG). */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM } from '../../cli/lib/browser-app';
import type { BenchResults, Figure, Ratio, StageEntry } from './schema';
import { formatTable } from './stats';

const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(2));

/** "2.4× faster", "1.3× slower", "0.8× the memory" … from a ratio. */
export function verdict(q: Ratio): string {
  const memory = q.unit === 'MiB';
  if (q.id.startsWith('memory.'))
    return Math.abs(q.value - 1) < 0.05
      ? 'no growth'
      : q.value > 1
        ? `grows ${Math.round((q.value - 1) * 100)}%`
        : `shrinks ${Math.round((1 - q.value) * 100)}%`;
  const a = q.advantage;
  if (Math.abs(a - 1) < 0.005) return memory ? 'same memory' : 'same speed';
  if (memory) return a > 1 ? `${num(a)}× less memory` : `${num(1 / a)}× more memory`;
  return a > 1 ? `${num(a)}× faster` : `${num(1 / a)}× slower`;
}

function figureRows(entry: StageEntry): string[][] {
  return entry.figures.map((f) => {
    const extra = typeof f.params.framesPerSecond === 'number' ? ` (${num(f.params.framesPerSecond)} frames/s)` : '';
    return [f.label + (f.note ? ` [${f.note}]` : ''), f.side, f.unit, num(f.median) + extra, num(f.min), num(f.max), String(f.runs)];
  });
}

const HEADER = ['measurement', 'side', 'unit', 'median', 'min', 'max', 'runs'];
const RATIO_HEADER = ['comparison (same run)', 'app / reference', 'meaning'];
const ratioRows = (entry: StageEntry) => entry.ratios.map((q) => [q.label, `${q.value}×`, verdict(q)]);

export function stageTable(name: string, entry: StageEntry): string {
  const lines = [formatTable([HEADER, ...figureRows(entry)])];
  if (entry.ratios.length > 0) lines.push('', formatTable([RATIO_HEADER, ...ratioRows(entry)]));
  for (const s of entry.skipped) lines.push(`(not measured: ${s})`);
  lines.push(`${name}: ${entry.mode}, ${entry.seconds} s, load average ${entry.loadBefore.join(' ')} → ${entry.loadAfter.join(' ')}`);
  return lines.join('\n');
}

const cell = (s: string) => s.replace(/\|/g, '\\|');

function mdTable(rows: string[][]): string {
  const [head, ...body] = rows;
  return [
    `| ${head.map(cell).join(' | ')} |`,
    `|${head.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...body.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

interface Goal {
  what: string;
  ratio: Ratio | undefined;
  met: (q: Ratio) => boolean;
  target: string;
}

function goals(r: BenchResults): Goal[] {
  const all = Object.values(r.stages).flatMap((s) => s.ratios);
  const find = (id: string) => all.find((q) => q.id === id);
  const cores = Number(r.machine.logicalCores);
  const best = (ids: string[]) =>
    ids
      .map(find)
      .filter((q): q is Ratio => !!q)
      .sort((a, b) => b.advantage - a.advantage)[0];
  return [
    {
      what: `I3D RGB, onnxruntime-web WASM in Chromium, ${cores} threads (best of q8 / fp32) vs PyTorch CPU, same threads`,
      ratio: best([`i3d.wasm.rgb.q8.t${cores}`, `i3d.wasm.rgb.fp32.t${cores}`]),
      met: (q) => q.value <= 1,
      target: 'time ratio ≤ 1.0 (aim 0.5)',
    },
    {
      what: `TV-L1 CPU path in Chromium (app flow workers, ${cores} workers) vs OpenCV, ${cores} threads, 341x256`,
      ratio: find(`flow.chromium-pool.341x256.t${cores}`),
      met: (q) => q.value >= 1,
      target: 'throughput ratio ≥ 1.0',
    },
    {
      what: 'End to end, fixture, RGB + flow: npm run extract vs pipeline.py',
      ratio: find('e2e.wall'),
      met: (q) => q.value <= 1,
      target: 'wall-time ratio ≤ 1.0',
    },
    {
      what: 'Memory of a 10-minute vs a 2-minute 1080p video (renderer peak during the extraction)',
      ratio: find('memory.renderer.growth'),
      met: (q) => q.value <= 1.25,
      target: 'does not grow with length (ratio ≤ 1.25 for 5× the length)',
    },
  ];
}

export function markdownReport(r: BenchResults): string {
  const m = r.machine;
  const out: string[] = [
    '# Benchmark results',
    '',
    'Written by `npm run bench` (tools/bench/run.ts); the raw figures are in `results.json`. Every figure is the median of',
    'the stated number of runs, with min and max; every ratio is app / reference for two figures measured in the same run',
    '(for times and memory below 1 is better for the app, for throughputs above 1).',
    '',
    `Machine: ${String(m.cpu)} (${String(m.cpuMHz)} MHz; ${(m.simd as string[] | undefined)?.join(', ') ?? ''}), ${String(m.logicalCores)} logical cores, ${String(m.memoryGiB)} GiB, ${String(m.platform)}. ` +
      `Load average (1, 5, 15 min) at the start ${(m.loadAverageAtStart as number[] | undefined)?.join(' ') ?? '?'}, at the end ${(m.loadAverageAtEnd as number[] | undefined)?.join(' ') ?? '?'}` +
      ' — a load above the core count means other processes were running during the measurements.',
    '',
    ...(r.source ? [`Source of the latest run: ${sourceText(r.source)} (each stage says what it measured).`, ''] : []),
    `Versions: ${Object.entries(r.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join('; ')}.`,
    '',
    ...(Object.values(r.stages).some((e) => e.mode === 'dry-run')
      ? ['**Some stages here come from a dry run (tiny inputs, one run): their numbers mean nothing.**', '']
      : []),
    '## Goals (issue 7)',
    '',
    mdTable([
      ['goal', 'target', 'measured', 'status'],
      ...goals(r).map((g) => [
        g.what,
        g.target,
        g.ratio ? `${g.ratio.value}× (${verdict(g.ratio)})` : '—',
        g.ratio ? (g.met(g.ratio) ? 'met' : 'not met') : 'not measured',
      ]),
    ]),
  ];
  for (const [name, entry] of Object.entries(r.stages)) {
    out.push(
      '',
      `## ${name}`,
      '',
      `Mode ${entry.mode}, ${entry.startedAt}, ${entry.seconds} s; load average ${entry.loadBefore.join(' ')} at the start, ${entry.loadAfter.join(' ')} at the end${entry.source ? `; ${sourceText(entry.source)}` : ''}.`,
      '',
    );
    for (const line of entry.method) out.push(`- ${line}`);
    out.push('', mdTable([HEADER, ...figureRows(entry)]));
    if (entry.ratios.length > 0) out.push('', mdTable([RATIO_HEADER, ...ratioRows(entry)]));
    if (entry.skipped.length > 0) out.push('', ...entry.skipped.map((s) => `- Not measured: ${s}`));
  }
  return `${out.join('\n')}\n`;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The chart: one bar per ratio (app advantage on a log scale, 1× in the middle), then peak memory in MiB. */
export function chartHtml(r: BenchResults): string {
  const W = 1240;
  const labelW = 620;
  const barW = 420;
  const rowH = 22;
  const mid = labelW + barW / 2;
  const stages = Object.entries(r.stages).filter(([name, e]) => name !== 'memory' && e.ratios.length > 0);
  const all = stages.flatMap(([, e]) => e.ratios);
  const span = Math.min(3, Math.max(Math.log10(4), ...all.map((q) => Math.abs(Math.log10(q.advantage)))));
  const x = (adv: number) => mid + (Math.max(-span, Math.min(span, Math.log10(adv))) / span) * (barW / 2);
  const parts: string[] = [];
  let y = 70;
  for (const [name, e] of stages) {
    parts.push(`<text x="10" y="${y + 14}" class="stage">${esc(name)}</text>`);
    y += rowH + 2;
    for (const q of e.ratios) {
      const x1 = x(q.advantage);
      const good = q.advantage >= 1;
      parts.push(
        `<text x="${labelW - 8}" y="${y + 15}" class="label" text-anchor="end">${esc(q.label.length > 92 ? `${q.label.slice(0, 90)}…` : q.label)}</text>`,
        `<rect x="${Math.min(mid, x1)}" y="${y + 3}" width="${Math.max(1, Math.abs(x1 - mid))}" height="${rowH - 6}" fill="${good ? '#2a9d8f' : '#e76f51'}"/>`,
        `<text x="${labelW + barW + 8}" y="${y + 15}" class="value">${esc(verdict(q))}</text>`,
      );
      y += rowH;
    }
    y += 6;
  }
  const ticks = [0.001, 0.01, 0.1, 0.25, 0.5, 1, 2, 4, 10, 100, 1000].filter((t) => Math.abs(Math.log10(t)) <= span + 1e-9);
  const axis = ticks
    .map(
      (t) =>
        `<line x1="${x(t)}" x2="${x(t)}" y1="60" y2="${y}" class="${t === 1 ? 'one' : 'tick'}"/><text x="${x(t)}" y="${y + 14}" class="ticktext" text-anchor="middle">${t}×</text>`,
    )
    .join('');
  y += 40;

  // memory panel: peak MiB of the e2e commands and of the memory stage
  const mem = Object.values(r.stages)
    .flatMap((e) => e.figures)
    .filter(
      (f: Figure) => f.unit === 'MiB' && (f.side !== 'info' || f.id === 'e2e.app.renderer') && (f.id.startsWith('e2e.') || f.id.startsWith('memory.renderer')),
    );
  const memMax = Math.max(1, ...mem.map((f) => f.max));
  const memParts: string[] = [];
  if (mem.length > 0) {
    memParts.push(`<text x="10" y="${y}" class="stage">peak memory (MiB)</text>`);
    y += 10;
    for (const f of mem) {
      const w = (f.median / memMax) * (barW + 100);
      memParts.push(
        `<text x="${labelW - 8}" y="${y + 15}" class="label" text-anchor="end">${esc(f.label.length > 92 ? `${f.label.slice(0, 90)}…` : f.label)}</text>`,
        `<rect x="${labelW}" y="${y + 3}" width="${Math.max(1, w)}" height="${rowH - 6}" fill="${f.side === 'reference' ? '#8d99ae' : '#457b9d'}"/>`,
        `<text x="${labelW + w + 6}" y="${y + 15}" class="value">${num(f.median)}</text>`,
      );
      y += rowH;
    }
    y += 10;
  }
  const modes = [...new Set(Object.values(r.stages).map((e) => e.mode))].join(', ');
  const m = r.machine;
  const title = `npm run bench (${modes}): the app vs the Python reference on the same machine`;
  const sub = `${String(m.cpu)}, ${String(m.logicalCores)} cores, ${String(m.memoryGiB)} GiB · Chromium ${r.versions.chromium?.replace(/^Chromium /, '') ?? '?'} · load average at start ${(m.loadAverageAtStart as number[] | undefined)?.join(' ') ?? '?'} · bars: how many times faster (green) or slower (red) the app is; log scale`;
  return `<!doctype html><html><head><meta charset="utf-8"><style>
body{margin:0;background:#fff;font-family:DejaVu Sans,Arial,sans-serif}
.stage{font-weight:bold;font-size:14px;fill:#1d3557}.label{font-size:12px;fill:#222}.value{font-size:12px;fill:#222}
.ticktext{font-size:11px;fill:#555}.tick{stroke:#ddd}.one{stroke:#1d3557;stroke-width:1.5}
.title{font-size:17px;font-weight:bold;fill:#1d3557}.sub{font-size:11.5px;fill:#555}
</style></head><body><svg id="chart" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y + 10}">
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="24" class="title">${esc(title)}</text><text x="10" y="44" class="sub">${esc(sub)}</text>
${axis}${parts.join('')}${memParts.join('')}</svg></body></html>`;
}

export async function renderChart(r: BenchResults, path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ deviceScaleFactor: 1.5 });
    await page.setContent(chartHtml(r));
    await page.locator('#chart').screenshot({ path });
  } finally {
    await browser.close();
  }
}

/** "commit X" plus the app sources that differed from it. */
function sourceText(source: { commit: string; uncommittedSources: string[] }): string {
  return `commit ${source.commit}${source.uncommittedSources.length > 0 ? ` plus uncommitted changes to ${source.uncommittedSources.join(', ')}` : ''}`;
}
