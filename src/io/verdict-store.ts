/**
 * WebGPU verification verdicts (../model/verify.ts) in OPFS, one small JSON file per adapter/model/version:
 *   gpu-verdicts/<sha256 of the key>.json
 * One file per key, so two workers checking different models never overwrite each other's verdicts. Runs in a
 * worker (OPFS writes use synchronous access handles). A verdict that cannot be read or written is treated as
 * missing: the check runs again.
 */
import type { StoredVerdict, VerdictStore } from '../model/verify';
import { OpfsDir, opfsDir, opfsReadText } from './opfs';
import { sha256Hex } from './sha256';

export const VERDICT_FOLDER = 'gpu-verdicts';

const fileName = async (key: string) => `${(await sha256Hex(new TextEncoder().encode(key))).slice(0, 32)}.json`;

export class OpfsVerdictStore implements VerdictStore {
  async get(key: string): Promise<StoredVerdict | null> {
    try {
      const text = await opfsReadText(await opfsDir(VERDICT_FOLDER), await fileName(key));
      if (!text) return null;
      const stored = JSON.parse(text) as StoredVerdict & { key?: string };
      return stored.key === key ? stored : null;
    } catch {
      return null;
    }
  }

  async put(key: string, verdict: StoredVerdict): Promise<void> {
    const dir = new OpfsDir(await opfsDir(VERDICT_FOLDER));
    await dir.writeBytes(await fileName(key), new TextEncoder().encode(JSON.stringify({ key, ...verdict })));
  }
}
