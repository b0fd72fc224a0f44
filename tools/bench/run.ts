/**
 * npm run bench -- [STAGE ...] [--quick] [--dry-run] [--runs N] [--out FILE]
 *
 * Runs benchmark stages (one module per stage under tools/bench/; default: all), merges their results into
 * bench/results.json (other stages' entries are kept) and prints a table per stage. Every figure is the median of
 * several runs with min and max; comparisons are measured in the same run. --quick: fewer pairs and runs;
 * --dry-run: tiny inputs and one run, to check the plumbing and the results file (no meaningful numbers).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type StageOptions, type StageResult, machineInfo } from './lib/stats';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Registered stages: name → loader. Add a stage by adding a module and a line here. */
const STAGES: Record<string, () => Promise<{ run: (opts: StageOptions) => Promise<StageResult> }>> = {
  flow: () => import('./flow'),
};

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      quick: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      runs: { type: 'string' },
      out: { type: 'string', default: join(ROOT, 'bench', 'results.json') },
    },
  });
  const names = positionals.length > 0 ? positionals : Object.keys(STAGES);
  for (const n of names) if (!STAGES[n]) throw new Error(`unknown stage ${n}; known: ${Object.keys(STAGES).join(', ')}`);
  const opts: StageOptions = {
    quick: values.quick,
    dryRun: values['dry-run'],
    runs: values.runs === undefined ? undefined : Number(values.runs),
    workDir: join(ROOT, 'bench', 'out'),
  };
  mkdirSync(opts.workDir, { recursive: true });

  const outPath = resolve(values.out);
  const previous = existsSync(outPath) ? (JSON.parse(readFileSync(outPath, 'utf8')) as { stages?: Record<string, unknown> }) : {};
  const stages: Record<string, unknown> = { ...(previous.stages ?? {}) };
  for (const name of names) {
    const stage = await STAGES[name]();
    const t0 = performance.now();
    const result = await stage.run(opts);
    stages[name] = { ...(result.results as object), mode: opts.dryRun ? 'dry-run' : opts.quick ? 'quick' : 'full', seconds: Math.round((performance.now() - t0) / 1000), date: new Date().toISOString() };
    console.log(`\n== ${name} ==\n${result.table}`);
  }
  mkdirSync(dirname(outPath), { recursive: true });
  writeFileSync(outPath, `${JSON.stringify({ machine: machineInfo(), stages }, null, 2)}\n`);
  console.log(`\nwrote ${outPath}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
