/**
 * What a drop or a picker hands the app, sorted (pure: no DOM, runs in Node for the tests): the videos ffmpeg can
 * open, the model checkpoints, and a count of everything else. Folders are walked through a small entry interface
 * that the browser's FileSystemEntry tree (./intake-dom.ts) and the tests' fakes both implement.
 */

/** File extensions ffmpeg.wasm opens as a video (GIF included: it decodes to frames). */
export const VIDEO_EXTENSIONS = ['mp4', 'mkv', 'webm', 'avi', 'mov', 'm4v', 'mpg', 'mpeg', 'flv', 'wmv', 'ogv', '3gp', 'ts', 'mts', 'm2ts', 'gif'] as const;

const extension = (name: string) => /\.([^./\\]+)$/.exec(name)?.[1]?.toLowerCase() ?? '';

export const isVideoName = (name: string): boolean => (VIDEO_EXTENSIONS as readonly string[]).includes(extension(name));

export const isCheckpointName = (name: string): boolean => /\.(pt|pth)$/i.test(name);

/** The `accept` attribute of the file pickers: the same list as the drop. */
export const VIDEO_ACCEPT = ['video/*', ...VIDEO_EXTENSIONS.map((e) => `.${e}`)].join(',');

/** What a drop or a picker handed over: files chosen one by one, and files found inside chosen folders. */
export interface Intake<F> {
  chosen: F[];
  inFolders: F[];
  /** Files or folders the browser could not read. */
  unreadable: number;
}

export interface Sorted<F> {
  videos: F[];
  checkpoints: F[];
  /** How many other files (documents, images, subtitles …) were left out, unreadable ones included. */
  skipped: number;
}

/**
 * Splits an intake into videos, checkpoints and the rest, keeping the order. A file the user chose by itself is
 * taken as a video whatever its name (if it is not one, its queue entry says so, as before); inside a folder only
 * the video extensions count, and the other files are skipped (counted, not queued). Checkpoints go to the model
 * import from anywhere.
 */
export function sortIntake<F extends { name: string }>({ chosen, inFolders, unreadable }: Intake<F>): Sorted<F> {
  const out: Sorted<F> = { videos: [], checkpoints: [], skipped: unreadable };
  for (const f of chosen) (isCheckpointName(f.name) ? out.checkpoints : out.videos).push(f);
  for (const f of inFolders) {
    if (isCheckpointName(f.name)) out.checkpoints.push(f);
    else if (isVideoName(f.name)) out.videos.push(f);
    else out.skipped++;
  }
  return out;
}

/** One node of a dropped tree: a file (read on demand) or a directory (listed on demand). */
export type IntakeEntry<F> = { kind: 'file'; name: string; file(): Promise<F> } | { kind: 'directory'; name: string; entries(): Promise<IntakeEntry<F>[]> };

/**
 * Reads dropped entries: top-level files are `chosen`, everything under a top-level folder (depth first, each
 * folder's children in name order: a folder listing has no order of its own) is `inFolders`. Hidden files and
 * folders inside a folder (".DS_Store", ".git") are left out and not counted; an unreadable file or folder counts
 * as one unreadable entry and the walk goes on.
 */
export async function walkEntries<F>(roots: Iterable<IntakeEntry<F>>): Promise<Intake<F>> {
  const out: Intake<F> = { chosen: [], inFolders: [], unreadable: 0 };
  const visit = async (entry: IntakeEntry<F>, top: boolean): Promise<void> => {
    if (!top && entry.name.startsWith('.')) return;
    try {
      if (entry.kind === 'file') {
        (top ? out.chosen : out.inFolders).push(await entry.file());
        return;
      }
      const children = (await entry.entries()).sort((a, b) => byName(a.name, b.name));
      for (const child of children) await visit(child, false);
    } catch {
      out.unreadable++;
    }
  };
  for (const root of roots) await visit(root, true);
  return out;
}

/** Name order as a person expects it ("clip2" before "clip10"). */
export const byName = (a: string, b: string): number => a.localeCompare(b, undefined, { numeric: true });

/** "12 videos added, 3 other files skipped" (null when nothing was skipped: then there is nothing to say). */
export function intakeNotice(added: number, skipped: number): string | null {
  if (skipped === 0) return null;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(added, 'video')} added, ${plural(skipped, 'other file')} skipped`;
}

/**
 * The files of a folder chosen with the folder picker (each with its path under that folder), as `inFolders`:
 * in path order, hidden files and folders left out as in a dropped folder.
 */
export function pickedFolder<F extends { name: string; webkitRelativePath: string }>(files: Iterable<F>): Intake<F> {
  const visible = [...files].filter((f) => !(f.webkitRelativePath || f.name).split('/').some((part, i) => i > 0 && part.startsWith('.')));
  return { chosen: [], inFolders: visible.sort((a, b) => comparePaths(a.webkitRelativePath || a.name, b.webkitRelativePath || b.name)), unreadable: 0 };
}

/** Depth-first path order, as walkEntries visits a tree: "a/b/x" before "a/c", folders and files by name. */
function comparePaths(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const c = byName(pa[i] as string, pb[i] as string);
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
}
