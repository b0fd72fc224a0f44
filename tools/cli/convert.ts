/**
 * npm run convert -- CHECKPOINT.pt --out MODEL.onnx [--dtype fp32|fp16|q8] [--compute fp32|fp16]
 * Prints one line of JSON: modality, classes, dtype, bytes, sha256 (of the checkpoint), …
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { describeError } from '../../src/errors';
import { convertCheckpoint, parseCompute, parseDtype } from './model-files';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { out: { type: 'string' }, dtype: { type: 'string' }, compute: { type: 'string' } },
  });
  if (positionals.length !== 1 || !values.out) {
    throw new Error('usage: npm run convert -- CHECKPOINT.pt --out MODEL.onnx [--dtype fp32|fp16|q8] [--compute fp32|fp16]');
  }
  const t0 = performance.now();
  const checkpoint = new Uint8Array(readFileSync(positionals[0]));
  const { onnx, meta, sourceSha256, format } = await convertCheckpoint(checkpoint, parseDtype(values.dtype), parseCompute(values.compute));
  writeFileSync(values.out, onnx);
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    JSON.stringify({
      modality: meta.modality,
      classes: meta.classes,
      dtype: meta.dtype,
      compute: meta.compute,
      bytes: onnx.byteLength,
      sha256: sourceSha256,
      widthDivisor: meta.widthDivisor,
      checkpointFormat: format,
      seconds: Number(seconds.toFixed(3)),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      out: values.out,
    }),
  );
}

main().catch((e: unknown) => {
  console.error(describeError(e));
  process.exit(1);
});
