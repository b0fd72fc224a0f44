/**
 * Selection networks for exact medians: Batcher odd-even merges of sorted lists (padded with +∞), "k-th of two
 * sorted lists", symbolic simulation and backward pruning to the needed outputs. Used by the one generator,
 * tools/codegen/median-networks.ts (TypeScript and AssemblyScript WebAssembly SIMD kernels).
 */

export type Wire = { kind: 'inf' } | { kind: 'var'; id: number };

interface Op {
  fn: 'min' | 'max';
  a: number;
  b: number;
  out: number;
}

export class Net {
  names: string[] = [];
  ops: Op[] = [];

  input(name: string): Wire {
    this.names.push(name);
    return { kind: 'var', id: this.names.length - 1 };
  }

  private fresh(): number {
    this.names.push(`t${this.names.length}`);
    return this.names.length - 1;
  }

  /** Compare-exchange: returns [min, max]. */
  ce(x: Wire, y: Wire): [Wire, Wire] {
    if (x.kind === 'inf') return [y, x];
    if (y.kind === 'inf') return [x, y];
    const lo = this.fresh();
    const hi = this.fresh();
    this.ops.push({ fn: 'min', a: x.id, b: y.id, out: lo });
    this.ops.push({ fn: 'max', a: x.id, b: y.id, out: hi });
    return [
      { kind: 'var', id: lo },
      { kind: 'var', id: hi },
    ];
  }
}

/** Batcher odd-even merge of two sorted lists (any lengths), returns the sorted union. */
export function merge(net: Net, a: Wire[], b: Wire[]): Wire[] {
  let n = 1;
  while (n < Math.max(a.length, b.length)) n *= 2;
  const inf: Wire = { kind: 'inf' };
  const w: Wire[] = [...a, ...Array(n - a.length).fill(inf), ...b, ...Array(n - b.length).fill(inf)];
  const total = 2 * n;
  const ce = (i: number, j: number) => {
    [w[i], w[j]] = net.ce(w[i], w[j]);
  };
  const oddEven = (lo: number, len: number, r: number) => {
    const step = r * 2;
    if (step < len) {
      oddEven(lo, len, step);
      oddEven(lo + r, len, step);
      for (let i = lo + r; i + r < lo + len; i += step) ce(i, i + r);
    } else ce(lo, lo + r);
  };
  oddEven(0, total, 1);
  return w.slice(0, a.length + b.length);
}

/** The k-th smallest (1-based) of the union of two sorted lists: min over splits of the largest taken element. */
export function kth(net: Net, a: Wire[], b: Wire[], k: number): Wire {
  let best: Wire | null = null;
  for (let i = Math.max(0, k - b.length); i <= Math.min(k, a.length); i++) {
    const j = k - i;
    let cand: Wire;
    if (i === 0) cand = b[j - 1];
    else if (j === 0) cand = a[i - 1];
    else cand = net.ce(a[i - 1], b[j - 1])[1];
    best = best === null ? cand : net.ce(best, cand)[0];
  }
  if (!best) throw new Error('empty');
  return best;
}

/** An optimal sorting network for 5 inputs (9 comparators). */
export function sort5(net: Net, v: Wire[]): Wire[] {
  const w = [...v];
  const ce = (i: number, j: number) => {
    [w[i], w[j]] = net.ce(w[i], w[j]);
  };
  ce(0, 1);
  ce(3, 4);
  ce(2, 4);
  ce(2, 3);
  ce(1, 4);
  ce(0, 3);
  ce(0, 2);
  ce(1, 3);
  ce(1, 2);
  return w;
}

/** Emit code computing `outputs` (assigned to `targets`), pruned. */
/** How to print one min/max and one declaration: TypeScript (Math.min) or AssemblyScript with WebAssembly SIMD (f32x4 pmin/pmax). */
export type Style = 'ts' | 'as-simd';

export function emit(net: Net, outputs: Wire[], targets: string[], indent: string, decl: 'const' | '' = 'const', style: Style = 'ts'): string[] {
  const need = new Set<number>();
  for (const o of outputs) if (o.kind === 'var') need.add(o.id);
  const keep: Op[] = [];
  for (let k = net.ops.length - 1; k >= 0; k--) {
    const op = net.ops[k];
    if (need.has(op.out)) {
      keep.push(op);
      need.add(op.a);
      need.add(op.b);
    }
  }
  keep.reverse();
  const lines = keep.map((op) =>
    style === 'ts'
      ? `${indent}const ${net.names[op.out]} = Math.${op.fn}(${net.names[op.a]}, ${net.names[op.b]});`
      : `${indent}const ${net.names[op.out]} = f32x4.p${op.fn}(${net.names[op.a]}, ${net.names[op.b]});`,
  );
  outputs.forEach((o, i) => {
    if (o.kind !== 'var') throw new Error('output is a constant');
    lines.push(`${indent}${decl ? decl + ' ' : ''}${targets[i]} = ${net.names[o.id]};`);
  });
  return lines;
}

export function countOps(lines: string[]): number {
  return lines.filter((l) => l.includes('Math.') || l.includes('f32x4.p')).length;
}
