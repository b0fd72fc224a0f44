// AssemblyScript (compiled to WebAssembly with SIMD by tools/build-wasm.mjs), not TypeScript: the hot kernels of
// the CPU TV-L1 (src/flow/cpu/tvl1.ts) with exactly its float32 operations in its order, so exactly OpenCV's values.
// WebAssembly never contracts a*b+c into a fused multiply-add and binaryen does not reassociate floats, so every
// f32 expression below rounds once per operation like the `Math.fround` chains of the TypeScript kernels.
//
// All arguments named like buffers are byte offsets into the (imported) memory; the JavaScript side
// (src/flow/wasm/kernels.ts) lays the buffers out and keeps `PAD` floats of slack after each of them.
import { median4, mergePairs4, sortColumns4 } from './median-net';

const FLT_EPSILON: f32 = 1.1920928955078125e-7;

/** First byte the JavaScript side may use. */
export function heapBase(): usize {
  return __heap_base;
}

// ---- inner iteration: estimateV + divergence + estimateU (primal), forwardGradient + estimateDualVariables (dual)

// the buffers of the current call (set once per call; copied into locals by the row loops)
let IX: usize = 0;
let IY: usize = 0;
let GR: usize = 0;
let RC: usize = 0;
let U1: usize = 0;
let U2: usize = 0;
let P11: usize = 0;
let P12: usize = 0;
let P21: usize = 0;
let P22: usize = 0;
let SQ: usize = 0;
let LT: f32 = 0;
let THETA: f32 = 0;
let TAUT: f32 = 0;

/** One pixel of the primal step at byte offset o with its divergence; returns its squared update. */
function primalPixel(o: usize, div1: f32, div2: f32): f32 {
  const ix = load<f32>(IX + o);
  const iy = load<f32>(IY + o);
  const g = load<f32>(GR + o);
  const a = load<f32>(U1 + o);
  const b = load<f32>(U2 + o);
  const lt = LT;
  const rho: f32 = load<f32>(RC + o) + (ix * a + iy * b);
  const ltg: f32 = lt * g;
  let d1: f32 = 0;
  let d2: f32 = 0;
  if (rho < -ltg) {
    d1 = lt * ix;
    d2 = lt * iy;
  } else if (rho > ltg) {
    d1 = -(lt * ix);
    d2 = -(lt * iy);
  } else if (g > FLT_EPSILON) {
    const fi: f32 = -rho / g;
    d1 = fi * ix;
    d2 = fi * iy;
  }
  const v1: f32 = a + d1;
  const v2: f32 = b + d2;
  const n1: f32 = v1 + THETA * div1;
  const n2: f32 = v2 + THETA * div2;
  store<f32>(U1 + o, n1);
  store<f32>(U2 + o, n2);
  const e1: f32 = n1 - a;
  const e2: f32 = n2 - b;
  const e: f32 = e1 * e1 + e2 * e2;
  store<f32>(SQ + o, e);
  return e;
}

/** The primal step of row y (byte offsets o … end); returns the sum of its squared updates (in double). */
function primalRow(y: i32, w: i32): f64 {
  const rowBytes = (<usize>w) << 2;
  const o0 = <usize>y * rowBytes;
  const end = o0 + rowBytes;
  const ix = IX;
  const iy = IY;
  const gr = GR;
  const rc = RC;
  const u1 = U1;
  const u2 = U2;
  const p11 = P11;
  const p12 = P12;
  const p21 = P21;
  const p22 = P22;
  const sq = SQ;
  const first = y == 0;
  // first column: no left neighbour
  let sum: f64;
  if (first) {
    sum = <f64>primalPixel(o0, load<f32>(p11 + o0) + load<f32>(p12 + o0), load<f32>(p21 + o0) + load<f32>(p22 + o0));
  } else {
    sum = <f64>(
      primalPixel(
        o0,
        load<f32>(p11 + o0) + load<f32>(p12 + o0) - load<f32>(p12 + o0 - rowBytes),
        load<f32>(p21 + o0) + load<f32>(p22 + o0) - load<f32>(p22 + o0 - rowBytes),
      )
    );
  }
  const lt = f32x4.splat(LT);
  const nlt = f32x4.splat(-LT);
  const theta = f32x4.splat(THETA);
  const eps = f32x4.splat(FLT_EPSILON);
  let acc = f64x2.splat(0);
  let o = o0 + 4;
  for (; o + 16 <= end; o += 16) {
    const vix = v128.load(ix + o);
    const viy = v128.load(iy + o);
    const g = v128.load(gr + o);
    const a = v128.load(u1 + o);
    const b = v128.load(u2 + o);
    const rho = f32x4.add(v128.load(rc + o), f32x4.add(f32x4.mul(vix, a), f32x4.mul(viy, b)));
    const ltg = f32x4.mul(lt, g);
    const m1 = f32x4.lt(rho, f32x4.neg(ltg));
    const m2 = f32x4.gt(rho, ltg);
    const m3 = f32x4.gt(g, eps);
    const fi = f32x4.div(f32x4.neg(rho), g);
    // the factor of I: lt, −lt or −rho/g; lt·I and (−lt)·I = −(lt·I) round alike
    const t = v128.bitselect(lt, v128.bitselect(nlt, fi, m2), m1);
    const any = v128.or(v128.or(m1, m2), m3);
    const d1 = v128.and(f32x4.mul(t, vix), any); // +0 where no case applies
    const d2 = v128.and(f32x4.mul(t, viy), any);
    let div1 = f32x4.sub(v128.load(p11 + o), v128.load(p11 + o - 4));
    let div2 = f32x4.sub(v128.load(p21 + o), v128.load(p21 + o - 4));
    if (first) {
      div1 = f32x4.add(div1, v128.load(p12 + o));
      div2 = f32x4.add(div2, v128.load(p22 + o));
    } else {
      div1 = f32x4.add(div1, f32x4.sub(v128.load(p12 + o), v128.load(p12 + o - rowBytes)));
      div2 = f32x4.add(div2, f32x4.sub(v128.load(p22 + o), v128.load(p22 + o - rowBytes)));
    }
    const n1 = f32x4.add(f32x4.add(a, d1), f32x4.mul(theta, div1));
    const n2 = f32x4.add(f32x4.add(b, d2), f32x4.mul(theta, div2));
    v128.store(u1 + o, n1);
    v128.store(u2 + o, n2);
    const e1 = f32x4.sub(n1, a);
    const e2 = f32x4.sub(n2, b);
    const e = f32x4.add(f32x4.mul(e1, e1), f32x4.mul(e2, e2));
    v128.store(sq + o, e);
    acc = f64x2.add(acc, f64x2.add(f64x2.promote_low_f32x4(e), f64x2.promote_low_f32x4(f32x4.shuffle(e, e, 2, 3, 0, 1))));
  }
  for (; o < end; o += 4) {
    let div1: f32;
    let div2: f32;
    if (first) {
      div1 = load<f32>(p11 + o) - load<f32>(p11 + o - 4) + load<f32>(p12 + o);
      div2 = load<f32>(p21 + o) - load<f32>(p21 + o - 4) + load<f32>(p22 + o);
    } else {
      div1 = load<f32>(p11 + o) - load<f32>(p11 + o - 4) + (load<f32>(p12 + o) - load<f32>(p12 + o - rowBytes));
      div2 = load<f32>(p21 + o) - load<f32>(p21 + o - 4) + (load<f32>(p22 + o) - load<f32>(p22 + o - rowBytes));
    }
    sum += <f64>primalPixel(o, div1, div2);
  }
  return sum + f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
}

/** (float)hypot(x, y) as OpenCV computes it: in double, rounded once to float. */
function hypot32(x: f32, y: f32): f32 {
  return <f32>sqrt<f64>(<f64>x * <f64>x + <f64>y * <f64>y);
}

/** The same for 4 lanes. */
function hypot32x4(x: v128, y: v128): v128 {
  const xl = f64x2.promote_low_f32x4(x);
  const yl = f64x2.promote_low_f32x4(y);
  const xh = f64x2.promote_low_f32x4(f32x4.shuffle(x, x, 2, 3, 0, 1));
  const yh = f64x2.promote_low_f32x4(f32x4.shuffle(y, y, 2, 3, 0, 1));
  const gl = f32x4.demote_f64x2_zero(f64x2.sqrt(f64x2.add(f64x2.mul(xl, xl), f64x2.mul(yl, yl))));
  const gh = f32x4.demote_f64x2_zero(f64x2.sqrt(f64x2.add(f64x2.mul(xh, xh), f64x2.mul(yh, yh))));
  return f32x4.shuffle(gl, gh, 0, 1, 4, 5);
}

/** The dual step of one pixel from its forward differences. */
function dualPixel(o: usize, u1x: f32, u1y: f32, u2x: f32, u2y: f32): void {
  const taut = TAUT;
  const ng1: f32 = 1 + taut * hypot32(u1x, u1y);
  const ng2: f32 = 1 + taut * hypot32(u2x, u2y);
  store<f32>(P11 + o, (load<f32>(P11 + o) + taut * u1x) / ng1);
  store<f32>(P12 + o, (load<f32>(P12 + o) + taut * u1y) / ng1);
  store<f32>(P21 + o, (load<f32>(P21 + o) + taut * u2x) / ng2);
  store<f32>(P22 + o, (load<f32>(P22 + o) + taut * u2y) / ng2);
}

/** forwardGradient + estimateDualVariables for row y, which has a next row. */
function dualRow(y: i32, w: i32): void {
  const rowBytes = (<usize>w) << 2;
  const o0 = <usize>y * rowBytes;
  const last = o0 + rowBytes - 4;
  const u1 = U1;
  const u2 = U2;
  const p11 = P11;
  const p12 = P12;
  const p21 = P21;
  const p22 = P22;
  const taut = f32x4.splat(TAUT);
  const one = f32x4.splat(1);
  let o = o0;
  for (; o + 16 <= last; o += 16) {
    const a = v128.load(u1 + o);
    const b = v128.load(u2 + o);
    const u1x = f32x4.sub(v128.load(u1 + o + 4), a);
    const u2x = f32x4.sub(v128.load(u2 + o + 4), b);
    const u1y = f32x4.sub(v128.load(u1 + o + rowBytes), a);
    const u2y = f32x4.sub(v128.load(u2 + o + rowBytes), b);
    const ng1 = f32x4.add(one, f32x4.mul(taut, hypot32x4(u1x, u1y)));
    const ng2 = f32x4.add(one, f32x4.mul(taut, hypot32x4(u2x, u2y)));
    v128.store(p11 + o, f32x4.div(f32x4.add(v128.load(p11 + o), f32x4.mul(taut, u1x)), ng1));
    v128.store(p12 + o, f32x4.div(f32x4.add(v128.load(p12 + o), f32x4.mul(taut, u1y)), ng1));
    v128.store(p21 + o, f32x4.div(f32x4.add(v128.load(p21 + o), f32x4.mul(taut, u2x)), ng2));
    v128.store(p22 + o, f32x4.div(f32x4.add(v128.load(p22 + o), f32x4.mul(taut, u2y)), ng2));
  }
  for (; o < last; o += 4) {
    const a = load<f32>(u1 + o);
    const b = load<f32>(u2 + o);
    dualPixel(o, load<f32>(u1 + o + 4) - a, load<f32>(u1 + o + rowBytes) - a, load<f32>(u2 + o + 4) - b, load<f32>(u2 + o + rowBytes) - b);
  }
  // last column: no x difference (p·1 / ng, as the TypeScript kernel)
  const tau = TAUT;
  const u1y: f32 = load<f32>(u1 + last + rowBytes) - load<f32>(u1 + last);
  const u2y: f32 = load<f32>(u2 + last + rowBytes) - load<f32>(u2 + last);
  const ng1: f32 = 1 + tau * abs<f32>(u1y);
  const ng2: f32 = 1 + tau * abs<f32>(u2y);
  store<f32>(p11 + last, load<f32>(p11 + last) / ng1);
  store<f32>(p12 + last, (load<f32>(p12 + last) + tau * u1y) / ng1);
  store<f32>(p21 + last, load<f32>(p21 + last) / ng2);
  store<f32>(p22 + last, (load<f32>(p22 + last) + tau * u2y) / ng2);
}

/** forwardGradient + estimateDualVariables for the last row (no y differences). */
function dualLastRow(y: i32, w: i32): void {
  const rowBytes = (<usize>w) << 2;
  const o0 = <usize>y * rowBytes;
  const last = o0 + rowBytes - 4;
  const tau = TAUT;
  for (let o = o0; o <= last; o += 4) {
    const u1x: f32 = o < last ? load<f32>(U1 + o + 4) - load<f32>(U1 + o) : 0;
    const u2x: f32 = o < last ? load<f32>(U2 + o + 4) - load<f32>(U2 + o) : 0;
    const ng1: f32 = 1 + tau * abs<f32>(u1x);
    const ng2: f32 = 1 + tau * abs<f32>(u2x);
    store<f32>(P11 + o, (load<f32>(P11 + o) + tau * u1x) / ng1);
    store<f32>(P12 + o, load<f32>(P12 + o) / ng1);
    store<f32>(P21 + o, (load<f32>(P21 + o) + tau * u2x) / ng2);
    store<f32>(P22 + o, load<f32>(P22 + o) / ng2);
  }
}

/**
 * One fused inner iteration, the contract of `innerIteration` in src/flow/cpu/tvl1.ts: updates u1, u2 and the
 * four dual planes in place, writes each pixel's squared update into sq and returns their sum in double.
 */
export function innerIteration(
  w: i32,
  h: i32,
  ix: usize,
  iy: usize,
  grad: usize,
  rhoC: usize,
  u1: usize,
  u2: usize,
  p11: usize,
  p12: usize,
  p21: usize,
  p22: usize,
  lt: f32,
  theta: f32,
  taut: f32,
  sq: usize,
): f64 {
  IX = ix;
  IY = iy;
  GR = grad;
  RC = rhoC;
  U1 = u1;
  U2 = u2;
  P11 = p11;
  P12 = p12;
  P21 = p21;
  P22 = p22;
  SQ = sq;
  LT = lt;
  THETA = theta;
  TAUT = taut;
  let sum = primalRow(0, w);
  for (let y = 1; y < h; y++) {
    sum += primalRow(y, w);
    dualRow(y - 1, w);
  }
  dualLastRow(h - 1, w);
  return sum;
}

// ---- per warp: grad = Ix² + Iy², rho_c = ((I1w − Ix·u1) − Iy·u2) − I0 (the contract of calcGradRho) ----

export function gradRho(i0: usize, i1w: usize, ix: usize, iy: usize, u1: usize, u2: usize, grad: usize, rhoC: usize, n: i32): void {
  const end = (<usize>n) << 2;
  let o: usize = 0;
  for (; o + 16 <= end; o += 16) {
    const x = v128.load(ix + o);
    const y = v128.load(iy + o);
    v128.store(grad + o, f32x4.add(f32x4.mul(x, x), f32x4.mul(y, y)));
    const r = f32x4.sub(f32x4.sub(v128.load(i1w + o), f32x4.mul(x, v128.load(u1 + o))), f32x4.mul(y, v128.load(u2 + o)));
    v128.store(rhoC + o, f32x4.sub(r, v128.load(i0 + o)));
  }
  for (; o < end; o += 4) {
    const x = load<f32>(ix + o);
    const y = load<f32>(iy + o);
    store<f32>(grad + o, x * x + y * y);
    store<f32>(rhoC + o, load<f32>(i1w + o) - x * load<f32>(u1 + o) - y * load<f32>(u2 + o) - load<f32>(i0 + o));
  }
}

// ---- 5×5 median with replicated borders (medianBlur(u, u, 5) on float) ----
// The networks (median-net.ts) use f32x4.pmin/pmax, which equal Math.min/max unless an input is NaN or a tie is
// +0 against −0. Neither occurs in u: it starts at +0; an IEEE sum is −0 only when both terms are −0, so
// v = u + d and u + θ·div are never −0; the bilinear resize sums two products whose weights add up to 1 (one of
// them ≥ 0.5), and ·1.25 keeps the sign; nothing divides by zero or takes a root of a negative number.

/**
 * In place on u (w×h). scratch: 20 planes of w + 16 floats (5 padded rows, 5 sorted-column planes, 10 pair
 * planes); out: w·h + 8 floats. Vectors run past the row ends into the margins; every lane that feeds a valid
 * output is computed from valid data.
 */
export function median5(u: usize, w: i32, h: i32, scratch: usize, out: usize): void {
  const n = w + 16;
  const stride = (<usize>n) << 2;
  const rows = scratch;
  const cols = rows + 5 * stride;
  const pairs = cols + 5 * stride;
  const rowBytes = (<usize>w) << 2;
  for (let y = 0; y < h; y++) {
    // rows y−2 … y+2 (clamped) at padded positions p = x + 2 (x clamped)
    for (let k = 0; k < 5; k++) {
      let r = y + k - 2;
      r = r < 0 ? 0 : r > h - 1 ? h - 1 : r;
      const src = u + <usize>r * rowBytes;
      const dst = rows + <usize>k * stride;
      const left = load<f32>(src);
      const right = load<f32>(src + rowBytes - 4);
      store<f32>(dst, left);
      store<f32>(dst + 4, left);
      memory.copy(dst + 8, src, rowBytes);
      for (let p = w + 2; p < n; p++) store<f32>(dst + ((<usize>p) << 2), right);
    }
    // sorted columns at padded positions p (valid up to ≥ w + 11)
    for (let p = 0; p < w + 12; p += 4) sortColumns4(rows + ((<usize>p) << 2), cols + ((<usize>p) << 2), stride);
    // merged column pairs (p, p + 1) (valid up to ≥ w + 7; reads columns ≤ w + 11)
    for (let p = 0; p < w + 8; p += 4) mergePairs4(cols + ((<usize>p) << 2), pairs + ((<usize>p) << 2), stride);
    // the window of x covers padded columns x … x + 4 = pair(x), pair(x + 2), column(x + 4)
    const o = out + <usize>y * rowBytes;
    for (let x = 0; x < w; x += 4) {
      const xb = (<usize>x) << 2;
      v128.store(o + xb, median4(pairs + xb, cols + xb, stride)); // up to 3 floats past the row: out has slack
    }
  }
  memory.copy(u, out, <usize>h * rowBytes);
}

// ---- bicubic warp of three images (buildFlowMap + remap INTER_CUBIC, constant 0 border) ----

/** `_mm_cvtps_epi32`: round half to even, INT_MIN when out of range. */
function cvtps(v: f32): i32 {
  if (!(v >= -2147483648.0 && v < 2147483648.0)) return i32.MIN_VALUE;
  return <i32>nearest<f32>(v);
}

function sat16(v: i32): i32 {
  return v < -32768 ? -32768 : v > 32767 ? 32767 : v;
}

/**
 * Fully inside: rows summed as `sum = r0; sum += r1; …`, each `rk = ((s0·w0 + s1·w1) + s2·w2) + s3·w3`. The 16
 * products are 4 row vectors; a 4×4 transpose turns the row sums into lane-wise adds (lane k = row k), so every
 * sum keeps its order.
 */
function cubicInterior(s: usize, rowBytes: usize, k0: v128, k1: v128, k2: v128, k3: v128): f32 {
  const q0 = f32x4.mul(v128.load(s), k0);
  const q1 = f32x4.mul(v128.load(s + rowBytes), k1);
  const q2 = f32x4.mul(v128.load(s + 2 * rowBytes), k2);
  const q3 = f32x4.mul(v128.load(s + 3 * rowBytes), k3);
  const a = f32x4.shuffle(q0, q1, 0, 1, 4, 5); // q0[0] q0[1] q1[0] q1[1]
  const b = f32x4.shuffle(q0, q1, 2, 3, 6, 7); // q0[2] q0[3] q1[2] q1[3]
  const c = f32x4.shuffle(q2, q3, 0, 1, 4, 5);
  const d = f32x4.shuffle(q2, q3, 2, 3, 6, 7);
  const t0 = f32x4.shuffle(a, c, 0, 2, 4, 6); // column 0 of rows 0 … 3
  const t1 = f32x4.shuffle(a, c, 1, 3, 5, 7);
  const t2 = f32x4.shuffle(b, d, 0, 2, 4, 6);
  const t3 = f32x4.shuffle(b, d, 1, 3, 5, 7);
  const r = f32x4.add(f32x4.add(f32x4.add(t0, t1), t2), t3);
  return f32x4.extract_lane(r, 0) + f32x4.extract_lane(r, 1) + f32x4.extract_lane(r, 2) + f32x4.extract_lane(r, 3);
}

/** Partly outside: the in-image taps one by one in row-major order, from 0. */
function cubicBorder(src: usize, sx: i32, sy: i32, w: i32, h: i32, k: usize): f32 {
  let sum: f32 = 0;
  for (let i = 0; i < 4; i++) {
    const yi = sy + i;
    if (yi < 0 || yi >= h) continue;
    for (let j = 0; j < 4; j++) {
      const xj = sx + j;
      if (xj < 0 || xj >= w) continue;
      sum += load<f32>(src + ((<usize>(yi * w + xj)) << 2)) * load<f32>(k + ((<usize>(i * 4 + j)) << 2));
    }
  }
  return sum;
}

/** One output pixel (byte offset o) of the three images from its top-left tap (sx, sy) and weights k. */
function warpPixel(s0: usize, s1: usize, s2: usize, d0: usize, d1: usize, d2: usize, o: usize, sx: i32, sy: i32, k: usize, w: i32, h: i32): void {
  const rowBytes = (<usize>w) << 2;
  if (sx >= 0 && sx < w - 3 && sy >= 0 && sy < h - 3) {
    const a = <usize>sy * rowBytes + ((<usize>sx) << 2);
    const k0 = v128.load(k);
    const k1 = v128.load(k, 16);
    const k2 = v128.load(k, 32);
    const k3 = v128.load(k, 48);
    store<f32>(d0 + o, cubicInterior(s0 + a, rowBytes, k0, k1, k2, k3));
    store<f32>(d1 + o, cubicInterior(s1 + a, rowBytes, k0, k1, k2, k3));
    store<f32>(d2 + o, cubicInterior(s2 + a, rowBytes, k0, k1, k2, k3));
  } else if (sx >= w || sx + 4 <= 0 || sy >= h || sy + 4 <= 0) {
    store<f32>(d0 + o, 0);
    store<f32>(d1 + o, 0);
    store<f32>(d2 + o, 0);
  } else {
    store<f32>(d0 + o, cubicBorder(s0, sx, sy, w, h, k));
    store<f32>(d1 + o, cubicBorder(s1, sx, sy, w, h, k));
    store<f32>(d2 + o, cubicBorder(s2, sx, sy, w, h, k));
  }
}

/** cvtps of 4 lanes. */
function cvtps4(v: v128): v128 {
  const inRange = v128.and(f32x4.ge(v, f32x4.splat(-2147483648.0)), f32x4.lt(v, f32x4.splat(2147483648.0)));
  return v128.bitselect(i32x4.trunc_sat_f32x4_s(f32x4.nearest(v)), i32x4.splat(i32.MIN_VALUE), inRange);
}

/** sat16(v >> 5) − 1 of 4 lanes: the top-left tap. */
function tap4(v: v128): v128 {
  return i32x4.sub(i32x4.min_s(i32x4.max_s(i32x4.shr_s(v, 5), i32x4.splat(-32768)), i32x4.splat(32767)), i32x4.splat(1));
}

/** The contract of `warpBicubic3` (src/flow/cpu/remap.ts); tab: OpenCV's 32×32×16 bicubic weight table. */
export function warp3(s0: usize, s1: usize, s2: usize, u1: usize, u2: usize, w: i32, h: i32, d0: usize, d1: usize, d2: usize, tab: usize): void {
  const rowBytes = (<usize>w) << 2;
  const lanes = f32x4(0, 1, 2, 3);
  const scale = f32x4.splat(32);
  const frac = i32x4.splat(31);
  const tabs = i32x4.splat(<i32>tab);
  for (let y = 0; y < h; y++) {
    const row = <usize>y * rowBytes;
    const fy = f32x4.splat(<f32>y);
    let x = 0;
    // positions, taps and weight offsets of 4 pixels at a time
    for (; x + 4 <= w; x += 4) {
      const o = row + ((<usize>x) << 2);
      const X = cvtps4(f32x4.mul(f32x4.add(f32x4.add(f32x4.splat(<f32>x), lanes), v128.load(u1 + o)), scale));
      const Y = cvtps4(f32x4.mul(f32x4.add(fy, v128.load(u2 + o)), scale));
      const sx = tap4(X);
      const sy = tap4(Y);
      const k = i32x4.add(tabs, i32x4.shl(v128.or(i32x4.shl(v128.and(Y, frac), 5), v128.and(X, frac)), 6));
      warpPixel(s0, s1, s2, d0, d1, d2, o, i32x4.extract_lane(sx, 0), i32x4.extract_lane(sy, 0), <usize>i32x4.extract_lane(k, 0), w, h);
      warpPixel(s0, s1, s2, d0, d1, d2, o + 4, i32x4.extract_lane(sx, 1), i32x4.extract_lane(sy, 1), <usize>i32x4.extract_lane(k, 1), w, h);
      warpPixel(s0, s1, s2, d0, d1, d2, o + 8, i32x4.extract_lane(sx, 2), i32x4.extract_lane(sy, 2), <usize>i32x4.extract_lane(k, 2), w, h);
      warpPixel(s0, s1, s2, d0, d1, d2, o + 12, i32x4.extract_lane(sx, 3), i32x4.extract_lane(sy, 3), <usize>i32x4.extract_lane(k, 3), w, h);
    }
    for (; x < w; x++) {
      const o = row + ((<usize>x) << 2);
      const X = cvtps((<f32>x + load<f32>(u1 + o)) * 32);
      const Y = cvtps((<f32>y + load<f32>(u2 + o)) * 32);
      const k = tab + ((<usize>(((Y & 31) << 5) | (X & 31))) << 6);
      warpPixel(s0, s1, s2, d0, d1, d2, o, sat16(X >> 5) - 1, sat16(Y >> 5) - 1, k, w, h);
    }
  }
}
