/**
 * npm run features -- --model CHECKPOINT.pt|MODEL.onnx --input FRAMES.npy --out DIR [--dtype fp32|fp16|q8] [--threads N]
 * FRAMES.npy: float32 (n, 224, 224, C), normalised. Writes fc.npy (T',1024), map.npy (T',7,7,1024),
 * logits.npy (T',classes) with onnxruntime-web's WASM backend, and prints one line of JSON.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { describeError } from '../../src/errors';
import { decodeNpy, encodeNpy } from '../../src/io/npy';
import { extractFeatures } from '../../src/model/features';
import { I3D_MIN_FRAMES } from '../../src/model/i3d-layout';
import { configureOrt, createSession, release } from '../../src/model/ort';
import { loadModelFile, parseDtype } from './model-files';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      input: { type: 'string' },
      out: { type: 'string' },
      dtype: { type: 'string' },
      threads: { type: 'string' },
    },
  });
  if (!values.model || !values.input || !values.out) {
    throw new Error('usage: npm run features -- --model CHECKPOINT.pt|MODEL.onnx --input FRAMES.npy --out DIR [--dtype fp32|fp16|q8] [--threads N]');
  }
  const t0 = performance.now();
  const model = await loadModelFile(values.model, values.dtype === undefined ? undefined : parseDtype(values.dtype));
  // copy: a Node Buffer may be a view into a shared pool
  const frames = decodeNpy(new Uint8Array(readFileSync(values.input)));
  const [n, h, w, c] = frames.shape;
  if (frames.dtype !== '<f4' || frames.shape.length !== 4 || h !== 224 || w !== 224 || c !== model.meta.inChannels) {
    throw new Error(
      `--input must be float32 (n, 224, 224, ${model.meta.inChannels}) for a ${model.meta.modality} model, got ${frames.dtype} (${frames.shape.join(', ')})`,
    );
  }
  if (n < I3D_MIN_FRAMES) console.error(`features: ${n} frames < ${I3D_MIN_FRAMES}: padded by repeating the last frame ${I3D_MIN_FRAMES - n} times`);
  if (values.threads !== undefined) configureOrt({ numThreads: Number(values.threads) });
  const session = await createSession(model.onnx, { device: 'wasm' });
  const t1 = performance.now();
  const f = await extractFeatures(session, frames.data as Float32Array, n, c);
  const runSeconds = (performance.now() - t1) / 1000;
  await release(session);
  mkdirSync(values.out, { recursive: true });
  writeFileSync(join(values.out, 'fc.npy'), encodeNpy(f.fc, [f.steps, f.channels]));
  writeFileSync(join(values.out, 'map.npy'), encodeNpy(f.map, [f.steps, 7, 7, f.channels]));
  writeFileSync(join(values.out, 'logits.npy'), encodeNpy(f.logits, [f.steps, f.classes]));
  console.log(
    JSON.stringify({
      modality: model.meta.modality,
      dtype: model.meta.dtype,
      device: session.device,
      frames: n,
      paddedFrames: f.paddedFrames,
      steps: f.steps,
      classes: f.classes,
      runSeconds: Number(runSeconds.toFixed(3)),
      seconds: Number(((performance.now() - t0) / 1000).toFixed(3)),
      out: values.out,
    }),
  );
}

main().catch((e: unknown) => {
  console.error(describeError(e));
  process.exit(1);
});
