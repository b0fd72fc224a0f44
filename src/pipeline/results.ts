/**
 * What is under results/ in storage: one folder per extracted video (and bundles beside them), with its size and
 * the video it came from. Pure: the folders are read through OutputDir.
 */
import { isPart, type OutputDir } from '../io/output';
import type { VideoMetaJson } from './meta';
import { META_NAME } from './outputs';
import { RESUME_FILE } from './video';

/** One entry directly under results/, as storage lists it. */
export interface ResultEntry {
  id: string;
  /** Bytes of all its files (a folder's, counted through its subfolders). */
  bytes: number;
  /** A results folder (false: a file such as a bundle). */
  folder: boolean;
}

export interface ResultInfo extends ResultEntry {
  /** The video's file name (meta.json `source.name`, or an interrupted run's record); the entry's id when unknown. */
  name: string;
  /**
   * A finished video's folder (it has meta.json; false for an interrupted or failed run's leftovers), or a
   * finished file (false for a temporary file: a bundle whose writing stopped).
   */
  complete: boolean;
}

async function readText(dir: OutputDir, name: string): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of dir.read(name)) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

/** The name of the video whose results `dir` holds, and whether they are complete. */
export async function describeFolder(dir: OutputDir): Promise<{ name: string | null; complete: boolean }> {
  const files = await dir.list();
  if (files.includes(META_NAME)) {
    try {
      const meta = JSON.parse(await readText(dir, META_NAME)) as Partial<VideoMetaJson>;
      return { name: typeof meta.source?.name === 'string' ? meta.source.name : null, complete: true };
    } catch {
      return { name: null, complete: true };
    }
  }
  if (files.includes(RESUME_FILE)) {
    try {
      // an interrupted run: its record's key names the source (see job.ts resumeKey)
      const record = JSON.parse(await readText(dir, RESUME_FILE)) as { key?: string };
      const key = JSON.parse(record.key ?? '{}') as { source?: unknown[] };
      return { name: typeof key.source?.[0] === 'string' ? key.source[0] : null, complete: false };
    } catch {
      return { name: null, complete: false };
    }
  }
  return { name: null, complete: false };
}

/** Every entry with its video's name; newest storage order is kept (as listed). */
export async function describeResults(entries: readonly ResultEntry[], folder: (id: string) => Promise<OutputDir>): Promise<ResultInfo[]> {
  const out: ResultInfo[] = [];
  for (const e of entries) {
    if (!e.folder) {
      out.push({ ...e, name: e.id, complete: !isPart(e.id) });
      continue;
    }
    const { name, complete } = await describeFolder(await folder(e.id));
    out.push({ ...e, name: name ?? e.id, complete });
  }
  return out;
}
