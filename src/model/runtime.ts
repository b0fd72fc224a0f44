/**
 * The model runtime: what the rest of the app knows of running I3D. It owns
 * - device resolution (the user's preference and the detected capabilities → `webgpu` or `wasm`, one policy:
 *   ../platform/capabilities.ts resolveDevice),
 * - the graph each device runs (WebGPU: the stored graph, or its half-compute form for fp16 on adapters with
 *   shader-f16; WASM: the Winograd rewrite, ./graph/wasm-graph.ts, the same features up to float rounding and
 *   ~2× faster on onnxruntime-web's CPU kernels),
 * - a cache of loaded models that lives across videos (keyed by model, dtype, device and app version), released
 *   when the queue ends,
 * - the WebGPU → WASM fallback, at load (./ort.ts tries the devices in order) and at run time (a failed WebGPU run
 *   moves the model to WASM for good and reruns that chunk there).
 * onnxruntime-web itself is reached only through ./ort.ts.
 */
import { capabilities, resolveDevice, type DevicePreference } from '../platform/capabilities';
import { I3D_FEATURE_CHANNELS } from './i3d-layout';
import { readI3dModelMeta, type I3dModelMeta } from './graph/i3d-graph';
import { toHalfCompute } from './graph/half-compute';
import { toWasmGraph } from './graph/wasm-graph';
import type { TemporalPads } from './graph/pads';
import { runI3d, toFeatureLayouts, type FeatureArrays } from './features';
import { createSession, release, type ModelSession } from './ort';
import type { Device, ModelDtype } from './types';

/**
 * Each device's graph: WASM runs the Winograd rewrite of the stored model (built when a WASM session is made, and
 * not kept: ORT holds its own copy, and the rewrite is several times the stored model's size), WebGPU the stored graph.
 */
export function graphFor(bytes: Uint8Array): (device: Device) => Uint8Array {
  return (device) => (device === 'wasm' ? toWasmGraph(bytes) : bytes);
}

export class SessionModel {
  readonly inChannels: number;
  readonly classes: number;
  readonly featureChannels: number;
  /** What happened to the device choice, in order (empty when the first choice ran everything). */
  readonly fallbacks: string[] = [];

  private constructor(
    private readonly bytes: Uint8Array,
    readonly meta: I3dModelMeta,
    private session: ModelSession,
  ) {
    this.inChannels = meta.inChannels;
    this.classes = meta.classes;
    this.featureChannels = I3D_FEATURE_CHANNELS / meta.widthDivisor;
    this.fallbacks.push(...session.fallbackReasons);
  }

  /**
   * `halfCompute`: on WebGPU with shader-f16, run an fp16 model's half-precision-compute graph (falls back to
   * float32 compute on fp16 weights when that graph does not load).
   */
  static async open(bytes: Uint8Array, device: Device, opts: { halfCompute?: boolean } = {}): Promise<SessionModel> {
    const meta = readI3dModelMeta(bytes);
    if (opts.halfCompute && device === 'webgpu' && meta.dtype === 'fp16') {
      try {
        const half = await createSession(toHalfCompute(bytes), { device: 'webgpu', fallback: false });
        const m = new SessionModel(bytes, meta, half);
        m.compute = 'fp16';
        return m;
      } catch (e) {
        const m = new SessionModel(bytes, meta, await createSession(bytes, { device, modelFor: graphFor(bytes) }));
        m.fallbacks.unshift(`fp16 compute unavailable, float32 compute: ${e instanceof Error ? e.message : String(e)}`);
        return m;
      }
    }
    return new SessionModel(bytes, meta, await createSession(bytes, { device, modelFor: graphFor(bytes) }));
  }

  /** Arithmetic precision of the running graph. */
  compute: 'fp32' | 'fp16' = 'fp32';

  /** The device that runs the model now. */
  get device(): Device {
    return this.session.device;
  }

  async run(x: Float32Array, T: number, pads: TemporalPads): Promise<FeatureArrays> {
    try {
      return toFeatureLayouts(await runI3d(this.session, x, T, this.inChannels, pads));
    } catch (e) {
      if (this.session.device !== 'webgpu') throw e;
      this.fallbacks.push(`webgpu run failed, continued on wasm: ${e instanceof Error ? e.message : String(e)}`);
      await release(this.session).catch(() => undefined);
      this.session = await createSession(graphFor(this.bytes)('wasm'), { device: 'wasm', fallback: false });
      this.compute = 'fp32';
      return toFeatureLayouts(await runI3d(this.session, x, T, this.inChannels, pads));
    }
  }

  async close(): Promise<void> {
    await release(this.session);
  }
}

/** Version of the graphs this build makes: a cached graph or session of another version is not reused. */
export const RUNTIME_VERSION = 'i3d-runtime/1';

export interface ModelKey {
  /** The stored model's id. */
  id: string;
  dtype: ModelDtype;
}

/**
 * Loaded models kept across the videos of a queue: the same model, dtype and device is loaded (and its WASM
 * graph rewritten) once. `release` frees them all (the queue ended, or memory is short).
 */
export class ModelRuntime {
  private readonly loaded = new Map<string, { id: string; model: Promise<SessionModel> }>();

  /** The device a preference resolves to on this browser (one adapter probe for the whole app). */
  async device(preference: DevicePreference): Promise<Device> {
    return resolveDevice(preference, await capabilities());
  }

  /** The model `key` on `device`, loaded from `bytes()` the first time. */
  open(key: ModelKey, bytes: () => Promise<Uint8Array>, device: Device): Promise<SessionModel> {
    const cacheKey = [RUNTIME_VERSION, key.id, key.dtype, device].join('/');
    const kept = this.loaded.get(cacheKey);
    if (kept) return kept.model;
    const model = (async () => SessionModel.open(await bytes(), device, { halfCompute: (await capabilities()).shaderF16 }))();
    this.loaded.set(cacheKey, { id: key.id, model });
    // a model that failed to load is not kept
    model.catch(() => this.loaded.delete(cacheKey));
    return model;
  }

  /** Frees every loaded model (or those of one stored model). */
  async release(id?: string): Promise<void> {
    const entries = [...this.loaded].filter(([, v]) => id === undefined || v.id === id);
    for (const [k] of entries) this.loaded.delete(k);
    await Promise.allSettled(entries.map(async ([, v]) => (await v.model).close()));
  }
}
