/**
 * A stream's model as the pipeline sees it: an ORT session on the preferred device that moves to WASM, for good,
 * when a WebGPU run fails (a lost device, an out-of-memory buffer) and reruns that chunk there. WebGPU runs the
 * stored graph; WASM runs its Winograd rewrite (../model/graph/wasm-graph.ts: the same features up to float
 * rounding, ~2× faster on onnxruntime-web's CPU kernels).
 */
import { I3D_FEATURE_CHANNELS } from '../model/i3d-layout';
import { readI3dModelMeta, type I3dModelMeta } from '../model/graph/i3d-graph';
import { toHalfCompute } from '../model/graph/half-compute';
import { toWasmGraph } from '../model/graph/wasm-graph';
import type { TemporalPads } from '../model/graph/pads';
import { runI3d, toFeatureLayouts } from '../model/features';
import { createSession, release, type ModelSession } from '../model/ort';
import type { Device } from '../model/types';
import type { ChunkFeatures, StreamModel } from './extract';

/**
 * Each device's graph: WASM runs the Winograd rewrite of the stored model (built when a WASM session is made, and
 * not kept: ORT holds its own copy, and the rewrite is several times the stored model's size), WebGPU the stored graph.
 */
export function graphFor(bytes: Uint8Array): (device: Device) => Uint8Array {
  return (device) => (device === 'wasm' ? toWasmGraph(bytes) : bytes);
}

export class SessionModel implements StreamModel {
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

  async run(x: Float32Array, T: number, pads: TemporalPads): Promise<ChunkFeatures> {
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
