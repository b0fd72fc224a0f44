/**
 * Checkpoint variants the Python reference does not write but real files may be: Python 2 pickles
 * (OrderedDict as a list of pairs, `str` keys), CUDA storage locations, PyTorch 0.3 storage views,
 * big-endian storages, re-zipped (deflated) archives, training checkpoints holding a state dict,
 * `_rebuild_parameter`.
 */
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors';
import { loadStateDict } from '../../src/model/checkpoint';
import { fromBytes } from '../../src/model/pickle';
import type { Tensor } from '../../src/model/types';
import { floats, legacyFile, PickleWriter, zipFile } from './pickle-builder';

const values = (t: Tensor | undefined) => Array.from((t as Tensor).data as Float32Array);

/** `torch._utils._rebuild_tensor(storage, offset, size, stride)` with a 0.3 persistent id (6-tuple). */
function tensor03(w: PickleWriter, key: string, numel: number, location: string, view: [string, number, number] | null, size: number[]): PickleWriter {
  w.global('torch._utils', '_rebuild_tensor').mark();
  w.mark().py2str('storage').global('torch', 'FloatStorage').py2str(key).py2str(location).int(numel);
  if (view) w.mark().py2str(view[0]).int(view[1]).int(view[2]).tuple();
  else w.none();
  w.tuple().persId().int(0).mark();
  for (const s of size) w.int(s);
  w.tuple().mark();
  let stride = 1;
  const strides: number[] = [];
  for (let i = size.length - 1; i >= 0; i--) {
    strides.unshift(stride);
    stride *= size[i];
  }
  for (const s of strides) w.int(s);
  return w.tuple().tuple().reduce();
}

describe('older and unusual checkpoints', () => {
  it('Python 2 pickle: OrderedDict([[k, v], ...]), str keys, cuda:0 storages, 0.3 storage views', async () => {
    const w = new PickleWriter().proto().global('collections', 'OrderedDict').op(0x5d).mark();
    w.op(0x5d).mark().py2str('a.weight');
    tensor03(w, '140', 6, 'cuda:0', null, [2, 3]).op(0x65);
    w.op(0x5d).mark().py2str('a.view');
    tensor03(w, '140', 6, 'cuda:0', ['141', 2, 3], [3]).op(0x65);
    w.op(0x65).op(0x85).reduce().stop();
    const file = legacyFile(w.bytes(), [{ key: '140', numel: 6, data: floats([0, 1, 2, 3, 4, 5]) }]);
    const { stateDict, format } = await loadStateDict(fromBytes(file));
    expect(format).toBe('legacy');
    expect([...stateDict.keys()]).toEqual(['a.weight', 'a.view']);
    expect(stateDict.get('a.weight')?.shape).toEqual([2, 3]);
    expect(values(stateDict.get('a.weight'))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(values(stateDict.get('a.view'))).toEqual([2, 3, 4]);
  });

  it('big-endian storages (zip byteorder "big", legacy little_endian False)', async () => {
    const pkl = new PickleWriter().proto().orderedDict().str('w').tensor('0', 3, 0, [3], [1]).setItem().stop().bytes();
    const data = floats([1.5, -2, 1e-3], false);
    const z = await loadStateDict(fromBytes(zipFile(pkl, [{ key: '0', numel: 3, data }], { byteorder: 'big' })));
    expect(values(z.stateDict.get('w'))).toEqual(Array.from(Float32Array.of(1.5, -2, 1e-3)));
    const l = await loadStateDict(fromBytes(legacyFile(pkl, [{ key: '0', numel: 3, data }], false)));
    expect(values(l.stateDict.get('w'))).toEqual(Array.from(Float32Array.of(1.5, -2, 1e-3)));
  });

  it('a re-zipped (deflated) archive with another folder name', async () => {
    const pkl = new PickleWriter().proto().orderedDict().str('w').tensor('0', 1000, 0, [10, 100], [100, 1]).setItem().stop().bytes();
    const data = floats(Array.from({ length: 1000 }, (_, i) => i % 7));
    const bytes = zipFile(pkl, [{ key: '0', numel: 1000, data }], { folder: 'rgb_imagenet', level: 6 });
    expect(bytes.length).toBeLessThan(2000); // really compressed
    const { stateDict } = await loadStateDict(fromBytes(bytes));
    expect(values(stateDict.get('w'))).toEqual(Array.from({ length: 1000 }, (_, i) => i % 7));
  });

  it('a training checkpoint {"state_dict": ..., "epoch": 3} with parameters and module. keys', async () => {
    const w = new PickleWriter().proto().emptyDict().mark().str('epoch').int(3).str('state_dict').orderedDict();
    w.str('module.w').global('torch._utils', '_rebuild_parameter').mark();
    w.tensor('0', 2, 0, [2], [1]).bool(true).orderedDict().tuple().reduce();
    w.setItem().setItems().stop();
    const { stateDict } = await loadStateDict(fromBytes(zipFile(w.bytes(), [{ key: '0', numel: 2, data: floats([7, 8]) }])));
    expect([...stateDict.keys()]).toEqual(['w']);
    expect(values(stateDict.get('w'))).toEqual([7, 8]);
  });

  it('tensors rebuilt by _rebuild_tensor_v3 (uint16/32/64) are refused as an unread number format', async () => {
    const pkl = new PickleWriter().proto().global('torch._utils', '_rebuild_tensor_v3').stop().bytes();
    const err = await loadStateDict(fromBytes(zipFile(pkl))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('E_PICKLE_DTYPE');
  });
});
