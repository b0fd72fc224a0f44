import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CACHE } from '../../test/support/paths';
import { decodeNpy, encodeNpy } from './npy';

describe('npy', () => {
  it('round-trips float32, int64 and uint8 arrays', () => {
    const f = Float32Array.from({ length: 24 }, (_, i) => i / 3);
    const back = decodeNpy(encodeNpy(f, [2, 3, 4]));
    expect(back.shape).toEqual([2, 3, 4]);
    expect(back.dtype).toBe('<f4');
    expect([...back.data]).toEqual([...f]);
    expect(decodeNpy(encodeNpy(BigInt64Array.from([1n, -2n]), [2])).data).toEqual(BigInt64Array.from([1n, -2n]));
    expect(decodeNpy(encodeNpy(Uint8Array.from([1, 2, 3]), [3, 1])).shape).toEqual([3, 1]);
  });

  it('writes files numpy reads, and reads files numpy writes', () => {
    const dir = resolve(CACHE, 'npy-test');
    mkdirSync(dir, { recursive: true });
    const mine = resolve(dir, 'mine.npy');
    writeFileSync(mine, encodeNpy(Float32Array.from([1.5, -2, 3.25, 0]), [2, 2]));
    const theirs = resolve(dir, 'theirs.npy');
    const out = execFileSync(
      '/usr/bin/python3',
      [
        '-c',
        `import numpy as np; a = np.load(${JSON.stringify(mine)}); print(a.dtype, a.shape, a.sum()); np.save(${JSON.stringify(theirs)}, np.arange(6, dtype=np.float32).reshape(3, 2) * 0.5)`,
      ],
      { encoding: 'utf8' },
    );
    expect(out.trim()).toBe('float32 (2, 2) 2.75');
    const t = decodeNpy(readFileSync(theirs));
    expect(t.shape).toEqual([3, 2]);
    expect([...t.data]).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
  });

  it('rejects a shape that does not match the data, and a truncated file', () => {
    expect(() => encodeNpy(new Float32Array(5), [2, 3])).toThrow(/needs 6/);
    const bytes = encodeNpy(new Float32Array(6), [6]);
    expect(() => decodeNpy(bytes.subarray(0, bytes.length - 4))).toThrow();
  });
});
