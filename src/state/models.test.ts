/** The models slice's URL imports: the confirmation row, Download, Cancel (no error), progress; on a stand-in bridge. */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { create } from 'zustand';
import { AppError } from '../errors';
import type { ConfirmDownload, ImportStageListener, ModelRecord } from '../io/model-record';
import { createModelsSlice } from './models';
import type { AppState } from './store';

interface Call {
  source: { file?: File; url?: string; name: string };
  onStage: ImportStageListener;
  signal: AbortSignal;
  confirm?: ConfirmDownload;
  resolve(r: ModelRecord): void;
  reject(e: unknown): void;
}
const calls: Call[] = [];

vi.mock('../bridge/pipeline', () => ({
  bridge: () => ({
    listModels: () => Promise.resolve([]),
    importModel: (source: Call['source'], _dtype: string, onStage: ImportStageListener, signal: AbortSignal, confirm?: ConfirmDownload) =>
      new Promise<ModelRecord>((resolve, reject) => {
        calls.push({ source, onStage, signal, confirm, resolve, reject });
        // as the bridge does: an abort rejects at once with E_CANCELLED
        signal.addEventListener('abort', () => reject(new AppError('E_CANCELLED')));
      }),
  }),
}));

function makeStore() {
  return create<AppState>()(
    (set, get, api) =>
      ({
        ...createModelsSlice(set, get, api),
        settings: { dtype: 'q8', models: {} },
        setSettings: (patch: object) => set((s) => ({ settings: { ...s.settings, ...patch } })),
      }) as unknown as AppState,
  );
}

const tick = () => new Promise((r) => setTimeout(r, 0));
const offer = { url: 'https://example.org/rgb.pt', host: 'example.org', total: 1000 };

beforeEach(() => {
  calls.length = 0;
});

describe('URL imports', () => {
  it('wait at a confirmation row with the host and size; Download answers true and shows the download', async () => {
    const store = makeStore();
    void store.getState().importModel({ url: offer.url, name: 'rgb.pt' });
    await tick();
    expect(store.getState().imports[0]?.stage).toBe('connecting');
    const call = calls[0];
    expect(call?.source).toEqual({ url: offer.url, name: 'rgb.pt' });
    const answer = call!.confirm!(offer);
    const row = store.getState().imports[0]!;
    expect(row.stage).toBe('confirm');
    expect(row.offer).toEqual(offer);
    store.getState().confirmImport(row.id);
    expect(await answer).toBe(true);
    expect(store.getState().imports[0]).toMatchObject({ stage: 'downloading', progress: { received: 0, total: 1000 } });
    call!.onStage('downloading', { received: 500, total: 1000 });
    expect(store.getState().imports[0]?.progress).toEqual({ received: 500, total: 1000 });
    call!.onStage('reading');
    expect(store.getState().imports[0]?.stage).toBe('reading');
  });

  it('Cancel at the confirmation answers false, aborts, and the import goes without an error', async () => {
    const store = makeStore();
    const done = store.getState().importModel({ url: offer.url, name: 'rgb.pt' });
    await tick();
    const call = calls[0]!;
    const answer = call.confirm!(offer);
    store.getState().cancelImport(store.getState().imports[0]!.id);
    expect(await answer).toBe(false);
    expect(call.signal.aborted).toBe(true);
    expect(await done).toBeNull();
    expect(store.getState().imports).toEqual([]);
  });

  it('a cancel while downloading ends the import without an error', async () => {
    const store = makeStore();
    const done = store.getState().importModel({ url: offer.url, name: 'rgb.pt' });
    await tick();
    calls[0]!.onStage('downloading', { received: 10, total: null });
    store.getState().cancelImport(store.getState().imports[0]!.id);
    expect(await done).toBeNull();
    expect(store.getState().imports).toEqual([]);
  });

  it('a failure stays listed with its error', async () => {
    const store = makeStore();
    const done = store.getState().importModel({ url: offer.url, name: 'rgb.pt' });
    await tick();
    calls[0]!.reject(new AppError('E_FETCH', 'HTTP 404'));
    expect(await done).toBeNull();
    expect(store.getState().imports[0]).toMatchObject({ stage: 'error', error: { code: 'E_FETCH' } });
  });

  it('confirmed beforehand (the published checkpoints) or a file: no confirmation is asked', async () => {
    const store = makeStore();
    void store.getState().importModel({ url: offer.url, name: 'rgb.pt', confirmed: true });
    void store.getState().importModel({ file: new File(['x'], 'a.pt'), name: 'a.pt' });
    await tick();
    expect(calls.map((c) => c.confirm)).toEqual([undefined, undefined]);
    expect(calls[0]?.source).toEqual({ url: offer.url, name: 'rgb.pt' }); // `confirmed` is the page's business
    expect(store.getState().imports.map((i) => i.stage)).toEqual(['connecting', 'reading']);
  });
});
