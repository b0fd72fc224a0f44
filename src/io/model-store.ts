/**
 * Imported checkpoints in OPFS (storage only: reading and converting checkpoints is ../model/convert.ts):
 *   models/<id>/source.pt   models/<id>/<dtype>.onnx   models/<id>/record.json
 * record.json is written last, so a folder without it is an import that never finished. Runs in a worker
 * (OPFS writes use synchronous access handles).
 */
import { AppError } from '../errors';
import type { ModelDtype } from '../model/types';
import type { ImportStage, ModelRecord, StoredModels } from './model-record';
import { OpfsDir, opfsDir, opfsReadText, opfsRemove } from './opfs';
import { fillFile } from './output';

export type { ImportStage, ModelRecord };

async function writeBlob(dir: OpfsDir, name: string, blob: Blob): Promise<void> {
  const step = 4 << 20;
  // (on a full disk the file is let go, so its folder can be removed)
  await fillFile(await dir.create(name), async (f) => {
    for (let off = 0; off < blob.size; off += step) await f.write(new Uint8Array(await blob.slice(off, off + step).arrayBuffer()));
  });
}

async function readAll(dir: OpfsDir, name: string): Promise<Uint8Array> {
  const file = await (await dir.handle.getFileHandle(name)).getFile();
  return new Uint8Array(await file.arrayBuffer());
}

const recordBytes = (r: ModelRecord) => new TextEncoder().encode(JSON.stringify(r));

export class ModelStore implements StoredModels {
  /** Folders being written (no record yet, and not to be taken for abandoned ones). */
  private readonly writing = new Set<string>();

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
      else if (!this.writing.has(id)) await opfsRemove('models', id); // an import that never finished
    }
    return out.sort((a, b) => a.importedAt.localeCompare(b.importedAt));
  }

  async get(id: string): Promise<ModelRecord> {
    const text = await opfsReadText(await opfsDir('models', id), 'record.json');
    if (!text) throw new AppError('E_MODEL_MISSING', `model ${id} is not in storage`);
    return JSON.parse(text) as ModelRecord;
  }

  /**
   * Stores a new model: its checkpoint, one converted variant, then the record. `abort` is checked between the
   * steps; a failure or an abort leaves nothing behind.
   */
  async save(record: ModelRecord, source: Blob, variant: () => Uint8Array, onStage: (s: ImportStage) => void, abort: () => void): Promise<void> {
    const [dtype] = Object.keys(record.variants) as ModelDtype[];
    this.writing.add(record.id);
    try {
      onStage('storing');
      const dir = await this.dir(record.id);
      await writeBlob(dir, 'source.pt', source);
      abort();
      onStage('converting');
      const onnx = variant();
      abort();
      await dir.writeBytes(`${dtype}.onnx`, onnx);
      await dir.writeBytes('record.json', recordBytes({ ...record, variants: { [dtype]: onnx.byteLength } }));
    } catch (e) {
      await opfsRemove('models', record.id).catch(() => undefined);
      throw e;
    } finally {
      this.writing.delete(record.id);
    }
  }

  /** The stored checkpoint. */
  async source(id: string): Promise<Blob> {
    return (await (await this.dir(id)).handle.getFileHandle('source.pt')).getFile();
  }

  /** The stored ONNX model of `dtype`, or null when it has not been built yet. */
  async variant(id: string, dtype: ModelDtype): Promise<Uint8Array | null> {
    const record = await this.get(id);
    return record.variants[dtype] ? readAll(await this.dir(id), `${dtype}.onnx`) : null;
  }

  /** Adds a built variant to a stored model. */
  async saveVariant(id: string, dtype: ModelDtype, onnx: Uint8Array): Promise<void> {
    const record = await this.get(id);
    const dir = await this.dir(id);
    await dir.writeBytes(`${dtype}.onnx`, onnx);
    await dir.writeBytes('record.json', recordBytes({ ...record, variants: { ...record.variants, [dtype]: onnx.byteLength } }));
  }

  async remove(id: string): Promise<void> {
    await opfsRemove('models', id);
  }
}
