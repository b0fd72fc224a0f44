/** The convert and features CLIs, run as a user would (tsx), on a slim reference checkpoint. */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readI3dModelMeta } from '../../src/model/graph/i3d-graph';
import { ROOT } from '../support/paths';
import { ensureCheckpoints } from '../support/reference';
import { GRAPH_CACHE, clip, readNpy } from './support';

const exec = promisify(execFile);
const TSX = join(ROOT, 'node_modules/.bin/tsx');

async function cli(script: string, args: string[]): Promise<{ json: Record<string, unknown>; stderr: string }> {
  const { stdout, stderr } = await exec(TSX, [join(ROOT, 'tools/cli', script), ...args], { cwd: ROOT, maxBuffer: 16 << 20 });
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return { json: JSON.parse(lines[0]) as Record<string, unknown>, stderr };
}

describe('CLIs', () => {
  it('convert prints one JSON line and writes a model with metadata; features writes the three .npy files', async () => {
    const set = await ensureCheckpoints({ divisor: 8 });
    const ckpt = set.i3d('flow', 157, 'legacy03').path;
    const { path: frames } = await clip(5, 2, 77); // also creates GRAPH_CACHE
    const dir = await mkdtemp(join(GRAPH_CACHE, 'cli-'));
    try {
      const onnxPath = join(dir, 'flow.onnx');
      const { json } = await cli('convert.ts', [ckpt, '--out', onnxPath, '--dtype', 'q8']);
      const sha = createHash('sha256')
        .update(await readFile(ckpt))
        .digest('hex');
      expect(json).toMatchObject({ modality: 'flow', classes: 157, dtype: 'q8', sha256: sha, widthDivisor: 8, checkpointFormat: 'legacy' });
      expect(json.bytes).toBe((await stat(onnxPath)).size);
      expect(typeof json.seconds).toBe('number');
      expect(readI3dModelMeta(new Uint8Array(await readFile(onnxPath)))).toMatchObject({ modality: 'flow', classes: 157, dtype: 'q8', sourceSha256: sha });

      const fromOnnx = await cli('features.ts', ['--model', onnxPath, '--input', frames, '--out', join(dir, 'a')]);
      expect(fromOnnx.stderr).toMatch(/padded by repeating the last frame 4 times/);
      expect(fromOnnx.json).toMatchObject({ modality: 'flow', dtype: 'q8', device: 'wasm', frames: 5, paddedFrames: 4, steps: 1, classes: 157 });
      const fromCkpt = await cli('features.ts', ['--model', ckpt, '--dtype', 'q8', '--input', frames, '--out', join(dir, 'b'), '--threads', '1']);
      expect(fromCkpt.json).toMatchObject({ dtype: 'q8', steps: 1 });
      const shapes = { fc: [1, 128], map: [1, 7, 7, 128], logits: [1, 157] };
      for (const [name, shape] of Object.entries(shapes)) {
        const a = await readNpy(join(dir, 'a', `${name}.npy`));
        const b = await readNpy(join(dir, 'b', `${name}.npy`));
        expect(a.shape).toEqual(shape);
        expect(b.data).toEqual(a.data);
      }
      await expect(cli('features.ts', ['--model', onnxPath, '--dtype', 'fp32', '--input', frames, '--out', join(dir, 'c')])).rejects.toThrow(/q8 model/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
