/**
 * TV-L1 optical flow (OpenCV 4.x DualTVL1OpticalFlow, the algorithm of src/flow/cpu/tvl1.ts) on WebGPU.
 *
 * Everything runs on the GPU: the uint8 → float conversion, the image pyramid, and for every level the flow
 * initialisation, gradients, warps, median filters, inner iterations and the stopping rule. The host records
 * the whole schedule — every warp, every outer and every inner iteration OpenCV could run — into one compute
 * pass per batch of frame pairs and reads back only the final flow. Iterations after the stopping rule fired are
 * turned into no-ops on the GPU (see shaders.ts: the control state), so results do not depend on the host ever
 * seeing an error sum.
 *
 * Buffers are allocated once per frame size (and grown for larger batches) and reused across calls. Calls are
 * serialised. When the device is lost, `lost` resolves and pending and later calls reject with E_GPU_LOST.
 */
import { AppError } from '../../errors';
import { adapterName, isSoftwareAdapter } from '../../platform/adapter';
import { type TVL1Params, resolveTVL1Params } from '../cpu/params';
import { ITER_TILE, type Plan, RECORD_BYTES, WG_SIDE, makePlan, paramsRecord } from './plan';
import { KERNELS, type KernelName } from './shaders';

export interface WebGpuTvl1Options {
  /** The WebGPU entry point; default `navigator.gpu`. */
  gpu?: GPU;
  /** TV-L1 parameters (default: OpenCV's defaults). */
  params?: Partial<TVL1Params>;
  /**
   * Frame pairs per submission (default 32 on hardware adapters, 8 on software ones); larger batches are split.
   * Measured on an NVIDIA H200 (Dawn, 64 pairs of 341×256, grid): 211 pairs/s at 8, 320 at 32, 317 at 64.
   */
  maxBatch?: number;
  powerPreference?: GPUPowerPreference;
  /**
   * How each pyramid level is scheduled. 'grid': one dispatch per step (warp, median, every possible inner
   * iteration), many workgroups per pair, iterations after convergence are GPU-side no-ops. 'loop': one
   * workgroup per pair runs a whole warp (all its iterations) in one dispatch. 'auto' (default): 'loop' on
   * levels of at most `loopMaxPixels` pixels, 'grid' above. On an NVIDIA H200 the less loop the faster (batch 32:
   * all loop 72, loop to 32768 px 167, all grid 320 pairs/s); on a software adapter the loop saves dispatches.
   */
  mode?: 'grid' | 'loop' | 'auto';
  /** Largest level (in pixels) that 'auto' runs in loop mode (default: none on hardware adapters, every level on software ones). */
  loopMaxPixels?: number;
  /** Invocations of the loop kernel's workgroup: 64, 256 or 1024 (where the adapter allows it, else 256); default 256, 64 on software adapters. */
  loopWorkgroupSize?: 64 | 256 | 1024;
}

export type ScheduleMode = NonNullable<WebGpuTvl1Options['mode']>;

export interface FlowPair {
  gray0: Uint8Array;
  gray1: Uint8Array;
}

export interface WebGpuFlowResult {
  /** H×W×2 float32, channels (x, y): the layout of the CPU path. */
  flow: Float32Array;
  /** Inner iterations and outer iterations (median filters) that ran, summed over levels and warps. */
  innerIterations: number;
  outerIterations: number;
}

interface Resources {
  plan: Plan;
  capacity: number;
  buffers: GPUBuffer[];
  tables: GPUBuffer;
  igrad: GPUBuffer;
  wrp: GPUBuffer;
  /** [level][slot] */
  bindGroups: GPUBindGroup[][];
  readbacks: GPUBuffer[];
  /** Floats per pair in a readback: the flow, then the two counters. */
  outFloats: number;
}

/** WebGPU flag values (spec constants; not declared by TypeScript's DOM library, absent from Node without Dawn's globals). */
const BufferUsage = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;
const SHADER_STAGE_COMPUTE = 0x4;
const MAP_MODE_READ = 0x1;

const STORAGE_ORDER = ['pyr', 'igrad', 'wrp', 'u', 'p', 'ctl'] as const;

function ceilDiv(a: number, b: number): number {
  return Math.ceil(a / b);
}

/**
 * A WebGPU TV-L1, or null when there is no WebGPU adapter or device. Shader or pipeline failures throw
 * AppError('E_INTERNAL') (callers fall back to the CPU path on null or on any error).
 */
export async function createWebGpuTvl1(opts: WebGpuTvl1Options = {}): Promise<WebGpuTvl1 | null> {
  const params = resolveTVL1Params(opts.params);
  if (params.medianFiltering > 1 && params.medianFiltering !== 5) throw new RangeError('WebGPU TV-L1: only the 5×5 median filter is implemented');
  const gpu = opts.gpu ?? (typeof navigator !== 'undefined' ? navigator.gpu : undefined);
  if (!gpu) return null;
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter(opts.powerPreference ? { powerPreference: opts.powerPreference } : undefined);
  } catch {
    return null;
  }
  if (!adapter) return null;
  const info = adapter.info;
  const description = adapterName(info);
  const software = isSoftwareAdapter(info);
  const lim = adapter.limits;
  // software adapters run a workgroup's invocations as coroutines: barriers cost less in small workgroups
  const wanted = opts.loopWorkgroupSize ?? (software ? 64 : 256);
  const loopWg = wanted === 64 || (wanted === 1024 && lim.maxComputeInvocationsPerWorkgroup >= 1024 && lim.maxComputeWorkgroupSizeX >= 1024) ? wanted : 256;
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: lim.maxStorageBufferBindingSize,
        maxBufferSize: lim.maxBufferSize,
        ...(loopWg > 256 ? { maxComputeInvocationsPerWorkgroup: loopWg, maxComputeWorkgroupSizeX: loopWg } : {}),
      },
    });
  } catch {
    return null;
  }
  const mode = opts.mode ?? 'auto';
  const loopMaxPixels = mode === 'loop' ? Infinity : mode === 'grid' ? 0 : (opts.loopMaxPixels ?? (software ? Infinity : 0));
  const tv = new WebGpuTvl1(device, params, description, Math.max(1, Math.floor(opts.maxBatch ?? (software ? 8 : 32))), loopMaxPixels, loopWg);
  await tv.compile();
  return tv;
}

export class WebGpuTvl1 {
  /** Resolves (with the reason) when the device is lost or destroyed. */
  readonly lost: Promise<string>;
  readonly adapterDescription: string;
  readonly params: TVL1Params;
  readonly maxBatch: number;
  /** Levels of at most this many pixels run in loop mode (0: none, Infinity: all). */
  readonly loopMaxPixels: number;
  readonly loopWorkgroupSize: number;
  private readonly device: GPUDevice;
  private lostReason: string | null = null;
  private layout: GPUBindGroupLayout | null = null;
  private pipelines: Partial<Record<KernelName, GPUComputePipeline>> = {};
  private res: Resources | null = null;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(device: GPUDevice, params: TVL1Params, adapterDescription: string, maxBatch: number, loopMaxPixels: number, loopWorkgroupSize = 256) {
    this.device = device;
    this.loopWorkgroupSize = loopWorkgroupSize;
    this.loopMaxPixels = loopMaxPixels;
    this.params = params;
    this.adapterDescription = adapterDescription;
    this.maxBatch = maxBatch;
    this.lost = device.lost.then((info) => {
      this.lostReason = `${info.reason}${info.message ? `: ${info.message}` : ''}`;
      return this.lostReason;
    });
  }

  /** Builds the pipelines (called by createWebGpuTvl1). */
  async compile(): Promise<void> {
    const d = this.device;
    d.pushErrorScope('validation');
    const storage = (binding: number, type: GPUBufferBindingType): GPUBindGroupLayoutEntry => ({
      binding,
      visibility: SHADER_STAGE_COMPUTE,
      buffer: { type },
    });
    this.layout = d.createBindGroupLayout({
      entries: [storage(0, 'uniform'), storage(1, 'read-only-storage'), ...STORAGE_ORDER.map((_, i) => storage(i + 2, 'storage'))],
    });
    const layout = d.createPipelineLayout({ bindGroupLayouts: [this.layout] });
    const names = Object.keys(KERNELS) as KernelName[];
    const built = await Promise.all(
      names.map(async (name) => {
        const module = d.createShaderModule({ code: KERNELS[name], label: `tvl1-${name}` });
        try {
          const p = this.params;
          const wg = this.loopWorkgroupSize;
          const constants =
            name === 'loop'
              ? {
                  OUTER: p.outerIterations,
                  INNER: p.innerIterations,
                  MEDIAN: p.medianFiltering > 1 ? 1 : 0,
                  LOOP_WG: wg,
                  LOOP_GROUP: Math.round(Math.sqrt(wg)),
                }
              : undefined;
          return await d.createComputePipelineAsync({ layout, compute: { module, entryPoint: 'main', constants }, label: `tvl1-${name}` });
        } catch (e) {
          const info = await module.getCompilationInfo();
          const msgs = info.messages.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('; ');
          throw new AppError('E_INTERNAL', `WebGPU TV-L1 kernel ${name}: ${msgs || String(e)}`);
        }
      }),
    );
    names.forEach((name, i) => (this.pipelines[name] = built[i]));
    const err = await d.popErrorScope();
    if (err) throw new AppError('E_INTERNAL', `WebGPU TV-L1 setup: ${err.message}`);
  }

  /** Flow from gray0 to gray1 (uint8, width×height): H×W×2 float32 (x, y). */
  async calc(gray0: Uint8Array, gray1: Uint8Array, width: number, height: number): Promise<Float32Array> {
    const [r] = await this.calcBatch([{ gray0, gray1 }], width, height);
    return r.flow;
  }

  /** Flows of several same-sized pairs, `maxBatch` pairs per GPU submission (two submissions in flight). */
  calcBatch(pairs: FlowPair[], width: number, height: number): Promise<WebGpuFlowResult[]> {
    const run = this.chain.then(() => this.runBatch(pairs, width, height));
    this.chain = run.catch(() => undefined);
    const lostError = this.lost.then((reason) => {
      throw new AppError('E_GPU_LOST', reason);
    });
    return Promise.race([run, lostError]);
  }

  /** Frees the GPU resources; `lost` resolves and later calls reject with E_GPU_LOST. */
  destroy(): void {
    this.lostReason ??= 'destroyed';
    this.res = null;
    this.device.destroy();
  }

  private checkAlive(): void {
    if (this.lostReason !== null) throw new AppError('E_GPU_LOST', this.lostReason);
  }

  private async runBatch(pairs: FlowPair[], w: number, h: number): Promise<WebGpuFlowResult[]> {
    this.checkAlive();
    if (!(Number.isInteger(w) && Number.isInteger(h) && w > 0 && h > 0)) throw new AppError('E_FLOW_SIZE', `empty frame ${w}×${h}`);
    for (const { gray0, gray1 } of pairs) {
      if (gray0.length !== w * h || gray1.length !== w * h) {
        throw new AppError('E_FLOW_SIZE', `pixel buffers of ${gray0.length} and ${gray1.length} values for ${w}×${h}`);
      }
    }
    if (pairs.length === 0) return [];
    const res = this.resources(w, h, Math.min(pairs.length, this.maxBatch));
    const results: WebGpuFlowResult[] = [];
    const inFlight: Array<{ done: Promise<void>; rb: GPUBuffer; count: number }> = [];
    const finish = async () => {
      const f = inFlight.shift();
      if (!f) return;
      await f.done;
      const data = new Float32Array(f.rb.getMappedRange(0, f.count * res.outFloats * 4).slice(0));
      f.rb.unmap();
      const n2 = 2 * res.plan.n0;
      for (let k = 0; k < f.count; k++) {
        const o = k * res.outFloats;
        results.push({ flow: data.slice(o, o + n2), innerIterations: data[o + n2], outerIterations: data[o + n2 + 1] });
      }
    };
    for (let start = 0, chunk = 0; start < pairs.length; start += res.capacity, chunk++) {
      if (inFlight.length === res.readbacks.length) await finish();
      this.checkAlive();
      const batch = pairs.slice(start, start + res.capacity);
      const rb = res.readbacks[chunk % res.readbacks.length];
      this.device.pushErrorScope('validation');
      this.device.pushErrorScope('out-of-memory');
      this.device.pushErrorScope('internal');
      this.upload(res, batch);
      this.device.queue.submit([this.encode(res, batch.length, rb)]);
      const internal = this.device.popErrorScope();
      const oom = this.device.popErrorScope();
      const invalid = this.device.popErrorScope();
      const mapped = rb.mapAsync(MAP_MODE_READ, 0, batch.length * res.outFloats * 4);
      const done = Promise.all([internal, oom, invalid, mapped]).then(
        ([e0, e1, e2]) => {
          const err = e0 ?? e1 ?? e2;
          if (err) {
            if (rb.mapState === 'mapped') rb.unmap();
            throw new AppError('E_INTERNAL', `WebGPU TV-L1: ${err.message}`);
          }
        },
        // mapping a buffer this object owns fails only when the device is gone
        (e: unknown) => {
          throw new AppError('E_GPU_LOST', this.lostReason ?? String(e));
        },
      );
      inFlight.push({ done, rb, count: batch.length });
    }
    while (inFlight.length) await finish();
    return results;
  }

  /** Buffers and bind groups for w×h and at least `pairs` pairs per submission (reused when they fit). */
  private resources(w: number, h: number, pairs: number): Resources {
    const old = this.res;
    if (old && old.plan.width === w && old.plan.height === h && old.capacity >= pairs) return old;
    const plan = makePlan(w, h, this.params);
    const d = this.device;
    const maxBinding = d.limits.maxStorageBufferBindingSize;
    const largest = Math.max(...Object.values(plan.perPair)) * 4;
    const capacity = Math.min(Math.max(pairs, old?.capacity ?? 0), Math.floor(maxBinding / largest));
    if (capacity < 1) throw new AppError('E_INTERNAL', `frames of ${w}×${h} exceed this GPU's storage buffer size`);
    if (old) for (const b of old.buffers) b.destroy();

    const buffers: GPUBuffer[] = [];
    const make = (label: string, size: number, usage: number) => {
      const b = d.createBuffer({ label: `tvl1-${label}`, size: Math.max(16, Math.ceil(size / 4) * 4), usage });
      buffers.push(b);
      return b;
    };
    const S = BufferUsage.STORAGE;
    const nLevels = plan.levels.length;
    const uniforms = make('params', nLevels * 2 * RECORD_BYTES, BufferUsage.UNIFORM | BufferUsage.COPY_DST);
    for (let s = 0; s < nLevels; s++) {
      for (let slot = 0; slot < 2; slot++) d.queue.writeBuffer(uniforms, (2 * s + slot) * RECORD_BYTES, paramsRecord(plan, s, slot));
    }
    const tables = make('tables', plan.tables.byteLength, S | BufferUsage.COPY_DST);
    d.queue.writeBuffer(tables, 0, plan.tables);
    const storage = STORAGE_ORDER.map((name) => {
      const extra = name === 'igrad' ? BufferUsage.COPY_DST : name === 'wrp' ? BufferUsage.COPY_SRC : 0;
      return make(name, capacity * plan.perPair[name] * 4, S | extra);
    });
    const layout = this.layout;
    if (!layout) throw new AppError('E_INTERNAL', 'WebGPU TV-L1 used before compile()');
    const bindGroups = plan.levels.map((_, s) =>
      [0, 1].map((slot) =>
        d.createBindGroup({
          layout,
          entries: [
            { binding: 0, resource: { buffer: uniforms, offset: (2 * s + slot) * RECORD_BYTES, size: RECORD_BYTES } },
            { binding: 1, resource: { buffer: tables } },
            ...storage.map((buffer, i) => ({ binding: i + 2, resource: { buffer } })),
          ],
        }),
      ),
    );
    const outFloats = 2 * plan.n0 + 2;
    const readbacks = [0, 1].map((k) => make(`readback${k}`, capacity * outFloats * 4, BufferUsage.MAP_READ | BufferUsage.COPY_DST));
    this.res = { plan, capacity, buffers, tables, igrad: storage[1], wrp: storage[2], bindGroups, readbacks, outFloats };
    return this.res;
  }

  /** The uint8 frames go into the igrad buffer (free until the first level starts), 4 pixels per word. */
  private upload(res: Resources, batch: FlowPair[]): void {
    const n0 = res.plan.n0;
    const padded = Math.ceil(n0 / 4) * 4;
    const scratch = padded === n0 ? null : new Uint8Array(padded);
    const write = (frame: Uint8Array, byteOffset: number) => {
      let data = frame;
      if (scratch) {
        scratch.set(frame);
        data = scratch;
      }
      this.device.queue.writeBuffer(res.igrad, byteOffset, data as Uint8Array<ArrayBuffer>, 0, padded);
    };
    batch.forEach((pair, k) => {
      write(pair.gray0, k * 8 * n0);
      write(pair.gray1, k * 8 * n0 + 4 * n0);
    });
  }

  /** The whole schedule of one batch: one compute pass, then the copies of the flows into the readback buffer. */
  private encode(res: Resources, pairs: number, rb: GPUBuffer): GPUCommandBuffer {
    const { plan, bindGroups } = res;
    const p = this.params;
    const enc = this.device.createCommandEncoder({ label: 'tvl1' });
    const pass = enc.beginComputePass({ label: 'tvl1' });
    let current: KernelName | null = null;
    const dispatch = (kernel: KernelName, s: number, slot: number, gx: number, gy: number) => {
      if (kernel !== current) {
        pass.setPipeline(this.pipelines[kernel] as GPUComputePipeline);
        current = kernel;
      }
      pass.setBindGroup(0, bindGroups[s][slot]);
      pass.dispatchWorkgroups(gx, gy, pairs);
    };
    const grid = (s: number): [number, number] => [ceilDiv(plan.levels[s].w, WG_SIDE), ceilDiv(plan.levels[s].h, WG_SIDE)];
    const iterGrid = (s: number): [number, number] => [ceilDiv(plan.levels[s].w, ITER_TILE), ceilDiv(plan.levels[s].h, ITER_TILE)];

    dispatch('load', 0, 0, ...grid(0));
    for (let s = 1; s < plan.levels.length; s++) dispatch('pyrDown', s, 0, ...grid(s));
    let slot = 0;
    const ctlDispatch = (kernel: KernelName, s: number, g: [number, number]) => {
      dispatch(kernel, s, slot, ...g);
      slot ^= 1;
    };
    for (let s = plan.levels.length - 1; s >= 0; s--) {
      const g = grid(s);
      const ig = iterGrid(s);
      ctlDispatch('levelInit', s, g);
      if (plan.levels[s].n <= this.loopMaxPixels) {
        for (let warp = 0; warp < p.warps; warp++) ctlDispatch('loop', s, [1, 1]);
        continue;
      }
      for (let warp = 0; warp < p.warps; warp++) {
        ctlDispatch('warp', s, g);
        for (let outer = 0; outer < p.outerIterations; outer++) {
          if (p.medianFiltering > 1) ctlDispatch('median', s, g);
          for (let inner = 0; inner < p.innerIterations; inner++) ctlDispatch('iterate', s, ig);
        }
      }
    }
    dispatch('output', 0, slot, ...grid(0));
    pass.end();
    const perPairBytes = plan.perPair.wrp * 4;
    const outBytes = res.outFloats * 4;
    for (let k = 0; k < pairs; k++) enc.copyBufferToBuffer(res.wrp, k * perPairBytes, rb, k * outBytes, outBytes);
    return enc.finish();
  }
}
