/**
 * One I3D pass in Node on onnxruntime-web's WASM backend (the app's runtime: src/model/runtime.ts), for the
 * chunk-length memory question (issue 12): `npx tsx tools/bench/i3d-heap.ts --frames T [--graph wasm|stored]
 * [--modality rgb|flow] [--threads N] [--blocks 56=0,28=2] [--stem 0|2|4]` (the WASM graph's options, src/model/graph/wasm-graph.ts) prints one JSON line with the process's resident size before the pass and its peak during it
 * (run with `node --expose-gc` through tsx for a clean start: `NODE_OPTIONS=--expose-gc`). Published-width random weights (q8). One pass per process: a WASM heap never shrinks.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { configureOrt, createSession, release } from '../../src/model/ort';
import { runI3d } from '../../src/model/features';
import { toWasmGraph, type WasmGraphOptions } from '../../src/model/graph/wasm-graph';
import { checkpoint, onnxModel } from './lib/models';

const hwmMiB = () => Number(/^VmHWM:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      frames: { type: 'string', default: '128' },
      graph: { type: 'string', default: 'wasm' },
      modality: { type: 'string', default: 'rgb' },
      threads: { type: 'string', default: '2' },
      blocks: { type: 'string', default: '' },
      stem: { type: 'string' },
    },
  });
  const T = Number(values.frames);
  const modality = values.modality === 'flow' ? 'flow' : 'rgb';
  const C = modality === 'rgb' ? 3 : 2;
  const stored = readFileSync(await onnxModel(await checkpoint(modality, 1), 'q8'));
  configureOrt({ numThreads: Number(values.threads) });
  const opts: WasmGraphOptions = {
    blocks: Object.fromEntries(
      values.blocks
        .split(',')
        .filter(Boolean)
        .map((kv) => kv.split('=').map(Number)),
    ) as WasmGraphOptions['blocks'],
    stem: values.stem === undefined ? undefined : (Number(values.stem) as 0 | 2 | 4),
  };
  const session = await createSession(values.graph === 'wasm' ? toWasmGraph(stored, opts) : stored, { device: 'wasm', fallback: false });
  const x = new Float32Array(C * T * 224 * 224).map((_, i) => Math.sin(i) * 0.5);
  (globalThis as { gc?: () => void }).gc?.();
  writeFileSync('/proc/self/clear_refs', '5'); // peak resident size := current
  const before = hwmMiB();
  const t0 = performance.now();
  await runI3d(session, x, T, C);
  const seconds = (performance.now() - t0) / 1000;
  await release(session);
  console.log(
    JSON.stringify({
      modality,
      graph: values.graph,
      blocks: values.blocks,
      stem: values.stem,
      frames: T,
      hwmBeforeMiB: Math.round(before),
      hwmAfterMiB: Math.round(hwmMiB()),
      seconds: Number(seconds.toFixed(1)),
    }),
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
