/** Versions of everything the benchmark measures, and the shared paths and tools of the stages. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CHROMIUM } from '../../cli/lib/browser-app';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const FIXTURE = join(ROOT, '../shared/fixtures/v_GGSY1Qvo990.mp4');
export const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
/** Generated inputs (videos, ONNX models): kept between runs. */
export const CACHE = join(ROOT, '.cache/bench');
/** The `tsx` of this project, to run the project's TypeScript CLIs. */
export const TSX = join(ROOT, 'node_modules/.bin/tsx');

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function firstLine(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\n')[0]
      .trim();
  } catch {
    return 'unknown';
  }
}

export function versions(): Record<string, string> {
  const py = firstLine(PYTHON, [
    '-c',
    'import json, platform, cv2, numpy, torch; print(json.dumps({"python": platform.python_version(), "opencv": cv2.__version__, "numpy": numpy.__version__, "torch": torch.__version__}))',
  ]);
  let pyVersions: Record<string, string>;
  try {
    pyVersions = JSON.parse(py) as Record<string, string>;
  } catch {
    pyVersions = { python: 'unknown' };
  }
  return {
    chromium: firstLine(CHROMIUM, ['--version']),
    'onnxruntime-web': packageVersion('onnxruntime-web'),
    'ffmpeg.wasm (@ffmpeg/core)': packageVersion('@ffmpeg/core'),
    ffmpeg: firstLine('ffmpeg', ['-version']).replace(/ Copyright.*/, ''),
    ...pyVersions,
    node: process.version,
    playwright: packageVersion('@playwright/test'),
  };
}

/** The commit measured, and the app sources (src/, and e2e/harness/ whose bench functions time it) that differed from it in the working tree at the start. */
export function sourceState(): { commit: string; uncommittedSources: string[] } {
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return '';
    }
  };
  return {
    commit: git(['rev-parse', '--short', 'HEAD']).trim() || 'unknown',
    // porcelain lines: two status letters, a space, the path
    uncommittedSources: git(['status', '--porcelain', '--', 'src', 'e2e/harness'])
      .split('\n')
      .filter((l) => l.length > 3)
      .map((l) => l.slice(3)),
  };
}
