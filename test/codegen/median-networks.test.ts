/** Every committed file that tools/codegen/median-networks.ts generates is exactly what it generates now. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MEDIAN_TARGETS } from '../../tools/codegen/median-networks';

const root = new URL('../../', import.meta.url);

describe('generated median kernels are fresh (npx tsx tools/codegen/median-networks.ts rewrites them)', () => {
  it('covers the TypeScript and the AssemblyScript kernels', () => {
    expect(MEDIAN_TARGETS.map((t) => t.path).sort()).toEqual(['src/flow/cpu/median-kernels.ts', 'src/flow/wasm/assembly/median-net.ts']);
  });

  for (const { path, generate } of MEDIAN_TARGETS) {
    it(`${path} is what the generator writes`, () => {
      expect(readFileSync(new URL(path, root), 'utf8')).toBe(generate());
    });
  }
});
