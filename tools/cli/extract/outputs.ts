/**
 * Output folders are whole or absent: every file is written under a temporary name and renamed when complete,
 * meta.json last. meta.json's `outputs` lists the size and sha256 of every other file, the settings, the models'
 * checkpoint sha256 and the app version; a folder is complete when all of that still holds.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StreamName } from '../../../src/pipeline/extract';
import type { RunSettings } from './args';

export const TMP_SUFFIX = '.tmp';

export interface OutputsRecord {
  /** package.json's version of the app that made the folder. */
  version: string;
  settings: RunSettings;
  /** sha256 of each stream's checkpoint file. */
  models: Partial<Record<StreamName, string>>;
  files: Record<string, { bytes: number; sha256: string }>;
}

export interface Expected {
  settings: RunSettings;
  models: Partial<Record<StreamName, string>>;
}

export const sha256File = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

const show = (v: unknown) => (Array.isArray(v) ? v.join(',') : String(v));
/**
 * The settings that change the features. Not the chunk length: the chunk plan is exact for any length
 * (src/pipeline/geometry.ts), so a folder made with another one (e.g. another machine's memory budget) stays.
 */
const SETTING_FLAGS: Record<Exclude<keyof RunSettings, 'chunk'>, string> = {
  streams: 'streams',
  dtype: 'dtype',
  backend: 'backend',
  fps: 'fps',
  maxFrames: 'max-frames',
  flowMode: 'flow-mode',
};

/** What meta.json says about the folder's outputs, or why it cannot be read. */
export function readOutputs(dir: string): { meta: Record<string, unknown>; outputs: OutputsRecord } | string {
  let meta: Record<string, unknown>;
  try {
    meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return 'meta.json is unreadable';
  }
  const outputs = meta.outputs as OutputsRecord | undefined;
  if (!outputs?.files || !outputs.settings) return 'meta.json lists no file checksums (an older run)';
  return { meta, outputs };
}

/**
 * Why `dir` is not a complete output for `expected` (null when it is complete). Nothing there at all is
 * `absent`: the video was never done, nothing to explain. Without `expected` only the files are checked.
 */
export function incompleteReason(dir: string, expected: Expected | null, verify: boolean): string | null | 'absent' {
  if (!existsSync(dir)) return 'absent';
  const names = readdirSync(dir);
  if (!names.includes('meta.json')) return names.length === 0 ? 'absent' : 'no meta.json: an interrupted run';
  const leftover = names.find((n) => n.endsWith(TMP_SUFFIX));
  if (leftover) return `temporary file ${leftover} left over: an interrupted run`;
  const read = readOutputs(dir);
  if (typeof read === 'string') return read;
  const { outputs } = read;
  if (expected) {
    const changed = (Object.keys(SETTING_FLAGS) as (keyof typeof SETTING_FLAGS)[])
      .filter((k) => show(outputs.settings[k]) !== show(expected.settings[k]))
      .map((k) => `${SETTING_FLAGS[k]} ${show(outputs.settings[k])} → ${show(expected.settings[k])}`);
    if (changed.length > 0) return `settings changed: ${changed.join(', ')}`;
    const models = expected.settings.streams
      .filter((s) => outputs.models[s] !== expected.models[s])
      .map((s) => `${s} ${outputs.models[s]?.slice(0, 12) ?? 'none'} → ${expected.models[s]?.slice(0, 12)}`);
    if (models.length > 0) return `models changed: ${models.join(', ')}`;
  }
  for (const [name, want] of Object.entries(outputs.files)) {
    const path = join(dir, name);
    if (!existsSync(path)) return `${name} is missing`;
    const bytes = statSync(path).size;
    if (bytes !== want.bytes) return `${name} has ${bytes} bytes, meta.json says ${want.bytes}`;
    if (verify && sha256File(path) !== want.sha256) return `${name} does not match its sha256`;
  }
  return null;
}

/** Makes `dir` incomplete before it is rewritten: meta.json first, then temporary files left by a killed run. */
export function invalidate(dir: string): void {
  if (!existsSync(dir)) return;
  rmSync(join(dir, 'meta.json'), { force: true });
  for (const name of readdirSync(dir)) if (name.endsWith(TMP_SUFFIX)) rmSync(join(dir, name), { force: true });
}

/** Renames `name`'s temporary file into place (call when it is completely written). */
export function commit(dir: string, name: string): void {
  renameSync(join(dir, name + TMP_SUFFIX), join(dir, name));
}

/** Writes meta.json (temporary name, then renamed): the app's meta plus `source.path` and `outputs`. */
export function writeMeta(dir: string, appMeta: Record<string, unknown>, sourcePath: string, outputs: Omit<OutputsRecord, 'files'>, files: string[]): void {
  const record: OutputsRecord = { ...outputs, files: {} };
  for (const f of files.filter((n) => n !== 'meta.json').sort()) record.files[f] = { bytes: statSync(join(dir, f)).size, sha256: sha256File(join(dir, f)) };
  // files an earlier run with other settings made (e.g. another stream's arrays) go, so the folder holds one result
  for (const name of readdirSync(dir)) if (!(name in record.files) && /\.(npy|npz|json)$/.test(name)) rmSync(join(dir, name), { force: true });
  const source = { ...(appMeta.source as Record<string, unknown> | undefined), path: sourcePath };
  // the page's own list of checksums is replaced by `outputs.files`, made from the files on this disk
  const { checksums: _, ...rest } = appMeta;
  writeFileSync(join(dir, 'meta.json' + TMP_SUFFIX), JSON.stringify({ ...rest, source, outputs: record }, null, 2) + '\n');
  commit(dir, 'meta.json');
}
