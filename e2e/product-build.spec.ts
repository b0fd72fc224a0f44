/**
 * Only the product in the product: dist/ (what `npm start` serves) has no harness page, harness module or test
 * hook; the test build (dist-test/) has them, which shows the checks below can see them.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, test } from '@playwright/test';
import { ROOT } from './support/fixtures';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** Names that only test code has: the harness and the hooks behind __TEST_HOOKS__. */
const TEST_ONLY =
  /harness|crashForTest|faultForTest|requested by a test|loseGpuAfterFrames|loseGpuForTest|loseWebGpuDeviceForTest|perturbVerificationForTest|failNextExtractForTest/g;

function scan(build: string) {
  const dir = join(ROOT, build);
  const list = files(dir).map((f) => relative(dir, f));
  const hits = new Map<string, string[]>();
  for (const f of list.filter((f) => /\.(js|mjs|html|json|webmanifest)$/.test(f))) {
    const found = readFileSync(join(dir, f), 'utf8').match(TEST_ONLY);
    if (found) hits.set(f, [...new Set(found)]);
  }
  return { list, hits };
}

test('dist/ holds the app and the headless page, and no harness page, module or test hook', () => {
  const { list, hits } = scan('dist');
  expect(list).toEqual(expect.arrayContaining(['index.html', 'headless.html', 'sw.js', 'manifest.webmanifest']));
  expect(list.filter((f) => /harness|^e2e\//.test(f))).toEqual([]);
  expect(Object.fromEntries(hits)).toEqual({});
});

test('the test build (dist-test/) has the harness page and the hooks the product leaves out', () => {
  const { list, hits } = scan('dist-test');
  expect(list).toContain('e2e/harness/harness.html');
  const all = [...hits.values()].flat();
  expect(all).toEqual(
    expect.arrayContaining([
      'harness',
      'crashForTest',
      'faultForTest',
      'requested by a test',
      'loseGpuAfterFrames',
      'loseGpuForTest',
      'perturbVerificationForTest',
      'failNextExtractForTest',
    ]),
  );
});
