/**
 * A finished video's results as a user sees them (the product build): the prediction timeline against the
 * downloaded logits, hovering, the keyboard and the frame on click; the run's summary; the storage panel (sizes,
 * delete, clean-up); accessibility (axe, light and dark), the live progress region, and a 360 px wide screen.
 * One extraction (two random-weight checkpoints, the fixture's first 33 frames) serves every test.
 */
import { readFileSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { decodeNpy } from '../src/io/npy';
import { ensureCheckpoints } from '../test/support/reference';
import { FIXTURE } from './support/fixtures';
import { dropFiles } from './support/page';

test.describe.configure({ mode: 'serial' });

let page: Page;
let item: Locator;

test.beforeAll(async ({ browser }, info) => {
  test.setTimeout(600_000);
  const set = await ensureCheckpoints({ divisor: 8 });
  const context = await browser.newContext({ baseURL: info.project.use.baseURL, acceptDownloads: true });
  page = await context.newPage();
  await page.goto('/');
  await page.getByTestId('model-input').setInputFiles([set.i3d('rgb', 400).path, set.i3d('flow', 400).path]);
  await expect(page.getByTestId('model')).toHaveCount(2, { timeout: 120_000 });
  await page.getByTestId('dtype').selectOption('fp32');
  await page.getByTestId('device').selectOption('wasm');
  await page.getByTestId('max-frames').fill('33');
  await dropFiles(page, [{ path: FIXTURE }]);
  item = page.getByTestId('queue-item');
  await expect(item).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
  // everything the live region says during the run
  await page.evaluate(() => {
    const live = document.querySelector('[data-testid="announcer"]') as HTMLElement;
    const said: string[] = [];
    (window as unknown as { said: string[] }).said = said;
    new MutationObserver(() => said.push(live.textContent ?? '')).observe(live, { childList: true, subtree: true, characterData: true });
  });
  await page.getByTestId('run').click();
  await expect(item).toHaveAttribute('data-status', /done|error/, { timeout: 500_000 });
  await expect(item.getByTestId('error')).toHaveCount(0);
});

test.afterAll(async () => {
  await page?.context().close();
});

async function downloaded(name: string): Promise<Buffer> {
  const [download] = await Promise.all([page.waitForEvent('download'), item.getByTestId(`download-${name}`).click()]);
  return readFileSync(await download.path());
}

/** Per-step softmax of a (steps, classes) float32 array, in float64 (as the pipeline does). */
function softmaxRows(data: Float32Array | Float64Array, steps: number, classes: number): Float64Array[] {
  return Array.from({ length: steps }, (_, t) => {
    const row = Float64Array.from(data.subarray(t * classes, (t + 1) * classes));
    const max = row.reduce((a, b) => Math.max(a, b), -Infinity);
    const exp = row.map((v) => Math.exp(v - max));
    const sum = exp.reduce((a, b) => a + b, 0);
    return exp.map((v) => v / sum);
  });
}

interface PointData {
  cls: number;
  name: string;
  step: number;
  time: number;
  score: number;
}

const readPoints = (points: Locator) =>
  points.evaluateAll((els) =>
    els.map((el) => ({
      cls: Number(el.getAttribute('data-class-index')),
      name: el.getAttribute('data-class') ?? '',
      step: Number(el.getAttribute('data-step')),
      time: Number(el.getAttribute('data-time')),
      score: Number(el.getAttribute('data-score')),
    })),
  );

test("the timeline's points are the per-step scores of the downloaded logits, at meta.json's step times", async () => {
  const meta = JSON.parse((await downloaded('meta.json')).toString()) as { steps: { centerTime: number }[] };
  const logits = { rgb: decodeNpy(await downloaded('rgb_logits.npy')), flow: decodeNpy(await downloaded('flow_logits.npy')) };
  const [steps, classes] = logits.rgb.shape;
  expect(logits.flow.shape).toEqual([steps, classes]);
  expect(meta.steps).toHaveLength(steps);
  const scores = {
    rgb: softmaxRows(logits.rgb.data as Float32Array, steps, classes),
    flow: softmaxRows(logits.flow.data as Float32Array, steps, classes),
    joint: softmaxRows(
      Float64Array.from(logits.rgb.data as Float32Array, (v, i) => v + (logits.flow.data as Float32Array)[i]),
      steps,
      classes,
    ),
  };
  // the classes followed are the joint top 5, in the order of the list
  const top = await item.getByTestId('top-joint').locator('.cls').allTextContents();
  expect(top).toHaveLength(5);
  const timeline = item.getByTestId('timeline');
  await expect(timeline.locator('.legend li')).toHaveText(top);
  for (const stream of ['joint', 'rgb', 'flow'] as const) {
    await timeline.getByTestId('timeline-stream').selectOption(stream);
    const points: PointData[] = await readPoints(timeline.getByTestId('timeline-point'));
    expect(points).toHaveLength(5 * steps);
    expect([...new Set(points.map((p) => p.name))]).toEqual(top);
    for (const p of points) {
      expect(p.time).toBeCloseTo(meta.steps[p.step].centerTime, 9);
      expect(Math.abs(p.score - scores[stream][p.step][p.cls])).toBeLessThan(1e-9);
    }
  }
});

test('hovering a point shows its class, time and score; the keyboard moves along; a click shows the frame', async () => {
  const timeline = item.getByTestId('timeline');
  await timeline.getByTestId('timeline-stream').selectOption('joint');
  const points = timeline.getByTestId('timeline-point');
  const first = (await readPoints(points))[0];
  await points.first().hover();
  const readout = timeline.getByTestId('timeline-readout');
  await expect(readout).toHaveText(new RegExp(`^${first.name.replace(/[()]/g, '.')}: [0-9.e-]+% at ${first.time.toFixed(2)} s$`));
  // keyboard: focus the chart, Home, then right: the second step of the same class
  await timeline.getByTestId('timeline-chart').focus();
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowRight');
  const second = (await readPoints(points)).find((p) => p.name === first.name && p.step === 1);
  expect(second).toBeDefined();
  await expect(readout).toContainText(`at ${second?.time.toFixed(2)} s`);
  // click: the frame at that time, decoded on demand
  await points.nth(1).click();
  const img = timeline.getByTestId('timeline-frame');
  await expect(img).toBeVisible({ timeout: 120_000 });
  const size = await img.evaluate((el: HTMLImageElement) => [el.naturalWidth, el.naturalHeight]);
  expect(size[0]).toBeGreaterThan(100);
  expect(size[1]).toBeGreaterThan(100);
  await expect(img).toHaveAttribute('alt', new RegExp(`at ${second?.time.toFixed(2)} s`));
  // Enter on the focused chart shows the frame of the point the keys are on
  await timeline.getByTestId('timeline-chart').focus();
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  const all = await readPoints(points);
  const lastStep = Math.max(...all.map((q) => q.step));
  const last = all.find((p) => p.name === first.name && p.step === lastStep);
  await expect(img).toHaveAttribute('alt', new RegExp(`at ${last?.time.toFixed(2)} s`), { timeout: 120_000 });
});

test('the run summary: frames, feature steps, backend, time and speed', async () => {
  const summary = item.getByTestId('run-summary');
  await expect(summary.getByTestId('run-frames')).toHaveText('33');
  const steps = Number(await summary.getByTestId('run-steps').textContent());
  expect(steps).toBe((await item.getByTestId('timeline-point').count()) / 5);
  await expect(summary.getByTestId('run-backend')).toContainText('RGB on WebAssembly (fp32)');
  await expect(summary.getByTestId('run-backend')).toContainText('TV-L1 on');
  await expect(summary.getByTestId('run-time')).toHaveText(/^\d+:\d\d\.\d$/);
  await expect(summary.getByTestId('run-speed')).toHaveText(/^\d+(\.\d)? frames\/s$/);
});

test('progress was announced politely, and the finished video too', async () => {
  const live = page.getByTestId('announcer');
  await expect(live).toHaveAttribute('aria-live', 'polite');
  await expect(live).toHaveText(/v_GGSY1Qvo990\.mp4: done/);
  const said = await page.evaluate(() => (window as unknown as { said: string[] }).said);
  expect(
    said.some((t) => /^v_GGSY1Qvo990\.mp4: \d+% — (starting|decoding|flow|I3D|writing)$/.test(t)),
    said.join(' | '),
  ).toBe(true);
  // on changes and every tenth: not every progress report
  expect(said.length).toBeLessThanOrEqual(25);
  for (let i = 1; i < said.length; i++) expect(said[i]).not.toBe(said[i - 1]);
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`axe finds no serious or critical violation (${colorScheme})`, async () => {
    await page.emulateMedia({ colorScheme });
    await page.setViewportSize({ width: 1100, height: 900 });
    await page.locator('details.capabilities summary').click();
    const results = await new AxeBuilder({ page }).analyze();
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
    await page.locator('details.capabilities summary').click();
  });
}

test('every control is reachable with Tab and shows a visible focus ring', async () => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.locator('body').click({ position: { x: 1, y: 1 } });
  const seen: string[] = [];
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      return { id: el.dataset.testid ?? el.tagName, outline: style.outlineStyle, width: parseFloat(style.outlineWidth) };
    });
    if (!f) continue;
    seen.push(f.id);
    expect(f.outline, `${f.id} has a focus ring`).not.toBe('none');
    expect(f.width).toBeGreaterThanOrEqual(2);
  }
  expect(seen).toContain('timeline-chart');
});

test('at 360 px wide nothing scrolls sideways, in light and dark', async () => {
  await page.setViewportSize({ width: 360, height: 800 });
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  }
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.emulateMedia({ colorScheme: 'light' });
});

/** Makes results/<id>/data.bin of `bytes` bytes in the page's private storage (a folder no queue entry owns). */
async function orphan(id: string, bytes: number): Promise<void> {
  await page.evaluate(
    async ([name, n]) => {
      const root = await navigator.storage.getDirectory();
      const dir = await (await root.getDirectoryHandle('results', { create: true })).getDirectoryHandle(name, { create: true });
      const w = await (await dir.getFileHandle('data.bin', { create: true })).createWritable();
      await w.write(new Uint8Array(n));
      await w.close();
    },
    [id, bytes] as const,
  );
}

const opfsResults = () =>
  page.evaluate(async () => {
    const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('results', { create: true });
    const names: string[] = [];
    for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
    return names.sort();
  });

test('the storage panel lists each results folder with its size; delete removes one; clean-up removes the unowned ones', async () => {
  const panel = page.getByTestId('storage');
  await expect(panel.getByTestId('storage-usage')).toContainText('used of');
  await orphan('orphan-a', 1000);
  await panel.getByTestId('storage-refresh').click();
  const rows = panel.getByTestId('storage-result');
  const owned = rows.and(page.locator('[data-owned="yes"]'));
  await expect(owned).toHaveCount(1);
  await expect(owned).toContainText('v_GGSY1Qvo990.mp4');
  expect(Number(await owned.getAttribute('data-bytes'))).toBeGreaterThan(10_000);
  const a = rows.and(page.locator('[data-id="orphan-a"]'));
  await expect(a).toHaveAttribute('data-bytes', '1000');
  await expect(a).toContainText('1000 B');
  await expect(a).toHaveAttribute('data-owned', 'no');
  // delete
  await a.getByTestId('storage-delete').click();
  await expect(a).toHaveCount(0);
  expect(await opfsResults()).not.toContain('orphan-a');
  // clean up: the unowned folders go, the queue's stays
  await orphan('orphan-b', 10);
  await orphan('orphan-c', 20);
  await panel.getByTestId('storage-refresh').click();
  await expect(rows).toHaveCount(3);
  await expect(panel.getByTestId('storage-cleanup')).toHaveText('Clean up 2 folders not in the queue');
  await panel.getByTestId('storage-cleanup').click();
  await expect(panel.getByTestId('storage-cleaned')).toHaveText('Removed 2 folders.');
  await expect(rows).toHaveCount(1);
  const left = await opfsResults();
  expect(left.filter((n) => n.startsWith('orphan-'))).toEqual([]);
  expect(left).toContain(await owned.getAttribute('data-id'));
  // the finished video still has its results
  await expect(item).toHaveAttribute('data-status', 'done');
  // persistence: asking gets the browser's answer
  const ask = panel.getByTestId('storage-persist');
  if (await ask.isVisible()) {
    await ask.click();
    await expect(panel.getByTestId('storage-persist-answer')).toBeVisible();
  }
  await expect(panel.getByTestId('storage-persisted')).toHaveText(/Persistent|Not persistent/);
});
