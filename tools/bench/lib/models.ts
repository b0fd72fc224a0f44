/**
 * Random-weight I3D checkpoints (tools/reference/make_checkpoints.py via the test support helper: published
 * width with `divisor` 1, slim with 8) and their ONNX conversions by the app's own converter, cached under
 * .cache/bench/models/ by the checkpoint and the converter's source.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ComputeDtype } from '../../../src/model/graph/i3d-graph';
import type { Modality, ModelDtype } from '../../../src/model/types';
import { ensureCheckpoints } from '../../../test/support/reference';
import { convertCheckpoint } from '../../cli/model-files';
import { CACHE, ROOT } from './env';

const copies = new Map<string, string>();

/**
 * The random-weight checkpoint, copied once per run into .cache/bench/checkpoints/: the shared reference cache
 * drops a generation when a newer one is made (another test may do that while the benchmark runs).
 */
export async function checkpoint(modality: Modality, divisor: 1 | 8): Promise<string> {
  const key = `${modality}-${divisor}`;
  const known = copies.get(key);
  if (known && existsSync(known)) return known;
  const dir = join(CACHE, 'checkpoints');
  mkdirSync(dir, { recursive: true });
  for (let attempt = 1; ; attempt++) {
    const src = (await ensureCheckpoints({ divisor })).i3d(modality, 400).path;
    const dst = join(dir, basename(src));
    try {
      copyFileSync(src, `${dst}.tmp`);
      renameSync(`${dst}.tmp`, dst);
      copies.set(key, dst);
      return dst;
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
}

/** sha256 of the model converter's source files (src/model, tests excluded), so a changed builder re-converts. */
function converterKey(): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) h.update(p.slice(ROOT.length)).update(readFileSync(p));
    }
  };
  walk(join(ROOT, 'src/model'));
  return h.digest('hex').slice(0, 12);
}

/** The ONNX model of `ckpt` in `dtype` (converted in Node by the app's converter on first use). */
export async function onnxModel(ckpt: string, dtype: ModelDtype, compute: ComputeDtype = 'fp32'): Promise<string> {
  const dir = join(CACHE, 'models');
  mkdirSync(dir, { recursive: true });
  const ckptKey = createHash('sha256').update(readFileSync(ckpt)).digest('hex').slice(0, 12);
  const prefix = `${basename(ckpt, '.pt')}-${dtype}${compute === 'fp16' ? '-c16' : ''}-${ckptKey}-`;
  const path = join(dir, `${prefix}${converterKey()}.onnx`);
  if (existsSync(path)) return path;
  // conversions by an older converter
  for (const name of readdirSync(dir)) if (name.startsWith(prefix) && join(dir, name) !== path) rmSync(join(dir, name), { force: true });
  const t0 = performance.now();
  const { onnx } = await convertCheckpoint(new Uint8Array(readFileSync(ckpt)), dtype, compute);
  writeFileSync(`${path}.tmp`, onnx);
  renameSync(`${path}.tmp`, path);
  console.log(`converted ${basename(ckpt)} → ${dtype} ONNX in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return path;
}
