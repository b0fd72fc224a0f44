#!/usr/bin/env node
// The one test command: machine packages, lint, types, unit + parity tests (vitest), build, end-to-end
// tests (Playwright in Debian's Chromium). Ends with one summary line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';

const DEBIAN_PACKAGES = ['chromium', 'ffmpeg', 'python3-torch', 'python3-opencv', 'python3-numpy', 'python3-h5py'];
const started = Date.now();

function run(cmd, args, env = {}) {
  console.log(`\n$ ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

function missingPackages() {
  return DEBIAN_PACKAGES.filter((p) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

let missing = missingPackages();
if (missing.length > 0) {
  const install = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() === 0) {
    console.log(`Installing Debian packages the tests need: ${missing.join(' ')}`);
    if (run('sh', ['-c', `export DEBIAN_FRONTEND=noninteractive; ${install}`]) !== 0) process.exit(1);
    missing = missingPackages();
  }
  if (missing.length > 0) {
    console.error(`\nThe tests need these Debian packages: ${missing.join(' ')}\nInstall them with:\n  sudo sh -c '${install}'\n`);
    process.exit(1);
  }
}

mkdirSync('.cache', { recursive: true });
const steps = [
  ['lint', 'npx', ['eslint', '.', '--max-warnings', '0']],
  ['format', 'npx', ['prettier', '--check', '.']],
  ['types', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']],
  // the pure cores (pipeline, flow/cpu, model conversion, io writers) type-check without DOM types
  ['types', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.pure.json']],
  // the builds come first: the parity tests drive the built app (npm run extract) as the e2e tests do; the test
  // build (dist-test/) adds the harness page and the test hooks that the product build (dist/) leaves out
  ['build', 'npx', ['vite', 'build', '--logLevel', 'warn']],
  ['build', 'npx', ['vite', 'build', '--logLevel', 'warn', '--mode', 'test']],
  ['unit', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=.cache/vitest.json']],
  ['e2e', 'npx', ['playwright', 'test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: '.cache/playwright.json' }],
];
const failed = [];
for (const [name, cmd, args, env] of steps) {
  if (run(cmd, args, env) !== 0) {
    failed.push(name);
    if (name === 'build') break; // the rest needs the build
  }
}

function counts(file, pick) {
  if (!existsSync(file)) return { passed: 0, failed: 0 };
  try {
    return pick(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return { passed: 0, failed: 0 };
  }
}
const unit = counts('.cache/vitest.json', (j) => ({ passed: j.numPassedTests ?? 0, failed: j.numFailedTests ?? 0 }));
const e2e = counts('.cache/playwright.json', (j) => ({ passed: j.stats?.expected ?? 0, failed: (j.stats?.unexpected ?? 0) + (j.stats?.flaky ?? 0) }));
const minutes = ((Date.now() - started) / 60000).toFixed(1);
const total = unit.passed + e2e.passed;
const totalFailed = unit.failed + e2e.failed;
if (failed.length > 0 || totalFailed > 0) {
  console.log(
    `\nFAILED steps: ${failed.join(', ') || 'none'}; ${totalFailed} failed, ${total} passed (unit ${unit.passed}, e2e ${e2e.passed}) in ${minutes} min`,
  );
  process.exit(1);
}
console.log(`\n${total} passed (unit ${unit.passed}, e2e ${e2e.passed}; lint, types and build clean) in ${minutes} min`);
