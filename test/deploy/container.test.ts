/**
 * The Containerfile installs what the README installs: one source of truth. Fails when the Debian packages the CLI
 * needs at run time (tools/test-all.mjs's list less the test-only python3-* ones), `npm ci`, the product build,
 * Node's version or Chromium's path drift apart between the Containerfile, the README and the code.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** The Containerfile's instructions: [INSTRUCTION, arguments], comments dropped, continuation lines joined. */
function instructions(text: string): [string, string][] {
  const joined = text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [, op, rest] = /^(\S+)\s*(.*)$/.exec(l) as RegExpExecArray;
      return [op.toUpperCase(), rest];
    });
}

const containerfile = read('Containerfile');
const steps = instructions(containerfile);
const runs = steps.filter(([op]) => op === 'RUN').map(([, args]) => args);
const readme = read('README.md');

/** tools/test-all.mjs's DEBIAN_PACKAGES: what `npm test` checks and installs. */
const testPackages = JSON.parse((/const DEBIAN_PACKAGES = (\[[^\]]*\])/.exec(read('tools/test-all.mjs'))?.[1] ?? '[]').replace(/'/g, '"')) as string[];
/** The Debian packages the CLI needs at run time: the python3-* ones are the tests' reference (tools/reference/). */
const runtimePackages = testPackages.filter((p) => !p.startsWith('python3-'));

/** Packages named by `apt-get install` in the Containerfile's RUN steps. */
const aptInstalled = runs.flatMap((r) =>
  [...r.matchAll(/apt-get install((?:\s+[-\w.+]+)+)/g)].flatMap((m) =>
    m[1]
      .trim()
      .split(/\s+/)
      .filter((w) => !w.startsWith('-')),
  ),
);

describe('Containerfile', () => {
  it('installs the Debian packages the CLI needs at run time: those of tools/test-all.mjs less the python3-* test ones', () => {
    expect(testPackages.length).toBeGreaterThan(0);
    expect(runtimePackages).toEqual(expect.arrayContaining(['chromium', 'ffmpeg']));
    expect([...aptInstalled].sort()).toEqual([...runtimePackages].sort());
  });

  it("the README's package list is tools/test-all.mjs's", () => {
    const listed = /checks the Debian packages the tests need \(`([^`]+)`\)/.exec(readme.replace(/\s+/g, ' '))?.[1];
    expect(listed?.split(' ').sort()).toEqual([...testPackages].sort());
  });

  it("installs and builds with the README's commands: npm ci, then the product build", () => {
    const ci = runs.findIndex((r) => /(^|&&\s*)npm ci(\s|$)/.test(r));
    const build = runs.findIndex((r) => /(^|&&\s*)npx vite build(\s|$)/.test(r));
    expect(ci).toBeGreaterThanOrEqual(0);
    expect(build).toBeGreaterThan(ci);
    expect(readme).toContain('npm ci');
    expect(readme).toContain('npx vite build');
    // npm ci needs the lock file in the image before it runs
    const copyLock = steps.findIndex(([op, args]) => op === 'COPY' && args.includes('package-lock.json'));
    expect(copyLock).toBeGreaterThanOrEqual(0);
    expect(copyLock).toBeLessThan(steps.findIndex(([op, args]) => op === 'RUN' && args === runs[ci]));
  });

  it("is Debian bookworm with a Node that meets package.json's engines", () => {
    const from = steps.filter(([op]) => op === 'FROM').map(([, args]) => args);
    expect(from).toHaveLength(1);
    const m = /^node:(\d+)(?:\.\d+)*-bookworm(?:\s|$)/.exec(from[0]);
    expect(m, from[0]).not.toBeNull();
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    const min = Number(/>=\s*(\d+)/.exec(engines)?.[1]);
    expect(Number(m?.[1])).toBeGreaterThanOrEqual(min);
  });

  it("points the CLI at Debian's Chromium where tools/cli/lib/chromium.ts looks for it", () => {
    const defaultPath = /process\.env\.CHROMIUM_PATH \?\? '([^']+)'/.exec(read('tools/cli/lib/chromium.ts'))?.[1];
    expect(defaultPath).toBeDefined();
    const env = steps
      .filter(([op]) => op === 'ENV')
      .map(([, args]) => args)
      .join(' ');
    expect(env).toContain(`CHROMIUM_PATH=${defaultPath}`);
    // Chromium runs as the image's unprivileged user, which works only with --no-sandbox (or a seccomp profile)
    expect(read('tools/cli/lib/chromium.ts')).toContain("'--no-sandbox'");
  });

  it('runs `npm run extract --` as a non-root user', () => {
    const entry = steps.filter(([op]) => op === 'ENTRYPOINT').map(([, args]) => args);
    expect(entry).toHaveLength(1);
    expect(JSON.parse(entry[0])).toEqual(['npm', 'run', 'extract', '--']);
    const user = steps.filter(([op]) => op === 'USER').map(([, args]) => args);
    expect(user.at(-1)).toBeDefined();
    expect(user.at(-1)).not.toMatch(/^(root|0)(:|$)/);
  });

  it('leaves local builds, caches, dependencies and model files out of the build context', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.cache', '*.pt']));
  });

  it('the README and docs/cluster.md give the build command, and docs/cluster.md applies the manifests that exist', () => {
    const build = 'podman build -t REGISTRY/i3d-extract:TAG -f Containerfile .';
    expect(readme).toContain(build);
    expect(readme).toContain('docs/cluster.md');
    const cluster = read('docs/cluster.md');
    expect(cluster).toContain(build);
    for (const [, path] of cluster.matchAll(/kubectl (?:apply|create|delete) -f (\S+)/g)) expect(() => read(path), path).not.toThrow();
  });
});
