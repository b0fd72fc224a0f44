/**
 * A full disk mid-video (issue 11, "Outputs that are whole or absent", "Quota and disk"): the test build's hook
 * makes the middle video's OPFS writes throw the browser's own QuotaExceededError partway through its meta.json
 * (the file that makes a folder a finished result). That video fails with E_QUOTA and a clear message, offers no
 * downloads, and its folder is no finished result, now or after a reload: nothing is under a final name that is
 * not whole. The videos before and after it finish.
 *
 * A failed video's folder is removed by the queue; the test keeps it (an open file in it, as another tab could
 * hold one, makes that removal fail) to see what the failed write left.
 */
import { expect, test, type Page } from '@playwright/test';
import type { QuotaForTest } from '../src/faults';
import { fixtureCopies, queueItem, setUpBatch } from './support/batch';
import { TEST_BUILD_PORT } from './support/fixtures';
import { dropFiles } from './support/page';

declare global {
  interface Window {
    quotaForTest?: (quota: QuotaForTest) => void;
    /** The file the test holds open in the failing video's folder. */
    __hold?: FileSystemWritableFileStream;
  }
}

/** What a results folder holds: each file's size, its first bytes, its last 22 bytes and, for JSON, its text. */
interface Listed {
  name: string;
  size: number;
  head: number[];
  tail: number[];
  text?: string;
}

/** Waits for the running video's folder (no meta.json, a progress record: past its first chunk) and holds a file open in it. */
function holdRunningFolder(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const results = await (await navigator.storage.getDirectory()).getDirectoryHandle('results', { create: true });
    const entries = (d: FileSystemDirectoryHandle) => (d as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries();
    const until = Date.now() + 120_000;
    while (Date.now() < until) {
      for await (const [id, handle] of entries(results)) {
        if (handle.kind !== 'directory') continue;
        const names: string[] = [];
        for await (const [name] of entries(handle as FileSystemDirectoryHandle)) names.push(name);
        if (names.includes('meta.json') || !names.includes('.resume.json')) continue;
        const file = await (handle as FileSystemDirectoryHandle).getFileHandle('held-by-test', { create: true });
        window.__hold = await file.createWritable();
        return id;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('no running results folder seen');
  });
}

function listFolder(page: Page, id: string): Promise<Listed[]> {
  return page.evaluate(async (folder) => {
    const dir = await (await (await navigator.storage.getDirectory()).getDirectoryHandle('results')).getDirectoryHandle(folder);
    const out: Listed[] = [];
    for await (const [name, handle] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemFileHandle]> }).entries()) {
      const file = await handle.getFile();
      const bytes = new Uint8Array(await file.arrayBuffer());
      out.push({
        name,
        size: bytes.length,
        head: [...bytes.subarray(0, 256)],
        tail: [...bytes.subarray(Math.max(0, bytes.length - 22))],
        text: name.endsWith('.json') ? new TextDecoder().decode(bytes) : undefined,
      });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }, id);
}

/** Why a file under a final name is not whole (null when it is): an .npy of its header's size, a zip with its end record, JSON that parses. */
function notWhole(f: Listed): string | null {
  if (f.name.endsWith('.npy')) {
    const head = Buffer.from(f.head);
    const headerLen = head.readUInt16LE(8);
    const shape = /'shape': \(([^)]*)\)/.exec(head.subarray(10, 10 + headerLen).toString('latin1'))?.[1];
    if (shape === undefined) return `${f.name}: no header`;
    const values = shape
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .reduce((n, s) => n * Number(s), 1);
    return f.size === 10 + headerLen + values * 4 ? null : `${f.name}: ${f.size} bytes, its header says ${10 + headerLen + values * 4}`;
  }
  if (f.name.endsWith('.npz')) return Buffer.from(f.tail).readUInt32LE(0) === 0x06054b50 ? null : `${f.name}: no end of central directory`;
  if (f.name.endsWith('.json')) {
    try {
      JSON.parse(f.text ?? '');
      return null;
    } catch {
      return `${f.name}: cut off`;
    }
  }
  return null;
}

test('a full disk while the middle video writes its results fails it with E_QUOTA, leaves no partial file under a final name, and the others finish', async ({
  page,
}) => {
  test.setTimeout(400_000);
  const [a, b, c] = fixtureCopies('quota', ['a.mp4', 'b.mp4', 'c.mp4']);
  await page.goto(`http://127.0.0.1:${TEST_BUILD_PORT}/`);
  await setUpBatch(page, { streams: ['rgb'], maxFrames: 200, chunk: 64 });
  await dropFiles(page, [{ path: a }, { path: b }, { path: c }]);
  await expect(page.locator('[data-testid="queue-item"][data-status="ready"]')).toHaveCount(3, { timeout: 60_000 });
  await page.getByTestId('run').click();

  // a.mp4 is under way: the next extraction (b.mp4's) meets a full disk 600 bytes into its meta.json
  await expect(queueItem(page, 'a.mp4').getByTestId('progress')).toHaveAttribute('data-phase', /./, { timeout: 60_000 });
  await page.evaluate(() => window.quotaForTest?.({ file: 'meta.json', afterBytes: 600 }));
  await expect(queueItem(page, 'a.mp4')).toHaveAttribute('data-status', 'done', { timeout: 150_000 });
  const folder = await holdRunningFolder(page);

  const item = queueItem(page, 'b.mp4');
  await expect(item).toHaveAttribute('data-status', 'error', { timeout: 150_000 });
  await expect(item.getByTestId('error')).toHaveAttribute('data-code', 'E_QUOTA');
  await expect(item.getByTestId('error')).toContainText('Not enough storage space in the browser for this result.');
  await expect(item.locator('[data-testid^="download"]')).toHaveCount(0);

  // what the failed write left: meta.json only as its temporary file; everything under a final name whole
  const listed = await listFolder(page, folder);
  const names = listed.map((f) => f.name);
  expect(names).toContain('meta.json.part');
  expect(names).not.toContain('meta.json');
  expect(listed.filter((f) => !f.name.endsWith('.part')).flatMap((f) => notWhole(f) ?? [])).toEqual([]);

  // the queue went on: the video after it finishes, with its downloads
  for (const n of ['a.mp4', 'c.mp4']) {
    await expect(queueItem(page, n)).toHaveAttribute('data-status', 'done', { timeout: 150_000 });
    await expect(queueItem(page, n).getByTestId('download-npz')).toBeVisible();
  }
  await expect(item).toHaveAttribute('data-status', 'error');

  // the storage panel: the failed video's folder is no finished result
  const panel = page.getByTestId('storage');
  const row = panel.locator(`[data-testid="storage-result"][data-id="${folder}"]`);
  await panel.getByTestId('storage-refresh').click();
  await expect(row).toHaveAttribute('data-complete', 'no');
  await expect(panel.locator('[data-testid="storage-result"][data-complete="yes"]')).toHaveCount(2);

  // after a reload (the held file is let go): the same
  await page.evaluate(() => window.__hold?.close());
  await page.reload();
  await expect(page.getByTestId('queue-item')).toHaveCount(3, { timeout: 60_000 });
  await expect(item).toHaveAttribute('data-status', 'error');
  await expect(item.getByTestId('error')).toHaveAttribute('data-code', 'E_QUOTA');
  await expect(item.locator('[data-testid^="download"]')).toHaveCount(0);
  for (const n of ['a.mp4', 'c.mp4']) await expect(queueItem(page, n).getByTestId('download-npz')).toBeVisible();
  await panel.getByTestId('storage-refresh').click();
  await expect(panel.locator('[data-testid="storage-result"][data-complete="yes"]')).toHaveCount(2);
  await expect(row).toHaveAttribute('data-complete', 'no');
  expect((await listFolder(page, folder)).map((f) => f.name)).not.toContain('meta.json');
});
