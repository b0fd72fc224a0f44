import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from './onnx-builder';
import { rewriteGraph, type Rewrite } from './rewrite';

const { onnx } = onnxProto;

/** x → Conv(k3, pads 1, weights behind a DequantizeLinear) → a; a → Conv(k1, no pads) → y. */
function toyGraph(): Onnx.GraphProto {
  const g = new GraphBuilder();
  const x = g.input('x', 'float32', [1, 2, 4, 4]);
  const wq = g.initializer(
    'w3_q',
    'int8',
    [2, 2, 3, 3],
    Int8Array.from({ length: 36 }, (_, i) => i - 18),
  );
  const w3 = g.node('DequantizeLinear', [wq, g.initializer('w3_scale', 'float32', [2], new Float32Array([0.5, 0.25]))], 'w3', { axis: 0 });
  const a = g.node('Conv', [x, w3, g.initializer('b3', 'float32', [2], new Float32Array([1, 2]))], 'a', { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
  g.node('Conv', [a, g.initializer('w1', 'float32', [2, 2, 1, 1], new Float32Array([1, 0, 0, 1]))], { exact: 'y' }, { kernel_shape: [1, 1] });
  g.output('y', 'float32', null);
  return onnx.ModelProto.decode(g.encode('toy', {}, '0')).graph as Onnx.GraphProto;
}

describe('rewriteGraph (one pass over a table of node rewrites)', () => {
  it('matches patterns with Conv attribute defaults, lets a rewrite decline, reads constants, drops the dead', () => {
    const g = toyGraph();
    const seen: string[] = [];
    const rewrites: Rewrite[] = [
      // declines everything: the next matching rewrite gets the node
      {
        pattern: { opType: 'Conv', attrs: { kernel_shape: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], group: 1 } },
        rewrite: (n) => (seen.push(`decline ${n.output[0]}`), null),
      },
      {
        pattern: { opType: 'Conv', attrs: { kernel_shape: [3, 3], dilations: [1, 1] } },
        rewrite(n, ctx) {
          const w = ctx.weight(n.input[1], 2);
          const b = ctx.bias(n.input[2]);
          expect(Array.from(w ?? []).slice(0, 2)).toEqual([-9, -8.5]);
          expect(Array.from(b ?? [])).toEqual([1, 2]);
          expect(ctx.bias(undefined)).toBeUndefined();
          const e = ctx.builder;
          e.node('Add', [n.input[0], e.initializer('a_shift', 'float32', [1], new Float32Array([1]))], { exact: n.output[0] });
          return 'shifted';
        },
      },
      // pads [1,1,1,1] ≠ the 1×1 conv's default zeros: never offered
      { pattern: { opType: 'Conv', attrs: { kernel_shape: [1, 1], pads: [1, 1, 1, 1] } }, rewrite: (n) => (seen.push(`wrong ${n.output[0]}`), null) },
    ];
    const report: Record<string, string> = {};
    rewriteGraph(g, rewrites, report);
    expect(seen).toEqual(['decline a']);
    expect(report).toEqual({ a: 'shifted' });
    expect(g.node.map((n) => `${n.opType}:${n.output?.join()}`)).toEqual(['Add:a', 'Conv:y']);
    expect(g.initializer.map((t) => t.name)).toEqual(['w1', 'a_shift']);
  });

  it('keeps the graph as it was when nothing is rewritten', () => {
    const g = toyGraph();
    const before = onnx.GraphProto.encode(g).finish();
    rewriteGraph(g, [{ pattern: { opType: 'Conv' }, rewrite: () => null }]);
    expect(onnx.GraphProto.encode(g).finish()).toEqual(before);
  });
});
