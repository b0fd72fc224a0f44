/** Helpers to serve test files at same-origin URLs and to drop files on the page. */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Page } from '@playwright/test';
import { serveFile } from '../../tools/cli/lib/chromium';

export { serveFile };

/** Drops files on the page as a user dragging them from the file manager would. */
export async function dropFiles(page: Page, files: { path: string; name?: string; type?: string }[]): Promise<void> {
  const served = await Promise.all(
    files.map(async (f) => ({
      url: await serveFile(page, f.path, f.name),
      name: f.name ?? basename(f.path),
      type: f.type ?? '',
      // as a file manager's drag gives it: the file's own modification time
      lastModified: Math.floor(statSync(f.path).mtimeMs),
    })),
  );
  await page.evaluate(async (list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const blob = await (await fetch(f.url)).blob();
      dt.items.add(new File([blob], f.name, { type: f.type, lastModified: f.lastModified }));
    }
    const target = document.querySelector('[data-testid="dropzone"]') ?? document.body;
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, served);
}
