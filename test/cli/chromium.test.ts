/**
 * The Chromium command line of the tests, the CLI and the benchmark (tools/cli/lib/chromium.ts): its one
 * `--disable-features` keeps Playwright's list and turns off what a headless run does not need.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright';
import { describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS, HEADLESS_DISABLED_FEATURES, PLAYWRIGHT_DISABLED_FEATURES } from '../../tools/cli/lib/chromium';
import { commandLine, descendants, processKind } from '../../tools/bench/lib/procs';

const disabledIn = (argv: readonly string[]) =>
  argv.filter((a) => a.startsWith('--disable-features=')).map((a) => a.slice('--disable-features='.length).split(','));

describe('Chromium command line', () => {
  it('repeats every feature the installed Playwright turns off', async () => {
    const server = await chromium.launchServer({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const lists = disabledIn(server.process().spawnargs);
      expect(lists.length).toBe(1);
      const missing = lists[0].filter((f) => !PLAYWRIGHT_DISABLED_FEATURES.includes(f));
      expect(missing, 'Playwright turns these off too: add them to PLAYWRIGHT_DISABLED_FEATURES').toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('the browser runs with both lists, and without the omnibox popup’s renderer', async () => {
    const profile = mkdtempSync(join(tmpdir(), 'chromium-args-test-'));
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await page.setContent('<p>ready</p>');
      const browserPid = descendants(process.pid).find((pid) => {
        const argv = commandLine(pid);
        return processKind(argv) === 'browser' && argv.some((a) => a.includes(profile));
      });
      expect(browserPid).toBeDefined();
      // Chromium's children get the browser's resulting feature state on their command line
      const children = descendants(browserPid as number).map((pid) => commandLine(pid).join(' ').split(' '));
      const gpuOrRenderer = children.find((argv) => ['renderer', 'gpu-process'].includes(processKind(argv)));
      expect(gpuOrRenderer).toBeDefined();
      const effective = disabledIn(gpuOrRenderer as string[]).flat();
      for (const f of ['DestroyProfileOnBrowserClose', ...HEADLESS_DISABLED_FEATURES]) expect(effective).toContain(f);
      expect(children.filter((argv) => argv.includes('--top-chrome-webui'))).toEqual([]);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
