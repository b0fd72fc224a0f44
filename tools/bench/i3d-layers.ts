/**
 * Single-layer I3D micro-benchmarks in Chromium (onnxruntime-web WASM): alternative ONNX formulations of the
 * same layer, checked against each other on the same input and timed alternately.
 *
 *   npx tsx tools/bench/i3d-layers.ts [--groups conv2c,conv1] [--threads 2] [--rounds 5] [--frames 16]
 *
 * Each group is one layer of the published-width network (random weights) at `frames` input frames of the
 * network (so conv2c sees frames/2); its cases take the same input `x` and give the same output `y`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GraphBuilder } from '../../src/model/graph/onnx-builder';
import { emitWinogradConv } from '../../src/model/graph/winograd';
import { launchBrowser, openPage, parseProfile, startServer } from './lib/i3d-page';
import { formatTable, summarise } from './lib/stats';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CACHE = join(ROOT, '.cache', 'bench-i3d', 'layers');

function rand(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function weights(n: number, fanIn: number, seed: number): Float32Array {
  const r = rand(seed);
  const std = Math.sqrt(2 / fanIn) * Math.sqrt(3);
  return Float32Array.from({ length: n }, () => (2 * r() - 1) * std);
}

interface Case {
  name: string;
  build: (g: GraphBuilder) => void;
}

interface Group {
  x: number[];
  cases: Case[];
}

/** Conv3d k3 s1 pad 1 (C→O) at T×S×S, as Conv 3-D with pads attribute, + bias + Relu. */
function conv3dCase(C: number, O: number, T: number, S: number, W: Float32Array, bias: Float32Array): Case {
  return {
    name: '3d',
    build: (g) => {
      const x = g.input('x', 'float32', [1, C, T, S, S]);
      const w = g.initializer('w', 'float32', [O, C, 3, 3, 3], W);
      const b = g.initializer('b', 'float32', [O], bias);
      const y = g.node('Conv', [x, w, b], 'c', { kernel_shape: [3, 3, 3], pads: [1, 1, 1, 1, 1, 1] });
      g.output(g.node('Relu', [y], { exact: 'y' }), 'float32', [1, O, T, S, S]);
    },
  };
}

/** The same GEMM as the 3-D conv's (O × 27C) · (27C × T·S·S), as one MatMul on a ready-made im2col matrix. */
function gemmOnlyCase(C: number, O: number, T: number, S: number, W: Float32Array): Case {
  return {
    name: 'gemm-only',
    build: (g) => {
      const x = g.input('x', 'float32', [27 * C, T * S * S]);
      const w = g.initializer('w', 'float32', [O, 27 * C], W);
      g.output(g.node('MatMul', [w, x], { exact: 'y' }), 'float32', [O, T * S * S]);
    },
  };
}

/** Frames as batch: pad T, stack the three shifted frames on channels, one 2-D 3×3 conv with 3C inputs. */
function stacked2dCase(C: number, O: number, T: number, S: number, W: Float32Array, bias: Float32Array, transposes: boolean): Case {
  return {
    name: transposes ? '2d-stack' : '2d-stack-nt',
    build: (g) => {
      // W [O, C, kt, kh, kw] → [O, kt·C + c, kh, kw]
      const W2 = new Float32Array(W.length);
      for (let o = 0; o < O; o++) for (let c = 0; c < C; c++) for (let kt = 0; kt < 3; kt++) for (let k = 0; k < 9; k++) W2[((o * 3 + kt) * C + c) * 9 + k] = W[(((o * C + c) * 3 + kt) * 9) + k];
      let x: string;
      if (transposes) {
        const x5 = g.input('x', 'float32', [1, C, T, S, S]);
        x = g.node('Transpose', [g.node('Squeeze', [x5, g.int64s('ax0', [0])], 'sq')], 'xt', { perm: [1, 0, 2, 3] }); // [T, C, S, S]
      } else x = g.input('x', 'float32', [T, C, S, S]);
      const xp = g.node('Pad', [x, g.int64s('tpad', [1, 0, 0, 0, 1, 0, 0, 0])], 'xp', { mode: 'constant' }); // [T+2, C, S, S]
      const parts = [0, 1, 2].map((kt) => g.node('Slice', [xp, g.int64s(`s${kt}`, [kt]), g.int64s(`e${kt}`, [kt + T]), g.int64s(`a${kt}`, [0])], `sl${kt}`));
      const st = g.node('Concat', parts, 'st', { axis: 1 }); // [T, 3C, S, S]
      const w = g.initializer('w', 'float32', [O, 3 * C, 3, 3], W2);
      const b = g.initializer('b', 'float32', [O], bias);
      const y = g.node('Relu', [g.node('Conv', [st, w, b], 'c', { kernel_shape: [3, 3], pads: [1, 1, 1, 1] })], 'r'); // [T, O, S, S]
      if (transposes) {
        const yt = g.node('Transpose', [y], 'yt', { perm: [1, 0, 2, 3] });
        g.output(g.node('Unsqueeze', [yt, g.int64s('ax0b', [0])], { exact: 'y' }), 'float32', [1, O, T, S, S]);
      } else g.output(g.node('Identity', [y], { exact: 'y' }), 'float32', [T, O, S, S]);
    },
  };
}

/**
 * Winograd F(2×2, 3×3) in space, the three temporal taps summed inside the GEMM:
 *   input transform  (C·(T+2)) single-channel images, Conv 16×1×4×4 stride 2 (B^T d B per tile)
 *   Transpose        [C, T+2, 16, tiles] → [16, C, T+2, tiles]
 *   taps             three temporal slices concatenated on channels → [16, 3C, T, tiles]
 *   GEMM             MatMul U [16, O, 3C] × V → [16, O, T·tiles]
 *   output transform MatMul A [4, 16] → [4, O·T·tiles]; Transpose → [T, O·4, nt, nt]; DepthToSpace(2, CRD)
 *   back             Transpose [T, O, S, S] → [O, T, S, S]; bias, Relu
 */
function winogradCase(C: number, O: number, T: number, S: number, W: Float32Array, bias: Float32Array): Case {
  return {
    name: 'winograd-v1',
    build: (g) => {
      const nt = S / 2;
      const BT = [
        [1, 0, -1, 0],
        [0, 1, 1, 0],
        [0, -1, 1, 0],
        [0, 1, 0, -1],
      ];
      const G = [
        [1, 0, 0],
        [0.5, 0.5, 0.5],
        [0.5, -0.5, 0.5],
        [0, 0, 1],
      ];
      const AT = [
        [1, 1, 1, 0],
        [0, 1, -1, -1],
      ];
      // input transform kernels [16, 1, 4, 4]: k_(a,b)[r,s] = BT[a][r]·BT[b][s]
      const kin = new Float32Array(16 * 16);
      for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) for (let r = 0; r < 4; r++) for (let s = 0; s < 4; s++) kin[(a * 4 + b) * 16 + r * 4 + s] = BT[a][r] * BT[b][s];
      // U [16, O, 3C]: U_(a,b)[o, kt·C + c] = (G w G^T)[a][b], w = W[o, c, kt]
      const U = new Float32Array(16 * O * 3 * C);
      for (let o = 0; o < O; o++) {
        for (let c = 0; c < C; c++) {
          for (let kt = 0; kt < 3; kt++) {
            const w = (i: number, j: number) => W[(((o * C + c) * 3 + kt) * 3 + i) * 3 + j];
            for (let a = 0; a < 4; a++) {
              for (let b = 0; b < 4; b++) {
                let v = 0;
                for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) v += G[a][i] * w(i, j) * G[b][j];
                U[((a * 4 + b) * O + o) * 3 * C + kt * C + c] = v;
              }
            }
          }
        }
      }
      // output transform [4, 16]: A_(p,q),(a,b) = AT[p][a]·AT[q][b]
      const A = new Float32Array(4 * 16);
      for (let p = 0; p < 2; p++) for (let q = 0; q < 2; q++) for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) A[(p * 2 + q) * 16 + a * 4 + b] = AT[p][a] * AT[q][b];

      const x = g.input('x', 'float32', [1, C, T, S, S]);
      const xp = g.node('Pad', [x, g.int64s('pads', [0, 0, 1, 1, 1, 0, 0, 1, 1, 1])], 'xp', { mode: 'constant' }); // [1, C, T+2, S+2, S+2]
      const imgs = g.node('Reshape', [xp, g.int64s('shape_imgs', [C * (T + 2), 1, S + 2, S + 2])], 'imgs');
      const v = g.node('Conv', [imgs, g.initializer('kin', 'float32', [16, 1, 4, 4], kin)], 'v', { kernel_shape: [4, 4], strides: [2, 2] }); // [C(T+2), 16, nt, nt]
      const v4 = g.node('Reshape', [v, g.int64s('shape_v4', [C, T + 2, 16, nt * nt])], 'v4');
      const vt = g.node('Transpose', [v4], 'vt', { perm: [2, 0, 1, 3] }); // [16, C, T+2, tiles]
      const taps = [0, 1, 2].map((kt) => g.node('Slice', [vt, g.int64s(`s${kt}`, [kt]), g.int64s(`e${kt}`, [kt + T]), g.int64s(`a${kt}`, [2])], `tap${kt}`));
      const st = g.node('Concat', taps, 'st', { axis: 1 }); // [16, 3C, T, tiles]
      const st3 = g.node('Reshape', [st, g.int64s('shape_st3', [16, 3 * C, T * nt * nt])], 'st3');
      const m = g.node('MatMul', [g.initializer('U', 'float32', [16, O, 3 * C], U), st3], 'm'); // [16, O, T·tiles]
      const m2 = g.node('Reshape', [m, g.int64s('shape_m2', [16, O * T * nt * nt])], 'm2');
      const yq = g.node('MatMul', [g.initializer('A', 'float32', [4, 16], A), m2], 'yq'); // [4, O·T·tiles]
      const yq5 = g.node('Reshape', [yq, g.int64s('shape_yq5', [4, O, T, nt * nt])], 'yq5');
      const yt = g.node('Transpose', [yq5], 'ytr', { perm: [2, 1, 0, 3] }); // [T, O, 4, tiles]
      const yd = g.node('DepthToSpace', [g.node('Reshape', [yt, g.int64s('shape_yd', [T, O * 4, nt, nt])], 'ydr')], 'yd', { blocksize: 2, mode: 'CRD' }); // [T, O, S, S]
      const yo = g.node('Transpose', [yd], 'yo', { perm: [1, 0, 2, 3] }); // [O, T, S, S]
      const yb = g.node('Add', [yo, g.initializer('b', 'float32', [O, 1, 1, 1], bias)], 'yb');
      const y = g.node('Relu', [yb], 'yr');
      g.output(g.node('Unsqueeze', [y, g.int64s('ax0', [0])], { exact: 'y' }), 'float32', [1, O, T, S, S]);
    },
  };
}

function winogradGroupedCase(C: number, O: number, T: number, S: number, W: Float32Array, bias: Float32Array, m: 2 | 4): Case {
  return {
    name: `wino-g${m}`,
    build: (g) => {
      const x = g.input('x', 'float32', [1, C, T, S, S]);
      g.node('Relu', [emitWinogradConv(g, x, { C, O, S, weight: W, bias, name: 'c', m })], { exact: 'y' });
      g.output('y', 'float32', [1, O, T, S, S]);
    },
  };
}

function conv3x3Group(C: number, O: number, T: number, S: number, seed: number, extra: string[]): Group {
  const W = weights(O * C * 27, C * 27, seed);
  const bias = weights(O, 10, seed + 1);
  const cases = [conv3dCase(C, O, T, S, W, bias), winogradGroupedCase(C, O, T, S, W, bias, 2)];
  if (S % 4 === 0) cases.push(winogradGroupedCase(C, O, T, S, W, bias, 4));
  if (extra.includes('v1')) cases.push(winogradCase(C, O, T, S, W, bias));
  if (extra.includes('stack')) cases.push(stacked2dCase(C, O, T, S, W, bias, true));
  if (extra.includes('gemm')) cases.push(gemmOnlyCase(C, O, T, S, W));
  if (extra.includes('nt')) cases.push(stacked2dCase(C, O, T, S, W, bias, false));
  return { x: [1, C, T, S, S], cases };
}

/** Conv3d_1a: k7 s2 (3→64) with the graph's explicit Pad, vs frames-as-batch 2-D conv on 7 stacked strided frames. */
function conv1Group(T: number): Group {
  const C = 3;
  const O = 64;
  const W = weights(O * C * 343, C * 343, 11);
  const bias = weights(O, 10, 12);
  const To = Math.ceil(T / 2);
  const padT = Math.max(7 - (T % 2 === 0 ? 2 : T % 2), 0);
  const [tf, tb] = [Math.floor(padT / 2), padT - Math.floor(padT / 2)];
  const threeD: Case = {
    name: '3d',
    build: (g) => {
      const x = g.input('x', 'float32', [1, C, T, 224, 224]);
      const xp = g.node('Pad', [x, g.int64s('pads', [0, 0, tf, 2, 2, 0, 0, tb, 3, 3])], 'xp', { mode: 'constant' });
      const y = g.node('Conv', [xp, g.initializer('w', 'float32', [O, C, 7, 7, 7], W), g.initializer('b', 'float32', [O], bias)], 'c', { kernel_shape: [7, 7, 7], strides: [2, 2, 2] });
      g.output(g.node('Relu', [y], { exact: 'y' }), 'float32', [1, O, To, 112, 112]);
    },
  };
  const stacked = (transposeOut: boolean): Case => ({
    name: transposeOut ? '2d-stack' : '2d-stack-nt',
    build: (g) => {
      const W2 = new Float32Array(W.length);
      for (let o = 0; o < O; o++) for (let c = 0; c < C; c++) for (let kt = 0; kt < 7; kt++) for (let k = 0; k < 49; k++) W2[((o * 7 + kt) * C + c) * 49 + k] = W[((o * C + c) * 7 + kt) * 49 + k];
      const x = g.input('x', 'float32', [1, C, T, 224, 224]);
      const xt = g.node('Transpose', [g.node('Squeeze', [x, g.int64s('ax0', [0])], 'sq')], 'xt', { perm: [1, 0, 2, 3] }); // [T, C, H, W]
      const xp = g.node('Pad', [xt, g.int64s('pads', [tf, 0, 2, 2, tb, 0, 3, 3])], 'xp', { mode: 'constant' });
      const parts = Array.from({ length: 7 }, (_, kt) =>
        g.node('Slice', [xp, g.int64s(`s${kt}`, [kt]), g.int64s(`e${kt}`, [kt + 2 * (To - 1) + 1]), g.int64s(`a${kt}`, [0]), g.int64s(`st${kt}`, [2])], `sl${kt}`),
      );
      const st = g.node('Concat', parts, 'st', { axis: 1 }); // [To, 7C, 230, 230]
      const y = g.node('Relu', [g.node('Conv', [st, g.initializer('w', 'float32', [O, 7 * C, 7, 7], W2), g.initializer('b', 'float32', [O], bias)], 'c', { kernel_shape: [7, 7], strides: [2, 2] })], 'r');
      if (transposeOut) {
        const yt = g.node('Transpose', [y], 'yt', { perm: [1, 0, 2, 3] });
        g.output(g.node('Unsqueeze', [yt, g.int64s('ax0b', [0])], { exact: 'y' }), 'float32', [1, O, To, 112, 112]);
      } else g.output(g.node('Identity', [y], { exact: 'y' }), 'float32', [To, O, 112, 112]);
    },
  });
  return { x: [1, C, T, 224, 224], cases: [threeD, stacked(true)] };
}

function groups(frames: number, extra: string[]): Record<string, () => Group> {
  return {
    conv1: () => conv1Group(frames),
    conv2c: () => conv3x3Group(64, 192, frames / 2, 56, 21, extra),
    mixed3c_b1b: () => conv3x3Group(128, 192, frames / 2, 28, 31, extra),
    mixed4f_b1b: () => conv3x3Group(160, 320, frames / 4, 14, 41, extra),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      groups: { type: 'string', default: 'conv2c' },
      threads: { type: 'string', default: '2' },
      frames: { type: 'string', default: '16' },
      rounds: { type: 'string', default: '5' },
      extra: { type: 'string', default: '' },
      profile: { type: 'boolean', default: false },
      out: { type: 'string', default: join(ROOT, 'bench', 'out', 'i3d-layers.json') },
    },
  });
  const frames = Number(values.frames);
  const rounds = Number(values.rounds);
  const all = groups(frames, values.extra.split(','));
  const load0 = loadavg();
  mkdirSync(CACHE, { recursive: true });
  const server = await startServer(ROOT, CACHE);
  const browser = await launchBrowser();
  const table: string[][] = [['threads', 'group', 'case', 'median ms', 'min', 'max', 'max |diff|', 'max |y|']];
  const results: unknown[] = [];
  try {
    for (const threads of values.threads.split(',').map(Number)) {
      const { page, profileLines } = await openPage(server.url, threads, browser);
      for (const gname of values.groups.split(',')) {
        const group = all[gname]();
        const ids: number[] = [];
        const shapes: Record<string, number[]>[] = [];
        for (const c of group.cases) {
          const g = new GraphBuilder();
          c.build(g);
          const file = `${gname}-${c.name}-f${frames}.onnx`;
          writeFileSync(join(CACHE, file), g.encode(c.name, {}, '0'));
          const r = await page.evaluate((u) => window.i3d.i3dLoad(u, 0), `/__models/${file}`);
          ids.push(r.id);
          const xShape = c.name === 'gemm-only' ? [group.x[1] * 27, group.x[2] * group.x[3] * group.x[4]] : c.name.endsWith('-nt') ? [group.x[2], group.x[1], group.x[3], group.x[4]] : group.x;
          shapes.push({ x: xShape });
          await page.evaluate(([id, s]) => window.i3d.i3dRunRaw(id, s), [r.id, shapes[shapes.length - 1]] as const);
        }
        const diffs = await Promise.all(
          group.cases.map(async (c, i) => {
            if (i === 0 || c.name === 'gemm-only' || c.name.endsWith('-nt')) return null;
            return (await page.evaluate(([a, b, s]) => window.i3d.i3dCompareRaw(a, b, s), [ids[0], ids[i], shapes[0]] as const))[0];
          }),
        );
        const times: number[][] = group.cases.map(() => []);
        for (let r = 0; r < rounds; r++) {
          for (let k = 0; k < group.cases.length; k++) {
            const i = (k + r) % group.cases.length;
            times[i].push((await page.evaluate(([id, s]) => window.i3d.i3dRunRaw(id, s), [ids[i], shapes[i]] as const)).seconds);
          }
        }
        group.cases.forEach((c, i) => {
          const s = summarise(times[i].map((t) => t * 1000));
          const d = diffs[i];
          results.push({ threads, group: gname, case: c.name, ms: s, diff: d });
          table.push([String(threads), gname, c.name, s.median.toFixed(0), s.min.toFixed(0), s.max.toFixed(0), d ? d.maxAbsDiff.toExponential(1) : '', d ? d.maxAbs.toFixed(2) : '']);
        });
        for (const id of ids) await page.evaluate((i) => window.i3d.i3dRelease(i), id);
        if (values.profile) {
          for (const [i, c] of group.cases.entries()) {
            profileLines.length = 0;
            const file = `${gname}-${c.name}-f${frames}.onnx`;
            const r = await page.evaluate((u) => window.i3d.i3dLoad(u, 0, 'wasm', { enableProfiling: true }), `/__models/${file}`);
            await page.evaluate(([id, s]) => window.i3d.i3dRunRaw(id, s), [r.id, shapes[i]] as const);
            await page.evaluate((id) => window.i3d.i3dEndProfiling(id), r.id);
            await page.evaluate((id) => window.i3d.i3dRelease(id), r.id);
            await new Promise((res) => setTimeout(res, 300));
            const nodes = parseProfile(profileLines).filter((e) => e.cat === 'Node' && e.name?.endsWith('_kernel_time'));
            console.log(`profile ${gname} ${c.name}: ${nodes.map((e) => `${e.name?.replace('_kernel_time', '')} ${((e.dur ?? 0) / 1000).toFixed(0)}`).join(', ')}`);
          }
        }
      }
      await page.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const load1 = loadavg();
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, `${JSON.stringify({ frames, rounds, loadAverage: { start: load0, end: load1 }, results }, null, 2)}\n`);
  console.log(`network frames ${frames}; load average ${load0.map((x) => x.toFixed(1)).join(' ')} → ${load1.map((x) => x.toFixed(1)).join(' ')}`);
  console.log(formatTable(table));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
