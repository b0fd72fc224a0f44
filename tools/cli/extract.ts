/**
 * npm run extract -- VIDEO... --out DIR [--rgb CHECKPOINT.pt] [--flow CHECKPOINT.pt] [--fps F] [--max-frames N]
 *     [--backend auto|webgpu|wasm] [--dtype fp32|fp16|q8] [--streams rgb,flow] [--flow-mode float|jpeg8]
 *     [--chunk FRAMES] [--force]
 *
 * Runs the app itself (the built app, in headless Chromium) on each video and writes DIR/<video name>/:
 * rgb_fc.npy rgb_map.npy rgb_logits.npy flow_fc.npy flow_map.npy flow_logits.npy predictions.json meta.json
 * features.npz. A video whose folder is already complete is skipped unless --force. One failed video is
 * reported and the others go on; the exit status is 1 if any failed.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeError, ERROR_MESSAGES } from '../../src/errors';
import { MODEL_DTYPES, type ModelDtype } from '../../src/model/types';
import type { StreamName } from '../../src/pipeline/extract';
import type { ExtractSettings } from '../../src/bridge/pipeline';
import { openApp } from './lib/browser-app';

const USAGE =
  'usage: npm run extract -- VIDEO... --out DIR [--rgb MODEL.pt] [--flow MODEL.pt] [--fps F] [--max-frames N] [--backend auto|webgpu|wasm] [--dtype fp32|fp16|q8] [--streams rgb,flow] [--flow-mode float|jpeg8] [--chunk FRAMES] [--force]';

function positiveNumber(name: string, v: string | undefined, integer: boolean): number | null {
  if (v === undefined) return null;
  const n = Number(v);
  if (!(n > 0) || (integer && !Number.isInteger(n))) throw new Error(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got ${v}`);
  return n;
}

/** The folder is complete when meta.json lists files that are all there. */
function complete(dir: string): boolean {
  const metaPath = join(dir, 'meta.json');
  if (!existsSync(metaPath)) return false;
  try {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as { streams: Record<string, { files: Record<string, unknown> }> };
    const files = ['predictions.json', 'features.npz', ...Object.values(meta.streams).flatMap((s) => Object.keys(s.files))];
    return files.every((f) => existsSync(join(dir, f)));
  } catch {
    return false;
  }
}

/** A page call's error as "CODE: words (detail)": page.evaluate keeps only the message of the typed error it threw. */
function errorLine(e: unknown): string {
  const m = e instanceof Error ? /\b(E_[A-Z_]+): (.*)/.exec(e.message) : null;
  return m && m[1] in ERROR_MESSAGES ? `${m[1]}: ${m[2]}` : describeError(e);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      rgb: { type: 'string' },
      flow: { type: 'string' },
      fps: { type: 'string' },
      'max-frames': { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      dtype: { type: 'string', default: 'q8' },
      streams: { type: 'string' },
      'flow-mode': { type: 'string', default: 'float' },
      chunk: { type: 'string' },
      force: { type: 'boolean', default: false },
    },
  });
  if (positionals.length === 0 || !values.out) throw new Error(USAGE);
  const streams = (values.streams?.split(',') ?? [...(values.rgb ? ['rgb'] : []), ...(values.flow ? ['flow'] : [])]) as StreamName[];
  if (streams.length === 0 || streams.some((s) => s !== 'rgb' && s !== 'flow'))
    throw new Error('--streams must list rgb and/or flow (and give their --rgb/--flow checkpoints)');
  for (const s of streams) if (!values[s]) throw new Error(`the ${s} stream needs --${s} CHECKPOINT.pt`);
  if (!(MODEL_DTYPES as readonly string[]).includes(values.dtype as string)) throw new Error(`--dtype must be one of ${MODEL_DTYPES.join(', ')}`);
  const backend = values.backend as string;
  if (!['auto', 'webgpu', 'wasm'].includes(backend)) throw new Error('--backend must be auto, webgpu or wasm');
  const flowMode = values['flow-mode'];
  if (flowMode !== 'float' && flowMode !== 'jpeg8') throw new Error('--flow-mode must be float or jpeg8');
  const settings: ExtractSettings = {
    streams,
    models: {},
    dtype: values.dtype as ModelDtype,
    device: backend as ExtractSettings['device'],
    flowBackend: backend === 'wasm' ? 'cpu' : backend === 'webgpu' ? 'webgpu' : 'auto',
    fps: positiveNumber('fps', values.fps, false),
    maxFrames: positiveNumber('max-frames', values['max-frames'], true),
    flowMode,
    maxChunkFrames: positiveNumber('chunk', values.chunk, true) ?? 256,
  };
  const out = resolve(values.out);
  const todo = positionals.filter((v) => {
    const dir = join(out, basename(v).replace(/\.[^.]+$/, ''));
    if (!values.force && complete(dir)) {
      console.log(`${v}: already done (${dir}); --force recomputes`);
      return false;
    }
    return true;
  });
  if (todo.length === 0) return;

  const app = await openApp('/headless.html', { log: (line) => (line.startsWith('progress ') ? console.log(line.slice(9)) : undefined) });
  let failures = 0;
  try {
    const { page } = app;
    const checkpoints = streams.map((s) => resolve(values[s] as string));
    await page.setInputFiles('#models', checkpoints);
    const records = await page.evaluate((dtype) => window.headless.importModels(dtype), settings.dtype);
    streams.forEach((s, i) => {
      if (records[i].modality !== s) throw new Error(`${checkpoints[i]} is a ${records[i].modality} checkpoint, not ${s}`);
      settings.models[s] = records[i].id;
    });
    for (const video of todo) {
      const dir = join(out, basename(video).replace(/\.[^.]+$/, ''));
      const id = `cli-${Date.now()}`;
      const t0 = Date.now();
      try {
        await page.setInputFiles('#video', resolve(video));
        const summary = await page.evaluate(([i, s]) => window.headless.extract(i, s), [id, settings] as const);
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
        // meta.json last: its presence marks the folder complete
        const files = Object.keys(summary.files).sort((a, b) => Number(a === 'meta.json') - Number(b === 'meta.json'));
        for (const file of files) {
          const [download] = await Promise.all([page.waitForEvent('download'), page.evaluate(([i, f]) => window.headless.download(i, f), [id, file] as const)]);
          await download.saveAs(join(dir, file));
        }
        const top = summary.predictions.joint ?? summary.predictions.rgb ?? summary.predictions.flow;
        console.log(
          JSON.stringify({
            video,
            out: dir,
            frames: summary.meta.video.decodedFrames,
            steps: summary.meta.steps.length,
            seconds: (Date.now() - t0) / 1000,
            top1: top?.[0]?.name,
          }),
        );
      } catch (e) {
        failures++;
        console.error(`${video}: ${errorLine(e)}`);
      } finally {
        await page.evaluate((i) => window.headless.removeResult(i), id).catch(() => undefined);
      }
    }
  } finally {
    await app.close();
  }
  if (failures > 0) process.exit(1);
}

main().catch((e: unknown) => {
  console.error(describeError(e));
  process.exit(1);
});
