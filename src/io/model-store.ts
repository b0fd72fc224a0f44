/**
 * Imported checkpoints in OPFS: the user's .pt (kept, so any dtype can be built later), the ONNX models built
 * from it (one per dtype, built on first use) and a record describing them.
 *   models/<id>/source.pt   models/<id>/<dtype>.onnx   models/<id>/record.json
 * Runs in a worker (OPFS writes use synchronous access handles).
 */
import { AppError } from '../errors';
import { inspectI3d, loadStateDict } from '../model/checkpoint';
import { buildI3dOnnx } from '../model/graph/i3d-graph';
import { fromBlob } from '../model/pickle';
import type { I3dInfo, ModelDtype, StateDict } from '../model/types';
import { OpfsDir, opfsDir, opfsReadText, opfsRemove } from './opfs';

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

async function sha256Hex(blob: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function writeBlob(dir: OpfsDir, name: string, blob: Blob): Promise<void> {
  const f = await dir.create(name);
  const step = 4 << 20;
  for (let off = 0; off < blob.size; off += step) await f.write(new Uint8Array(await blob.slice(off, off + step).arrayBuffer()));
  await f.close();
}

async function readAll(dir: OpfsDir, name: string): Promise<Uint8Array> {
  const file = await (await dir.handle.getFileHandle(name)).getFile();
  return new Uint8Array(await file.arrayBuffer());
}

export class ModelStore {
  /** Imports in progress (their folders have no record yet and must not be taken for abandoned ones). */
  private readonly importing = new Map<string, Promise<ModelRecord>>();

  private async dir(id: string): Promise<OpfsDir> {
    return new OpfsDir(await opfsDir('models', id));
  }

  async list(): Promise<ModelRecord[]> {
    const root = await opfsDir('models');
    const out: ModelRecord[] = [];
    for await (const [id, handle] of (root as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
      if (handle.kind !== 'directory') continue;
      const text = await opfsReadText(handle as FileSystemDirectoryHandle, 'record.json');
      if (text) out.push(JSON.parse(text) as ModelRecord);
      else if (!this.importing.has(id)) await opfsRemove('models', id); // an import that never finished
    }
    return out.sort((a, b) => a.importedAt.localeCompare(b.importedAt));
  }

  async get(id: string): Promise<ModelRecord> {
    const text = await opfsReadText(await opfsDir('models', id), 'record.json');
    if (!text) throw new AppError('E_MODEL_MISSING', `model ${id} is not in storage`);
    return JSON.parse(text) as ModelRecord;
  }

  /** Checks, stores and converts a checkpoint; a failure leaves nothing behind. */
  async importCheckpoint(blob: Blob, name: string, dtype: ModelDtype, onStage?: (s: ImportStage) => void): Promise<ModelRecord> {
    onStage?.('reading');
    const { stateDict, format } = await loadStateDict(fromBlob(blob));
    onStage?.('checking');
    const info = inspectI3d(stateDict);
    const sha = await sha256Hex(blob);
    const id = sha.slice(0, 16);
    const running = this.importing.get(id);
    if (running) return running; // the same checkpoint twice at once
    const done = this.store(id, sha, blob, name, dtype, stateDict, info, format, onStage);
    this.importing.set(id, done);
    try {
      return await done;
    } finally {
      this.importing.delete(id);
    }
  }

  private async store(
    id: string,
    sha: string,
    blob: Blob,
    name: string,
    dtype: ModelDtype,
    stateDict: StateDict,
    info: I3dInfo,
    format: string,
    onStage?: (s: ImportStage) => void,
  ): Promise<ModelRecord> {
    try {
      onStage?.('storing');
      const dir = await this.dir(id);
      await writeBlob(dir, 'source.pt', blob);
      onStage?.('converting');
      const onnx = buildI3dOnnx(stateDict, info, { dtype, sourceSha256: sha });
      await dir.writeBytes(`${dtype}.onnx`, onnx);
      const record: ModelRecord = {
        id,
        name,
        modality: info.modality,
        classes: info.numClasses,
        inChannels: info.inChannels,
        widthDivisor: info.widthDivisor,
        checkpointFormat: format,
        sourceBytes: blob.size,
        sourceSha256: sha,
        importedAt: new Date().toISOString(),
        variants: { [dtype]: onnx.byteLength },
      };
      await dir.writeBytes('record.json', new TextEncoder().encode(JSON.stringify(record)));
      onStage?.('done');
      return record;
    } catch (e) {
      await opfsRemove('models', id).catch(() => undefined);
      throw e;
    }
  }

  /** The ONNX model of `dtype`, built from the stored checkpoint the first time it is asked for. */
  async modelBytes(id: string, dtype: ModelDtype): Promise<{ bytes: Uint8Array; record: ModelRecord }> {
    const record = await this.get(id);
    const dir = await this.dir(id);
    if (record.variants[dtype]) return { bytes: await readAll(dir, `${dtype}.onnx`), record };
    const source = await (await dir.handle.getFileHandle('source.pt')).getFile();
    const { stateDict } = await loadStateDict(fromBlob(source));
    const onnx = buildI3dOnnx(stateDict, inspectI3d(stateDict), { dtype, sourceSha256: record.sourceSha256 });
    await dir.writeBytes(`${dtype}.onnx`, onnx);
    const next: ModelRecord = { ...record, variants: { ...record.variants, [dtype]: onnx.byteLength } };
    await dir.writeBytes('record.json', new TextEncoder().encode(JSON.stringify(next)));
    return { bytes: onnx, record: next };
  }

  async remove(id: string): Promise<void> {
    await opfsRemove('models', id);
  }
}
