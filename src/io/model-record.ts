/** What the app keeps about an imported model, and the stages of an import (pure types; storage is ./model-store.ts). */
import type { I3dInfo, ModelDtype } from '../model/types';

export interface ModelRecord {
  id: string;
  /** File name (or URL tail) it was imported from. */
  name: string;
  modality: I3dInfo['modality'];
  classes: number;
  inChannels: number;
  widthDivisor: number;
  checkpointFormat: string;
  sourceBytes: number;
  sourceSha256: string;
  importedAt: string;
  /** Sizes of the ONNX models built so far, by dtype. */
  variants: Partial<Record<ModelDtype, number>>;
}

/** `connecting`/`downloading`: URL imports only (before `reading`). */
export type ImportStage = 'connecting' | 'downloading' | 'reading' | 'checking' | 'storing' | 'converting' | 'done';

/** What a URL import asks the user before reading the body: where from and how large (null: the server did not say). */
export interface DownloadOffer {
  url: string;
  host: string;
  /** The host that answered, when a redirect led elsewhere. */
  redirectedTo?: string;
  total: number | null;
}

/** Bytes of a URL import's body read so far (`total`: the declared size, null when unknown). */
export interface DownloadProgress {
  received: number;
  total: number | null;
}

/** Told each stage of an import; `progress` with `downloading`. */
export type ImportStageListener = (stage: ImportStage, progress?: DownloadProgress) => void;

/** Asked once a URL import's response headers are in, before its body is read: true downloads, false cancels. */
export type ConfirmDownload = (offer: DownloadOffer) => Promise<boolean>;

/** The stored models as a job uses them (implemented by ./model-store.ts on OPFS). */
export interface StoredModels {
  list(): Promise<ModelRecord[]>;
  get(id: string): Promise<ModelRecord>;
  /** Stores a new model (checkpoint, one converted variant, then the record); `abort` is called between steps. */
  save(record: ModelRecord, source: Blob, variant: () => Uint8Array, onStage: (s: ImportStage) => void, abort: () => void): Promise<void>;
  source(id: string): Promise<Blob>;
  variant(id: string, dtype: ModelDtype): Promise<Uint8Array | null>;
  saveVariant(id: string, dtype: ModelDtype, onnx: Uint8Array): Promise<void>;
  remove(id: string): Promise<void>;
}
