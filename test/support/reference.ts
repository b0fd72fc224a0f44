/**
 * The PyTorch reference (tools/reference/*.py) as test fixtures: checkpoints, hostile files and
 * reference features are generated on demand under `.cache/reference/`, in a folder keyed on the
 * generating scripts' content (edit a script → fresh data). Safe to call from parallel test files:
 * one process generates, the others wait for it.
 *
 * Python: $I3D_PYTHON, else Debian's /usr/bin/python3 (which has python3-torch), else `python3`.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const REFERENCE_DIR = join(REPO_ROOT, 'tools/reference');
export const REFERENCE_CACHE = join(REPO_ROOT, '.cache/reference');

export function python(): string {
  if (process.env.I3D_PYTHON) return process.env.I3D_PYTHON;
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

async function sha256OfFiles(paths: readonly string[], extra: string): Promise<string> {
  const h = createHash('sha256');
  for (const p of paths) h.update(await readFile(p)).update('\0');
  h.update(extra);
  return h.digest('hex').slice(0, 16);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Remove older generations of the same data (`name-<oldkey>` next to `name-<key>`). */
async function removeStaleSiblings(dir: string): Promise<void> {
  const name = basename(dir);
  const prefix = name.slice(0, name.lastIndexOf('-') + 1);
  for (const other of await readdir(dirname(dir))) {
    if (other !== name && other.startsWith(prefix) && /^[0-9a-f]{16}$/.test(other.slice(prefix.length))) {
      await rm(join(dirname(dir), other), { recursive: true, force: true });
    }
  }
}

/**
 * `dir` with `.done` in it, produced once by `produce(tmpDir, finalDir)`. Concurrent callers wait
 * on a lock folder; a lock older than 15 minutes is considered abandoned.
 */
async function cached(dir: string, produce: (tmp: string, final: string) => Promise<void>, replacesOlder = false): Promise<string> {
  const done = join(dir, '.done');
  const lock = `${dir}.lock`;
  await mkdir(REFERENCE_CACHE, { recursive: true });
  for (;;) {
    if (existsSync(done)) return dir;
    try {
      await mkdir(lock);
    } catch {
      const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > 15 * 60_000) await rm(lock, { recursive: true, force: true });
      await sleep(250);
      continue;
    }
    try {
      if (existsSync(done)) return dir;
      const tmp = `${dir}.tmp-${process.pid}`;
      await rm(tmp, { recursive: true, force: true });
      await mkdir(tmp, { recursive: true });
      await produce(tmp, dir);
      await writeFile(join(tmp, '.done'), new Date().toISOString());
      await rm(dir, { recursive: true, force: true });
      await rename(tmp, dir);
      if (replacesOlder) await removeStaleSiblings(dir);
      return dir;
    } finally {
      await rm(lock, { recursive: true, force: true });
    }
  }
}

async function runPython(script: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run(python(), [join(REFERENCE_DIR, script), ...args], { maxBuffer: 64 << 20 });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${script} failed: ${err.stderr ?? err.message}`, { cause: e });
  }
}

export interface TensorDigest {
  shape: number[];
  /** torch dtype name: float32, float16, float64, int64, int32, uint8, int8, bool. */
  dtype: string;
  /** sha256 of the C-order bytes (float16/float64 as float32, bool as uint8). */
  sha256: string;
}

export type Flavour = 'zip' | 'legacy' | 'legacy03' | 'zip_module' | 'legacy03_module' | 'zip_p4' | 'legacy_p4';

export interface ReferenceCheckpoint {
  path: string;
  file: string;
  kind: 'i3d' | 'misc';
  modality?: 'rgb' | 'flow';
  in_channels?: number;
  classes?: number;
  divisor?: number;
  flavour: Flavour;
  format: 'zip' | 'legacy';
  prefixed: boolean;
  bytes: number;
  /** Keys without the `module.` prefix. */
  tensors: Record<string, TensorDigest>;
}

export interface CheckpointSet {
  dir: string;
  files: ReferenceCheckpoint[];
  /** The I3D checkpoint of this modality, class count and flavour (throws if absent). */
  i3d(modality: 'rgb' | 'flow', classes: 400 | 157, flavour?: Flavour): ReferenceCheckpoint;
  /** misc_<flavour>.pt (dtypes, strides, offsets, shared storages; `_p4`: pickle protocol 4); only in the slim set. */
  misc(flavour: 'zip' | 'legacy' | 'legacy03' | 'zip_p4' | 'legacy_p4'): ReferenceCheckpoint;
}

/**
 * Random-weight reference checkpoints: `divisor` 8 (default: slim, ~1 MB each, with `module.`
 * variants and misc files) or 1 (published size, ~50 MB each; takes a minute to make).
 */
export async function ensureCheckpoints(opts: { divisor?: 1 | 8 } = {}): Promise<CheckpointSet> {
  const divisor = opts.divisor ?? 8;
  const args = ['--divisors', String(divisor), '--threads', '2', ...(divisor === 8 ? [] : ['--no-misc'])];
  const key = await sha256OfFiles([join(REFERENCE_DIR, 'i3d.py'), join(REFERENCE_DIR, 'make_checkpoints.py')], args.join(' '));
  const dir = await cached(
    join(REFERENCE_CACHE, `checkpoints-d${divisor}-${key}`),
    async (tmp) => {
      await runPython('make_checkpoints.py', [tmp, ...args]);
    },
    true,
  );
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { files: Omit<ReferenceCheckpoint, 'path'>[] };
  const files = manifest.files.map((f) => ({ ...f, path: join(dir, f.file) }));
  const pick = (pred: (f: ReferenceCheckpoint) => boolean, what: string): ReferenceCheckpoint => {
    const f = files.find(pred);
    if (!f) throw new Error(`no reference checkpoint ${what} in ${dir}`);
    return f;
  };
  return {
    dir,
    files,
    i3d: (modality, classes, flavour = 'zip') =>
      pick((f) => f.kind === 'i3d' && f.modality === modality && f.classes === classes && f.flavour === flavour, `${modality} ${classes} ${flavour}`),
    misc: (flavour) => pick((f) => f.kind === 'misc' && f.flavour === flavour, `misc ${flavour}`),
  };
}

export interface BadFile {
  kind: 'payload' | 'resnet' | 'missing' | 'shape' | 'not_checkpoint';
  removed?: string[];
  key?: string;
}

export interface BadFileSet {
  dir: string;
  /** The file every payload would create (`touch`) if anything ever ran it. */
  marker: string;
  files: Record<string, BadFile>;
  path(name: string): string;
}

/**
 * Hostile and wrong files (os.system / posix.system / builtins.eval / builtins.exec payloads in raw,
 * legacy and zip form, a ResNet state dict, an I3D with a missing layer or a wrong shape). The
 * generator proves each payload does run under Python before writing it.
 */
export async function ensureBadFiles(): Promise<BadFileSet> {
  const key = await sha256OfFiles([join(REFERENCE_DIR, 'i3d.py'), join(REFERENCE_DIR, 'make_bad_files.py')], '');
  const dir = await cached(
    join(REFERENCE_CACHE, `bad-files-${key}`),
    async (tmp, final) => {
      await runPython('make_bad_files.py', [tmp, join(final, 'PAYLOAD-RAN')]);
    },
    true,
  );
  const index = JSON.parse(await readFile(join(dir, 'files.json'), 'utf8')) as { marker: string; files: Record<string, BadFile> };
  return { dir, marker: index.marker, files: index.files, path: (name) => join(dir, name) };
}

export interface FeaturePaths {
  fc: string;
  map: string;
  logits: string;
}

/** Run tools/reference/features.py: writes fc.npy, map.npy, logits.npy under `outDir`. */
export async function runReferenceFeatures(checkpoint: string, inputNpy: string, outDir: string, threads = 2): Promise<FeaturePaths> {
  await mkdir(outDir, { recursive: true });
  await runPython('features.py', [checkpoint, inputNpy, outDir, '--threads', String(threads)]);
  return { fc: join(outDir, 'fc.npy'), map: join(outDir, 'map.npy'), logits: join(outDir, 'logits.npy') };
}

/** Like `runReferenceFeatures`, cached under .cache/reference/ by the content of the scripts, checkpoint and input. */
export async function cachedReferenceFeatures(checkpoint: string, inputNpy: string): Promise<FeaturePaths> {
  const key = await sha256OfFiles([join(REFERENCE_DIR, 'i3d.py'), join(REFERENCE_DIR, 'features.py'), checkpoint, inputNpy], '');
  const dir = await cached(join(REFERENCE_CACHE, `features-${key}`), async (tmp) => {
    await runReferenceFeatures(checkpoint, inputNpy, tmp);
  });
  return { fc: join(dir, 'fc.npy'), map: join(dir, 'map.npy'), logits: join(dir, 'logits.npy') };
}

/**
 * Raw OpenCV TV-L1 flow (n−1, H, W, 2) of a video's canonical decode (tools/reference/flow_opencv.py), cached by
 * the script and video content; of its first `maxFrames` frames only, when given. TV-L1 of a pair does not depend
 * on the others, so a prefix serves shorter runs.
 */
export async function referenceFlow(video: string, threads = 2, maxFrames?: number): Promise<string> {
  const key = await sha256OfFiles([join(REFERENCE_DIR, 'flow_opencv.py'), video], maxFrames ? `max-frames ${maxFrames}` : '');
  const dir = await cached(join(REFERENCE_CACHE, `flow-${basename(video)}-${maxFrames ?? 'all'}-${key}`), async (tmp) => {
    const prefix = maxFrames ? ['--max-frames', String(maxFrames)] : [];
    await runPython('flow_opencv.py', ['--video', video, '--out', join(tmp, 'flow.npy'), '--threads', String(threads), ...prefix]);
  });
  return join(dir, 'flow.npy');
}

/**
 * The runs of the reference pipeline that stop early (`--max-frames` ≤ this) share one cached flow of the video's
 * first frames instead of the whole video's: OpenCV's TV-L1 is most of the reference's time (≈1.3 pairs/s here).
 */
export const REFERENCE_FLOW_PREFIX = 140;

/**
 * The one-pass reference pipeline (tools/reference/pipeline.py) on `video` with these arguments, cached by the
 * scripts, the video, the checkpoints and the arguments. Returns the output folder.
 */
export async function referencePipeline(video: string, args: { rgb?: string; flow?: string; extra?: string[] }): Promise<string> {
  const scripts = ['pipeline.py', 'features.py', 'i3d.py', 'flow_opencv.py'].map((s) => join(REFERENCE_DIR, s));
  const inputs = [video, ...(args.rgb ? [args.rgb] : []), ...(args.flow ? [args.flow] : [])];
  const argv = [...(args.rgb ? ['--rgb', args.rgb] : []), ...(args.flow ? ['--flow', args.flow] : []), ...(args.extra ?? [])];
  const key = await sha256OfFiles([...scripts, ...inputs], argv.map((a) => (a === args.rgb || a === args.flow ? basename(a) : a)).join(' '));
  // the cached flow matches only the native-rate decode
  const maxFrames = Number(argv[argv.indexOf('--max-frames') + 1]);
  const prefix = argv.includes('--max-frames') && maxFrames <= REFERENCE_FLOW_PREFIX ? REFERENCE_FLOW_PREFIX : undefined;
  const flowRaw = args.flow && !argv.includes('--fps') ? ['--flow-raw', await referenceFlow(video, 2, prefix)] : [];
  return cached(join(REFERENCE_CACHE, `pipeline-${key}`), async (tmp) => {
    await runPython('pipeline.py', [video, '--out', tmp, ...argv, ...flowRaw]);
  });
}
