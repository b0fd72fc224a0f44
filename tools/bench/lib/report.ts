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
  target: string;
  /** The measured value in words, and whether it meets the target; undefined when not measured. */
  measured: { text: string; met: boolean } | undefined;
}

/** A goal on a ratio (app / reference, same run). */
function onRatio(what: string, target: string, q: Ratio | undefined, met: (q: Ratio) => boolean): Goal {
  return { what, target, measured: q ? { text: `${q.value}× (${verdict(q)})`, met: met(q) } : undefined };
}

/** A goal on a figure's median (and its max when `worst` says so). */
function onFigure(what: string, target: string, f: Figure | undefined, met: (x: number) => boolean, text: (f: Figure) => string): Goal {
  return { what, target, measured: f ? { text: text(f), met: met(f.median) } : undefined };
}

function goals(r: BenchResults): { issue: number; goals: Goal[] }[] {
  const all = Object.values(r.stages).flatMap((s) => s.ratios);
  const figures = Object.values(r.stages).flatMap((s) => s.figures);
  const find = (id: string) => all.find((q) => q.id === id);
  const fig = (id: string) => figures.find((f) => f.id === id);
  const cores = Number(r.machine.logicalCores);
  const best = (ids: string[]) =>
    ids
      .map(find)
      .filter((q): q is Ratio => !!q)
      .sort((a, b) => b.advantage - a.advantage)[0];
  const times = (f: Figure) => `${num(f.median)}× (${num(f.min)}–${num(f.max)})`;
  const gb = (f: Figure) => `${num(f.median)} MiB (${((f.median * 2 ** 20) / 1e9).toFixed(2)} GB)`;
  return [
    {
      issue: 7,
      goals: [
        onRatio(
          `I3D RGB, onnxruntime-web WASM in Chromium, ${cores} threads (best of q8 / fp32) vs PyTorch CPU, same threads`,
          'time ratio ≤ 1.0 (aim 0.5)',
          best([`i3d.wasm.rgb.q8.t${cores}`, `i3d.wasm.rgb.fp32.t${cores}`]),
          (q) => q.value <= 1,
        ),
        onRatio(
          `TV-L1 CPU path in Chromium (app flow workers, ${cores} workers) vs OpenCV, ${cores} threads, 341x256`,
          'throughput ratio ≥ 1.0',
          find(`flow.chromium-pool.341x256.t${cores}`),
          (q) => q.value >= 1,
        ),
        onRatio('End to end, fixture, RGB + flow: npm run extract vs pipeline.py', 'wall-time ratio ≤ 1.0', find('e2e.wall'), (q) => q.value <= 1),
        onRatio(
          'Memory of a 10-minute vs a 2-minute 1080p video (renderer peak during the extraction)',
          'does not grow with length (ratio ≤ 1.25 for 5× the length)',
          find('memory.renderer.growth'),
          (q) => q.value <= 1.25,
        ),
      ],
    },
    {
      issue: 12,
      goals: [
        onRatio('Whole clip, fixture, RGB + flow, WASM: npm run extract vs pipeline.py', 'wall-time ratio ≤ 0.25', find('e2e.wall'), (q) => q.value <= 0.25),
        onRatio(
          'Whole clip, generated 20-s clip, RGB + flow, WASM: npm run extract vs pipeline.py',
          'wall-time ratio ≤ 0.25',
          find('e2e.clip20.wall'),
          (q) => q.value <= 0.25,
        ),
        onFigure('Efficiency, fixture: extraction wall time / its stages’ work back to back', '≤ 1.15', fig('e2e.app.efficiency'), (x) => x <= 1.15, times),
        onFigure(
          'Efficiency, 20-s clip: extraction wall time / its stages’ work back to back',
          '≤ 1.15',
          fig('e2e.clip20.app.efficiency'),
          (x) => x <= 1.15,
          times,
        ),
        onFigure(
          'Batch of short clips: a clip’s time in the batch / its work alone (median; min–max)',
          '≤ 1.5',
          fig('e2e.batch.app.clip-overhead'),
          (x) => x <= 1.5,
          times,
        ),
        onRatio(
          'Batch of short clips: npm run extract vs pipeline.py with its models loaded once',
          'wall-time ratio ≤ 0.3',
          find('e2e.batch.wall'),
          (q) => q.value <= 0.3,
        ),
        onFigure(
          'Peak memory, fixture, both streams, --memory-budget 2G (all Chromium processes, PSS; `bench -- chunks`)',
          '≤ 2.0 GB',
          fig('chunks.pss.fixture.budget=2G'),
          (x) => x * 2 ** 20 <= 2e9,
          gb,
        ),
        onFigure(
          'Peak memory, 10-minute 1080p video at --fps 2, both streams, --memory-budget 2G (`BENCH_CHUNK_INPUTS=1080p10`)',
          '≤ 2.0 GB',
          fig('chunks.pss.1080p10.budget=2G'),
          (x) => x * 2 ** 20 <= 2e9,
          gb,
        ),
      ],
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
    ...goals(r).flatMap(({ issue, goals: list }) => [
      `## Goals (issue ${issue})`,
      '',
      mdTable([
        ['goal', 'target', 'measured', 'status'],
        ...list.map((g) => [g.what, g.target, g.measured?.text ?? '—', g.measured ? (g.measured.met ? 'met' : 'not met') : 'not measured']),
      ]),
      '',
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
      (f: Figure) =>
        f.unit === 'MiB' &&
        (f.side !== 'info' || f.id === 'e2e.app.renderer') &&
        (f.id.startsWith('e2e.') || f.id.startsWith('memory.renderer') || f.id.startsWith('chunks.pss.')),
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
  const breakdown = timeBreakdown(r, labelW, barW + 100, rowH, y);
  y = breakdown.y;
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
${axis}${parts.join('')}${memParts.join('')}${breakdown.svg}</svg></body></html>`;
}

/** One colour per kind of time, the app's and the reference's names for the same kind sharing it. */
const PART_COLOURS: [string, string[]][] = [
  ['#264653', ['startup', 'load']],
  ['#adb5bd', ['count']],
  ['#8ab17d', ['decode']],
  ['#e9c46a', ['flow']],
  ['#f4a261', ['i3d_rgb', 'model_rgb']],
  ['#e76f51', ['i3d_flow', 'model_flow']],
  ['#b5838d', ['prepare+write']],
  ['#6d597a', ['not overlapped']],
  ['#2a9d8f', ['bundle+meta', 'rest']],
];

/**
 * The chart's last panel: where each side's wall time went on the e2e inputs (figures `<input>.<side>.part.*`,
 * medians), one stacked bar per side, all on one time scale. A negative part (the app's stages overlapping) is
 * left out of the bar and said in its label.
 */
function timeBreakdown(r: BenchResults, labelW: number, width: number, rowH: number, y0: number): { svg: string; y: number } {
  const figures = r.stages.e2e?.figures ?? [];
  const rows: { label: string; parts: Figure[]; wall: Figure | undefined }[] = [];
  for (const prefix of ['e2e', 'e2e.clip20'])
    for (const side of ['app', 'reference'])
      rows.push({
        label: `${side}, ${figures.find((f) => f.id === `${prefix}.${side}.wall`)?.params.input ?? prefix}`,
        parts: figures.filter((f) => f.id.startsWith(`${prefix}.${side}.part.`)),
        wall: figures.find((f) => f.id === `${prefix}.${side}.wall`),
      });
  const shown = rows.filter((x) => x.parts.length > 0);
  if (shown.length === 0) return { svg: '', y: y0 };
  const max = Math.max(...shown.map((x) => x.parts.reduce((a, f) => a + Math.max(0, f.median), 0)), ...shown.map((x) => x.wall?.median ?? 0));
  const names = new Set(shown.flatMap((x) => x.parts.map((f) => f.id.split('.part.')[1])));
  const colour = (n: string) => PART_COLOURS.find(([, kinds]) => kinds.includes(n))?.[0] ?? '#000';
  const legend = PART_COLOURS.map(([c, kinds]): [string, string] => [c, kinds.filter((k) => names.has(k)).join(' / ')]).filter(([, t]) => t);
  const out: string[] = [`<text x="10" y="${y0}" class="stage">where the time goes (seconds, medians)</text>`];
  let y = y0 + 10;
  for (const row of shown) {
    const negative = row.parts.filter((f) => f.median < 0);
    const note = negative.length > 0 ? ` (${negative.map((f) => `${f.id.split('.part.')[1]} ${num(f.median)} s`).join(', ')})` : '';
    const text = `${row.label}${note}`;
    out.push(`<text x="${labelW - 8}" y="${y + 15}" class="label" text-anchor="end">${esc(text.length > 92 ? `${text.slice(0, 90)}…` : text)}</text>`);
    let x = labelW;
    for (const f of row.parts.filter((p) => p.median > 0)) {
      const w = (f.median / max) * width;
      const name = f.id.split('.part.')[1];
      out.push(
        `<rect x="${x}" y="${y + 3}" width="${Math.max(0.5, w)}" height="${rowH - 6}" fill="${colour(name)}"><title>${esc(`${name}: ${num(f.median)} s`)}</title></rect>`,
      );
      x += w;
    }
    out.push(`<text x="${x + 6}" y="${y + 15}" class="value">${row.wall ? `${num(row.wall.median)} s` : ''}</text>`);
    y += rowH;
  }
  y += 4;
  let lx = labelW;
  for (const [c, n] of legend) {
    out.push(`<rect x="${lx}" y="${y}" width="10" height="10" fill="${c}"/><text x="${lx + 14}" y="${y + 9}" class="ticktext">${esc(n)}</text>`);
    lx += 24 + n.length * 6.5;
    if (lx > labelW + width) {
      lx = labelW;
      y += 16;
    }
  }
  return { svg: out.join(''), y: y + 30 };
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
