/**
 * Every checkpoint flavour the PyTorch reference writes (zip, legacy `_rebuild_tensor_v2`,
 * PyTorch-0.3-style `_rebuild_tensor`, DataParallel `module.` keys) × modality × class count loads
 * to exactly the tensors PyTorch saved (sha256 of every tensor), and is recognised as InceptionI3d.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkI3d, inspectI3d, loadStateDict, openStateDict } from '../../src/model/checkpoint';
import { i3dLayout, i3dParameterShapes } from '../../src/model/i3d-layout';
import { fromBlob, fromBytes } from '../../src/model/pickle';
import type { StateDict, Tensor } from '../../src/model/types';
import { ensureCheckpoints, type CheckpointSet, type ReferenceCheckpoint } from '../support/reference';

let set: CheckpointSet;
beforeAll(async () => {
  set = await ensureCheckpoints();
});

function digest(t: Tensor): string {
  return createHash('sha256')
    .update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength))
    .digest('hex');
}

/** The torch dtype name our Tensor reports for each stored dtype. */
const DTYPE_NAMES: Record<string, string> = {
  float32: 'float32',
  float16: 'float16',
  float64: 'float64',
  int64: 'int64',
  int32: 'int32',
  uint8: 'uint8',
  int8: 'int8',
  bool: 'bool',
};

function expectExactly(sd: StateDict, ref: ReferenceCheckpoint): void {
  expect([...sd.keys()]).toEqual(Object.keys(ref.tensors));
  for (const [key, want] of Object.entries(ref.tensors)) {
    const t = sd.get(key) as Tensor;
    expect(t.shape, key).toEqual(want.shape);
    expect(DTYPE_NAMES[t.dtype], key).toBe(want.dtype);
    expect(digest(t), key).toBe(want.sha256);
  }
}

const MODALITIES = ['rgb', 'flow'] as const;
const CLASSES = [400, 157] as const;
const FLAVOURS = ['zip', 'legacy', 'legacy03'] as const;

describe('reference I3D checkpoints', () => {
  for (const modality of MODALITIES) {
    for (const classes of CLASSES) {
      for (const flavour of FLAVOURS) {
        it(`${modality} ${classes} ${flavour}: exact tensors and I3D info`, async () => {
          const ref = set.i3d(modality, classes, flavour);
          const bytes = new Uint8Array(await readFile(ref.path));
          const { stateDict, format } = await loadStateDict(fromBytes(bytes));
          expect(format).toBe(ref.format);
          expectExactly(stateDict, ref);
          // zip files carry num_batches_tracked (int64), the 0.3-style ones do not
          expect(stateDict.has('Conv3d_1a_7x7.bn.num_batches_tracked')).toBe(flavour !== 'legacy03');
          expect(inspectI3d(stateDict)).toEqual({ modality, inChannels: modality === 'rgb' ? 3 : 2, numClasses: classes, widthDivisor: 8 });
        });
      }
    }
  }

  it('reads a Blob (File) the same as bytes', async () => {
    const ref = set.i3d('flow', 157, 'legacy03');
    const bytes = await readFile(ref.path);
    const { stateDict } = await loadStateDict(fromBlob(new Blob([bytes])));
    expectExactly(stateDict, ref);
  });

  for (const flavour of ['zip_module', 'legacy03_module'] as const) {
    it(`strips DataParallel module. prefixes (${flavour})`, async () => {
      const ref = set.i3d('rgb', 400, flavour);
      expect(ref.prefixed).toBe(true);
      const bytes = new Uint8Array(await readFile(ref.path));
      // the file really holds prefixed keys
      expect(Buffer.from(bytes).includes('module.Conv3d_1a_7x7.conv3d.weight')).toBe(true);
      const { stateDict } = await loadStateDict(fromBytes(bytes));
      expectExactly(stateDict, ref);
      expect(inspectI3d(stateDict).numClasses).toBe(400);
    });
  }

  it('checks shapes before reading tensor bytes (lazy entries)', async () => {
    const ref = set.i3d('rgb', 157, 'zip');
    let reads = 0;
    const bytes = new Uint8Array(await readFile(ref.path));
    const src = fromBytes(bytes);
    const counting = { size: src.size, read: (o: number, n: number) => (reads++, src.read(o, n)) };
    const lazy = await openStateDict(counting);
    const readsForPickle = reads;
    const report = checkI3d(lazy.entries);
    expect(report.info.numClasses).toBe(157);
    expect(report.unexpectedKeys).toEqual([]);
    expect(reads).toBe(readsForPickle);
    const w = await (lazy.entries.get('logits.conv3d.bias') as { load(): Promise<Tensor> }).load();
    expect(w.shape).toEqual([157]);
    expect(reads).toBeGreaterThan(readsForPickle);
  });

  it('the layout table names exactly the parameters of the PyTorch model', () => {
    const ref = set.i3d('flow', 400, 'legacy03');
    const expected = i3dParameterShapes(i3dLayout({ modality: 'flow', inChannels: 2, numClasses: 400, widthDivisor: 8 }));
    const actual = new Map(Object.entries(ref.tensors).map(([k, v]) => [k, v.shape]));
    expect(new Set(actual.keys())).toEqual(new Set(expected.keys()));
    for (const [k, shape] of expected) expect(actual.get(k), k).toEqual(shape);
  });
});

describe('tensor layouts and dtypes (misc files)', () => {
  for (const flavour of [...FLAVOURS, 'zip_p4', 'legacy_p4'] as const) {
    it(`${flavour}: strides, offsets, shared storages, float16/float64, ints, bool, scalar, empty`, async () => {
      const ref = set.misc(flavour);
      const { stateDict } = await loadStateDict(fromBytes(new Uint8Array(await readFile(ref.path))));
      expectExactly(stateDict, ref);
      const t = (k: string) => stateDict.get(k) as Tensor;
      expect(t('half').data).toBeInstanceOf(Float32Array);
      expect(t('double').data).toBeInstanceOf(Float32Array);
      expect(t('int64').data).toBeInstanceOf(BigInt64Array);
      expect(Array.from(t('int64').data as BigInt64Array)).toEqual([0n, -1n, 2n ** 40n, -(2n ** 62n)]);
      expect(Array.from(t('half_special').data as Float32Array).slice(3, 6)).toEqual([65504, Infinity, -Infinity]);
      expect(Array.from(t('bool').data as Uint8Array)).toEqual([1, 0, 1]);
      expect(t('scalar').shape).toEqual([]);
      expect(Array.from(t('scalar').data as Float32Array)).toEqual([3.5]);
      expect(t('empty').shape).toEqual([0, 3]);
      // views of one storage see the right windows
      const base = t('base').data as Float32Array;
      expect(Array.from(t('base_head').data as Float32Array)).toEqual(Array.from(base.slice(2, 5)));
      expect(Array.from(t('base_tail').data as Float32Array)).toEqual(Array.from(base.slice(6)));
      // expanded (stride 0) rows repeat
      const e = t('expanded').data as Float32Array;
      expect(e[4]).toBe(e[5]);
    });
  }
});

describe('full-size checkpoints (opt-in: I3D_FULL=1)', () => {
  it.runIf(process.env.I3D_FULL === '1')(
    'published-size rgb/flow checkpoints load in every flavour',
    async () => {
      const full = await ensureCheckpoints({ divisor: 1 });
      for (const ref of full.files) {
        const { stateDict } = await loadStateDict(fromBlob(new Blob([await readFile(ref.path)])));
        expectExactly(stateDict, ref);
        expect(inspectI3d(stateDict).widthDivisor).toBe(1);
      }
    },
    600_000,
  );
});
