/**
 * `--h5 FILE`: the whole dataset in one HDF5 file, written with h5wasm at the end of a run (or by `merge`) from the
 * complete output folders on disk, so a resumed run includes the videos done before.
 *
 * One group per video, named after its output folder relative to --out (`a/clip` is group `clip` in group `a`, as
 * on disk), holding `rgb_fc`, `rgb_logits` (and `rgb_map` with --h5-map), the same for flow, `step_frames` and
 * `step_times` (T′, 3: the first, centre and last frame of each step's receptive window, from meta.json `steps`) and
 * attributes: source_path, source_name, frames, fps, steps, streams, dtype, settings (JSON), app_version and each
 * stream's <stream>_model_sha256 (of its checkpoint file). The root lists the groups in `videos` and carries
 * `format` and the writer's `app_version`. The file is written under a temporary name and renamed.
 */
import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Dataset, Group } from 'h5wasm';
import { decodeNpy, type NpyArray, type NpyDtype } from '../../../src/io/npy';
import type { StepWindow } from '../../../src/pipeline/meta';
import type { IndexRow } from './index-csv';
import { readOutputs } from './outputs';

export const H5_FORMAT = 'i3d-features-h5/1';

/** One video: its group name and its complete output folder. */
export interface H5Entry {
  group: string;
  dir: string;
}

export interface H5Options {
  /** Also the `*_map` arrays (T′ × 7 × 7 × 1024 each: big). */
  maps: boolean;
  /** The version of the app writing the file (root attribute). */
  version: string;
  /** Largest array written in one call; bigger ones are written in slices of rows (bounds WebAssembly memory). */
  sliceBytes?: number;
}

const H5_DTYPES: Partial<Record<NpyDtype, string>> = { '<f4': '<f', '<f8': '<d', '<i4': '<i', '<i8': '<q' };
const DEFAULT_SLICE_BYTES = 64 << 20;
const CHUNK_BYTES = 1 << 20;

/** Writes one array: in one call, or (bigger than `sliceBytes`) as a chunked dataset filled a slice of rows at a time. */
export function writeArray(group: Group, name: string, a: NpyArray, sliceBytes: number): void {
  const dtype = H5_DTYPES[a.dtype];
  if (!dtype) throw new Error(`${name}: dtype ${a.dtype} is not written to HDF5`);
  const [rows, ...rest] = a.shape;
  const rowValues = rest.reduce((x, y) => x * y, 1);
  const rowBytes = rowValues * a.data.BYTES_PER_ELEMENT;
  const perSlice = Math.max(1, Math.floor(sliceBytes / rowBytes));
  if (rows <= perSlice) {
    group.create_dataset({ name, data: a.data, shape: a.shape, dtype });
    return;
  }
  const chunkRows = Math.max(1, Math.min(perSlice, Math.floor(CHUNK_BYTES / rowBytes)));
  const ds: Dataset = group.create_dataset({
    name,
    data: a.data.subarray(0, perSlice * rowValues),
    shape: [perSlice, ...rest],
    maxshape: [null, ...rest],
    chunks: [chunkRows, ...rest],
    dtype,
  });
  ds.resize(a.shape);
  for (let r = perSlice; r < rows; r += perSlice) {
    const end = Math.min(rows, r + perSlice);
    ds.write_slice([[r, end]], a.data.subarray(r * rowValues, end * rowValues));
  }
}

/** The group at `path` ('/'-separated), creating the groups on the way. */
function groupAt(root: Group, path: string): Group {
  let g = root;
  for (const name of path.split('/').filter(Boolean)) g = (g.get(name) as Group | null) ?? g.create_group(name);
  return g;
}

interface FolderMeta {
  source: { name?: string; path?: string };
  video: { decodedFrames: number; fps: number };
  steps: StepWindow[];
}

/** One video's group: its arrays (read from the .npy files) and attributes (from meta.json). */
function writeVideo(root: Group, entry: H5Entry, o: Required<H5Options>): void {
  const read = readOutputs(entry.dir);
  if (typeof read === 'string') throw new Error(`${entry.dir}: ${read}`);
  const meta = read.meta as unknown as FolderMeta;
  const { outputs } = read;
  const g = groupAt(root, entry.group);
  const kinds = o.maps ? ['fc', 'logits', 'map'] : ['fc', 'logits'];
  for (const s of outputs.settings.streams)
    for (const k of kinds) {
      const file = `${s}_${k}.npy`;
      if (!(file in outputs.files)) throw new Error(`${entry.dir}: ${file} is not among its outputs`);
      writeArray(g, `${s}_${k}`, decodeNpy(new Uint8Array(readFileSync(join(entry.dir, file)))), o.sliceBytes);
    }
  const windows = meta.steps;
  const frames = Int32Array.from(windows.flatMap((w) => [w.firstFrame, w.centerFrame, w.lastFrame]));
  const times = Float64Array.from(windows.flatMap((w) => [w.firstTime, w.centerTime, w.lastTime]));
  if (windows.length > 0) {
    g.create_dataset({ name: 'step_frames', data: frames, shape: [windows.length, 3], dtype: '<i' });
    g.create_dataset({ name: 'step_times', data: times, shape: [windows.length, 3], dtype: '<d' });
  }
  g.create_attribute('source_path', meta.source.path ?? '');
  g.create_attribute('source_name', meta.source.name ?? '');
  g.create_attribute('frames', meta.video.decodedFrames, null, '<i');
  g.create_attribute('fps', meta.video.fps, null, '<d');
  g.create_attribute('steps', windows.length, null, '<i');
  g.create_attribute('streams', outputs.settings.streams);
  g.create_attribute('dtype', outputs.settings.dtype);
  g.create_attribute('settings', JSON.stringify(outputs.settings));
  g.create_attribute('app_version', outputs.version);
  for (const s of outputs.settings.streams) g.create_attribute(`${s}_model_sha256`, outputs.models[s] ?? '');
}

/** Writes `path` (temporary name, then renamed) with one group per entry; the number of groups written. */
export async function writeH5(path: string, entries: readonly H5Entry[], options: H5Options): Promise<number> {
  const o: Required<H5Options> = { sliceBytes: DEFAULT_SLICE_BYTES, ...options };
  const h5wasm = (await import('h5wasm/node')).default;
  await h5wasm.ready;
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const file = new h5wasm.File(tmp, 'w');
  if (file.file_id < 0n) throw new Error(`cannot create ${tmp}`);
  try {
    file.create_attribute('format', H5_FORMAT);
    file.create_attribute('app_version', o.version);
    file.create_attribute('groups', entries.length, null, '<i');
    if (entries.length > 0) file.create_dataset({ name: 'videos', data: entries.map((e) => e.group) });
    for (const e of entries) writeVideo(file, e, o);
  } catch (e) {
    file.close();
    rmSync(tmp, { force: true });
    throw e;
  }
  file.close();
  renameSync(tmp, path);
  return entries.length;
}

/**
 * --h5 at the end of a run or a merge: every complete input of `rows` (done, or skipped as already done) in
 * `file`. Says how many groups were written; false (and says why) when the file could not be written.
 */
export async function writeRunH5(
  file: string,
  h5: { maps: boolean; version: string },
  out: string,
  rows: readonly IndexRow[],
  log: (line: string) => void,
): Promise<boolean> {
  const complete = rows.filter((r) => r.status === 'done' || r.status === 'skipped');
  try {
    const n = await writeH5(
      file,
      complete.map((r) => ({ group: r.out, dir: join(out, r.out) })),
      h5,
    );
    const left = rows.length - complete.length;
    log(`${file}: ${n} video group${n === 1 ? '' : 's'} written${left > 0 ? ` (${left} input${left === 1 ? '' : 's'} not done left out)` : ''}`);
    return true;
  } catch (e) {
    log(`${file}: could not write the HDF5 file (${e instanceof Error ? e.message : String(e)})`);
    return false;
  }
}
