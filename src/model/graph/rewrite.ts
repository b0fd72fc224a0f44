/**
 * One pass over a decoded ONNX graph that replaces nodes by a table of rewrites (node pattern → rewrite
 * function), in one direction: the pass walks the nodes in order, offers each to the rewrites whose pattern it
 * matches, and a rewrite emits the replacement into the pass's GraphBuilder (./onnx-builder.ts) and says how, or
 * declines. Declined nodes are kept as they are; the values the replaced nodes no longer need (weights behind a
 * Cast or DequantizeLinear) are dropped at the end. Used by ./wasm-graph.ts.
 */
import type { onnx as Onnx } from 'onnx-proto';
import { AppError } from '../../errors';
import { float16Value } from '../quantize';
import { ELEM_TYPE, GraphBuilder } from './onnx-builder';

/** A node's op type and the attributes it must have (absent Conv attributes read as their ONNX defaults). */
export interface NodePattern {
  opType: string;
  attrs?: Record<string, number | readonly number[]>;
}

/** What a rewrite reads (the stored graph's constants) and writes (the builder the new graph is made in). */
export interface RewriteContext {
  /** The one emitter of the new graph; a replacement names its output exactly as the node it replaces. */
  readonly builder: GraphBuilder;
  /**
   * The float32 weights a node input resolves to, as ORT would use them: a float32 initializer; a float16 one
   * behind a Cast; int8 behind DequantizeLinear (per-output-channel scale, axis 0, no zero point) → q·scale.
   * Null for anything else.
   */
  weight(value: string, outChannels: number): Float32Array | null;
  /** A float32 initializer input (a bias), undefined when the input is absent, null when it is not one. */
  bias(value: string | undefined): Float32Array | undefined | null;
}

export interface Rewrite {
  pattern: NodePattern;
  /**
   * Emit the replacement of `node` into `ctx.builder` and return how it was rewritten (for the report), or
   * return null, having emitted nothing, to keep the node (the next matching rewrite gets it).
   */
  rewrite(node: Onnx.NodeProto, ctx: RewriteContext): string | null;
}

/**
 * Rewrite the nodes of `g` in place by `rewrites` (first matching one that accepts wins); `report` gets the
 * description of each rewritten node, keyed by its (first) output.
 */
export function rewriteGraph(g: Onnx.GraphProto, rewrites: readonly Rewrite[], report?: Record<string, string>): void {
  // decoded sub-messages are class instances, whose repeated fields are always arrays
  const nodes = g.node as Onnx.NodeProto[];
  const inits = g.initializer as Onnx.TensorProto[];
  const builder = new GraphBuilder();
  builder.reserve(...nodes.flatMap((n) => n.output)); // claimable by a replacement, avoided by fresh names
  builder.avoid([...nodes.map((n) => n.name), ...inits.map((t) => t.name), ...g.input.map((i) => i.name ?? '')]);
  const ctx = { builder, ...storedConstants(nodes, inits) };
  for (const n of nodes) {
    let how: string | null = null;
    for (const r of rewrites) if (matches(n, r.pattern) && (how = r.rewrite(n, ctx)) !== null) break;
    if (how === null) builder.keep(n);
    else if (report) report[n.output[0]] = how;
  }
  const added = builder.contents();
  g.node = added.nodes;
  g.initializer = [...inits, ...added.initializers];
  removeDead(g);
}

/** ONNX's defaults of the Conv attributes a pattern may name, shaped like the pattern's value. */
const DEFAULTS: Record<string, (like: number | readonly number[]) => number | number[]> = {
  strides: (like) => (like as number[]).map(() => 1),
  dilations: (like) => (like as number[]).map(() => 1),
  pads: (like) => (like as number[]).map(() => 0),
  group: () => 1,
};

function matches(n: Onnx.NodeProto, p: NodePattern): boolean {
  return (
    n.opType === p.opType &&
    Object.entries(p.attrs ?? {}).every(([name, want]) => {
      const a = n.attribute.find((x) => x.name === name);
      const have = a ? (typeof want === 'number' ? Number(a.i) : (a.ints ?? []).map(Number)) : DEFAULTS[name]?.(want);
      return have !== undefined && String(have) === String(want);
    })
  );
}

function tensorFloats(t: Onnx.ITensorProto): Float32Array {
  const raw = t.rawData;
  if (!raw) throw new AppError('E_MODEL_FORMAT', `initializer ${t.name} has no raw data`);
  const bytes = new Uint8Array(raw); // an aligned copy (decoded bytes may be views into the model)
  if (t.dataType === ELEM_TYPE.float32) return new Float32Array(bytes.buffer, 0, bytes.byteLength / 4);
  if (t.dataType === ELEM_TYPE.float16) {
    const half = new Uint16Array(bytes.buffer, 0, bytes.byteLength / 2);
    const out = new Float32Array(half.length);
    for (let i = 0; i < half.length; i++) out[i] = float16Value(half[i]);
    return out;
  }
  throw new AppError('E_MODEL_FORMAT', `initializer ${t.name} is not float`);
}

/** RewriteContext's readers of the stored graph's constants. */
function storedConstants(nodes: readonly Onnx.NodeProto[], initializers: readonly Onnx.TensorProto[]): Omit<RewriteContext, 'builder'> {
  const inits = new Map(initializers.map((t) => [t.name, t]));
  const producer = new Map<string, Onnx.NodeProto>();
  for (const n of nodes) for (const o of n.output) producer.set(o, n);
  return {
    weight(value, outChannels) {
      const init = inits.get(value);
      if (init) return init.dataType === ELEM_TYPE.float32 ? tensorFloats(init) : null;
      const p = producer.get(value);
      if (p?.opType === 'Cast' && inits.get(p.input[0])?.dataType === ELEM_TYPE.float16) return tensorFloats(inits.get(p.input[0]) as Onnx.ITensorProto);
      if (p?.opType === 'DequantizeLinear' && p.input.length === 2) {
        const q = inits.get(p.input[0]);
        const s = inits.get(p.input[1]);
        const axis = p.attribute.find((a) => a.name === 'axis')?.i ?? 1;
        if (q?.dataType !== ELEM_TYPE.int8 || s?.dataType !== ELEM_TYPE.float32 || Number(axis) !== 0 || !q.rawData) return null;
        const qs = new Int8Array(new Uint8Array(q.rawData).buffer);
        const scale = tensorFloats(s);
        if (scale.length !== outChannels || qs.length % outChannels !== 0) return null;
        // q·scale in double, rounded to float32 (as DequantizeLinear); plain loops: a published-width model has
        // millions of weights, and a mapping Float32Array.from took seconds
        const per = qs.length / outChannels;
        const out = new Float32Array(qs.length);
        for (let o = 0; o < outChannels; o++) {
          const so = scale[o];
          for (let i = o * per; i < (o + 1) * per; i++) out[i] = qs[i] * so;
        }
        return out;
      }
      return null;
    },
    bias(value) {
      if (!value) return undefined;
      const b = inits.get(value);
      return b?.dataType === ELEM_TYPE.float32 ? tensorFloats(b) : null;
    },
  };
}

/** Drop nodes whose outputs nothing reads (the replaced weights' Cast/DequantizeLinear) and unread initializers. */
function removeDead(g: Onnx.GraphProto): void {
  const outputs = new Set(g.output.map((o) => o.name));
  let nodes = g.node;
  for (;;) {
    const read = new Set<string>(nodes.flatMap((n) => n.input ?? []));
    const keep = nodes.filter((n) => (n.output ?? []).some((o) => read.has(o) || outputs.has(o)));
    if (keep.length === nodes.length) break;
    nodes = keep;
  }
  g.node = nodes;
  const read = new Set<string>(nodes.flatMap((n) => n.input ?? []));
  g.initializer = g.initializer.filter((t) => read.has(t.name ?? ''));
}
