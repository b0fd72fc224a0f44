/**
 * I3D convolutions as Winograd minimal filtering in space, in plain ONNX ops that both onnxruntime-web EPs run.
 * onnxruntime-web's CPU Conv is im2col + a WASM-SIMD SGEMM that already runs near the 128-bit SIMD peak, so the
 * way to make it faster is fewer multiply-adds.
 *
 * 3×3×3 stride-1 convs with (1,1,1) zero padding (emitWinogradConv), F(m×m, 3×3), m = 2 or 4:
 *   input transform   Pad x [1, C, T, S, S] by 1 in T, H, W; the C·(T+2) planes as single-channel images through
 *                     Conv [α², 1, α, α] stride m (α = m + 2): V = Bᵀ d B of every α×α tile → [C·(T+2), α², tiles]
 *   GEMM              Transpose → [1, α²·C, T+2, tiles]; a grouped Conv (α² groups, one per Winograd point, kernel
 *                     3×1 over (T, tiles), weights U = G w Gᵀ per tap) → [1, α²·O, T, tiles]: per point, the
 *                     product of U [O, 3C] and the three temporal shifts of V, im2col'd inside the Conv kernel
 *   output transform  MatMul with A [m², α²] (Aᵀ M A) → [m², O·T·tiles]; one Transpose puts the m×m blocks in
 *                     place → [1, O, T, S, S]; bias
 *   GEMM multiply-adds per output value and input channel: 3·α²/m² (F(2×2): 12, F(4×4): 6.75) instead of 27.
 *
 * Conv3d_1a (7×7×7 stride 2, emitWinogradStem): split the (padded) input into its four spatial 2×2 phases, so
 * the stride-2 7×7 kernel becomes four stride-1 4×4 kernels (taps 0,2,4,6 / 1,3,5 + a zero) on 12 phase planes
 * per frame; F(2×2, 4×4) on those (α = 5); the temporal kernel (7, stride 2) is the grouped Conv's kernel.
 *   GEMM multiply-adds per output value: 3·4·7·25/4 = 525 instead of 1029.
 *
 * Transform matrices come from Toom-Cook on small points (toomCook); the input transforms have integer
 * coefficients (exact in float32), G and A carry the fractions, and weights are transformed in float64. The
 * results differ from a direct convolution by float rounding only: ~1e-6 relative per layer for F(2×2, 3×3),
 * a few 1e-6 for F(4×4, 3×3) and F(2×2, 4×4).
 *
 * Pure: matrices and weight transforms are plain functions; each stage (inputTransform, gemmStage,
 * outputTransform) takes one options object and writes only into the GraphBuilder it is given. Nothing here
 * knows the graph rewrite that uses it (./wasm-graph.ts).
 */
import type { GraphBuilder } from './onnx-builder';

/** The part of GraphBuilder (./onnx-builder.ts, the app's one ONNX writer) the emitters use. */
export type GraphEmitter = Pick<GraphBuilder, 'node' | 'initializer' | 'int64s'>;

/** Winograd F(m, r) matrices: y = Aᵀ [(G g) ⊙ (Bᵀ d)] for an r-tap correlation giving m outputs from α = m + r − 1 inputs. */
export interface WinogradMatrices {
  m: number;
  r: number;
  alpha: number;
  /** α × α, integer entries. */
  BT: number[][];
  /** α × r. */
  G: number[][];
  /** m × α. */
  AT: number[][];
}

/** Coefficients (ascending powers) of Π (x − roots[i]). */
function polyFromRoots(roots: readonly number[]): number[] {
  let p = [1];
  for (const z of roots) {
    const q = new Array<number>(p.length + 1).fill(0);
    for (let i = 0; i < p.length; i++) {
      q[i + 1] += p[i];
      q[i] -= z * p[i];
    }
    p = q;
  }
  return p;
}

/**
 * Toom-Cook construction of F(m, r) on the α − 1 finite `points` plus ∞: Aᵀ is the (transposed) evaluation of a
 * degree-(m−1) polynomial, G the evaluation of the filter divided by N_j = Π_{l≠j}(f_j − f_l), and Bᵀ row j the
 * coefficients of N_j·L_j (Lagrange basis, integer for integer points); the ∞ point takes leading coefficients.
 */
export function toomCook(m: number, r: number, points: readonly number[]): WinogradMatrices {
  const alpha = m + r - 1;
  if (points.length !== alpha - 1) throw new RangeError(`F(${m}, ${r}) needs ${alpha - 1} finite points`);
  const n = alpha - 1;
  const BT: number[][] = [];
  const G: number[][] = [];
  const AT: number[][] = Array.from({ length: m }, () => new Array<number>(alpha).fill(0));
  for (let j = 0; j < n; j++) {
    const f = points[j];
    const others = points.filter((_, l) => l !== j);
    const N = others.reduce((acc, z) => acc * (f - z), 1);
    const row = polyFromRoots(others); // N_j·L_j, degree α − 2
    BT.push([...row, 0]);
    G.push(Array.from({ length: r }, (_, k) => f ** k / N));
    for (let i = 0; i < m; i++) AT[i][j] = f ** i;
  }
  BT.push(polyFromRoots(points)); // ∞: the monic Π (x − f_l), degree α − 1
  G.push(Array.from({ length: r }, (_, k) => (k === r - 1 ? 1 : 0)));
  AT[m - 1][n] = 1;
  return { m, r, alpha, BT, G, AT };
}

const MATRICES = {
  f2x3: toomCook(2, 3, [0, 1, -1]),
  f4x3: toomCook(4, 3, [0, 1, -1, 2, -2]),
  f2x4: toomCook(2, 4, [0, 1, -1, 2]),
  f4x4: toomCook(4, 4, [0, 1, -1, 2, -2, 0.5]),
};

export function winogradMatrices(m: 2 | 4, r: 3 | 4 = 3): WinogradMatrices {
  if (r === 4) return m === 2 ? MATRICES.f2x4 : MATRICES.f4x4;
  return m === 2 ? MATRICES.f2x3 : MATRICES.f4x3;
}

/** Input transform kernels [α², 1, α, α]: kernel (a, b) is Bᵀ[a] ⊗ Bᵀ[b]. */
function inputKernels(w: WinogradMatrices): Float32Array {
  const { BT, alpha: n } = w;
  const k = new Float32Array(n ** 4);
  for (let a = 0; a < n; a++)
    for (let b = 0; b < n; b++) for (let r = 0; r < n; r++) for (let s = 0; s < n; s++) k[((a * n + b) * n + r) * n + s] = BT[a][r] * BT[b][s];
  return k;
}

/** Output transform [m², α²]: row (p, q), column (a, b) is Aᵀ[p][a]·Aᵀ[q][b]. */
function outputMatrix(w: WinogradMatrices): Float32Array {
  const { AT, alpha: n, m } = w;
  const out = new Float32Array(m * m * n * n);
  for (let p = 0; p < m; p++)
    for (let q = 0; q < m; q++) for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) out[(p * m + q) * n * n + a * n + b] = AT[p][a] * AT[q][b];
  return out;
}

/**
 * G g Gᵀ of one r×r kernel (row-major at `g[at]`), into `out` (α×α, row-major), in float64. `gg` (α·r) is
 * scratch. A weight transform makes one call per kernel (millions for a published-width model): no allocation
 * here, and the sums in the order of the definition.
 */
function transformKernel(w: WinogradMatrices, g: Float32Array, at: number, out: Float64Array, gg: Float64Array): void {
  const { G, alpha: n, r } = w;
  for (let a = 0; a < n; a++) {
    const Ga = G[a];
    for (let j = 0; j < r; j++) {
      let s = 0;
      for (let i = 0; i < r; i++) s += Ga[i] * g[at + i * r + j];
      gg[a * r + j] = s;
    }
  }
  for (let a = 0; a < n; a++)
    for (let b = 0; b < n; b++) {
      const Gb = G[b];
      let s = 0;
      for (let j = 0; j < r; j++) s += gg[a * r + j] * Gb[j];
      out[a * n + b] = s;
    }
}

/** What every stage of one Winograd convolution shares. */
interface Stage {
  /** The transform matrices, F(m×m, r×r). */
  w: WinogradMatrices;
  /** Prefix of the value names the convolution adds (`<name>.wg_<suffix>`). */
  name: string;
  /** GEMM form (see gemmStage). */
  gemm: 'conv' | 'matmul';
  /** Separable input and output transforms (see inputTransform, outputTransform). */
  separable: boolean;
}

function valueName(s: Stage): (suffix: string) => string {
  return (suffix) => `${s.name}.wg_${suffix}`;
}

/**
 * Bᵀ d B of every α×α tile (stride m) of single-channel planes [N, 1, H, W] → [N, α², nt, nt'] (channel a·α + b).
 * Dense: one Conv [α², 1, α, α] (α⁴ multiply-adds per tile). Separable: the rows (Conv [α, 1, α, 1] stride (m, 1))
 * then the columns (Conv [α², 1, 1, α] stride (1, m), α groups): α²·W/m + α³ per tile, a few times fewer.
 */
function inputTransform(e: GraphEmitter, s: Stage & { planes: string }): string {
  const { w, planes } = s;
  const { BT, alpha, m } = w;
  const n = valueName(s);
  if (!s.separable) {
    return e.node('Conv', [planes, e.initializer(n('bt'), 'float32', [alpha * alpha, 1, alpha, alpha], inputKernels(w))], n('v'), {
      kernel_shape: [alpha, alpha],
      strides: [m, m],
    });
  }
  const rows = new Float32Array(alpha * alpha);
  for (let a = 0; a < alpha; a++) for (let r = 0; r < alpha; r++) rows[a * alpha + r] = BT[a][r];
  const cols = new Float32Array(alpha * alpha * alpha);
  for (let a = 0; a < alpha; a++) for (let b = 0; b < alpha; b++) for (let k = 0; k < alpha; k++) cols[(a * alpha + b) * alpha + k] = BT[b][k];
  const vr = e.node('Conv', [planes, e.initializer(n('bt_rows'), 'float32', [alpha, 1, alpha, 1], rows)], n('vr'), {
    kernel_shape: [alpha, 1],
    strides: [m, 1],
  }); // [N, α, nt, W]
  return e.node('Conv', [vr, e.initializer(n('bt_cols'), 'float32', [alpha * alpha, 1, 1, alpha], cols)], n('v'), {
    kernel_shape: [1, alpha],
    strides: [1, m],
    group: alpha,
  });
}

interface GemmInput {
  /** Transformed input [1, α²·K, Tp, tiles]. */
  v: string;
  /** Transformed weights [α²·O, K, taps] (U per Winograd point, output, input channel and temporal tap). */
  weights: Float32Array;
  /** Output channels O and input channels K. */
  outChannels: number;
  inChannels: number;
  /** Temporal kernel length and stride. */
  taps: number;
  stride: number;
}

/**
 * The GEMM stage: per Winograd point, U [O, taps·K] times the `taps` temporal shifts (stride `stride`) of V,
 * from [1, α²·K, Tp, tiles] to [1 or α², α²·O or O, T', tiles] (the same values and layout). `conv`: one grouped
 * Conv (α² groups, kernel taps×1) that im2cols the shifts inside the kernel. `matmul`: the shifts as Slices
 * concatenated on channels, then a batched MatMul — for onnxruntime-web's WebGPU EP, whose grouped Conv is wrong
 * in its default NHWC layout (1.30; so are the separable transforms' grouped Convs: use `separable: false` with
 * it there).
 */
function gemmStage(e: GraphEmitter, s: Stage & GemmInput): string {
  const { v, weights: U, outChannels: O, inChannels: K, taps, stride } = s;
  const a2 = s.w.alpha * s.w.alpha;
  const n = valueName(s);
  if (s.gemm === 'conv') {
    return e.node('Conv', [v, e.initializer(n('u'), 'float32', [a2 * O, K, taps, 1], U)], n('m'), { kernel_shape: [taps, 1], strides: [stride, 1], group: a2 });
  }
  // U [α²·O, K, taps] → [α², O, taps·K] (column kt·K + k: the concatenation order below)
  const Um = new Float32Array(U.length);
  for (let go = 0; go < a2 * O; go++)
    for (let k = 0; k < K; k++) for (let kt = 0; kt < taps; kt++) Um[go * taps * K + kt * K + k] = U[(go * K + k) * taps + kt];
  const v4 = e.node('Reshape', [v, e.int64s(n('v4m_shape'), [a2, K, -1, 0])], n('v4m')); // [α², K, Tp, tiles]
  const axis = e.int64s(n('axis_t'), [2]);
  const step = e.int64s(n('step_t'), [stride]);
  // output t uses frames stride·t + kt; the last tap ends at Tp
  const shifts = Array.from({ length: taps }, (_, kt) =>
    e.node(
      'Slice',
      [v4, e.int64s(n(`from${kt}`), [kt]), e.int64s(n(`to${kt}`), [kt === taps - 1 ? Number.MAX_SAFE_INTEGER : kt - (taps - 1)]), axis, step],
      n(`tap${kt}`),
    ),
  );
  const st = e.node('Concat', shifts, n('taps'), { axis: 1 }); // [α², taps·K, T', tiles]
  const st3 = e.node('Reshape', [st, e.int64s(n('st3_shape'), [a2, taps * K, -1])], n('st3'));
  return e.node('MatMul', [e.initializer(n('u'), 'float32', [a2, O, taps * K], Um), st3], n('m')); // [α², O, T'·tiles]
}

interface OutputInput {
  /** The GEMM's α²·O·T·tiles products. */
  products: string;
  outChannels: number;
  /** Tiles per spatial side (nt) and the output's spatial size S (≤ m·nt: cropped when smaller). */
  tiles: number;
  size: number;
  bias?: Float32Array;
  /** The output value's exact name, when given. */
  output?: { exact: string };
}

/**
 * The output stage: the GEMM's products through Aᵀ · A into m×m blocks (separable: Aᵀ over the tile's rows,
 * then over its columns, m·α·(α + m) instead of m²·α² multiply-adds per block), placed by one Transpose →
 * [1, O, T, m·nt, m·nt]; cropped to S; bias.
 */
function outputTransform(e: GraphEmitter, s: Stage & OutputInput): string {
  const { w, products: mm, outChannels: O, tiles: nt, size: S, bias, output } = s;
  const { m, alpha } = w;
  const n = valueName(s);
  let yq: string; // [m², O·T·tiles]
  if (s.separable) {
    const at = new Float32Array(m * alpha);
    for (let p = 0; p < m; p++) for (let a = 0; a < alpha; a++) at[p * alpha + a] = w.AT[p][a];
    const ma = e.node('Reshape', [mm, e.int64s(n('ma_shape'), [alpha, -1])], n('ma'));
    const y1 = e.node('MatMul', [e.initializer(n('at_rows'), 'float32', [m, alpha], at), ma], n('y1')); // [m(p), α(b)·R]
    const y1r = e.node('Reshape', [y1, e.int64s(n('y1r_shape'), [m, alpha, -1])], n('y1r'));
    yq = e.node('MatMul', [e.initializer(n('at_cols'), 'float32', [m, alpha], at), y1r], n('yq')); // [m(p), m(q), R]
  } else {
    const m2 = e.node('Reshape', [mm, e.int64s(n('m2_shape'), [alpha * alpha, -1])], n('m2'));
    yq = e.node('MatMul', [e.initializer(n('at'), 'float32', [m * m, alpha * alpha], outputMatrix(w)), m2], n('yq'));
  }
  const y6 = e.node('Reshape', [yq, e.int64s(n('y6_shape'), [m, m, O, -1, nt, nt])], n('y6'));
  const yt = e.node('Transpose', [y6], n('yt'), { perm: [2, 3, 4, 0, 5, 1] }); // [O, T, nt, m, nt, m]
  const crop = S < m * nt;
  const last = !bias && !crop;
  let y = e.node('Reshape', [yt, e.int64s(n('y5_shape'), [1, O, -1, m * nt, m * nt])], last ? (output ?? n('y5')) : n('y5'));
  if (crop) {
    const slice = [y, e.int64s(n('crop_from'), [0, 0]), e.int64s(n('crop_to'), [S, S]), e.int64s(n('crop_axes'), [3, 4])];
    y = e.node('Slice', slice, bias ? n('cropped') : (output ?? n('cropped')));
  }
  return bias ? e.node('Add', [y, e.initializer(n('bias'), 'float32', [O, 1, 1, 1], bias)], output ?? n('y')) : y;
}

function stageOf(p: WinogradForm, w: WinogradMatrices): Stage {
  return { w, name: p.name, gemm: p.gemm ?? 'conv', separable: p.separable ?? true };
}

/** How a Winograd convolution is emitted (shared by WinogradConv and WinogradStem). */
export interface WinogradForm {
  /** Prefix of the value names the convolution adds. */
  name: string;
  /** GEMM stage (gemmStage); default `conv`. */
  gemm?: 'conv' | 'matmul';
  /** Separable input and output transforms (inputTransform, outputTransform); default true. */
  separable?: boolean;
}

export interface WinogradConv extends WinogradForm {
  /** Input channels. */
  C: number;
  /** Output channels. */
  O: number;
  /** Spatial size (H = W). */
  S: number;
  /** Weights [O, C, 3, 3, 3] (float32, BatchNorm already folded in). */
  weight: Float32Array;
  /** Per-output-channel bias, or none. */
  bias?: Float32Array;
  /** Output block size: F(2×2, 3×3) or F(4×4, 3×3). */
  m: 2 | 4;
}

/** Grouped-conv weights [α²·O, C, 3, 1]: group (a,b), output o, input c, tap kt = (G w Gᵀ)[a][b], w = weight[o, c, kt]. */
export function winogradGroupedWeights(weight: Float32Array, O: number, C: number, m: 2 | 4): Float32Array {
  if (weight.length !== O * C * 27) throw new RangeError(`expected ${O}×${C}×3×3×3 weights, got ${weight.length}`);
  const w = winogradMatrices(m);
  const a2 = w.alpha * w.alpha;
  const U = new Float32Array(a2 * O * C * 3);
  const t = new Float64Array(a2);
  const gg = new Float64Array(w.alpha * w.r);
  const plane = O * C * 3; // U's stride between Winograd points
  for (let k = 0; k < plane; k++) {
    // kernel k = (o·C + c)·3 + kt is at k·9 in the weights, and at ab·plane + k in U
    transformKernel(w, weight, k * 9, t, gg);
    for (let ab = 0; ab < a2; ab++) U[ab * plane + k] = t[ab];
  }
  return U;
}

/**
 * Emit the 3×3×3 stride-1 convolution (zero padding 1) of `x` ([1, C, T, S, S], any T ≥ 1) and return the
 * output value ([1, O, T, S, S]), named exactly `output` when given. When m does not divide S, the input gets
 * extra zeros on the right and bottom and the output is cropped.
 */
export function emitWinogradConv(e: GraphEmitter, x: string, p: WinogradConv, output?: { exact: string }): string {
  const { C, O, S, m } = p;
  const s = stageOf(p, winogradMatrices(m));
  const a2 = s.w.alpha * s.w.alpha;
  const nt = Math.ceil(S / m); // a size not divisible by m: extra zero padding, the output cropped
  const Sp = nt * m;
  const tiles = nt * nt;
  const n = valueName(s);
  const extra = Sp - S;
  const xp = e.node('Pad', [x, e.int64s(n('pads'), [0, 0, 1, 1, 1, 0, 0, 1, 1 + extra, 1 + extra])], n('xp'), { mode: 'constant' }); // [1, C, T+2, Sp+2, Sp+2]
  const planes = e.node('Reshape', [xp, e.int64s(n('planes_shape'), [-1, 1, Sp + 2, Sp + 2])], n('planes'));
  const v = inputTransform(e, { ...s, planes }); // [C(T+2), α², nt, nt]
  const v4 = e.node('Reshape', [v, e.int64s(n('v4_shape'), [C, -1, a2, tiles])], n('v4')); // [C, T+2, α², tiles]
  const vt = e.node('Transpose', [v4], n('vt'), { perm: [2, 0, 1, 3] }); // [α², C, T+2, tiles]
  const vg = e.node('Reshape', [vt, e.int64s(n('vg_shape'), [1, a2 * C, -1, tiles])], n('vg'));
  const products = gemmStage(e, { ...s, v: vg, weights: winogradGroupedWeights(p.weight, O, C, m), outChannels: O, inChannels: C, taps: 3, stride: 1 }); // α²·O·T·tiles values
  return outputTransform(e, { ...s, products, outChannels: O, tiles: nt, size: S, bias: p.bias, output });
}

export interface WinogradStem extends WinogradForm {
  /** Output block size: F(2×2, 4×4) or F(4×4, 4×4) on the phase planes. */
  m: 2 | 4;
  /** Input channels (3 RGB, 2 flow). */
  C: number;
  O: number;
  /** Weights [O, C, 7, 7, 7]. */
  weight: Float32Array;
  bias?: Float32Array;
}

/** Spatial input size of the stem's Conv after its explicit Pad (224 + 2 + 3), and its output size. */
const STEM_IN = 229;
const STEM_OUT = 112;

/**
 * Grouped-conv weights [25·O, 4·C, 7, 1] of the stem: group (a,b) (F(2×2, 4×4) point), output o, input channel
 * (c, p, q) (colour c, spatial phase p, q), temporal tap kt = (G h Gᵀ)[a][b] with h[u][v] = w[o, c, kt, 2u+p, 2v+q]
 * (zero where 2u+p or 2v+q is 7).
 */
export function winogradStemWeights(weight: Float32Array, O: number, C: number, m: 2 | 4): Float32Array {
  if (weight.length !== O * C * 343) throw new RangeError(`expected ${O}×${C}×7×7×7 weights, got ${weight.length}`);
  const w = winogradMatrices(m, 4);
  const a2 = w.alpha * w.alpha;
  const K = 4 * C;
  const U = new Float32Array(a2 * O * K * 7);
  const h = new Float32Array(16); // float32 weights (one array type for transformKernel: V8 keeps it monomorphic)
  const t = new Float64Array(a2);
  const gg = new Float64Array(w.alpha * w.r);
  for (let o = 0; o < O; o++) {
    for (let c = 0; c < C; c++) {
      for (let kt = 0; kt < 7; kt++) {
        const base = ((o * C + c) * 7 + kt) * 49;
        for (let p = 0; p < 2; p++) {
          for (let q = 0; q < 2; q++) {
            for (let u = 0; u < 4; u++)
              for (let v = 0; v < 4; v++) h[u * 4 + v] = 2 * u + p < 7 && 2 * v + q < 7 ? weight[base + (2 * u + p) * 7 + 2 * v + q] : 0;
            transformKernel(w, h, 0, t, gg);
            const k = (c * 2 + p) * 2 + q;
            for (let ab = 0; ab < a2; ab++) U[((ab * O + o) * K + k) * 7 + kt] = t[ab];
          }
        }
      }
    }
  }
  return U;
}

/**
 * Emit Conv3d_1a (7×7×7, stride 2) on its padded input `x` ([1, C, Tp, 229, 229]: the graph's explicit Pad,
 * spatial (2, 3)); returns [1, O, floor((Tp − 7)/2) + 1, 112, 112].
 */
export function emitWinogradStem(e: GraphEmitter, x: string, p: WinogradStem, output?: { exact: string }): string {
  const { C, O, m } = p;
  const s = stageOf(p, winogradMatrices(m, 4));
  const a2 = s.w.alpha * s.w.alpha;
  const half = (STEM_IN + 1) / 2; // 115: phase planes of the input padded to 230
  const nt = STEM_OUT / m;
  const n = valueName(s);
  const xp = e.node('Pad', [x, e.int64s(n('pads'), [0, 0, 0, 0, 0, 0, 0, 0, 1, 1])], n('xp'), { mode: 'constant' }); // [1, C, Tp, 230, 230]
  const x6 = e.node('Reshape', [xp, e.int64s(n('x6_shape'), [C, -1, half, 2, half, 2])], n('x6'));
  const ph = e.node('Transpose', [x6], n('ph'), { perm: [0, 1, 3, 5, 2, 4] }); // [C, Tp, 2(p), 2(q), 115, 115]
  const planes = e.node('Reshape', [ph, e.int64s(n('planes_shape'), [-1, 1, half, half])], n('planes'));
  const v = inputTransform(e, { ...s, planes }); // [C·Tp·4, α², nt, nt]
  const v5 = e.node('Reshape', [v, e.int64s(n('v5_shape'), [C, -1, 4, a2, nt * nt])], n('v5')); // [C, Tp, pq, α², tiles]
  const vt = e.node('Transpose', [v5], n('vt'), { perm: [3, 0, 2, 1, 4] }); // [α², C, pq, Tp, tiles]
  const vg = e.node('Reshape', [vt, e.int64s(n('vg_shape'), [1, a2 * 4 * C, -1, nt * nt])], n('vg'));
  const products = gemmStage(e, { ...s, v: vg, weights: winogradStemWeights(p.weight, O, C, m), outChannels: O, inChannels: 4 * C, taps: 7, stride: 2 }); // α²·O·T'·tiles values
  return outputTransform(e, { ...s, products, outChannels: O, tiles: nt, size: STEM_OUT, bias: p.bias, output });
}
