/** The pipeline service (job.ts) on stand-in engines: model checks, import cancel, bundles. */
import { unzipSync } from 'fflate';
import { describe, expect, it, vi } from 'vitest';
import type { AppError } from '../errors';
import type { ImportStage, ModelRecord } from '../io/model-record';
import { MemoryDir, type OutputFile } from '../io/output';
import type { Capabilities } from '../platform/policy';
import { bundleFiles, createPipeline, type ExtractSettings, type JobEnv } from './job';
import { readFileSync } from 'node:fs';
import { ensureCheckpoints } from '../../test/support/reference';
import type { ModelDtype } from '../model/types';

const caps: Capabilities = { webgpu: false, adapter: null, softwareAdapter: false, shaderF16: false, isolated: true, cores: 2, storage: null };

function record(id: string, modality: 'rgb' | 'flow'): ModelRecord {
  return {
    id,
    name: `${modality}_charades.pt`,
    modality,
    classes: 157,
    inChannels: modality === 'rgb' ? 3 : 2,
    widthDivisor: 1,
    checkpointFormat: 'zip',
    sourceBytes: 1,
    sourceSha256: id,
    importedAt: '2026-01-01T00:00:00Z',
    variants: { fp32: 1 },
  };
}

/** An env whose engines fail the test when a job reaches them unexpectedly. */
function env(overrides: Partial<JobEnv> = {}): JobEnv & { folders: Map<string, MemoryDir> } {
  const unexpected = (what: string) => () => {
    throw new Error(`unexpected: ${what}`);
  };
  const folders = new Map<string, MemoryDir>();
  const stored = new Map<string, ModelRecord>([
    ['r1', record('r1', 'rgb')],
    ['f1', record('f1', 'flow')],
  ]);
  return {
    folders,
    capabilities: async () => caps,
    probe: unexpected('probe'),
    decode: unexpected('decode'),
    models: {
      list: async () => [...stored.values()],
      get: async (id) => {
        const r = stored.get(id);
        if (!r) throw new Error(`no model ${id}`);
        return r;
      },
      save: unexpected('save'),
      source: unexpected('source'),
      variant: async () => new Uint8Array(1),
      saveVariant: unexpected('saveVariant'),
      remove: async (id) => void stored.delete(id),
    },
    runtime: {
      device: async () => 'wasm',
      open: unexpected('runtime.open'),
      release: async () => undefined,
    },
    openFlow: unexpected('openFlow'),
    results: {
      fresh: unexpected('results.fresh'),
      folder: async (id) => folders.get(id) ?? new MemoryDir(),
      remove: async (id) => void folders.delete(id),
      list: async () => [...folders.keys()].filter((id) => id !== '').map((id) => ({ id, bytes: 0, folder: true })),
      async createFile(name) {
        const root = folders.get('') ?? new MemoryDir();
        folders.set('', root);
        const file: OutputFile = await root.create(name);
        return { file, size: () => root.size(name) };
      },
    },
    labels: async () => ({}),
    storageEstimate: async () => null,
    fetchModel: unexpected('fetchModel'),
    ...overrides,
  };
}

const settings = (models: ExtractSettings['models']): ExtractSettings => ({
  streams: ['rgb', 'flow'],
  models,
  dtype: 'fp32',
  device: 'wasm',
  flowBackend: 'cpu',
  fps: null,
  maxFrames: null,
  flowMode: 'float',
  maxChunkFrames: 256,
});

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: unknown) => (e as AppError).code ?? String(e),
  );

const request = (s: ExtractSettings) => ({
  id: 'x',
  file: new File([new Uint8Array(4)], 'v.mp4'),
  probe: {
    width: 320,
    height: 240,
    decodedWidth: 342,
    decodedHeight: 256,
    rotation: 0,
    fps: 25,
    fpsFraction: '25/1',
    duration: 1,
    frameCount: 25,
    packetCount: 25,
    codec: 'h264',
    hasAudio: false,
  },
  settings: s,
});

describe('extract: the models chosen for the streams', () => {
  it('a model of the other modality is E_MODEL_MODALITY, named, before anything is loaded', async () => {
    const service = createPipeline(env());
    const err = await service
      .extract(request(settings({ rgb: 'f1', flow: 'f1' })), () => undefined, undefined, new AbortController().signal)
      .catch((e: unknown) => e as AppError);
    expect((err as AppError).code).toBe('E_MODEL_MODALITY');
    expect((err as AppError).detail).toContain('flow_charades.pt is a flow model, chosen for the rgb stream');
  });

  it('a stream without a model is E_MODEL_MISSING', async () => {
    const service = createPipeline(env());
    expect(await codeOf(service.extract(request(settings({ flow: 'f1' })), () => undefined, undefined, new AbortController().signal))).toBe('E_MODEL_MISSING');
  });
});

describe('importModel: cancel', () => {
  it('an abort while the URL is downloading cancels the import and stores nothing', async () => {
    const abort = new AbortController();
    const save = vi.fn();
    const service = createPipeline(
      env({
        fetchModel: (_url, signal) =>
          new Promise<Blob>((_resolve, reject) => {
            expect(signal.aborted).toBe(false);
            signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { code: 'E_CANCELLED' })));
          }),
      }),
    );
    const stages: ImportStage[] = [];
    const done = service.importModel({ url: 'https://example.invalid/rgb.pt', name: 'rgb.pt' }, 'q8', (s) => stages.push(s), abort.signal);
    abort.abort();
    expect(await codeOf(done)).toBe('E_CANCELLED');
    expect(save).not.toHaveBeenCalled();
    expect(stages).toEqual(['connecting']); // nothing was read
  });

  it('a URL import passes the confirmation to the download and reports its progress as the downloading stage', async () => {
    const confirm = vi.fn(() => Promise.resolve(true));
    const service = createPipeline(
      env({
        fetchModel: async (url, _signal, hooks) => {
          expect(url).toBe('https://example.invalid/rgb.pt');
          expect(hooks.confirm).toBe(confirm);
          hooks.onProgress?.({ received: 0, total: 4 });
          hooks.onProgress?.({ received: 4, total: 4 });
          return new Blob(['junk']);
        },
      }),
    );
    const stages: unknown[] = [];
    const done = service.importModel(
      { url: 'https://example.invalid/rgb.pt', name: 'rgb.pt' },
      'q8',
      (s, p) => stages.push(p ? [s, p.received] : s),
      new AbortController().signal,
      confirm,
    );
    expect(await codeOf(done)).toBe('E_PICKLE_FORMAT'); // the stand-in body is no checkpoint
    expect(stages).toEqual(['connecting', ['downloading', 0], ['downloading', 4], 'reading']);
  });

  it('an already aborted signal starts nothing', async () => {
    const abort = new AbortController();
    abort.abort();
    const service = createPipeline(env());
    expect(await codeOf(service.importModel({ url: 'https://example.invalid/rgb.pt', name: 'rgb.pt' }, 'q8', () => undefined, abort.signal))).toBe(
      'E_CANCELLED',
    );
  });
});

describe('importModel: the same checkpoint again', () => {
  /** A model store in memory that counts its writes. */
  function memoryModels() {
    const records = new Map<string, ModelRecord>();
    const sources = new Map<string, Blob>();
    const variants = new Map<string, Uint8Array>();
    const writes: string[] = [];
    const models: JobEnv['models'] = {
      list: async () => [...records.values()],
      get: async (id) => {
        const r = records.get(id);
        if (!r) throw Object.assign(new Error(`no model ${id}`), { code: 'E_MODEL_MISSING' });
        return r;
      },
      async save(record, source, variant) {
        const [dtype] = Object.keys(record.variants) as ModelDtype[];
        const onnx = variant();
        writes.push(`save ${dtype}`);
        sources.set(record.id, source);
        variants.set(`${record.id}/${dtype}`, onnx);
        records.set(record.id, { ...record, variants: { [dtype]: onnx.byteLength } });
      },
      source: async (id) => sources.get(id) as Blob,
      variant: async (id, dtype) => variants.get(`${id}/${dtype}`) ?? null,
      async saveVariant(id, dtype, onnx) {
        writes.push(`variant ${dtype}`);
        variants.set(`${id}/${dtype}`, onnx);
        const r = records.get(id) as ModelRecord;
        records.set(id, { ...r, variants: { ...r.variants, [dtype]: onnx.byteLength } });
      },
      remove: async (id) => void records.delete(id),
    };
    return { models, writes };
  }

  it('is found by its hash: stored once, the same record back; another dtype only adds that variant', async () => {
    const set = await ensureCheckpoints({ divisor: 8 });
    const file = new File([readFileSync(set.i3d('rgb', 400).path)], 'rgb.pt');
    const { models, writes } = memoryModels();
    const service = createPipeline(env({ models }));
    const signal = new AbortController().signal;
    const stages: ImportStage[] = [];
    const first = await service.importModel({ file, name: 'a.pt' }, 'q8', () => undefined, signal);
    const again = await service.importModel({ file, name: 'b.pt' }, 'q8', (s) => stages.push(s), signal);
    expect(again).toEqual(first);
    expect(writes).toEqual(['save q8']);
    expect(stages).toEqual(['reading', 'checking', 'done']);
    const fp16 = await service.importModel({ file, name: 'a.pt' }, 'fp16', () => undefined, signal);
    expect(writes).toEqual(['save q8', 'variant fp16']);
    expect(fp16.id).toBe(first.id);
    expect(Object.keys(fp16.variants).sort()).toEqual(['fp16', 'q8']);
  });
});

describe('bundle', () => {
  it('holds each array once: the .npy files and the JSON files, not the .npz that repeats them', async () => {
    const e = env();
    for (const id of ['a', 'b']) {
      const dir = new MemoryDir();
      for (const name of ['rgb_fc.npy', 'rgb_map.npy', 'features.npz', 'meta.json', 'predictions.json']) {
        const f = await dir.create(name);
        await f.write(new TextEncoder().encode(`${id}/${name}`));
        await f.close();
      }
      e.folders.set(id, dir);
    }
    const service = createPipeline(e);
    const size = await service.bundle(
      'all.zip',
      [
        { id: 'a', name: 'one.mp4' },
        { id: 'b', name: 'two.mkv' },
      ],
      new AbortController().signal,
    );
    const zip = unzipSync(e.folders.get('')?.files.get('all.zip') as Uint8Array);
    expect(size).toBeGreaterThan(0);
    expect(Object.keys(zip).sort()).toEqual([
      'one/meta.json',
      'one/predictions.json',
      'one/rgb_fc.npy',
      'one/rgb_map.npy',
      'two/meta.json',
      'two/predictions.json',
      'two/rgb_fc.npy',
      'two/rgb_map.npy',
    ]);
    expect(new TextDecoder().decode(zip['two/rgb_fc.npy'])).toBe('b/rgb_fc.npy');
  });

  it('bundleFiles leaves out the .npz, records and unfinished files', () => {
    expect(bundleFiles(['.resume.json', 'features.npz', 'meta.json', 'rgb_fc.npy', 'rgb_map.npy.part'])).toEqual(['meta.json', 'rgb_fc.npy']);
  });
});

describe('extract: storage', () => {
  it('a video whose results would not fit is refused with E_QUOTA before any model loads, saying how much it needs', async () => {
    // 355 frames at full width, two streams of 157 classes: 43 steps × 2 streams × (50 × 1024 + 157) floats × 4 B × 2 copies ≈ 35.4 MB
    const service = createPipeline(env({ storageEstimate: async () => ({ usage: 990e6, quota: 1e9 }) }));
    const req = { ...request(settings({ rgb: 'r1', flow: 'f1' })), probe: { ...request(settings({})).probe, frameCount: 355 } };
    const err = (await service.extract(req, () => undefined, undefined, new AbortController().signal).catch((e: unknown) => e)) as AppError;
    expect(err.code).toBe('E_QUOTA');
    expect(err.detail).toBe('the results of 355 frames need about 36 MB; 10 MB are free');
  });

  it('with room enough, the check lets the video through to its models', async () => {
    const open = vi.fn(async () => {
      throw new Error('models reached');
    });
    const service = createPipeline(
      env({ storageEstimate: async () => ({ usage: 0, quota: 1e9 }), runtime: { device: async () => 'wasm', open, release: async () => undefined } }),
    );
    const err = await service
      .extract(request(settings({ rgb: 'r1', flow: 'f1' })), () => undefined, undefined, new AbortController().signal)
      .catch((e: unknown) => e as Error);
    expect((err as Error).message).toBe('models reached');
    expect(open).toHaveBeenCalled();
  });
});

describe('extract: threads', () => {
  it("settings.threads sizes the model's WASM threads and the flow pool (the CLI's --jobs split the cores)", async () => {
    const setModelThreads = vi.fn();
    let flowCores = 0;
    const service = createPipeline(
      env({
        setModelThreads,
        runtime: {
          device: async () => 'wasm',
          open: async () => ({
            inChannels: 3,
            classes: 157,
            featureChannels: 1024,
            device: 'wasm',
            compute: 'fp32',
            fallbacks: [],
            run: async () => Promise.reject(new Error('not run')),
          }),
          release: async () => undefined,
        },
        openFlow: async (_backend, caps) => {
          flowCores = caps.cores;
          throw new Error('flow opened');
        },
      }),
    );
    const err = await service
      .extract({ ...request({ ...settings({ rgb: 'r1', flow: 'f1' }), threads: 1 }) }, () => undefined, undefined, new AbortController().signal)
      .catch((e: unknown) => e as Error);
    expect((err as Error).message).toBe('flow opened');
    expect(setModelThreads).toHaveBeenCalledWith(1);
    expect(flowCores).toBe(1);
  });
});

describe('extract: memory budget', () => {
  it('the models load in the WASM graph form the budget picks with the chunk length (a tight budget: the frugal form)', async () => {
    const open = vi.fn<JobEnv['runtime']['open']>(async () => Promise.reject(new Error('models reached')));
    const service = createPipeline(env({ runtime: { device: async () => 'wasm', open, release: async () => undefined } }));
    const run = (memoryBudgetBytes: number | null) =>
      service
        .extract(request({ ...settings({ rgb: 'r1', flow: 'f1' }), memoryBudgetBytes }), () => undefined, undefined, new AbortController().signal)
        .catch((e: unknown) => e as Error);
    expect(((await run(2 * 1024 ** 3)) as Error).message).toBe('models reached');
    expect(open.mock.calls[0][0]).toMatchObject({ id: 'r1', wasmForm: 'direct-stem-56' });
    await run(64 * 1024 ** 3);
    expect(open.mock.calls.at(-1)?.[0]).toMatchObject({ wasmForm: 'winograd' });
  });

  it('plans for the video: its length (from the container) picks the chunk and the form', async () => {
    const open = vi.fn<JobEnv['runtime']['open']>(async () => Promise.reject(new Error('models reached')));
    const service = createPipeline(env({ runtime: { device: async () => 'wasm', open, release: async () => undefined } }));
    const run = (frameCount: number) => {
      const r = request({ ...settings({ rgb: 'r1', flow: 'f1' }), maxChunkFrames: null, memoryBudgetBytes: 12 * 1024 ** 3 });
      return service
        .extract({ ...r, probe: { ...r.probe, frameCount } }, () => undefined, undefined, new AbortController().signal)
        .catch((e: unknown) => e as Error);
    };
    // 355 frames: one Winograd pass of 368; 500 frames: one pass of 512 with the direct stem (src/pipeline/memory-budget.ts)
    expect(((await run(355)) as Error).message).toBe('models reached');
    expect(open.mock.calls.at(-1)?.[0]).toMatchObject({ wasmForm: 'winograd' });
    await run(500);
    expect(open.mock.calls.at(-1)?.[0]).toMatchObject({ wasmForm: 'direct-stem' });
    // then a 201-frame video keeps the direct stem the models are in (7% slower than Winograd, no rebuild) …
    await run(201);
    expect(open.mock.calls.at(-1)?.[0]).toMatchObject({ wasmForm: 'direct-stem' });
    // … which a pipeline without loaded models runs in the Winograd form
    const fresh = vi.fn<JobEnv['runtime']['open']>(async () => Promise.reject(new Error('models reached')));
    const other = createPipeline(env({ runtime: { device: async () => 'wasm', open: fresh, release: async () => undefined } }));
    const r = request({ ...settings({ rgb: 'r1', flow: 'f1' }), maxChunkFrames: null, memoryBudgetBytes: 12 * 1024 ** 3 });
    await other.extract({ ...r, probe: { ...r.probe, frameCount: 201 } }, () => undefined, undefined, new AbortController().signal).catch(() => undefined);
    expect(fresh.mock.calls.at(-1)?.[0]).toMatchObject({ wasmForm: 'winograd' });
  });
});

describe('results and frames', () => {
  it('listResults names each folder from its meta.json', async () => {
    const e = env();
    const dir = new MemoryDir();
    const f = await dir.create('meta.json');
    await f.write(new TextEncoder().encode(JSON.stringify({ source: { name: 'cat.mp4', bytes: 3 } })));
    await f.close();
    e.folders.set('abc', dir);
    expect(await createPipeline(e).listResults()).toEqual([{ id: 'abc', bytes: 0, folder: true, name: 'cat.mp4', complete: true }]);
  });

  it('frameAt turns seconds into the decoded frame number at the results’ rate', async () => {
    const frameAt = vi.fn(async () => new Blob(['jpeg']));
    const service = createPipeline(env({ frameAt }));
    const file = new File([], 'v.mp4');
    await service.frameAt(file, 1.5, { fps: 10, rate: 'native' });
    expect(frameAt).toHaveBeenLastCalledWith(file, 15, undefined);
    await service.frameAt(file, 0.26, { fps: 4, rate: 4 });
    expect(frameAt).toHaveBeenLastCalledWith(file, 1, 4);
  });
});

describe('extract: WebGPU verification', () => {
  it('the test hook asks the runtime to check the adapter again with perturbed outputs (test builds only)', async () => {
    const open = vi.fn<JobEnv['runtime']['open']>(async () => Promise.reject(new Error('models reached')));
    const service = createPipeline(env({ runtime: { device: async () => 'webgpu', open, release: async () => undefined } }));
    const err = await service
      .extract({ ...request(settings({ rgb: 'r1', flow: 'f1' })), perturbVerificationForTest: 0.05 }, () => undefined, undefined, new AbortController().signal)
      .catch((e: unknown) => e as Error);
    expect((err as Error).message).toBe('models reached');
    expect(open.mock.calls[0][2]).toBe('webgpu');
    expect(open.mock.calls[0][3]).toEqual({ perturbVerification: 0.05 });
  });
});
