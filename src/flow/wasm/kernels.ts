/**
 * The WebAssembly SIMD kernels (src/flow/wasm/assembly/, AssemblyScript) behind the `TVL1Kernels` seam of
 * src/flow/cpu/tvl1.ts: every float buffer of a TVL1 instance lives in one WebAssembly memory, and the fused inner
 * iteration, the 5×5 median, the bicubic warp and the per-warp grad/rho_c run in WebAssembly with exactly the
 * TypeScript kernels' values.
 *
 * Pure TypeScript (no DOM, no Node APIs): the caller compiles the module (browser: the pool's owner fetches the
 * built .wasm; Node: ./node.ts; both behind `#flow-wasm`) and passes the `WebAssembly.Module`; this file only
 * instantiates it. One instance (one memory) per TVL1 instance.
 */
import type { TVL1Kernels } from '../cpu';
import { bicubicTable } from '../cpu/remap';

interface Exports {
  heapBase(): number;
  innerIteration(...args: number[]): number;
  median5(u: number, w: number, h: number, scratch: number, out: number): void;
  warp3(...args: number[]): void;
  gradRho(...args: number[]): void;
}

const EXPORTS: Array<keyof Exports> = ['heapBase', 'innerIteration', 'median5', 'warp3', 'gradRho'];
const PAGE = 65536;
const ALIGN = 64;
const align = (x: number) => Math.ceil(x / ALIGN) * ALIGN; // not `& ~63`: offsets may pass 2³¹

/** Checks that `module` is the TV-L1 kernel module (the exports this loader calls). */
export function isTVL1KernelModule(module: WebAssembly.Module): boolean {
  const names = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  return EXPORTS.every((n) => names.has(n));
}

/**
 * Instantiates the kernel module (synchronously: meant for workers and Node, where that is allowed at any size)
 * and returns the kernels for one TVL1 instance.
 */
export function createWasmKernels(module: WebAssembly.Module): TVL1Kernels {
  if (!isTVL1KernelModule(module)) throw new Error('not the TV-L1 kernel module (src/flow/wasm/assembly)');
  const memory = new WebAssembly.Memory({ initial: 1 });
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const K = instance.exports as unknown as Exports;
  const heapBase = align(K.heapBase());
  let medianScratch = 0;
  let medianOut = 0;
  let table = 0;
  return {
    allocate(lengths, width, height) {
      let top = heapBase;
      const offsets = lengths.map((len) => {
        const o = top;
        top = align(top + 4 * len);
        return o;
      });
      medianScratch = top;
      top = align(top + 4 * 20 * (width + 16));
      medianOut = top;
      top = align(top + 4 * (width * height + 8));
      const tab = bicubicTable();
      table = top;
      top = align(top + 4 * tab.length);
      const pages = Math.ceil(top / PAGE);
      const have = memory.buffer.byteLength / PAGE;
      if (pages > have) memory.grow(pages - have);
      new Float32Array(memory.buffer, table, tab.length).set(tab);
      return offsets.map((o, i) => new Float32Array(memory.buffer, o, lengths[i]));
    },
    innerIteration(w, h, I1wx, I1wy, grad, rhoC, u1, u2, p11, p12, p21, p22, lt, theta, taut, sq) {
      return K.innerIteration(
        w,
        h,
        I1wx.byteOffset,
        I1wy.byteOffset,
        grad.byteOffset,
        rhoC.byteOffset,
        u1.byteOffset,
        u2.byteOffset,
        p11.byteOffset,
        p12.byteOffset,
        p21.byteOffset,
        p22.byteOffset,
        lt,
        theta,
        taut,
        sq.byteOffset,
      );
    },
    median5(u, w, h) {
      K.median5(u.byteOffset, w, h, medianScratch, medianOut);
    },
    gradRho(I0, I1w, I1wx, I1wy, u1, u2, grad, rhoC, n) {
      K.gradRho(I0.byteOffset, I1w.byteOffset, I1wx.byteOffset, I1wy.byteOffset, u1.byteOffset, u2.byteOffset, grad.byteOffset, rhoC.byteOffset, n);
    },
    warp(s0, s1, s2, u1, u2, w, h, d0, d1, d2) {
      K.warp3(s0.byteOffset, s1.byteOffset, s2.byteOffset, u1.byteOffset, u2.byteOffset, w, h, d0.byteOffset, d1.byteOffset, d2.byteOffset, table);
    },
  };
}
