// Prototype: the two hottest TV-L1 kernels (the fused inner iteration and the 5×5 median) in C for WebAssembly
// SIMD (clang --target=wasm32 -msimd128, no libc, no emscripten), with exactly the float32 operations of
// src/flow/cpu/tvl1.ts and src/flow/cpu/median.ts (and so of OpenCV). Measured by tools/wasm-proto/bench.ts.
#include <wasm_simd128.h>
#include "median_net.h"

#define EXPORT(name) __attribute__((export_name(#name)))
#define FLT_EPS 1.1920928955078125e-7f

typedef struct {
  const float *ix, *iy, *grad, *rhoc;
  float *u1, *u2, *p11, *p12, *p21, *p22, *sq;
  int w, h;
  float lt, theta, taut;
} Inner;

// ---- primal (estimateV + divergence + estimateU) ----

static inline float primal_px(const Inner *s, int i, float div1, float div2) {
  const float ix = s->ix[i], iy = s->iy[i], g = s->grad[i], a = s->u1[i], b = s->u2[i];
  const float lt = s->lt;
  const float rho = s->rhoc[i] + (ix * a + iy * b);
  float d1 = 0.0f, d2 = 0.0f;
  if (rho < -lt * g) {
    d1 = lt * ix;
    d2 = lt * iy;
  } else if (rho > lt * g) {
    d1 = -lt * ix;
    d2 = -lt * iy;
  } else if (g > FLT_EPS) {
    const float fi = -rho / g;
    d1 = fi * ix;
    d2 = fi * iy;
  }
  const float n1 = (a + d1) + s->theta * div1;
  const float n2 = (b + d2) + s->theta * div2;
  s->u1[i] = n1;
  s->u2[i] = n2;
  const float e1 = n1 - a, e2 = n2 - b;
  const float e = e1 * e1 + e2 * e2;
  s->sq[i] = e;
  return e;
}

// 4 pixels i … i+3 of a row with a left neighbour; `up` = 0 on the first row (no p12/p22 of the row above)
static inline v128_t primal4(const Inner *s, int i, int first_row) {
  const v128_t ix = wasm_v128_load(s->ix + i), iy = wasm_v128_load(s->iy + i), g = wasm_v128_load(s->grad + i);
  const v128_t a = wasm_v128_load(s->u1 + i), b = wasm_v128_load(s->u2 + i);
  const v128_t lt = wasm_f32x4_splat(s->lt), nlt = wasm_f32x4_splat(-s->lt);
  const v128_t rho = wasm_f32x4_add(wasm_v128_load(s->rhoc + i), wasm_f32x4_add(wasm_f32x4_mul(ix, a), wasm_f32x4_mul(iy, b)));
  const v128_t ltg = wasm_f32x4_mul(lt, g);
  const v128_t m1 = wasm_f32x4_lt(rho, wasm_f32x4_neg(ltg));
  const v128_t m2 = wasm_f32x4_gt(rho, ltg);
  const v128_t m3 = wasm_f32x4_gt(g, wasm_f32x4_splat(FLT_EPS));
  const v128_t fi = wasm_f32x4_div(wasm_f32x4_neg(rho), g);
  const v128_t t = wasm_v128_bitselect(lt, wasm_v128_bitselect(nlt, fi, m2), m1);
  const v128_t any = wasm_v128_or(wasm_v128_or(m1, m2), m3);
  const v128_t d1 = wasm_v128_and(wasm_f32x4_mul(t, ix), any); // 0.0f where no case applies, like OpenCV
  const v128_t d2 = wasm_v128_and(wasm_f32x4_mul(t, iy), any);
  v128_t div1 = wasm_f32x4_sub(wasm_v128_load(s->p11 + i), wasm_v128_load(s->p11 + i - 1));
  v128_t div2 = wasm_f32x4_sub(wasm_v128_load(s->p21 + i), wasm_v128_load(s->p21 + i - 1));
  if (first_row) {
    div1 = wasm_f32x4_add(div1, wasm_v128_load(s->p12 + i));
    div2 = wasm_f32x4_add(div2, wasm_v128_load(s->p22 + i));
  } else {
    div1 = wasm_f32x4_add(div1, wasm_f32x4_sub(wasm_v128_load(s->p12 + i), wasm_v128_load(s->p12 + i - s->w)));
    div2 = wasm_f32x4_add(div2, wasm_f32x4_sub(wasm_v128_load(s->p22 + i), wasm_v128_load(s->p22 + i - s->w)));
  }
  const v128_t theta = wasm_f32x4_splat(s->theta);
  const v128_t n1 = wasm_f32x4_add(wasm_f32x4_add(a, d1), wasm_f32x4_mul(theta, div1));
  const v128_t n2 = wasm_f32x4_add(wasm_f32x4_add(b, d2), wasm_f32x4_mul(theta, div2));
  wasm_v128_store(s->u1 + i, n1);
  wasm_v128_store(s->u2 + i, n2);
  const v128_t e1 = wasm_f32x4_sub(n1, a), e2 = wasm_f32x4_sub(n2, b);
  const v128_t e = wasm_f32x4_add(wasm_f32x4_mul(e1, e1), wasm_f32x4_mul(e2, e2));
  wasm_v128_store(s->sq + i, e);
  return e;
}

static double primal_row(const Inner *s, int y) {
  const int w = s->w, o = y * w, end = o + w;
  double sum;
  if (y == 0) sum = primal_px(s, o, s->p11[o] + s->p12[o], s->p21[o] + s->p22[o]);
  else sum = primal_px(s, o, (s->p11[o] + s->p12[o]) - s->p12[o - w], (s->p21[o] + s->p22[o]) - s->p22[o - w]);
  v128_t acc = wasm_f64x2_splat(0.0);
  int i = o + 1;
  for (; i + 4 <= end; i += 4) {
    const v128_t e = primal4(s, i, y == 0);
    acc = wasm_f64x2_add(acc, wasm_f64x2_add(wasm_f64x2_promote_low_f32x4(e), wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(e, e, 2, 3, 0, 1))));
  }
  for (; i < end; i++) {
    const float div1 = y == 0 ? (s->p11[i] - s->p11[i - 1]) + s->p12[i] : (s->p11[i] - s->p11[i - 1]) + (s->p12[i] - s->p12[i - w]);
    const float div2 = y == 0 ? (s->p21[i] - s->p21[i - 1]) + s->p22[i] : (s->p21[i] - s->p21[i - 1]) + (s->p22[i] - s->p22[i - w]);
    sum += primal_px(s, i, div1, div2);
  }
  return sum + wasm_f64x2_extract_lane(acc, 0) + wasm_f64x2_extract_lane(acc, 1);
}

// ---- dual (forwardGradient + estimateDualVariables) ----

static inline float hyp(float x, float y) { return (float)__builtin_sqrt((double)x * x + (double)y * y); }

static inline void dual_px(const Inner *s, int i, float u1x, float u1y, float u2x, float u2y) {
  const float taut = s->taut;
  const float ng1 = 1.0f + taut * hyp(u1x, u1y);
  const float ng2 = 1.0f + taut * hyp(u2x, u2y);
  s->p11[i] = (s->p11[i] + taut * u1x) / ng1;
  s->p12[i] = (s->p12[i] + taut * u1y) / ng1;
  s->p21[i] = (s->p21[i] + taut * u2x) / ng2;
  s->p22[i] = (s->p22[i] + taut * u2y) / ng2;
}

static inline v128_t hyp4(v128_t x, v128_t y) {
  const v128_t xl = wasm_f64x2_promote_low_f32x4(x), yl = wasm_f64x2_promote_low_f32x4(y);
  const v128_t xh = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(x, x, 2, 3, 0, 1));
  const v128_t yh = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(y, y, 2, 3, 0, 1));
  const v128_t gl = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_sqrt(wasm_f64x2_add(wasm_f64x2_mul(xl, xl), wasm_f64x2_mul(yl, yl))));
  const v128_t gh = wasm_f32x4_demote_f64x2_zero(wasm_f64x2_sqrt(wasm_f64x2_add(wasm_f64x2_mul(xh, xh), wasm_f64x2_mul(yh, yh))));
  return wasm_i32x4_shuffle(gl, gh, 0, 1, 4, 5);
}

static void dual_row(const Inner *s, int y) {
  const int w = s->w, o = y * w, last = o + w - 1;
  const v128_t taut = wasm_f32x4_splat(s->taut), one = wasm_f32x4_splat(1.0f);
  int i = o;
  for (; i + 4 <= last; i += 4) {
    const v128_t a = wasm_v128_load(s->u1 + i), b = wasm_v128_load(s->u2 + i);
    const v128_t u1x = wasm_f32x4_sub(wasm_v128_load(s->u1 + i + 1), a), u2x = wasm_f32x4_sub(wasm_v128_load(s->u2 + i + 1), b);
    const v128_t u1y = wasm_f32x4_sub(wasm_v128_load(s->u1 + i + w), a), u2y = wasm_f32x4_sub(wasm_v128_load(s->u2 + i + w), b);
    const v128_t ng1 = wasm_f32x4_add(one, wasm_f32x4_mul(taut, hyp4(u1x, u1y)));
    const v128_t ng2 = wasm_f32x4_add(one, wasm_f32x4_mul(taut, hyp4(u2x, u2y)));
    wasm_v128_store(s->p11 + i, wasm_f32x4_div(wasm_f32x4_add(wasm_v128_load(s->p11 + i), wasm_f32x4_mul(taut, u1x)), ng1));
    wasm_v128_store(s->p12 + i, wasm_f32x4_div(wasm_f32x4_add(wasm_v128_load(s->p12 + i), wasm_f32x4_mul(taut, u1y)), ng1));
    wasm_v128_store(s->p21 + i, wasm_f32x4_div(wasm_f32x4_add(wasm_v128_load(s->p21 + i), wasm_f32x4_mul(taut, u2x)), ng2));
    wasm_v128_store(s->p22 + i, wasm_f32x4_div(wasm_f32x4_add(wasm_v128_load(s->p22 + i), wasm_f32x4_mul(taut, u2y)), ng2));
  }
  for (; i < last; i++) {
    dual_px(s, i, s->u1[i + 1] - s->u1[i], s->u1[i + w] - s->u1[i], s->u2[i + 1] - s->u2[i], s->u2[i + w] - s->u2[i]);
  }
  dual_px(s, last, 0.0f, s->u1[last + w] - s->u1[last], 0.0f, s->u2[last + w] - s->u2[last]);
}

static void dual_last_row(const Inner *s, int y) {
  const int w = s->w, o = y * w, last = o + w - 1;
  for (int i = o; i < last; i++) dual_px(s, i, s->u1[i + 1] - s->u1[i], 0.0f, s->u2[i + 1] - s->u2[i], 0.0f);
  dual_px(s, last, 0.0f, 0.0f, 0.0f, 0.0f);
}

EXPORT(tvl1_inner)
double tvl1_inner(int w, int h, const float *ix, const float *iy, const float *grad, const float *rhoc, float *u1, float *u2, float *p11,
                  float *p12, float *p21, float *p22, float lt, float theta, float taut, float *sq) {
  const Inner s = {ix, iy, grad, rhoc, u1, u2, p11, p12, p21, p22, sq, w, h, lt, theta, taut};
  double sum = primal_row(&s, 0);
  for (int y = 1; y < h; y++) {
    sum += primal_row(&s, y);
    dual_row(&s, y - 1);
  }
  dual_last_row(&s, h - 1);
  return sum;
}

// ---- 5×5 median, replicated borders ----

// scratch: 5 padded rows, 5 sorted-column planes, 10 pair planes (n = w + 16 each); out: w·h + 8 floats.
// Vectors run past the row end; the margins keep every lane that feeds a valid output computed.
EXPORT(median5)
void median5(float *u, int w, int h, float *scratch, float *out) {
  const int n = w + 16;
  float *R = scratch, *C = R + 5 * n, *P = C + 5 * n;
  for (int y = 0; y < h; y++) {
    for (int k = 0; k < 5; k++) {
      int r = y + k - 2;
      r = r < 0 ? 0 : r > h - 1 ? h - 1 : r;
      const float *row = u + r * w;
      float *dst = R + k * n;
      for (int p = 0; p < n; p++) {
        const int x = p < 2 ? 0 : p - 2 > w - 1 ? w - 1 : p - 2;
        dst[p] = row[x];
      }
    }
    // sorted columns at padded positions p (x = p − 2)
    for (int p = 0; p < w + 12; p += 4) { // valid up to ≥ w + 11
      v128_t o[5];
      sort5(wasm_v128_load(R + p), wasm_v128_load(R + n + p), wasm_v128_load(R + 2 * n + p), wasm_v128_load(R + 3 * n + p),
            wasm_v128_load(R + 4 * n + p), o);
      for (int k = 0; k < 5; k++) wasm_v128_store(C + k * n + p, o[k]);
    }
    // merged pairs (p, p+1)
    for (int p = 0; p < w + 8; p += 4) { // valid up to ≥ w + 7 (reads columns ≤ w + 11)
      v128_t a[5], b[5], o[10];
      for (int k = 0; k < 5; k++) {
        a[k] = wasm_v128_load(C + k * n + p);
        b[k] = wasm_v128_load(C + k * n + p + 1);
      }
      merge_pair(a, b, o);
      for (int k = 0; k < 10; k++) wasm_v128_store(P + k * n + p, o[k]);
    }
    // window of x: padded columns x … x+4 = pair(x) pair(x+2) column(x+4)
    for (int x = 0; x < w; x += 4) {
      v128_t pa[10], pb[10], c[5];
      for (int k = 0; k < 10; k++) {
        pa[k] = wasm_v128_load(P + k * n + x);
        pb[k] = wasm_v128_load(P + k * n + x + 2);
      }
      for (int k = 0; k < 5; k++) c[k] = wasm_v128_load(C + k * n + x + 4);
      wasm_v128_store(out + y * w + x, median_ppc(pa, pb, c)); // may write up to 3 floats past the row: out has slack
    }
  }
  for (int i = 0; i < w * h; i++) u[i] = out[i];
}

// ---- bicubic warp of three images (buildFlowMap + remap INTER_CUBIC, constant 0 border) ----

static inline int cvtps(float v) {
  if (!(v >= -2147483648.0f && v < 2147483648.0f)) return (int)0x80000000; // like _mm_cvtps_epi32
  return (int)__builtin_rintf(v);                                           // round half to even
}
static inline int sat16(int v) { return v < -32768 ? -32768 : v > 32767 ? 32767 : v; }

static inline float cubic_interior(const float *S, int a, int w, const float *k) {
  float sum = ((S[a] * k[0] + S[a + 1] * k[1]) + S[a + 2] * k[2]) + S[a + 3] * k[3];
  a += w;
  sum += ((S[a] * k[4] + S[a + 1] * k[5]) + S[a + 2] * k[6]) + S[a + 3] * k[7];
  a += w;
  sum += ((S[a] * k[8] + S[a + 1] * k[9]) + S[a + 2] * k[10]) + S[a + 3] * k[11];
  a += w;
  sum += ((S[a] * k[12] + S[a + 1] * k[13]) + S[a + 2] * k[14]) + S[a + 3] * k[15];
  return sum;
}

static inline float cubic_border(const float *S, int sx, int sy, int w, int h, const float *k) {
  float sum = 0.0f;
  for (int i = 0; i < 4; i++) {
    const int yi = sy + i;
    if (yi < 0 || yi >= h) continue;
    for (int j = 0; j < 4; j++) {
      const int xj = sx + j;
      if (xj < 0 || xj >= w) continue;
      sum += S[yi * w + xj] * k[i * 4 + j];
    }
  }
  return sum;
}

EXPORT(warp3)
void warp3(const float *s0, const float *s1, const float *s2, const float *u1, const float *u2, int w, int h, float *d0, float *d1, float *d2,
           const float *tab) {
  for (int y = 0; y < h; y++) {
    for (int x = 0; x < w; x++) {
      const int i = y * w + x;
      const int X = cvtps(((float)x + u1[i]) * 32.0f);
      const int Y = cvtps(((float)y + u2[i]) * 32.0f);
      const int sx = sat16(X >> 5) - 1, sy = sat16(Y >> 5) - 1;
      const float *k = tab + (((Y & 31) << 5) | (X & 31)) * 16;
      if (sx >= 0 && sx < w - 3 && sy >= 0 && sy < h - 3) {
        const int a = sy * w + sx;
        d0[i] = cubic_interior(s0, a, w, k);
        d1[i] = cubic_interior(s1, a, w, k);
        d2[i] = cubic_interior(s2, a, w, k);
      } else if (sx >= w || sx + 4 <= 0 || sy >= h || sy + 4 <= 0) {
        d0[i] = d1[i] = d2[i] = 0.0f;
      } else {
        d0[i] = cubic_border(s0, sx, sy, w, h, k);
        d1[i] = cubic_border(s1, sx, sy, w, h, k);
        d2[i] = cubic_border(s2, sx, sy, w, h, k);
      }
    }
  }
}
