/**
 * The shape of bench/results.json, shared by the stages, the report writers and the dry-run test.
 *
 * Every measurement is a `Figure`: the median, min and max of `runs` repeated runs in one unit. Every
 * comparison is a `Ratio` between an app figure and a reference figure of the same unit measured in the same
 * run: `value` = app median / reference median, and `advantage` turns it into "how many times better the app
 * is" (> 1: the app is faster or smaller), whatever the unit's direction.
 */

export type FigureSide = 'app' | 'reference' | 'info';

export interface Figure {
  /** Unique in the results file, e.g. `i3d.wasm.rgb.fp32.t2`. */
  id: string;
  /** What was measured, in words (implementation, input, threads). */
  label: string;
  side: FigureSide;
  unit: string;
  median: number;
  min: number;
  max: number;
  runs: number;
  /** Input size, threads, dtype, device, … (flat, for tables and filters). */
  params: Record<string, string | number | boolean>;
  note?: string;
}

export interface Ratio {
  id: string;
  label: string;
  /** Figure ids. */
  app: string;
  reference: string;
  unit: string;
  /** app median / reference median. */
  value: number;
  /** Whether a higher value of the unit is better (throughput) or a lower one (time, memory). */
  better: 'higher' | 'lower';
  /** > 1 when the app is better: `value` for throughputs, 1 / `value` for times and memory. */
  advantage: number;
}

export interface StageData {
  figures: Figure[];
  ratios: Ratio[];
  /** Measurements left out in this mode or on this machine, with the reason. */
  skipped: string[];
  /** What exactly the stage measures (one paragraph per line, for results.md). */
  method: string[];
  /** Stage-specific raw data (per-run values, versions, paths). */
  details?: unknown;
}

export interface StageEntry extends StageData {
  mode: 'dry-run' | 'quick' | 'full';
  seconds: number;
  startedAt: string;
  /** 1-, 5- and 15-minute load averages when the stage started and ended (other processes on the machine). */
  loadBefore: number[];
  loadAfter: number[];
  /** The sources this stage measured (stages kept from an earlier run keep theirs). */
  source?: { commit: string; uncommittedSources: string[] };
}

export interface BenchResults {
  schema: 1;
  machine: Record<string, unknown>;
  /** Versions of everything measured (Chromium, onnxruntime-web, ffmpeg, OpenCV, PyTorch, …). */
  versions: Record<string, string>;
  /** The commit measured and the app sources that differed from it (the working tree is shared while it runs). */
  source?: { commit: string; uncommittedSources: string[] };
  stages: Record<string, StageEntry>;
}

/** The stages `npm run bench` runs, in order. */
export const STAGE_NAMES = ['decode', 'flow', 'i3d', 'e2e', 'memory', 'gpu'] as const;

export const UNITS: Record<string, 'higher' | 'lower'> = {
  'frames/s': 'higher',
  'pairs/s': 'higher',
  's/clip': 'lower',
  s: 'lower',
  MiB: 'lower',
  /** End-point error of a flow against another (agreement). */
  px: 'lower',
  /** max |a − b| / max |reference| (agreement). */
  'rel. diff': 'lower',
  /** A ratio of two times within the app (e.g. wall time over the work it did). */
  '×': 'lower',
};

/** A ratio between two figures of the same unit (throws if the units differ or a median is not positive). */
export function ratio(id: string, label: string, app: Figure, reference: Figure): Ratio {
  if (app.unit !== reference.unit) throw new Error(`ratio ${id}: units differ (${app.unit} vs ${reference.unit})`);
  const better = UNITS[app.unit];
  if (!better) throw new Error(`ratio ${id}: unknown unit ${app.unit}`);
  if (!(app.median > 0 && reference.median > 0)) throw new Error(`ratio ${id}: medians must be positive (${app.median}, ${reference.median})`);
  const value = app.median / reference.median;
  const round3 = (x: number) => Number(x.toPrecision(3));
  return {
    id,
    label,
    app: app.id,
    reference: reference.id,
    unit: app.unit,
    value: round3(value),
    better,
    advantage: round3(better === 'higher' ? value : 1 / value),
  };
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * Problems with a results file (empty when it is well formed): every expected stage present, every figure's
 * numbers finite with min ≤ median ≤ max and runs ≥ 1, ids unique, every ratio between existing figures with
 * a finite positive value that matches their medians.
 */
export function validateResults(r: unknown, expectedStages: readonly string[]): string[] {
  const errors: string[] = [];
  const res = r as Partial<BenchResults>;
  if (res.schema !== 1) errors.push('schema must be 1');
  if (typeof res.machine !== 'object' || res.machine === null) errors.push('machine missing');
  if (typeof res.versions !== 'object' || res.versions === null) errors.push('versions missing');
  const stages = res.stages ?? {};
  const ids = new Map<string, Figure>();
  for (const name of expectedStages) {
    const s = stages[name];
    if (!s) {
      errors.push(`stage ${name} missing`);
      continue;
    }
    if (!Array.isArray(s.figures) || !Array.isArray(s.ratios) || !Array.isArray(s.skipped) || !Array.isArray(s.method)) {
      errors.push(`stage ${name}: figures, ratios, skipped and method must be arrays`);
      continue;
    }
    if (s.figures.length === 0 && s.skipped.length === 0) errors.push(`stage ${name}: no figures and nothing said skipped`);
    if (!finite(s.seconds) || !s.loadBefore?.every(finite) || !s.loadAfter?.every(finite)) errors.push(`stage ${name}: seconds / load averages not finite`);
    for (const f of s.figures) {
      if (ids.has(f.id)) errors.push(`figure ${f.id}: duplicate id`);
      ids.set(f.id, f);
      if (![f.median, f.min, f.max, f.runs].every(finite)) errors.push(`figure ${f.id}: non-finite numbers`);
      else if (!(f.min <= f.median && f.median <= f.max)) errors.push(`figure ${f.id}: min ≤ median ≤ max does not hold`);
      if (!(f.runs >= 1)) errors.push(`figure ${f.id}: runs < 1`);
      if (!UNITS[f.unit]) errors.push(`figure ${f.id}: unknown unit ${f.unit}`);
      if (!f.label || !['app', 'reference', 'info'].includes(f.side)) errors.push(`figure ${f.id}: label or side missing`);
    }
  }
  for (const name of expectedStages) {
    for (const q of stages[name]?.ratios ?? []) {
      const [a, b] = [ids.get(q.app), ids.get(q.reference)];
      if (!a || !b) {
        errors.push(`ratio ${q.id}: unknown figure ${a ? q.reference : q.app}`);
        continue;
      }
      if (!finite(q.value) || !(q.value > 0) || !finite(q.advantage)) errors.push(`ratio ${q.id}: value not finite and positive`);
      else if (Math.abs(q.value - a.median / b.median) > 0.01 * q.value) errors.push(`ratio ${q.id}: value ${q.value} ≠ ${a.median} / ${b.median}`);
      if (a.unit !== b.unit || q.unit !== a.unit) errors.push(`ratio ${q.id}: units differ`);
    }
  }
  return errors;
}
