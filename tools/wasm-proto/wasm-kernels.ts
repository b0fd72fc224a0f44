/**
 * The WebAssembly SIMD prototype (kernels.c) behind the `TVL1Kernels` seam of src/flow/cpu/tvl1.ts: every buffer
 * of a TVL1 instance lives in one WebAssembly memory, and the inner iteration, the 5×5 median and the bicubic
 * warp run in wasm.
 * One instance of the module per TVL1 instance (per worker).
 */
import type { TVL1Kernels } from '../../src/flow/cpu';
import { bicubicTable } from '../../src/flow/cpu/remap';

interface Exports {
  __heap_base: WebAssembly.Global;
  tvl1_inner: (...args: number[]) => number;
  median5: (u: number, w: number, h: number, scratch: number, out: number) => void;
  warp3: (...args: number[]) => void;
}

export async function createWasmKernels(wasmBytes: BufferSource): Promise<TVL1Kernels> {
  const memory = new WebAssembly.Memory({ initial: 2 });
  const { instance } = await WebAssembly.instantiate(wasmBytes, { env: { memory } });
  const K = instance.exports as unknown as Exports;
  const heapBase = (K.__heap_base.value as number) + 64;
  let medianScratch = 0;
  let medianOut = 0;
  let table = 0;
  return {
    allocate(lengths, width, height) {
      const align = (x: number) => (x + 63) & ~63;
      let top = align(heapBase);
      const offsets = lengths.map((len) => {
        const o = top;
        top = align(top + 4 * (len + 8));
        return o;
      });
      medianScratch = top;
      top = align(top + 4 * 20 * (width + 16));
      medianOut = top;
      top = align(top + 4 * (width * height + 8));
      const tab = bicubicTable();
      table = top;
      top = align(top + 4 * tab.length);
      const pages = Math.ceil(top / 65536);
      if (pages > memory.buffer.byteLength / 65536) memory.grow(pages - memory.buffer.byteLength / 65536);
      new Float32Array(memory.buffer, table, tab.length).set(tab);
      return offsets.map((o, i) => new Float32Array(memory.buffer, o, lengths[i]));
    },
    innerIteration(w, h, I1wx, I1wy, grad, rhoC, u1, u2, p11, p12, p21, p22, lt, theta, taut, sq) {
      return K.tvl1_inner(w, h, I1wx.byteOffset, I1wy.byteOffset, grad.byteOffset, rhoC.byteOffset, u1.byteOffset, u2.byteOffset, p11.byteOffset, p12.byteOffset, p21.byteOffset, p22.byteOffset, lt, theta, taut, sq.byteOffset);
    },
    median5(u, w, h) {
      K.median5(u.byteOffset, w, h, medianScratch, medianOut);
    },
    warp(s0, s1, s2, u1, u2, w, h, d0, d1, d2) {
      K.warp3(s0.byteOffset, s1.byteOffset, s2.byteOffset, u1.byteOffset, u2.byteOffset, w, h, d0.byteOffset, d1.byteOffset, d2.byteOffset, table);
    },
  };
}
