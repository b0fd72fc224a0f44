/**
 * Hostile and wrong files: each is refused with its own typed error, and nothing in them runs.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError, type ErrorCode } from '../../src/errors';
import { inspectI3d, loadStateDict } from '../../src/model/checkpoint';
import { fromBytes } from '../../src/model/pickle';
import { mulberry32 } from '../support/prng';
import { ensureBadFiles, ensureCheckpoints, type BadFileSet, type CheckpointSet } from '../support/reference';
import { concat, floats, legacyFile, legacyHeader, PickleWriter, zipFile } from './pickle-builder';

let bad: BadFileSet;
let good: CheckpointSet;
beforeAll(async () => {
  [bad, good] = await Promise.all([ensureBadFiles(), ensureCheckpoints()]);
});

/** Load and inspect; return the AppError (fails the test on success or on any other exception). */
async function refusal(bytes: Uint8Array): Promise<AppError> {
  try {
    const { stateDict } = await loadStateDict(fromBytes(bytes));
    inspectI3d(stateDict);
  } catch (e) {
    if (e instanceof AppError) return e;
    throw new Error(`not an AppError: ${String(e)}`, { cause: e });
  }
  throw new Error('the file was accepted');
}

async function expectCode(bytes: Uint8Array, code: ErrorCode, detail?: RegExp): Promise<AppError> {
  const e = await refusal(bytes);
  expect(e.code, e.message).toBe(code);
  if (detail) expect(e.detail).toMatch(detail);
  return e;
}

const fileBytes = async (path: string) => new Uint8Array(await readFile(path));

describe('code in the file never runs', () => {
  const payloads = [
    ['os', 'system'],
    ['posix', 'system'],
    ['builtins', 'eval'],
    ['builtins', 'exec'],
  ] as const;
  for (const [module, name] of payloads) {
    for (const form of ['raw.pkl', 'legacy.pt', 'zip.pt']) {
      it(`${module}.${name} (${form}) → E_PICKLE_GLOBAL`, async () => {
        const file = `${module}_${name}_${form}`;
        expect(bad.files[file]?.kind).toBe('payload');
        const bytes = await fileBytes(bad.path(file));
        // the payload really aims at the marker (and the generator proved Python runs it)
        expect(Buffer.from(bytes).includes(`touch ${bad.marker}`)).toBe(true);
        await rm(bad.marker, { force: true });
        await expectCode(bytes, 'E_PICKLE_GLOBAL', new RegExp(`^${module}\\.${name}$`));
        expect(existsSync(bad.marker)).toBe(false);
      });
    }
  }

  it('refuses other globals even when they are never called', async () => {
    const pkl = new PickleWriter().proto().orderedDict().str('x').global('builtins', 'getattr').setItem().stop().bytes();
    await expectCode(zipFile(pkl), 'E_PICKLE_GLOBAL', /builtins\.getattr/);
    await expectCode(legacyFile(pkl), 'E_PICKLE_GLOBAL', /builtins\.getattr/);
  });

  it('refuses a torch global that is not on the allow-list', async () => {
    const pkl = new PickleWriter().proto().global('torch', 'load').stop().bytes();
    await expectCode(zipFile(pkl), 'E_PICKLE_GLOBAL', /torch\.load/);
  });

  it('refuses object-building opcodes (INST, OBJ, NEWOBJ, EXT1, text PERSID)', async () => {
    const cases: [string, number[]][] = [
      ['INST', [0x28, 0x69, ...new TextEncoder().encode('os\nsystem\n')]],
      ['OBJ', [0x28, 0x6f]],
      ['NEWOBJ', [0x29, 0x29, 0x81]],
      ['EXT1', [0x82, 1]],
      ['PERSID', [0x50, ...new TextEncoder().encode('0\n')]],
    ];
    for (const [name, body] of cases) {
      const pkl = new PickleWriter()
        .proto()
        .op(...body)
        .stop()
        .bytes();
      await expectCode(zipFile(pkl), 'E_PICKLE_OPCODE', new RegExp(name));
    }
  });

  it('does not call allowed classes that are not rebuild functions', async () => {
    const pkl = new PickleWriter().proto().global('torch', 'FloatStorage').emptyTuple().reduce().stop().bytes();
    await expectCode(zipFile(pkl), 'E_PICKLE_FORMAT', /call of torch\.FloatStorage/);
  });
});

describe('wrong models', () => {
  it('a ResNet state dict → E_NOT_I3D saying what it looks like', async () => {
    const e = await expectCode(await fileBytes(bad.path('resnet_zip.pt')), 'E_NOT_I3D', /ResNet/);
    expect(e.detail).toMatch(/conv1\.weight/);
  });

  for (const file of ['i3d_missing_layer_zip.pt', 'i3d_missing_layer_legacy.pt']) {
    it(`an I3D with a missing layer → E_I3D_MISSING naming it (${file})`, async () => {
      const e = await expectCode(await fileBytes(bad.path(file)), 'E_I3D_MISSING', /Mixed_4c\.b1b\.conv3d\.weight/);
      expect(e.detail).toMatch(/^5 tensors are missing/);
    });
  }

  it('a wrong shape → E_I3D_SHAPE with key, actual and expected shapes', async () => {
    await expectCode(
      await fileBytes(bad.path('i3d_wrong_shape_zip.pt')),
      'E_I3D_SHAPE',
      /^Mixed_4d\.b2b\.conv3d\.weight is \(8, 4, 3, 3, 3\); expected \(8, 3, 3, 3, 3\)$/,
    );
  });

  it('a pickle that is not a checkpoint → E_PICKLE_FORMAT', async () => {
    await expectCode(await fileBytes(bad.path('plain_list.pkl')), 'E_PICKLE_FORMAT', /magic/);
  });

  it('a dict without tensors → E_NOT_I3D', async () => {
    const pkl = new PickleWriter().proto().emptyDict().str('epoch').int(3).setItem().stop().bytes();
    await expectCode(zipFile(pkl), 'E_NOT_I3D', /no tensors/);
  });
});

describe('broken files', () => {
  it('an empty file → E_EMPTY_FILE', async () => {
    await expectCode(new Uint8Array(0), 'E_EMPTY_FILE');
  });

  it('zeros → E_PICKLE_FORMAT', async () => {
    await expectCode(new Uint8Array(4096), 'E_PICKLE_FORMAT');
  });

  it('random bytes → E_PICKLE_FORMAT', async () => {
    const rand = mulberry32(12345);
    const bytes = new Uint8Array(100_000).map(() => Math.floor(rand() * 256));
    bytes[0] = 0x42; // neither a zip nor a pickle start, whatever the generator gives
    await expectCode(bytes, 'E_PICKLE_FORMAT');
  });

  for (const flavour of ['zip', 'legacy', 'legacy03'] as const) {
    it(`${flavour} checkpoint truncated anywhere → E_PICKLE_TRUNCATED`, async () => {
      const bytes = await fileBytes(good.i3d('rgb', 157, flavour).path);
      for (const cut of [1, 10, 100, 5000, bytes.length >> 1, bytes.length - 100, bytes.length - 1]) {
        await expectCode(bytes.subarray(0, cut), 'E_PICKLE_TRUNCATED');
      }
    });
  }

  it('a zip archive without data.pkl → E_PICKLE_FORMAT', async () => {
    const { zipSync } = await import('fflate');
    await expectCode(zipSync({ 'a/readme.txt': new Uint8Array(3) }), 'E_PICKLE_FORMAT', /without data\.pkl/);
  });

  it('a storage larger than the file → E_PICKLE_TRUNCATED (legacy) / E_PICKLE_LIMIT (zip) before allocating', async () => {
    const pkl = new PickleWriter().proto().orderedDict().str('w').tensor('0', 1e9, 0, [1e9], [1]).setItem().stop().bytes();
    const storages = [{ key: '0', numel: 4, data: floats([1, 2, 3, 4]) }];
    await expectCode(legacyFile(pkl, storages), 'E_PICKLE_TRUNCATED', /claims/);
    await expectCode(zipFile(pkl, storages), 'E_PICKLE_LIMIT', /claims/);
    // within the budget but beyond the stored entry
    const pkl2 = new PickleWriter().proto().orderedDict().str('w').tensor('0', 8, 0, [8], [1]).setItem().stop().bytes();
    await expectCode(zipFile(pkl2, storages), 'E_PICKLE_TRUNCATED', /shorter than declared/);
  });

  it('a tensor reaching past its storage → E_PICKLE_FORMAT', async () => {
    const pkl = new PickleWriter().proto().orderedDict().str('w').tensor('0', 4, 2, [3], [1]).setItem().stop().bytes();
    await expectCode(zipFile(pkl, [{ key: '0', numel: 4, data: floats([1, 2, 3, 4]) }]), 'E_PICKLE_FORMAT', /does not fit/);
  });

  it('an unreadable element type → E_PICKLE_DTYPE', async () => {
    const pkl = new PickleWriter().proto().orderedDict().str('w').tensor('0', 2, 0, [2], [1], 'ShortStorage').setItem().stop().bytes();
    await expectCode(zipFile(pkl, [{ key: '0', numel: 2, data: new Uint8Array(4) }]), 'E_PICKLE_DTYPE', /ShortStorage/);
  });

  it('an unexpected persistent id → E_PICKLE_FORMAT', async () => {
    const pkl = new PickleWriter().proto().mark().str('module').str('x').tuple().persId().stop().bytes();
    await expectCode(zipFile(pkl), 'E_PICKLE_FORMAT', /persistent id/);
  });

  it('a legacy storage whose recorded size disagrees with the pickle → E_PICKLE_FORMAT', async () => {
    const pkl = new PickleWriter().proto().orderedDict().str('w').tensor('7', 4, 0, [4], [1]).setItem().stop().bytes();
    await expectCode(legacyFile(pkl, [{ key: '7', numel: 3, data: floats([1, 2, 3]) }]), 'E_PICKLE_FORMAT', /holds 3 elements/);
    // and the well-formed version of the same file loads
    const { stateDict } = await loadStateDict(fromBytes(legacyFile(pkl, [{ key: '7', numel: 4, data: floats([1, 2, 3, 4]) }])));
    expect(Array.from(stateDict.get('w')?.data as Float32Array)).toEqual([1, 2, 3, 4]);
  });
});

describe('limits', () => {
  it('deeply nested marks → E_PICKLE_LIMIT', async () => {
    const pkl = new PickleWriter().proto().raw(new Uint8Array(10_000).fill(0x28)).stop().bytes();
    await expectCode(zipFile(pkl), 'E_PICKLE_LIMIT', /marks/);
  });

  it('a huge string length → E_PICKLE_LIMIT without allocating it', async () => {
    const pkl = new PickleWriter().proto().op(0x58, 0xff, 0xff, 0xff, 0x7f).stop().bytes();
    await expectCode(zipFile(pkl), 'E_PICKLE_LIMIT', /string/);
  });

  it('a huge integer → E_PICKLE_LIMIT', async () => {
    const pkl = new PickleWriter().proto().op(0x8b, 0x00, 0x00, 0x10, 0x00).stop().bytes();
    await expectCode(zipFile(pkl), 'E_PICKLE_LIMIT', /integer/);
  });

  it('a stack of a million items → E_PICKLE_LIMIT', async () => {
    const pkl = new PickleWriter()
      .proto()
      .raw(new Uint8Array((1 << 20) + 1).fill(0x4e))
      .stop()
      .bytes();
    await expectCode(zipFile(pkl), 'E_PICKLE_LIMIT', /stack/);
  });

  it('many tensors on one storage, or one expanded tensor, cannot allocate beyond the budget → E_PICKLE_LIMIT', async () => {
    const numel = 100_000;
    const storage = { key: '0', numel, data: new Uint8Array(numel * 4) };
    const w = new PickleWriter().proto().orderedDict().mark();
    w.str('t0').tensor('0', numel, 0, [numel], [1]).put(200);
    for (let i = 1; i < 12; i++) w.str(`t${i}`).get(200);
    const shared = w.setItems().stop().bytes();
    await expectCode(zipFile(shared, [storage]), 'E_PICKLE_LIMIT', /file size/);
    const expanded = new PickleWriter()
      .proto()
      .orderedDict()
      .str('e')
      .tensor('0', 1, 0, [1 << 30], [0])
      .setItem()
      .stop()
      .bytes();
    await expectCode(zipFile(expanded, [{ key: '0', numel: 1, data: floats([1]) }]), 'E_PICKLE_LIMIT', /file size/);
  });

  it('the legacy header is checked: wrong protocol version → E_PICKLE_FORMAT', async () => {
    const header = legacyHeader();
    const bytes = concat([header.subarray(0, 15), new PickleWriter().proto().int(999).stop().bytes()]);
    await expectCode(bytes, 'E_PICKLE_FORMAT', /protocol version 999/);
  });
});
