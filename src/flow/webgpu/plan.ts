/**
 * Host-side plan of the WebGPU TV-L1 for one frame size: pyramid levels, buffer layouts, the read-only table
 * buffer (OpenCV's bicubic weights and the bilinear resize coefficients, computed here in double exactly as
 * `cv::resize` does, so the shaders only multiply and add), and the uniform records of every (level, slot).
 *
 * Pure TypeScript (no WebGPU calls): the layout facts live here so that they can be checked without a GPU.
 */
import { type TVL1Params } from '../cpu/params';
import { bicubicTable } from '../cpu/remap';
import { linearCoefficients, pyramidStep, sizeStep } from '../cpu/resize';
import { pyramidSizes } from '../cpu/tvl1';

const fr = Math.fround;

/** Outputs per `iterate` workgroup side: 16×16 invocations compute 15×15 pixels (+1 halo column and row). */
export const ITER_TILE = 15;
/** Side of the 2-D workgroups of the per-pixel kernels (16×16 = 256 invocations). */
export const WG_SIDE = 16;
/** u32 words at the start of each pair's control block: 2 state slots of 4, then 4 counters, then 4 spare. */
export const CTL_HEADER = 16;
/** Partial sums the loop kernel keeps per pair (one per invocation, then √ of that many group sums), for up to 1024 invocations. */
export const LOOP_PARTIALS = 1024 + 32;
/** Bytes between two uniform records (WebGPU's minimum uniform offset alignment). */
export const RECORD_BYTES = 256;

/**
 * The uniform record (WGSL `struct Params`), one field per 4 bytes in this order. `slot` is the control slot
 * a ctl-aware dispatch reads (it writes the other one).
 */
export const PARAM_FIELDS = [
  ['w', 'u32'], // level width
  ['h', 'u32'], // level height
  ['n', 'u32'], // w·h
  ['slot', 'u32'], // control slot read by this dispatch (0/1)
  ['n0', 'u32'], // level-0 pixels: plane stride of the level-0-sized buffers
  ['pyrLen', 'u32'], // pixels of all pyramid levels: plane stride of the pyramid buffer
  ['off', 'u32'], // this level's offset inside a pyramid plane
  ['tilesX', 'u32'], // iterate workgroups across
  ['nTiles', 'u32'], // iterate workgroups per pair (= partial sums per iteration)
  ['maxTiles', 'u32'], // nTiles of level 0 (size of each partial-sum ring)
  ['ctlStride', 'u32'], // u32 words per pair in the control buffer
  ['fineW', 'u32'], // next finer level (pyramid source)
  ['fineH', 'u32'],
  ['fineOff', 'u32'],
  ['coarseW', 'u32'], // next coarser level (flow upscaling source)
  ['coarseH', 'u32'],
  ['pyrTab', 'u32'], // offset in the table buffer of this level's pyramid resize coefficients
  ['upTab', 'u32'], // … and of the flow upscaling coefficients
  ['initMode', 'u32'], // 0: coarsest level (u = 0), 1: upscale the coarser level's flow
  ['zero', 'u32'], // always 0; opaque to shader compilers (see rm() in shaders.ts)
  ['lt', 'f32'], // lambda·theta
  ['theta', 'f32'],
  ['taut', 'f32'], // tau/theta
  ['eps', 'f32'], // epsilon²·n: the stopping threshold of this level
  ['upscale', 'f32'], // 1/scaleStep
] as const;

export type ParamName = (typeof PARAM_FIELDS)[number][0];

/** The WGSL declaration of `Params`, generated from PARAM_FIELDS so host and shaders cannot disagree. */
export function paramsStructWgsl(): string {
  return `struct Params {\n${PARAM_FIELDS.map(([name, type]) => `  ${name}: ${type},`).join('\n')}\n}`;
}

export interface LevelPlan {
  w: number;
  h: number;
  n: number;
  /** Offset of the level in a pyramid plane. */
  off: number;
  tilesX: number;
  tilesY: number;
  /** Table offsets (in floats) of the pyramid (from level s−1) and upscaling (from level s+1) coefficients; −1: none. */
  pyrTab: number;
  upTab: number;
}

export interface Plan {
  width: number;
  height: number;
  n0: number;
  pyrLen: number;
  levels: LevelPlan[];
  maxTiles: number;
  ctlStride: number;
  /** The read-only table buffer's contents. */
  tables: Float32Array;
  /** Floats per pair in each buffer (pyramid, input/gradients, warp/output, u, p) and u32 words in ctl. */
  perPair: { pyr: number; igrad: number; wrp: number; u: number; p: number; ctl: number };
  params: TVL1Params;
}

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);

/**
 * `cv::resize` INTER_LINEAR coefficients (see src/flow/cpu/resize.ts), as 4 floats per destination column
 * (left tap, weight 0, weight 1, 1 if past OpenCV's `xmax`: copy the left tap) and then 4 per destination row
 * (top row, bottom row, weight 0, weight 1). Row indices are clamped, the vertical weights are not reset.
 */
export function resizeCoefficients(sw: number, sh: number, dw: number, dh: number, stepX: number, stepY: number): Float32Array {
  const { xofs, alpha, xmax, yofs, beta } = linearCoefficients(sw, sh, dw, dh, stepX, stepY);
  const out = new Float32Array(4 * (dw + dh));
  for (let dx = 0; dx < dw; dx++) out.set([xofs[dx], alpha[2 * dx], alpha[2 * dx + 1], dx >= xmax ? 1 : 0], 4 * dx);
  for (let dy = 0; dy < dh; dy++) out.set([yofs[2 * dy], yofs[2 * dy + 1], beta[2 * dy], beta[2 * dy + 1]], 4 * (dw + dy));
  return out;
}

export function makePlan(width: number, height: number, params: TVL1Params): Plan {
  const sizes = pyramidSizes(width, height, params);
  const n0 = width * height;
  let pyrLen = 0;
  const chunks: Float32Array[] = [bicubicTable()];
  let tabLen = chunks[0].length;
  const addTable = (t: Float32Array) => {
    chunks.push(t);
    tabLen += t.length;
    return tabLen - t.length;
  };
  const levels: LevelPlan[] = sizes.map(([w, h]) => {
    const off = pyrLen;
    pyrLen += w * h;
    return { w, h, n: w * h, off, tilesX: ceilDiv(w, ITER_TILE), tilesY: ceilDiv(h, ITER_TILE), pyrTab: -1, upTab: -1 };
  });
  const step = pyramidStep(params.scaleStep);
  for (let s = 1; s < levels.length; s++) {
    const f = levels[s - 1];
    const L = levels[s];
    L.pyrTab = addTable(resizeCoefficients(f.w, f.h, L.w, L.h, step, step));
    // the flow of level s is upscaled into level s−1 with the steps of resize(src, dst, dsize)
    f.upTab = addTable(resizeCoefficients(L.w, L.h, f.w, f.h, sizeStep(L.w, f.w), sizeStep(L.h, f.h)));
  }
  const tables = new Float32Array(tabLen);
  let o = 0;
  for (const c of chunks) {
    tables.set(c, o);
    o += c.length;
  }
  const maxTiles = levels[0].tilesX * levels[0].tilesY;
  // the partial-sum area holds two rings of maxTiles (grid mode) or the loop kernel's sums
  const ctlStride = CTL_HEADER + Math.max(2 * maxTiles, LOOP_PARTIALS);
  return {
    width,
    height,
    n0,
    pyrLen,
    levels,
    maxTiles,
    ctlStride,
    tables,
    perPair: { pyr: 2 * pyrLen, igrad: 2 * n0, wrp: 4 * n0, u: 4 * n0, p: 8 * n0, ctl: ctlStride },
    params,
  };
}

/** The uniform record of level `s` read by dispatches with control slot `slot`, as 256 bytes. */
export function paramsRecord(plan: Plan, s: number, slot: number): ArrayBuffer {
  const L = plan.levels[s];
  const fine = plan.levels[s - 1];
  const coarse = plan.levels[s + 1];
  const p = plan.params;
  const values: Record<ParamName, number> = {
    w: L.w,
    h: L.h,
    n: L.n,
    slot,
    n0: plan.n0,
    pyrLen: plan.pyrLen,
    off: L.off,
    tilesX: L.tilesX,
    nTiles: L.tilesX * L.tilesY,
    maxTiles: plan.maxTiles,
    ctlStride: plan.ctlStride,
    fineW: fine?.w ?? 0,
    fineH: fine?.h ?? 0,
    fineOff: fine?.off ?? 0,
    coarseW: coarse?.w ?? 0,
    coarseH: coarse?.h ?? 0,
    pyrTab: Math.max(L.pyrTab, 0),
    upTab: Math.max(L.upTab, 0),
    initMode: coarse ? 1 : 0,
    zero: 0,
    lt: fr(p.lambda * p.theta),
    theta: fr(p.theta),
    taut: fr(p.tau / p.theta),
    eps: fr(p.epsilon * p.epsilon * L.n),
    upscale: fr(1 / p.scaleStep),
  };
  const buf = new ArrayBuffer(RECORD_BYTES);
  const u32 = new Uint32Array(buf);
  const f32 = new Float32Array(buf);
  PARAM_FIELDS.forEach(([name, type], i) => {
    if (type === 'u32') u32[i] = values[name];
    else f32[i] = values[name];
  });
  return buf;
}
