/**
 * WGSL kernels of the WebGPU TV-L1. Every kernel handles a batch of frame pairs: workgroup_id.z is the pair.
 *
 * Buffers (one binding layout for all kernels; each buffer holds `pairs` blocks of `perPair` elements, see plan.ts):
 *   0 P      uniform Params of the level (and control slot) of this dispatch
 *   1 tab    read-only: OpenCV's bicubic weights (1024×16), then bilinear resize coefficients per level
 *   2 pyr    2 planes (I0, I1) of all pyramid levels
 *   3 igrad  2 planes (I1x, I1y) of the current level; before the pyramid exists: the uploaded uint8 frames
 *   4 wrp    4 planes (I1wx, I1wy, grad, rhoC) of the current warp; at the end: the interleaved output flow
 *   5 uu     2 halves × 2 planes (u1, u2): ping-pong, the current half is given by the control state
 *   6 pp     2 halves × 4 planes (p11, p12, p21, p22): ping-pong likewise
 *   7 ctl    u32 control block per pair: 2 state slots, counters, 2 rings of per-workgroup partial sums
 *
 * Loop control on the GPU. A state is (active, uHalf, pHalf, pending). Every "ctl-aware" dispatch reads the state
 * of its slot (given by the host, alternating 0/1) and workgroup (0,0) writes the next state into the other slot,
 * so no workgroup ever reads a word another workgroup of the same dispatch writes. `pending` means the previous
 * dispatch was an iteration whose per-workgroup partial sums of squared updates sit in the other ring: each
 * workgroup of the next ctl-aware dispatch reduces them itself, in the same fixed order, so all of them reach the
 * same decision `active = sum > epsilon²·n`. Inactive dispatches return at once (and pass the state on); the
 * warp kernel makes the state active again. Nothing is read back before the end of the whole batch.
 */
import { medianFunctionWgsl } from './median-network';
import { ITER_TILE, paramsStructWgsl } from './plan';

const header = (extra: string) => `
${paramsStructWgsl()}
@group(0) @binding(0) var<uniform> P: Params;
${extra}
const FLT_EPSILON: f32 = 1.1920928955078125e-7;
// A product rounded to f32 before it is added: OR-ing a runtime zero into its bits keeps compilers from fusing
// the multiply into a following add (FMA contraction), so a·b + c rounds twice as in OpenCV's float code.
fn rm(x: f32) -> f32 { return bitcast<f32>(bitcast<u32>(x) | P.zero); }
fn uBase(pair: u32, half: u32) -> u32 { return pair * 4u * P.n0 + half * 2u * P.n0; }
fn pBase(pair: u32, half: u32) -> u32 { return pair * 8u * P.n0 + half * 4u * P.n0; }
fn pyrBase(pair: u32) -> u32 { return pair * 2u * P.pyrLen; }
`;

const B_TAB = '@group(0) @binding(1) var<storage, read> tab: array<f32>;';
const B_PYR = '@group(0) @binding(2) var<storage, read_write> pyr: array<f32>;';
const B_IGRAD = '@group(0) @binding(3) var<storage, read_write> igrad: array<f32>;';
const B_RAW = '@group(0) @binding(3) var<storage, read_write> raw: array<u32>;';
const B_WRP = '@group(0) @binding(4) var<storage, read_write> wrp: array<f32>;';
const B_U = '@group(0) @binding(5) var<storage, read_write> uu: array<f32>;';
const B_P = '@group(0) @binding(6) var<storage, read_write> pp: array<f32>;';
const B_CTL = '@group(0) @binding(7) var<storage, read_write> ctl: array<u32>;';

/** Control-state helpers (ctl-aware kernels). */
const CONTROL = `
var<workgroup> wgState: vec4<u32>;
var<workgroup> red: array<f32, 256>;

fn ctlBase(pair: u32) -> u32 { return pair * P.ctlStride; }

// Sum of red[0..256) into red[0], fixed order; call from uniform control flow with all 256 invocations.
fn reduce256(li: u32) {
  for (var s = 128u; s > 0u; s = s >> 1u) {
    workgroupBarrier();
    if (li < s) { red[li] = red[li] + red[li + s]; }
  }
}

// The state this dispatch starts from; with resolvePending, the previous iteration's stopping test is applied.
fn readState(pair: u32, li: u32, resolvePending: bool) -> vec4<u32> {
  if (li == 0u) {
    let b = ctlBase(pair) + P.slot * 4u;
    wgState = vec4<u32>(ctl[b], ctl[b + 1u], ctl[b + 2u], ctl[b + 3u]);
  }
  var st = workgroupUniformLoad(&wgState);
  if (resolvePending && st.w != 0u) {
    let ring = ctlBase(pair) + 16u + (1u - P.slot) * P.maxTiles;
    var acc = 0.0;
    for (var t = li; t < P.nTiles; t = t + 256u) { acc = acc + bitcast<f32>(ctl[ring + t]); }
    red[li] = acc;
    reduce256(li);
    let total = workgroupUniformLoad(&red[0]);
    st.x = select(0u, 1u, total > P.eps);
    st.w = 0u;
  }
  return st;
}

fn writeState(pair: u32, st: vec4<u32>) {
  let b = ctlBase(pair) + (1u - P.slot) * 4u;
  ctl[b] = st.x;
  ctl[b + 1u] = st.y;
  ctl[b + 2u] = st.z;
  ctl[b + 3u] = st.w;
}

fn isLeader(wg: vec3<u32>, li: u32) -> bool { return li == 0u && wg.x == 0u && wg.y == 0u; }
`;

/** uint8 frames (packed 4 per word in igrad) → level 0 of the pyramid; resets the control block. */
export const LOAD_WGSL = `${header(`${B_PYR}\n${B_RAW}\n${B_CTL}`)}
fn byteAt(word0: u32, i: u32) -> f32 {
  return f32((raw[word0 + (i >> 2u)] >> ((i & 3u) * 8u)) & 255u);
}

@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) g: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let pair = wg.z;
  if (li == 0u && wg.x == 0u && wg.y == 0u) {
    let b = pair * P.ctlStride;
    ctl[b] = 1u; ctl[b + 1u] = 0u; ctl[b + 2u] = 0u; ctl[b + 3u] = 0u;
    ctl[b + 8u] = 0u; ctl[b + 9u] = 0u;
  }
  if (g.x >= P.w || g.y >= P.h) { return; }
  let i = g.y * P.w + g.x;
  let src = pair * 2u * P.n0;
  let dst = pyrBase(pair);
  pyr[dst + i] = byteAt(src, i);
  pyr[dst + P.pyrLen + i] = byteAt(src + P.n0, i);
}
`;

/** Bilinear resize (cv::resize INTER_LINEAR, float) of one row of a plane, given the column's coefficients. */
const resizeFunctions = (src: string) => `
fn hresize(row: u32, sx: u32, a0: f32, a1: f32, beyond: bool) -> f32 {
  if (beyond) { return ${src}[row + sx]; }
  return rm(${src}[row + sx] * a0) + rm(${src}[row + sx + 1u] * a1);
}
fn resizeAt(x: u32, y: u32, tabOff: u32, dw: u32, base: u32, sw: u32) -> f32 {
  let cx = tabOff + 4u * x;
  let cy = tabOff + 4u * dw + 4u * y;
  let sx = u32(tab[cx]);
  let a0 = tab[cx + 1u];
  let a1 = tab[cx + 2u];
  let beyond = tab[cx + 3u] != 0.0;
  let r0 = hresize(base + u32(tab[cy]) * sw, sx, a0, a1, beyond);
  let r1 = hresize(base + u32(tab[cy + 1u]) * sw, sx, a0, a1, beyond);
  return rm(r0 * tab[cy + 2u]) + rm(r1 * tab[cy + 3u]);
}
`;

/** Pyramid level s from level s−1, both frames. */
export const PYRDOWN_WGSL = `${header(`${B_TAB}\n${B_PYR}`)}
${resizeFunctions('pyr')}
@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  if (g.x >= P.w || g.y >= P.h) { return; }
  let pair = g.z;
  for (var plane = 0u; plane < 2u; plane = plane + 1u) {
    let base = pyrBase(pair) + plane * P.pyrLen;
    pyr[base + P.off + g.y * P.w + g.x] = resizeAt(g.x, g.y, P.pyrTab, P.w, base + P.fineOff, P.fineW);
  }
}
`;

/**
 * Start of a level: the flow (zero on the coarsest level, else the coarser level's flow resized and scaled by
 * 1/scaleStep) into the other u half, p = 0, and the centred gradient of I1.
 */
export const LEVEL_INIT_WGSL = `${header(`${B_TAB}\n${B_PYR}\n${B_IGRAD}\n${B_U}\n${B_P}\n${B_CTL}`)}
${CONTROL}
${resizeFunctions('uu')}
@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) g: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let pair = wg.z;
  let st = readState(pair, li, false);
  if (isLeader(wg, li)) { writeState(pair, vec4<u32>(1u, 1u - st.y, st.z, 0u)); }
  if (g.x >= P.w || g.y >= P.h) { return; }
  let x = g.x;
  let y = g.y;
  let i = y * P.w + x;
  let src = uBase(pair, st.y);
  let dst = uBase(pair, 1u - st.y);
  var v1 = 0.0;
  var v2 = 0.0;
  if (P.initMode == 1u) {
    v1 = resizeAt(x, y, P.upTab, P.w, src, P.coarseW) * P.upscale;
    v2 = resizeAt(x, y, P.upTab, P.w, src + P.n0, P.coarseW) * P.upscale;
  }
  uu[dst + i] = v1;
  uu[dst + P.n0 + i] = v2;
  let pb = pBase(pair, st.z);
  pp[pb + i] = 0.0;
  pp[pb + P.n0 + i] = 0.0;
  pp[pb + 2u * P.n0 + i] = 0.0;
  pp[pb + 3u * P.n0 + i] = 0.0;
  // centredGradient: 0.5·(next − previous), one-sided (still halved) at the borders
  let I1 = pyrBase(pair) + P.pyrLen + P.off;
  let l = select(x, x - 1u, x > 0u);
  let r = select(x, x + 1u, x + 1u < P.w);
  let up = select(y, y - 1u, y > 0u);
  let down = select(y, y + 1u, y + 1u < P.h);
  let gb = pair * 2u * P.n0;
  igrad[gb + i] = 0.5 * (pyr[I1 + y * P.w + r] - pyr[I1 + y * P.w + l]);
  igrad[gb + P.n0 + i] = 0.5 * (pyr[I1 + down * P.w + x] - pyr[I1 + up * P.w + x]);
}
`;

/** Per-pixel warp (shared by the grid and loop kernels). */
const WARP_FUNCS = `
// _mm_cvtps_epi32: round half to even, INT_MIN when out of range
fn cvtps(v: f32) -> i32 {
  if (!(v >= -2147483648.0 && v < 2147483648.0)) { return bitcast<i32>(0x80000000u); }
  return i32(round(v));
}
fn sat16(v: i32) -> i32 { return clamp(v, -32768, 32767); }

fn srcAt(k: u32, base: vec3<u32>, idx: u32) -> f32 {
  if (k == 0u) { return pyr[base.x + idx]; }
  if (k == 1u) { return igrad[base.y + idx]; }
  return igrad[base.z + idx];
}

// remap's interior case: rows of 4 taps summed left to right, then the 4 rows top to bottom
fn interior(k: u32, base: vec3<u32>, s: u32, wo: u32) -> f32 {
  var sum = 0.0;
  for (var r = 0u; r < 4u; r = r + 1u) {
    let o = s + r * P.w;
    let t = wo + 4u * r;
    let row = ((rm(srcAt(k, base, o) * tab[t]) + rm(srcAt(k, base, o + 1u) * tab[t + 1u])) + rm(srcAt(k, base, o + 2u) * tab[t + 2u])) +
      rm(srcAt(k, base, o + 3u) * tab[t + 3u]);
    if (r == 0u) { sum = row; } else { sum = sum + row; }
  }
  return sum;
}

// remap's border case: taps inside the image one by one, the others (value 0) skipped
fn border(k: u32, base: vec3<u32>, sx: i32, sy: i32, wo: u32) -> f32 {
  var sum = 0.0;
  for (var r = 0; r < 4; r = r + 1) {
    let yi = sy + r;
    if (yi < 0 || yi >= i32(P.h)) { continue; }
    for (var c = 0; c < 4; c = c + 1) {
      let xi = sx + c;
      if (xi < 0 || xi >= i32(P.w)) { continue; }
      sum = sum + rm(srcAt(k, base, u32(yi) * P.w + u32(xi)) * tab[wo + u32(r * 4 + c)]);
    }
  }
  return sum;
}

// I1, I1x, I1y at (x + u1, y + u2) (remap INTER_CUBIC, BORDER_CONSTANT 0), then the planes I1wx, I1wy,
// grad = I1wx² + I1wy², rhoC = I1w − I1wx·u1 − I1wy·u2 − I0
fn warpAt(pair: u32, x: u32, y: u32, ub: u32) {
  let i = y * P.w + x;
  let u1 = uu[ub + i];
  let u2 = uu[ub + P.n0 + i];
  let X = cvtps((f32(x) + u1) * 32.0);
  let Y = cvtps((f32(y) + u2) * 32.0);
  let sx = sat16(X >> 5u) - 1;
  let sy = sat16(Y >> 5u) - 1;
  let wo = u32(((Y & 31) << 5u) | (X & 31)) * 16u;
  let gb = pair * 2u * P.n0;
  let base = vec3<u32>(pyrBase(pair) + P.pyrLen + P.off, gb, gb + P.n0);
  let W = i32(P.w);
  let H = i32(P.h);
  var I1w = 0.0;
  var ix = 0.0;
  var iy = 0.0;
  if (sx >= 0 && sx < W - 3 && sy >= 0 && sy < H - 3) {
    let s = u32(sy) * P.w + u32(sx);
    I1w = interior(0u, base, s, wo);
    ix = interior(1u, base, s, wo);
    iy = interior(2u, base, s, wo);
  } else if (!(sx >= W || sx + 4 <= 0 || sy >= H || sy + 4 <= 0)) {
    I1w = border(0u, base, sx, sy, wo);
    ix = border(1u, base, sx, sy, wo);
    iy = border(2u, base, sx, sy, wo);
  }
  let I0 = pyr[pyrBase(pair) + P.off + i];
  let wb = pair * 4u * P.n0;
  wrp[wb + i] = ix;
  wrp[wb + P.n0 + i] = iy;
  wrp[wb + 2u * P.n0 + i] = rm(ix * ix) + rm(iy * iy);
  wrp[wb + 3u * P.n0 + i] = ((I1w - rm(ix * u1)) - rm(iy * u2)) - I0;
}
`;

/** Per-pixel primal and dual steps (shared by the grid and loop kernels). */
const ITERATION_FUNCS = `
// estimateV (thresholding) + divergence of p + estimateU at (x, y): (new u1, new u2, squared update)
fn primalAt(pair: u32, x: u32, y: u32, ub: u32, pb: u32) -> vec3<f32> {
  let n0 = P.n0;
  let i = y * P.w + x;
  let p11 = pp[pb + i];
  let p12 = pp[pb + n0 + i];
  let p21 = pp[pb + 2u * n0 + i];
  let p22 = pp[pb + 3u * n0 + i];
  // backward differences; on the first row/column the missing neighbour term is dropped
  var div1: f32;
  var div2: f32;
  if (y == 0u) {
    if (x == 0u) {
      div1 = p11 + p12;
      div2 = p21 + p22;
    } else {
      div1 = (p11 - pp[pb + i - 1u]) + p12;
      div2 = (p21 - pp[pb + 2u * n0 + i - 1u]) + p22;
    }
  } else if (x == 0u) {
    div1 = (p11 + p12) - pp[pb + n0 + i - P.w];
    div2 = (p21 + p22) - pp[pb + 3u * n0 + i - P.w];
  } else {
    div1 = (p11 - pp[pb + i - 1u]) + (p12 - pp[pb + n0 + i - P.w]);
    div2 = (p21 - pp[pb + 2u * n0 + i - 1u]) + (p22 - pp[pb + 3u * n0 + i - P.w]);
  }
  let wb = pair * 4u * n0;
  let ix = wrp[wb + i];
  let iy = wrp[wb + n0 + i];
  let gr = wrp[wb + 2u * n0 + i];
  let u1k = uu[ub + i];
  let u2k = uu[ub + n0 + i];
  let rho = wrp[wb + 3u * n0 + i] + (rm(ix * u1k) + rm(iy * u2k));
  let ltg = P.lt * gr;
  var d1 = 0.0;
  var d2 = 0.0;
  if (rho < -ltg) {
    d1 = rm(P.lt * ix);
    d2 = rm(P.lt * iy);
  } else if (rho > ltg) {
    d1 = -rm(P.lt * ix);
    d2 = -rm(P.lt * iy);
  } else if (gr > FLT_EPSILON) {
    let fi = -rho / gr;
    d1 = rm(fi * ix);
    d2 = rm(fi * iy);
  }
  let u1n = (u1k + d1) + rm(P.theta * div1);
  let u2n = (u2k + d2) + rm(P.theta * div2);
  let e1 = u1n - u1k;
  let e2 = u2n - u2k;
  return vec3<f32>(u1n, u2n, rm(e1 * e1) + rm(e2 * e2));
}

// a² as an unevaluated sum hi + lo, exactly (Veltkamp split: the partial products of 12-bit halves are exact)
fn sqExact(a: f32) -> vec2<f32> {
  let c = rm(4097.0 * a);
  let ah = c - (c - a);
  let al = a - ah;
  let p = rm(a * a);
  return vec2<f32>(p, ((rm(ah * ah) - p) + rm(rm(2.0 * ah) * al)) + rm(al * al));
}

// OpenCV's (float)hypot(a, b) (computed in double): the square root of the exact a² + b² with one Newton
// correction, which rounds like the double computation (a plain f32 sqrt(a·a + b·b) is 1 ulp off ~15 % of the time)
fn hyp(a: f32, b: f32) -> f32 {
  if (a == 0.0) { return abs(b); }
  if (b == 0.0) { return abs(a); }
  // tiny or huge values are scaled by a power of two (exact) first: the squares (and the error terms of the exact
  // split, 2⁻⁴⁸ smaller) must stay normal floats — adapters may flush subnormals to zero, and a² + b² = 0 gave
  // 0/0 = NaN below (Chromium's SwiftShader, differences of u under ~1e-19)
  let m = max(abs(a), abs(b));
  if (m < 0x1p-30f) { return hypScaled(a * 0x1p64f, b * 0x1p64f) * 0x1p-64f; }
  if (m > 0x1p50f) { return hypScaled(a * 0x1p-80f, b * 0x1p-80f) * 0x1p80f; }
  return hypScaled(a, b);
}

// hyp() for max(|a|, |b|) in [2⁻³⁰, 2⁵⁰]
fn hypScaled(a: f32, b: f32) -> f32 {
  let A = sqExact(a);
  let B = sqExact(b);
  let s = A.x + B.x;
  let bv = s - A.x;
  let lo = (((A.x - (s - bv)) + (B.x - bv)) + A.y) + B.y;
  // subnormal inputs read as zero where they are flushed
  if (!(s > 0.0)) { return 0.0; }
  let r = sqrt(s);
  let R = sqExact(r);
  let resid = ((s - R.x) - R.y) + lo;
  return r + resid / (2.0 * r);
}

// forwardGradient (0 past the last column/row) + estimateDualVariables at pixel i, given the new u there (c),
// to the right (r) and below (d); reads p at i from pin, writes it to pout (may be the same)
fn dualAt(i: u32, pin: u32, pout: u32, c: vec2<f32>, r: vec2<f32>, d: vec2<f32>, hasR: bool, hasD: bool) {
  let n0 = P.n0;
  var ux = vec2<f32>(0.0, 0.0);
  var uy = vec2<f32>(0.0, 0.0);
  if (hasR) { ux = r - c; }
  if (hasD) { uy = d - c; }
  let ng1 = 1.0 + rm(P.taut * hyp(ux.x, uy.x));
  let ng2 = 1.0 + rm(P.taut * hyp(ux.y, uy.y));
  let p11 = pp[pin + i];
  let p12 = pp[pin + n0 + i];
  let p21 = pp[pin + 2u * n0 + i];
  let p22 = pp[pin + 3u * n0 + i];
  pp[pout + i] = (p11 + rm(P.taut * ux.x)) / ng1;
  pp[pout + n0 + i] = (p12 + rm(P.taut * uy.x)) / ng1;
  pp[pout + 2u * n0 + i] = (p21 + rm(P.taut * ux.y)) / ng2;
  pp[pout + 3u * n0 + i] = (p22 + rm(P.taut * uy.y)) / ng2;
}
`;

/** The median of the 5×5 window (rows and columns clamped) read straight from the u plane at `src`. */
const MEDIAN_DIRECT = `
${medianFunctionWgsl('median25', 25)}

fn median5At(src: u32, x: u32, y: u32) -> f32 {
  let xm2 = u32(max(i32(x) - 2, 0));
  let xm1 = u32(max(i32(x) - 1, 0));
  let xp1 = min(x + 1u, P.w - 1u);
  let xp2 = min(x + 2u, P.w - 1u);
  let r0 = src + u32(max(i32(y) - 2, 0)) * P.w;
  let r1 = src + u32(max(i32(y) - 1, 0)) * P.w;
  let r2 = src + y * P.w;
  let r3 = src + min(y + 1u, P.h - 1u) * P.w;
  let r4 = src + min(y + 2u, P.h - 1u) * P.w;
  return median25(
${['r0', 'r1', 'r2', 'r3', 'r4'].map((r) => ['xm2', 'xm1', 'x', 'xp1', 'xp2'].map((c) => `    uu[${r} + ${c}]`).join(',\n')).join(',\n')});
}
`;

/** Grid mode: the warp of one level, one pixel per invocation; makes the state active (a warp always starts its loops). */
export const WARP_WGSL = `${header(`${B_TAB}\n${B_PYR}\n${B_IGRAD}\n${B_WRP}\n${B_U}\n${B_CTL}`)}
${CONTROL}
${WARP_FUNCS}
@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) g: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let pair = wg.z;
  let st = readState(pair, li, false);
  if (isLeader(wg, li)) { writeState(pair, vec4<u32>(1u, st.y, st.z, 0u)); }
  if (g.x >= P.w || g.y >= P.h) { return; }
  warpAt(pair, g.x, g.y, uBase(pair, st.y));
}
`;

/** Grid mode: 5×5 median (replicated borders) of u1 and u2 at the start of every outer iteration. */
export const MEDIAN_WGSL = `${header(`${B_U}\n${B_CTL}`)}
${CONTROL}
var<workgroup> tile: array<f32, 800>;
${medianFunctionWgsl('median25', 25)}

fn med(c: u32, lx: u32, ly: u32) -> f32 {
  let b = c * 400u + ly * 20u + lx;
  return median25(
${Array.from({ length: 25 }, (_, k) => `    tile[b + ${(Math.floor(k / 5) * 20 + (k % 5)).toString()}u]`).join(',\n')});
}

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let pair = wg.z;
  let st = readState(pair, li, true);
  if (st.x == 0u) {
    if (isLeader(wg, li)) { writeState(pair, st); }
    return;
  }
  if (isLeader(wg, li)) {
    writeState(pair, vec4<u32>(1u, 1u - st.y, st.z, 0u));
    ctl[ctlBase(pair) + 9u] = ctl[ctlBase(pair) + 9u] + 1u;
  }
  let src = uBase(pair, st.y);
  let ox = i32(wg.x * 16u) - 2;
  let oy = i32(wg.y * 16u) - 2;
  for (var t = li; t < 400u; t = t + 256u) {
    let gx = u32(clamp(ox + i32(t % 20u), 0, i32(P.w) - 1));
    let gy = u32(clamp(oy + i32(t / 20u), 0, i32(P.h) - 1));
    let gi = gy * P.w + gx;
    tile[t] = uu[src + gi];
    tile[400u + t] = uu[src + P.n0 + gi];
  }
  workgroupBarrier();
  let x = wg.x * 16u + l.x;
  let y = wg.y * 16u + l.y;
  if (x >= P.w || y >= P.h) { return; }
  let dst = uBase(pair, 1u - st.y);
  let i = y * P.w + x;
  uu[dst + i] = med(0u, l.x, l.y);
  uu[dst + P.n0 + i] = med(1u, l.x, l.y);
}
`;

/**
 * Grid mode: one inner iteration, fused. The primal step on a 16×16 block, then the dual step on its 15×15
 * interior, which needs the new u one pixel to the right and below (the halo column and row are recomputed
 * identically by the neighbouring workgroups). Reads the current u/p halves, writes the other ones, and the
 * block's sum of squared updates.
 */
export const ITERATE_WGSL = `${header(`${B_WRP}\n${B_U}\n${B_P}\n${B_CTL}`)}
${CONTROL}
${ITERATION_FUNCS}
var<workgroup> su: array<vec2<f32>, 256>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let pair = wg.z;
  let st = readState(pair, li, true);
  if (st.x == 0u) {
    if (isLeader(wg, li)) { writeState(pair, st); }
    return;
  }
  if (isLeader(wg, li)) {
    writeState(pair, vec4<u32>(1u, 1u - st.y, 1u - st.z, 1u));
    ctl[ctlBase(pair) + 8u] = ctl[ctlBase(pair) + 8u] + 1u;
  }
  let x = wg.x * ${ITER_TILE}u + l.x;
  let y = wg.y * ${ITER_TILE}u + l.y;
  let inside = x < P.w && y < P.h;
  var r = vec3<f32>(0.0, 0.0, 0.0);
  if (inside) { r = primalAt(pair, x, y, uBase(pair, st.y), pBase(pair, st.z)); }
  su[li] = r.xy;
  workgroupBarrier();
  let owned = inside && l.x < ${ITER_TILE}u && l.y < ${ITER_TILE}u;
  if (owned) {
    let i = y * P.w + x;
    let uout = uBase(pair, 1u - st.y);
    uu[uout + i] = r.x;
    uu[uout + P.n0 + i] = r.y;
    dualAt(i, pBase(pair, st.z), pBase(pair, 1u - st.z), r.xy, su[li + 1u], su[li + 16u], x + 1u < P.w, y + 1u < P.h);
  }
  red[li] = select(0.0, r.z, owned);
  reduce256(li);
  if (li == 0u) {
    ctl[ctlBase(pair) + 16u + P.slot * P.maxTiles + wg.y * P.tilesX + wg.x] = bitcast<u32>(red[0]);
  }
}
`;

/**
 * Loop mode: one workgroup per pair runs a whole warp — the warp itself, then up to outerIterations × (median,
 * up to innerIterations iterations) — with the stopping rule evaluated in the workgroup. u is ping-ponged by the
 * median, p is updated in place. No dispatch is wasted on iterations after convergence.
 */
export const LOOP_WGSL = `${header(`${B_TAB}\n${B_PYR}\n${B_IGRAD}\n${B_WRP}\n${B_U}\n${B_P}\n${B_CTL}`)}
${CONTROL}
${WARP_FUNCS}
${ITERATION_FUNCS}
${MEDIAN_DIRECT}
var<workgroup> wgTotal: f32;
override OUTER: u32 = 10u;
override INNER: u32 = 30u;
override MEDIAN: bool = true;
override LOOP_WG: u32 = 256u;
override LOOP_GROUP: u32 = 16u; // LOOP_WG = LOOP_GROUP²

// the pixels of invocation li: i = li, li + LOOP_WG, … with (x, y) advanced without a division per pixel
struct Cursor { i: u32, x: u32, y: u32 }
fn cursorStart(li: u32) -> Cursor { return Cursor(li, li % P.w, li / P.w); }
fn cursorNext(c: ptr<function, Cursor>) {
  (*c).i = (*c).i + LOOP_WG;
  (*c).x = (*c).x + LOOP_WG % P.w;
  (*c).y = (*c).y + LOOP_WG / P.w;
  if ((*c).x >= P.w) {
    (*c).x = (*c).x - P.w;
    (*c).y = (*c).y + 1u;
  }
}

@compute @workgroup_size(LOOP_WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let pair = wg.z;
  let st = readState(pair, li, false);
  var cur = st.y;
  let pb = pBase(pair, st.z);
  let w = P.w;
  let n0 = P.n0;
  for (var c = cursorStart(li); c.i < P.n; cursorNext(&c)) { warpAt(pair, c.x, c.y, uBase(pair, cur)); }
  storageBarrier();
  let part = ctlBase(pair) + 16u;
  var running = true;
  var inner = 0u;
  var outer = 0u;
  for (var o = 0u; running && o < OUTER; o = o + 1u) {
    if (MEDIAN) {
      outer = outer + 1u;
      let src = uBase(pair, cur);
      let dst = uBase(pair, 1u - cur);
      for (var c = cursorStart(li); c.i < P.n; cursorNext(&c)) {
        uu[dst + c.i] = median5At(src, c.x, c.y);
        uu[dst + n0 + c.i] = median5At(src + n0, c.x, c.y);
      }
      storageBarrier();
      cur = 1u - cur;
    }
    let ub = uBase(pair, cur);
    for (var k = 0u; running && k < INNER; k = k + 1u) {
      inner = inner + 1u;
      var acc = 0.0;
      for (var c = cursorStart(li); c.i < P.n; cursorNext(&c)) {
        let r = primalAt(pair, c.x, c.y, ub, pb);
        uu[ub + c.i] = r.x;
        uu[ub + n0 + c.i] = r.y;
        acc = acc + r.z;
      }
      storageBarrier();
      for (var c = cursorStart(li); c.i < P.n; cursorNext(&c)) {
        let i = c.i;
        let u = vec2<f32>(uu[ub + i], uu[ub + n0 + i]);
        let hasR = c.x + 1u < w;
        let hasD = c.y + 1u < P.h;
        var r = u;
        var d = u;
        if (hasR) { r = vec2<f32>(uu[ub + i + 1u], uu[ub + n0 + i + 1u]); }
        if (hasD) { d = vec2<f32>(uu[ub + i + w], uu[ub + n0 + i + w]); }
        dualAt(i, pb, pb, u, r, d, hasR, hasD);
      }
      // stopping rule: per-invocation sums, LOOP_GROUP sums of LOOP_GROUP, one sum of those (fixed order)
      ctl[part + li] = bitcast<u32>(acc);
      storageBarrier();
      if (li < LOOP_GROUP) {
        var s = 0.0;
        for (var t = 0u; t < LOOP_GROUP; t = t + 1u) { s = s + bitcast<f32>(ctl[part + li * LOOP_GROUP + t]); }
        ctl[part + LOOP_WG + li] = bitcast<u32>(s);
      }
      storageBarrier();
      if (li == 0u) {
        var s = 0.0;
        for (var t = 0u; t < LOOP_GROUP; t = t + 1u) { s = s + bitcast<f32>(ctl[part + LOOP_WG + t]); }
        wgTotal = s;
      }
      running = workgroupUniformLoad(&wgTotal) > P.eps;
    }
  }
  if (li == 0u) {
    writeState(pair, vec4<u32>(1u, cur, st.z, 0u));
    ctl[ctlBase(pair) + 8u] = ctl[ctlBase(pair) + 8u] + inner;
    ctl[ctlBase(pair) + 9u] = ctl[ctlBase(pair) + 9u] + outer;
  }
}
`;

/** Level-0 flow (current u half) → interleaved (u1, u2) in wrp, followed by the two iteration counters. */
export const OUTPUT_WGSL = `${header(`${B_WRP}\n${B_U}\n${B_CTL}`)}
${CONTROL}
@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) g: vec3<u32>, @builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let pair = wg.z;
  let st = readState(pair, li, false);
  let ob = pair * 4u * P.n0;
  if (isLeader(wg, li)) {
    wrp[ob + 2u * P.n0] = f32(ctl[ctlBase(pair) + 8u]);
    wrp[ob + 2u * P.n0 + 1u] = f32(ctl[ctlBase(pair) + 9u]);
  }
  if (g.x >= P.w || g.y >= P.h) { return; }
  let i = g.y * P.w + g.x;
  let ub = uBase(pair, st.y);
  wrp[ob + 2u * i] = uu[ub + i];
  wrp[ob + 2u * i + 1u] = uu[ub + P.n0 + i];
}
`;

export const KERNELS = {
  load: LOAD_WGSL,
  pyrDown: PYRDOWN_WGSL,
  levelInit: LEVEL_INIT_WGSL,
  warp: WARP_WGSL,
  median: MEDIAN_WGSL,
  iterate: ITERATE_WGSL,
  loop: LOOP_WGSL,
  output: OUTPUT_WGSL,
} as const;

export type KernelName = keyof typeof KERNELS;
