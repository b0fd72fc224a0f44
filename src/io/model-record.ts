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

export type ImportStage = 'reading' | 'checking' | 'storing' | 'converting' | 'done';

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
