/**
 * The inputs of a run and the output folder each gets.
 *
 * - Positional video files: `<out>/<name>`, then `<name>-2`, `<name>-3` … in argument order for later inputs of
 *   the same name; a folder that already holds another source's outputs is never taken.
 * - `--list FILE` (one path a line, or a CSV with a `path` column; `-` is stdin) and directories with
 *   `--recursive`: the output folder mirrors the path relative to the list's folder or the directory given.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';

export const VIDEO_EXTENSIONS = new Set(['mp4', 'mkv', 'webm', 'avi', 'mov', 'm4v', 'mpg', 'mpeg', 'flv', 'wmv', 'ogv', '3gp', 'ts', 'mts', 'm2ts', 'gif']);

export interface Input {
  /** Absolute path of the video. */
  path: string;
  /** The path as the user wrote it (or relative to the list / directory): what messages and index.csv show. */
  shown: string;
  /** Stable key for shards: the relative path for list and directory inputs, the path given otherwise. */
  key: string;
  /** Output folder relative to --out ('/'-separated). */
  outRel: string;
}

interface Candidate {
  path: string;
  shown: string;
  /** Relative path to mirror, or null for a positional file (named after its file name). */
  mirror: string | null;
}

const stripExt = (p: string) => p.slice(0, p.length - extname(p).length) || p;
const isVideo = (name: string) => VIDEO_EXTENSIONS.has(extname(name).slice(1).toLowerCase());
const posix = (p: string) => p.split(sep).join('/');

/** Splits one CSV record (RFC 4180 quotes). */
export function csvFields(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted && c === '"' && line[i + 1] === '"') {
      field += '"';
      i++;
    } else if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out;
}

/** The paths in a list file: one a line (blank lines and # comments skipped), or a CSV whose header has `path`. */
export function parseList(text: string): string[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  if (lines.length === 0) return [];
  const header = csvFields(lines[0]).map((h) => h.trim().toLowerCase());
  const column = header.indexOf('path');
  if (column < 0) return lines.map((l) => l.trim());
  return lines
    .slice(1)
    .map((l) => (csvFields(l)[column] ?? '').trim())
    .filter((p) => p !== '');
}

function walk(dir: string, skipDir: string, found: string[], skipped: { n: number }): void {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (p === skipDir) continue;
    const st = statSync(p);
    if (st.isDirectory()) walk(p, skipDir, found, skipped);
    else if (isVideo(name)) found.push(p);
    else skipped.n++;
  }
}

function candidates(positionals: string[], list: string | null, recursive: boolean, out: string, log: (line: string) => void): Candidate[] {
  const result: Candidate[] = [];
  if (list !== null) {
    const base = list === '-' ? process.cwd() : dirname(resolve(list));
    const text = readFileSync(list === '-' ? 0 : list, 'utf8');
    for (const entry of parseList(text)) {
      const path = resolve(base, entry);
      const rel = relative(base, path);
      const inside = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
      result.push({ path, shown: inside ? posix(rel) : entry, mirror: inside ? posix(rel) : null });
    }
  }
  for (const p of positionals) {
    const path = resolve(p);
    if (existsSync(path) && statSync(path).isDirectory()) {
      if (!recursive) throw new Error(`${p} is a directory: add --recursive to take the videos in it`);
      const found: string[] = [];
      const skipped = { n: 0 };
      walk(path, resolve(out), found, skipped);
      if (skipped.n > 0) log(`${p}: ${found.length} videos, ${skipped.n} other file${skipped.n === 1 ? '' : 's'} skipped`);
      for (const f of found) result.push({ path: f, shown: posix(relative(path, f)), mirror: posix(relative(path, f)) });
    } else result.push({ path, shown: p, mirror: null });
  }
  return result;
}

/** Reads meta.json's source.path in an existing output folder (null when there is none). */
export function folderSource(dir: string): string | null {
  try {
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as { source?: { path?: unknown } };
    return typeof meta.source?.path === 'string' ? meta.source.path : null;
  } catch {
    return null;
  }
}

/** Every input once (the same file given twice is one input), each with its own output folder. */
export function collectInputs(opts: { positionals: string[]; list: string | null; recursive: boolean; out: string }, log: (line: string) => void): Input[] {
  const out = resolve(opts.out);
  const taken = new Set<string>();
  const seen = new Set<string>();
  const inputs: Input[] = [];
  for (const c of candidates(opts.positionals, opts.list, opts.recursive, out, log)) {
    if (seen.has(c.path)) continue;
    seen.add(c.path);
    const stem = c.mirror !== null ? stripExt(c.mirror) : stripExt(basename(c.path));
    let outRel = stem;
    for (let n = 2; ; n++) {
      const source = c.mirror === null ? folderSource(join(out, outRel)) : null;
      if (!taken.has(outRel) && (source === null || source === c.path)) break;
      outRel = `${stem}-${n}`;
    }
    taken.add(outRel);
    inputs.push({ path: c.path, shown: c.shown, key: c.mirror ?? c.shown, outRel });
  }
  return inputs;
}
