/** Folders: a dropped or picked folder queues the videos inside it, at any depth, and says how many other files it skipped. */
import { mkdirSync, mkdtempSync, rmSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { BAD_INPUTS, TINY_VIDEO } from './support/fixtures';
import { serveFile } from './support/page';

/** A tree to drop: folders are objects, files name the served URL of their content. */
type Tree = { [name: string]: Tree | string };

test('a dropped folder queues the videos in its sub-folders and reports the other files as skipped', async ({ page }) => {
  await page.goto('/');
  const video = await serveFile(page, TINY_VIDEO, 'tiny.mp4');
  const text = await serveFile(page, BAD_INPUTS.notVideo, 'notes.txt');
  const tree: Tree = {
    holiday: {
      'clip10.mp4': video,
      'clip2.mp4': video,
      'notes.txt': text,
      '.DS_Store': text,
      'day 2': { 'beach.MOV': video, 'cover.jpg': text, deeper: { 'sunset.mp4': video, 'subs.srt': text } },
    },
  };
  // Playwright cannot drag a folder from the disk: build the drop in the page, with the entries API a real folder
  // drop offers (webkitGetAsEntry → FileSystemDirectoryEntry, its reader handing out entries in small batches)
  await page.evaluate(async (tree) => {
    type Node = { isFile: boolean; isDirectory: boolean; name: string };
    const make = async (name: string, node: Tree | string): Promise<Node> => {
      if (typeof node === 'string') {
        const blob = await (await fetch(node)).blob();
        const file = new File([blob], name);
        return { isFile: true, isDirectory: false, name, file: (ok: (f: File) => void) => setTimeout(() => ok(file)) } as Node;
      }
      const children = await Promise.all(Object.entries(node).map(([n, child]) => make(n, child)));
      return {
        isFile: false,
        isDirectory: true,
        name,
        createReader: () => {
          let at = 0;
          return {
            readEntries: (ok: (batch: Node[]) => void) =>
              setTimeout(() => {
                ok(children.slice(at, at + 2));
                at += 2;
              }),
          };
        },
      } as Node;
    };
    const roots = await Promise.all(Object.entries(tree).map(([n, node]) => make(n, node)));
    let live = true;
    const items = roots.map((root) => ({
      kind: 'file',
      getAsFile: () => null,
      // like a real DataTransfer, the items can only be read while the drop event is dispatched
      webkitGetAsEntry: () => (live ? root : null),
    }));
    const dataTransfer = { items, files: [], types: ['Files'] };
    const drop = new Event('drop', { bubbles: true, cancelable: true });
    Object.defineProperty(drop, 'dataTransfer', { value: dataTransfer });
    document.querySelector('[data-testid="dropzone"]')?.dispatchEvent(drop);
    live = false;
  }, tree);

  const items = page.getByTestId('queue-item');
  await expect(items.getByTestId('name')).toHaveText(['clip2.mp4', 'clip10.mp4', 'beach.MOV', 'sunset.mp4']);
  await expect(page.getByTestId('intake-notice-text')).toHaveText('4 videos added, 3 other files skipped');
  await expect(page.locator('[data-testid="queue-item"][data-status="ready"]')).toHaveCount(4, { timeout: 60_000 });
  // the notice is dismissible, with the keyboard too
  await page.getByRole('button', { name: 'Dismiss this notice' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('intake-notice')).toHaveCount(0);
});

test('the folder picker queues the videos of a chosen folder', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'intake-folder-'));
  try {
    mkdirSync(join(dir, 'sub'));
    copyFileSync(TINY_VIDEO, join(dir, 'a.mp4'));
    copyFileSync(TINY_VIDEO, join(dir, 'sub', 'b.webm'));
    writeFileSync(join(dir, 'sub', 'readme.txt'), 'not a video');
    await page.goto('/');
    await expect(page.getByRole('button', { name: 'choose a folder' })).toBeVisible();
    await page.getByTestId('folder-input').setInputFiles(dir);
    await expect(page.getByTestId('queue-item').getByTestId('name')).toHaveText(['a.mp4', 'b.webm']);
    await expect(page.getByTestId('intake-notice-text')).toHaveText('2 videos added, 1 other file skipped');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
