/**
 * A small typed front end over the `onnx-proto` message classes: collect nodes, initializers and
 * graph inputs/outputs, then serialise one ModelProto. The one ONNX writer of the app: it builds the stored
 * model (./i3d-graph.ts), the Winograd convolutions (./winograd.ts) and the rewritten graph of ./rewrite.ts
 * (which adopts an existing graph's names and nodes: avoid, reserve, keep, contents). Pure: runs in Node and
 * in a browser worker.
 */
import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';

const { onnx } = onnxProto;
const DataType = onnx.TensorProto.DataType;

/** Element types this app writes into ONNX files. */
export type OnnxElemType = 'float32' | 'float16' | 'int8' | 'int64';

/** ONNX TensorProto.DataType codes (the `to` of Cast). */
export const ELEM_TYPE: Record<OnnxElemType, number> = {
  float32: DataType.FLOAT,
  float16: DataType.FLOAT16,
  int8: DataType.INT8,
  int64: DataType.INT64,
};

/** A dimension of a graph input/output: a fixed size or a symbolic name. */
export type Dim = number | string;

export type AttrValue = number | number[] | string | { float: number };

/** ONNX opset used by every graph we build (Pad with a `pads` input, Squeeze with an `axes` input). */
export const OPSET = 17;
/** IR version 8 (ONNX 1.10+); onnxruntime-web 1.30 reads it. */
export const IR_VERSION = 8;

function typedBytes(data: Float32Array | Uint16Array | Int8Array | BigInt64Array): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function valueInfo(name: string, elem: OnnxElemType, dims: readonly Dim[] | null): Onnx.IValueInfoProto {
  const tensorType: Onnx.TypeProto.ITensor = { elemType: ELEM_TYPE[elem] };
  if (dims) tensorType.shape = { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
  return { name, type: { tensorType } };
}

export function attribute(name: string, v: AttrValue): Onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`attribute ${name}: use { float } for non-integers`);
    return { name, type: T.INT, i: v };
  }
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  return { name, type: T.FLOAT, f: v.float };
}

export class GraphBuilder {
  private readonly nodes: Onnx.INodeProto[] = [];
  private readonly initializers: Onnx.ITensorProto[] = [];
  private readonly inputs: Onnx.IValueInfoProto[] = [];
  private readonly outputs: Onnx.IValueInfoProto[] = [];
  private readonly names = new Set<string>();
  private readonly reserved = new Set<string>();
  private counter = 0;

  /** A fresh value name derived from `hint`. */
  fresh(hint: string): string {
    let name = hint;
    while (this.names.has(name)) name = `${hint}_${++this.counter}`;
    this.names.add(name);
    return name;
  }

  input(name: string, elem: OnnxElemType, dims: readonly Dim[]): string {
    this.names.add(name);
    this.inputs.push(valueInfo(name, elem, dims));
    return name;
  }

  /** Declare `value` a graph output (its shape left to inference when `dims` is null). */
  output(name: string, elem: OnnxElemType, dims: readonly Dim[] | null): void {
    this.outputs.push(valueInfo(name, elem, dims));
  }

  initializer(hint: string, elem: OnnxElemType, dims: readonly number[], data: Float32Array | Uint16Array | Int8Array | BigInt64Array): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== data.length) throw new Error(`initializer ${hint}: ${dims.join('x')} needs ${count} values, got ${data.length}`);
    const name = this.fresh(hint);
    this.initializers.push({ name, dataType: ELEM_TYPE[elem], dims: [...dims], rawData: typedBytes(data) });
    return name;
  }

  /** A small int64 constant (pads, axes, shapes). */
  int64s(hint: string, values: readonly number[]): string {
    return this.initializer(
      hint,
      'int64',
      [values.length],
      BigInt64Array.from(values, (v) => BigInt(v)),
    );
  }

  /** Keep names (an existing graph's) from being handed out by `fresh`; unlike `reserve`, `exact` cannot claim them. */
  avoid(names: Iterable<string>): void {
    for (const n of names) this.names.add(n);
  }

  /** Keep names (graph outputs) from being handed out by `fresh` until `exact` claims them. */
  reserve(...names: string[]): void {
    for (const n of names) {
      if (this.names.has(n)) throw new Error(`value name ${n} is already used`);
      this.names.add(n);
      this.reserved.add(n);
    }
  }

  /** Claim an exact value name: a reserved one, or one never used. */
  exact(name: string): string {
    if (this.reserved.delete(name)) return name;
    if (this.names.has(name)) throw new Error(`value name ${name} is already used`);
    this.names.add(name);
    return name;
  }

  /**
   * Add one node; returns the name of its output: a fresh name derived from `output`, or exactly
   * `output.exact` (for graph outputs).
   */
  node(opType: string, inputs: readonly string[], output: string | { exact: string }, attrs: Record<string, AttrValue> = {}, domain = ''): string {
    const out = typeof output === 'string' ? this.fresh(output) : this.exact(output.exact);
    const outputHint = out;
    this.nodes.push({
      opType,
      domain,
      name: this.fresh(`${outputHint}/${opType}`),
      input: [...inputs],
      output: [out],
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return out;
  }

  /** Append an existing node as it is (a rewrite keeping a node of the graph it rewrites). */
  keep(node: Onnx.INodeProto): void {
    this.nodes.push(node);
  }

  /** The nodes and initializers added so far, in order (for a rewrite that splices them into a decoded model). */
  contents(): { nodes: Onnx.INodeProto[]; initializers: Onnx.ITensorProto[] } {
    return { nodes: [...this.nodes], initializers: [...this.initializers] };
  }

  /** Serialise; `metadata` goes into the model's metadata_props. */
  encode(graphName: string, metadata: Record<string, string>, producerVersion: string): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: 'i3d-browser',
      producerVersion,
      graph: onnx.GraphProto.create({
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      }),
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

/** The metadata_props of an ONNX file (reads the whole file; initializers are views, not copies). */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  const model = onnx.ModelProto.decode(bytes);
  const out: Record<string, string> = {};
  for (const p of model.metadataProps) if (p.key) out[p.key] = p.value ?? '';
  return out;
}
