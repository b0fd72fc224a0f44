/** Shared helpers of the benchmark stages: summaries of repeated runs, machine description, table printing. */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import type { Figure, FigureSide } from './schema';

export interface Summary {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function summarise(values: number[]): Summary {
  if (values.length === 0) throw new Error('summarise: no values');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median: round(median), min: round(s[0]), max: round(s[s.length - 1]), runs: s.length };
}

export function round(x: number, digits = 4): number {
  return Number(x.toPrecision(digits));
}

/** A figure from the values of repeated runs (see schema.ts). */
export function figure(id: string, label: string, side: FigureSide, unit: string, values: number[], params: Figure['params'] = {}, note?: string): Figure {
  return { id, label, side, unit, ...summarise(values), params, ...(note ? { note } : {}) };
}

/** 1-, 5- and 15-minute load averages, 2 decimals. */
export function loadAverage(): number[] {
  return loadavg().map((x) => Math.round(x * 100) / 100);
}

export interface MachineInfo {
  cpu: string;
  cpuMHz: number;
  simd: string[];
  logicalCores: number;
  memoryGiB: number;
  node: string;
  platform: string;
}

function cpuinfo(): string {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return '';
  }
}

/** SIMD features of the CPU that matter for native (PyTorch, OpenCV) vs WebAssembly (128-bit SIMD) code. */
function simdFlags(): string[] {
  const flags = new Set(/^flags\s*:(.*)$/m.exec(cpuinfo())?.[1].trim().split(/\s+/) ?? []);
  return ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512_vnni'].filter((f) => flags.has(f));
}

export function machineInfo(): MachineInfo {
  const c = cpus();
  return {
    cpu: c[0]?.model ?? 'unknown',
    cpuMHz: c[0]?.speed || Math.round(Number(/^cpu MHz\s*:\s*([\d.]+)/m.exec(cpuinfo())?.[1] ?? 0)),
    simd: simdFlags(),
    logicalCores: c.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** A plain-text table (first row = header). */
export function formatTable(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** Options every stage receives. */
export interface StageOptions {
  quick: boolean;
  dryRun: boolean;
  /** Overrides of the number of runs per measurement. */
  runs?: number;
  /** Scratch directory for inputs and intermediate files (gitignored). */
  workDir: string;
}

/** What a stage returns: JSON for results.json and a printable table. */
export interface StageResult {
  stage: string;
  results: unknown;
  table: string;
}
