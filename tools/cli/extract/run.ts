/** One extraction run: which inputs need work, the app in headless Chromium on them, the outputs written whole. */
import { mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { toErrorInfo } from '../../../src/errors';
import type { ExtractSettings } from '../../../src/bridge/pipeline';
import type { StreamName } from '../../../src/pipeline/extract';
import type { ChunkChoice } from '../../../src/pipeline/memory-budget';
import { openApp, ROOT, type AppSession } from '../lib/browser-app';
import { defaultJobs, type Options } from './args';
import { writeRunH5 } from './h5';
import { indexName, writeIndex, type IndexRow } from './index-csv';
import { collectInputs, type Input } from './inputs';
import { commit, incompleteReason, invalidate, sha256File, TMP_SUFFIX, writeMeta, type Expected } from './outputs';
import { failed, Reporter, type VideoResult } from './report';
import { shardOf } from './shards';

export const appVersion = () => (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function appSettings(o: Options, threads: number): ExtractSettings {
  const s = o.settings;
  return {
    threads,
    streams: s.streams,
    models: {},
    dtype: s.dtype,
    device: s.backend,
    flowBackend: s.backend === 'wasm' ? 'cpu' : s.backend === 'webgpu' ? 'webgpu' : 'auto',
    fps: s.fps,
    maxFrames: s.maxFrames,
    flowMode: s.flowMode,
    // the app plans each video with this budget (or the explicit length); meta.json says where the budget came from
    maxChunkFrames: o.chunking.from === 'explicit' ? s.chunk : null,
    memoryBudgetBytes: o.chunking.budgetBytes,
  };
}

/** The inputs of this run (this shard's, with --shard). */
export function runInputs(o: Options, log: (line: string) => void): Input[] {
  const all = collectInputs(o, log);
  const shard = o.shard;
  if (!shard) return all;
  const mine = all.filter((i) => shardOf(i.key, shard.count) === shard.index);
  log(`shard ${shard.index}/${shard.count}: ${mine.length} of ${all.length} inputs`);
  return mine;
}

/** Imports the checkpoints into `page`'s app; the settings that name them. */
async function importModels(page: Page, o: Options, threads: number): Promise<ExtractSettings> {
  const settings = appSettings(o, threads);
  const checkpoints = o.settings.streams.map((s) => resolve(o.checkpoints[s] as string));
  await page.setInputFiles('#models', checkpoints);
  const imported = await page.evaluate((dtype) => window.headless.importModels(dtype), settings.dtype);
  if (!imported.ok) throw Object.assign(new Error(imported.error.detail), imported.error);
  o.settings.streams.forEach((s, i) => {
    if (imported.value[i].modality !== s) throw new Error(`${checkpoints[i]} is a ${imported.value[i].modality} checkpoint, not ${s}`);
    settings.models[s] = imported.value[i].id;
  });
  return settings;
}

let nextId = 0;

/** Extracts one video on `page` and writes its folder; the result to report. */
async function extractOne(
  app: AppSession,
  page: Page,
  input: Input,
  dir: string,
  settings: ExtractSettings,
  expected: Expected,
  chunking: ChunkChoice,
): Promise<VideoResult & { stack?: string }> {
  const id = `cli-${process.pid}-${nextId++}`;
  const t0 = Date.now();
  try {
    await page.setInputFiles('#video', input.path);
    const r = await page.evaluate(([i, s]) => window.headless.extract(i, s), [id, settings] as const);
    if (!r.ok) return { ...failed(input.shown, r.error, (Date.now() - t0) / 1000), stack: r.stack };
    const summary = r.value;
    mkdirSync(dir, { recursive: true });
    invalidate(dir);
    const files = Object.keys(summary.files).filter((f) => f !== 'meta.json');
    for (const file of files) {
      const url = app.receiveAt(join(dir, file + TMP_SUFFIX));
      const sent = await page.evaluate(([i, f, u]) => window.headless.send(i, f, u), [id, file, url] as const);
      if (!sent.ok) return { ...failed(input.shown, sent.error, (Date.now() - t0) / 1000), stack: sent.stack };
      commit(dir, file);
    }
    // the app planned this video's chunks with the CLI's budget (its own account of that budget's source)
    const planned = summary.meta.chunking ? { ...summary.meta.chunking, budgetFrom: chunking.budgetFrom } : chunking;
    writeMeta(dir, { ...(summary.meta as unknown as Record<string, unknown>), chunking: planned }, input.path, { version: appVersion(), ...expected }, files);
    return {
      status: 'done',
      path: input.shown,
      out: dir,
      frames: summary.meta.video.decodedFrames,
      steps: summary.meta.steps.length,
      seconds: (Date.now() - t0) / 1000,
      code: null,
      message: null,
      detail: null,
    };
  } catch (e) {
    return { ...failed(input.shown, toErrorInfo(e), (Date.now() - t0) / 1000), stack: e instanceof Error ? e.stack : undefined };
  } finally {
    await page.evaluate((i) => window.headless.removeResult(i), id).catch(() => undefined);
  }
}

/** Runs the extraction; resolves to the exit status (1 when a video failed). */
export async function runExtract(o: Options): Promise<number> {
  const rep = new Reporter(o.json, o.verbose);
  const out = resolve(o.out);
  const inputs = runInputs(o, (l) => rep.log(l));
  const models: Partial<Record<StreamName, string>> = {};
  for (const s of o.settings.streams) models[s] = sha256File(resolve(o.checkpoints[s] as string));
  const expected: Expected = { settings: o.settings, models };

  mkdirSync(out, { recursive: true });
  const indexPath = join(out, indexName(o.shard));
  const rows: IndexRow[] = inputs.map((i) => ({ path: i.shown, status: 'pending', out: i.outRel, frames: null, steps: null, seconds: null, code: null }));
  const todo: number[] = [];
  inputs.forEach((input, k) => {
    const dir = join(out, input.outRel);
    const reason = o.force ? 'absent' : incompleteReason(dir, expected, o.verify);
    if (reason === null) {
      const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as { video: { decodedFrames: number }; steps: unknown[] };
      Object.assign(rows[k], { status: 'skipped', frames: meta.video.decodedFrames, steps: meta.steps.length });
      rep.result({
        status: 'skipped',
        path: input.shown,
        out: dir,
        frames: rows[k].frames,
        steps: rows[k].steps,
        seconds: 0,
        code: null,
        message: null,
        detail: null,
      });
      return;
    }
    if (reason !== 'absent') rep.log(`${input.shown}: recomputing (${reason})`);
    todo.push(k);
  });
  writeIndex(indexPath, rows);
  const failures = todo.length === 0 ? 0 : await extractAll(o, todo, { inputs, rows, indexPath, expected, rep });
  // --h5 last, from every complete folder on disk (done now or in an earlier run)
  const h5ok = o.h5 === null || (await writeRunH5(resolve(o.h5), { maps: o.h5Maps, version: appVersion() }, out, rows, (l) => rep.log(l)));
  return failures > 0 || !h5ok ? 1 : 0;
}

/** What a run has found out before it extracts: its inputs, their index rows (updated as videos finish) and so on. */
interface RunState {
  inputs: Input[];
  rows: IndexRow[];
  indexPath: string;
  expected: Expected;
  rep: Reporter;
}

/** Extracts the inputs numbered `todo` on `--jobs` pages, updating the rows and the index as they finish; the failures. */
async function extractAll(o: Options, todo: number[], { inputs, rows, indexPath, expected, rep }: RunState): Promise<number> {
  const out = resolve(o.out);
  const jobs = Math.min(o.jobs ?? defaultJobs(), todo.length);
  // the jobs split the cores: each page's worker sizes its model threads and flow pool to its share
  const threads = Math.max(1, Math.floor(availableParallelism() / jobs));
  rep.start(todo.length);
  let failures = 0;
  const current = new Map<Page, string>();
  const app = await openApp('/headless.html', {
    log: (line, page) => (line.startsWith('progress ') ? rep.progress(line.slice(9).replace(/^[^:]*:/, `${current.get(page) ?? ''}:`)) : undefined),
  });
  try {
    const pages = [app.page];
    while (pages.length < jobs) pages.push(await app.newPage());
    // each page (its own pipeline worker) imports the models, one page after the other: the first stores and
    // converts them, the others find them in the storage the pages share
    const settings: ExtractSettings[] = [];
    for (const page of pages) settings.push(await importModels(page, o, threads));
    let next = 0;
    // then each page takes videos until none are left
    const worker = async (page: Page, settings: ExtractSettings) => {
      while (next < todo.length) {
        const k = todo[next++];
        const input = inputs[k];
        current.set(page, input.shown);
        const { stack, ...r } = await extractOne(app, page, input, join(out, input.outRel), settings, expected, o.chunking);
        if (r.status === 'failed') failures++;
        Object.assign(rows[k], { status: r.status, frames: r.frames, steps: r.steps, seconds: r.seconds, code: r.code });
        writeIndex(indexPath, rows);
        rep.result(r, stack);
      }
    };
    await Promise.all(pages.map((page, i) => worker(page, settings[i])));
  } finally {
    rep.finish();
    await app.close();
  }
  return failures;
}
