/**
 * Whole-pair measurement of the prototype: TV-L1 per frame pair, single-threaded, on fixture pairs at 342×256:
 * TypeScript only, TypeScript with the WebAssembly SIMD kernels (inner iteration + median), and OpenCV with one
 * thread, in one run; the flows of both TypeScript variants must be identical.
 * Run: tools/wasm-proto/build.sh && npx tsx tools/wasm-proto/bench-pairs.ts [PAIRS]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TVL1 } from '../../src/flow/cpu';
import { rgbToGray } from '../../src/flow/gray';
import { encodeNpy } from '../../src/io/npy';
import { summarise } from '../bench/lib/stats';
import { decodeRgbFrames } from '../cli/lib/ffmpeg-native';
import { createWasmKernels } from './wasm-kernels';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FIRST = 30;

async function main(): Promise<void> {
  const pairs = Number(process.argv[2] ?? 8);
  const { width: w, height: h, frames } = await decodeRgbFrames(join(ROOT, '../shared/fixtures/v_GGSY1Qvo990.mp4'), { maxFrames: FIRST + pairs + 1 });
  const gray = frames.slice(FIRST).map((f) => rgbToGray(f, w, h));
  const ts = new TVL1();
  const wasm = new TVL1({}, await createWasmKernels(readFileSync(join(ROOT, 'bench/out/tvl1-proto.wasm'))));
  const frame = (i: number) => ({ data: gray[i], width: w, height: h });
  // warm-up
  ts.calc(frame(0), frame(1));
  wasm.calc(frame(0), frame(1));
  const tTs: number[] = [];
  const tWasm: number[] = [];
  let mismatches = 0;
  for (let i = 0; i < pairs; i++) {
    let t0 = performance.now();
    const a = ts.calc(frame(i), frame(i + 1));
    tTs.push(performance.now() - t0);
    t0 = performance.now();
    const b = wasm.calc(frame(i), frame(i + 1));
    tWasm.push(performance.now() - t0);
    for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) mismatches++;
  }
  const npy = join(ROOT, 'bench/out/proto-frames.npy');
  const stack = new Uint8Array((pairs + 1) * w * h);
  gray.slice(0, pairs + 1).forEach((g, i) => stack.set(g, i * w * h));
  writeFileSync(npy, encodeNpy(stack, [pairs + 1, h, w]));
  const timing = join(ROOT, 'bench/out/proto-opencv.json');
  execFileSync('/usr/bin/python3', [join(ROOT, 'tools/reference/flow_opencv.py'), '--frames', npy, '--threads', '1', '--warmup', '1', '--timing-json', timing]);
  const tCv = (JSON.parse(readFileSync(timing, 'utf8')) as { pairs: number[] }).pairs.map((s) => s * 1000);
  const sum = (x: number[]) => x.reduce((p, q) => p + q, 0);
  console.log(
    JSON.stringify(
      {
        size: `${w}x${h}`,
        pairs,
        msPerPair: { ts: summarise(tTs), tsWasm: summarise(tWasm), opencv1Thread: summarise(tCv) },
        pairsPerSecond: { ts: pairs / (sum(tTs) / 1000), tsWasm: pairs / (sum(tWasm) / 1000), opencv1Thread: pairs / (sum(tCv) / 1000) },
        flowMismatches: mismatches,
      },
      null,
      2,
    ),
  );
}

void main();
