/**
 * Fuzzing the checkpoint reader: thousands of mutated valid checkpoints (byte flips, truncations,
 * insertions, deletions, corrupted length fields, copied chunks) and random opcode soups. The reader
 * must always return or throw an AppError — never hang, never throw anything else — and what it
 * reads and allocates stays within a small multiple of the file size.
 */
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors';
import { checkI3d, loadStateDict } from '../../src/model/checkpoint';
import { fromBytes, type ByteSource } from '../../src/model/pickle';
import { torchHooks } from '../../src/model/pickle/torch-globals';
import { unpickle } from '../../src/model/pickle/unpickler';
import type { StorageRef } from '../../src/model/pickle/values';
import { mulberry32 } from '../support/prng';
import { ensureCheckpoints, type CheckpointSet } from '../support/reference';

let set: CheckpointSet;
beforeAll(async () => {
  set = await ensureCheckpoints();
});

const INTERESTING_U32 = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

function mutate(src: Uint8Array, rand: () => number): { bytes: Uint8Array; how: string } {
  const int = (n: number) => Math.floor(rand() * n);
  const n = src.length;
  // pickles and zip directories sit at the start and the end: aim there most of the time
  const hot = (): number => {
    const r = rand();
    if (r < 0.5) return int(Math.min(n, 65536));
    if (r < 0.7) return Math.max(0, n - 1 - int(Math.min(n, 4096)));
    return int(n);
  };
  const kind = int(7);
  switch (kind) {
    case 0: {
      const out = src.slice();
      const k = 1 + int(8);
      for (let i = 0; i < k; i++) {
        const p = hot();
        out[p] = rand() < 0.5 ? int(256) : out[p] ^ (1 << int(8));
      }
      return { bytes: out, how: `flip ${k}` };
    }
    case 1: {
      const cut = int(n);
      return { bytes: src.slice(0, cut), how: `truncate at ${cut}` };
    }
    case 2: {
      const p = hot();
      const ins = Uint8Array.from({ length: 1 + int(16) }, () => int(256));
      const out = new Uint8Array(n + ins.length);
      out.set(src.subarray(0, p));
      out.set(ins, p);
      out.set(src.subarray(p), p + ins.length);
      return { bytes: out, how: `insert ${ins.length} at ${p}` };
    }
    case 3: {
      const len = 1 + int(Math.min(64, n));
      const p = Math.min(hot(), n - len);
      const out = new Uint8Array(n - len);
      out.set(src.subarray(0, p));
      out.set(src.subarray(p + len), p);
      return { bytes: out, how: `delete ${len} at ${p}` };
    }
    case 4: {
      // corrupt a length field: a BINUNICODE length, a zip size/offset, a legacy element count
      const out = src.slice();
      const dv = new DataView(out.buffer);
      const v = rand() < 0.7 ? INTERESTING_U32[int(INTERESTING_U32.length)] : int(2 ** 32);
      let p = hot();
      if (rand() < 0.5) {
        const x = out.indexOf(0x58, p); // BINUNICODE
        if (x >= 0) p = x + 1;
      }
      if (p + 4 <= n) dv.setUint32(p, v, true);
      if (rand() < 0.3 && p + 8 <= n) dv.setUint32(p + 4, int(4), true);
      return { bytes: out, how: `length ${v} at ${p}` };
    }
    case 5: {
      const out = src.slice();
      const from = hot();
      const to = hot();
      const len = 1 + int(256);
      out.copyWithin(to, from, Math.min(n, from + len));
      return { bytes: out, how: `copy ${len} from ${from} to ${to}` };
    }
    default: {
      // mutate a few bytes right after opcodes that carry arguments
      const out = src.slice();
      for (let i = 0; i < 3; i++) {
        const p = int(Math.min(n, 65536));
        const q = out.indexOf([0x71, 0x68, 0x4b, 0x4d, 0x4a, 0x8a, 0x74, 0x52, 0x51][int(9)], p);
        if (q >= 0 && q + 1 < n) out[q + 1] = int(256);
      }
      return { bytes: out, how: 'opcode arguments' };
    }
  }
}

interface Outcome {
  /** Loaded without error (the I3D check may still refuse it). */
  ok: number;
  codes: Map<string, number>;
  failures: string[];
  maxMs: number;
  slowest?: string;
}

/** A source that counts what is read. */
function counting(bytes: Uint8Array): { src: ByteSource; stats: { total: number; largest: number } } {
  const inner = fromBytes(bytes);
  const stats = { total: 0, largest: 0 };
  return {
    stats,
    src: {
      size: inner.size,
      read(offset: number, length: number) {
        stats.total += length;
        stats.largest = Math.max(stats.largest, length);
        return inner.read(offset, length);
      },
    },
  };
}

async function fuzzFile(original: Uint8Array, cases: number, seed: number, out: Outcome): Promise<void> {
  const rand = mulberry32(seed);
  for (let c = 0; c < cases; c++) {
    const { bytes, how } = mutate(original, rand);
    const { src, stats } = counting(bytes);
    const t0 = performance.now();
    let outputBytes = 0;
    try {
      const { stateDict } = await loadStateDict(src);
      for (const t of stateDict.values()) outputBytes += t.data.byteLength;
      out.ok++;
      checkI3d(stateDict);
    } catch (e) {
      if (e instanceof AppError) out.codes.set(e.code, (out.codes.get(e.code) ?? 0) + 1);
      else out.failures.push(`seed ${seed} case ${c} (${how}): ${e instanceof Error ? e.stack : String(e)}`);
    }
    const ms = performance.now() - t0;
    if (ms > out.maxMs) {
      out.maxMs = ms;
      out.slowest = how;
    }
    const size = bytes.length;
    if (outputBytes > 4 * size + (1 << 20)) out.failures.push(`seed ${seed} case ${c} (${how}): ${outputBytes} output bytes from ${size}`);
    if (stats.total > 8 * size + (4 << 20) || stats.largest > size) {
      out.failures.push(`seed ${seed} case ${c} (${how}): read ${stats.total} bytes (largest ${stats.largest}) of ${size}`);
    }
  }
}

function report(out: Outcome): string {
  return `ok ${out.ok}, ${[...out.codes].map(([k, v]) => `${k} ${v}`).join(', ')}, slowest ${out.maxMs.toFixed(0)} ms (${out.slowest ?? ''})`;
}

describe('fuzzed checkpoints', () => {
  const flavours = ['zip', 'legacy', 'legacy03'] as const;

  it('small mixed-dtype files: 3 × 2000 mutations', async () => {
    const out: Outcome = { ok: 0, codes: new Map(), failures: [], maxMs: 0 };
    for (const [i, f] of flavours.entries()) await fuzzFile(new Uint8Array(await readFile(set.misc(f).path)), 2000, 100 + i, out);
    console.log(`misc: ${report(out)}`);
    expect(out.failures.slice(0, 5)).toEqual([]);
    // the fuzzer reaches both outcomes and many distinct refusals (it is not vacuous)
    expect(out.ok).toBeGreaterThan(50);
    expect(out.codes.size).toBeGreaterThanOrEqual(4);
    expect(out.maxMs).toBeLessThan(2000);
  }, 240_000);

  it('slim I3D checkpoints: 3 × 700 mutations', async () => {
    const out: Outcome = { ok: 0, codes: new Map(), failures: [], maxMs: 0 };
    for (const [i, f] of flavours.entries()) await fuzzFile(new Uint8Array(await readFile(set.i3d('flow', 157, f).path)), 700, 200 + i, out);
    console.log(`i3d: ${report(out)}`);
    expect(out.failures.slice(0, 5)).toEqual([]);
    expect(out.ok).toBeGreaterThan(20);
    expect(out.codes.size).toBeGreaterThanOrEqual(4);
    expect(out.maxMs).toBeLessThan(2000);
  }, 240_000);

  it('random opcode soups through the unpickler: 5000 runs', () => {
    const rand = mulberry32(7);
    const ops = [
      0x80, 0x28, 0x2e, 0x30, 0x31, 0x32, 0x4e, 0x88, 0x89, 0x4a, 0x4b, 0x4d, 0x8a, 0x8b, 0x47, 0x58, 0x8c, 0x54, 0x55, 0x42, 0x43, 0x29, 0x85, 0x86, 0x87,
      0x74, 0x5d, 0x61, 0x65, 0x7d, 0x73, 0x75, 0x71, 0x72, 0x94, 0x68, 0x6a, 0x63, 0x93, 0x52, 0x62, 0x51, 0x95,
    ];
    const failures: string[] = [];
    let stops = 0;
    for (let c = 0; c < 5000; c++) {
      const len = 1 + Math.floor(rand() * 200);
      const buf = new Uint8Array(len);
      for (let i = 0; i < len; i++) buf[i] = rand() < 0.6 ? ops[Math.floor(rand() * ops.length)] : Math.floor(rand() * 256);
      try {
        unpickle(buf, 0, torchHooks(1 << 20, new Map<string, StorageRef>()), true);
        stops++;
      } catch (e) {
        if (!(e instanceof AppError)) failures.push(`case ${c}: ${String(e)}`);
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(stops).toBeGreaterThan(0);
  });
});
