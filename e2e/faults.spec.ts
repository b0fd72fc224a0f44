/**
 * Faults during an extraction (issue 11): a worker that crashes or stops mid-video, or a heap that runs out, fails
 * that video with a typed error naming what failed — never a hang, never a partial result shown as done — and the
 * next video in the queue runs and finishes. The faults come from test hooks of the test build (src/faults.ts).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { ensureCheckpoints } from '../test/support/reference';
import type { FaultForTest } from '../src/faults';
import { CACHE, FIXTURE, TEST_BUILD_PORT } from './support/fixtures';
import { dropFiles } from './support/page';

const DIR = resolve(CACHE, 'faults');
/** Frames per video, and where the fault hits: after the first decoded batches, well before the end. */
const MAX_FRAMES = 16;
const AT = 8;

declare global {
  interface Window {
    faultForTest?: (fault: FaultForTest) => void;
  }
}

/** One page for all cases (the models are imported once); a failed case gets a fresh worker process, so a fresh page. */
let page: Page;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(240_000);
  const set = await ensureCheckpoints({ divisor: 8 });
  page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${TEST_BUILD_PORT}/`);
  await page.getByTestId('model-input').setInputFiles([set.i3d('rgb', 157).path, set.i3d('flow', 157).path]);
  await expect(page.getByTestId('model')).toHaveCount(2, { timeout: 120_000 });
  await page.getByTestId('dtype').selectOption('fp32');
  await page.getByTestId('device').selectOption('wasm');
  await page.getByTestId('max-frames').fill(String(MAX_FRAMES));
});

test.afterAll(async () => {
  await page?.close();
});

const item = (name: string): Locator => page.getByTestId('queue-item').filter({ hasText: name });

/** Two copies of the fixture; the first one's extraction meets `fault`: it fails with `code` and the second ends done. */
async function faultThenNext(fault: FaultForTest, code: string, detail: RegExp) {
  const stem = `${fault.worker}-${fault.kind}`;
  mkdirSync(DIR, { recursive: true });
  const [a, b] = [`${stem}-a.mp4`, `${stem}-b.mp4`];
  for (const n of [a, b]) copyFileSync(FIXTURE, resolve(DIR, n));
  await dropFiles(page, [{ path: resolve(DIR, a) }, { path: resolve(DIR, b) }]);
  for (const n of [a, b]) await expect(item(n)).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  await page.evaluate((f) => window.faultForTest?.(f), fault);
  await page.getByTestId('run').click();
  // the fault hits mid-video: the first video had started (its progress was shown), then it fails
  await expect(item(a)).toHaveAttribute('data-status', 'error', { timeout: 60_000 });
  const error = item(a).getByTestId('error');
  await expect(error).toHaveAttribute('data-code', code);
  await expect(error).toContainText(detail);
  // no partial result of the failed video is offered
  await expect(item(a).getByTestId('download-npz')).toHaveCount(0);
  // the queue went on: the next video ends done, with its results
  await expect(item(b)).toHaveAttribute('data-status', 'done', { timeout: 90_000 });
  await expect(item(b).getByTestId('download-npz')).toBeVisible();
  await expect(item(a)).toHaveAttribute('data-status', 'error');
}

for (const worker of ['pipeline', 'decode', 'flow'] as const) {
  test(`a crash of the ${worker} worker mid-video fails that video with E_WORKER_CRASH and the queue goes on`, async () => {
    await faultThenNext({ worker, kind: 'crash', afterFrames: AT }, 'E_WORKER_CRASH', new RegExp(`${worker} worker`));
  });
  test(`a ${worker} worker that stops mid-video (no error event) fails that video with E_WORKER_CRASH and the queue goes on`, async () => {
    await faultThenNext({ worker, kind: 'exit', afterFrames: AT }, 'E_WORKER_CRASH', new RegExp(`${worker} worker`));
  });
}

// (the mapping of every heap-exhaustion shape is unit-tested in src/errors.test.ts; here one end to end, through ffmpeg's exec)
test('an exhausted WebAssembly heap in the decode worker fails that video with E_OUT_OF_MEMORY and its hint', async () => {
  await faultThenNext({ worker: 'decode', kind: 'oom', afterFrames: AT }, 'E_OUT_OF_MEMORY', /--fps.*Maximum memory size exceeded/);
});
