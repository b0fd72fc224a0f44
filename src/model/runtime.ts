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
 *   moves the model to WASM for good and reruns that chunk there),
 * - the verification of a WebGPU adapter (./verify.ts): the first time a model loads on WebGPU (whether `auto` or
 *   the user chose it), one deterministic 9-frame input runs on WebGPU and on WASM; when they disagree beyond the
 *   tolerance the model moves to WASM with a note. The verdict is stored per adapter, model, compute and version
 *   (an injected VerdictStore), so later loads reuse it without checking again.
 * onnxruntime-web itself is reached only through ./ort.ts.
 */
import { capabilities, resolveDevice, type DevicePreference } from '../platform/capabilities';
import { I3D_FEATURE_CHANNELS } from './i3d-layout';
import { readI3dModelMeta, type I3dModelMeta } from './graph/i3d-graph';
import { toHalfCompute } from './graph/half-compute';
import { toWasmGraph, WASM_FORMS, type WasmForm } from './graph/wasm-graph';
import { toWebGpuGraph } from './graph/webgpu-graph';
import type { TemporalPads } from './graph/pads';
import { runI3d, toFeatureLayouts, type FeatureArrays } from './features';
import { createSession, release, webgpuAdapterName, type ModelSession } from './ort';
import type { Device, ModelDtype } from './types';
import {
  VERIFY_FRAMES,
  fromStored,
  judge,
  perturbForTest,
  relativeMaxDiff,
  toleranceFor,
  verdictKey,
  verificationInput,
  verificationNote,
  type StoredVerdict,
  type Verification,
  type VerificationSubject,
  type VerdictStore,
} from './verify';

/** The WebGPU graph form (./graph/webgpu-graph.ts). */
const WEBGPU_GRAPH = { winograd: true, mm1: true } as const;

/**
 * Each device's graph, derived from the stored model when a session is made (and not kept: ORT holds its own copy,
 * and a rewrite is several times the stored model's size): WASM runs its Winograd rewrite, WebGPU the Winograd
 * rewrite in WebGPU's form with the 1×1×1 convs as MatMuls (./graph/webgpu-graph.ts: 6.6× faster than the stored
 * graph on an NVIDIA H200 for a 64-frame clip, 4.4× for 256 frames). A half-compute graph stays as it is.
 */
export function graphFor(bytes: Uint8Array, wasmForm: WasmForm = 'winograd'): (device: Device) => Uint8Array {
  return (device) => (device === 'wasm' ? toWasmGraph(bytes, WASM_FORMS[wasmForm]) : toWebGpuGraph(bytes, WEBGPU_GRAPH));
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
    /** The WASM graph's form (on WASM, and after a move to WASM). */
    readonly wasmForm: WasmForm = 'winograd',
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
  static async open(bytes: Uint8Array, device: Device, opts: { halfCompute?: boolean; wasmForm?: WasmForm } = {}): Promise<SessionModel> {
    const meta = readI3dModelMeta(bytes);
    const form = opts.wasmForm ?? 'winograd';
    if (opts.halfCompute && device === 'webgpu' && meta.dtype === 'fp16') {
      try {
        const half = await createSession(toHalfCompute(bytes), { device: 'webgpu', fallback: false });
        const m = new SessionModel(bytes, meta, half, form);
        m.compute = 'fp16';
        return m;
      } catch (e) {
        const m = new SessionModel(bytes, meta, await createSession(bytes, { device, modelFor: graphFor(bytes, form) }), form);
        m.fallbacks.unshift(`fp16 compute unavailable, float32 compute: ${e instanceof Error ? e.message : String(e)}`);
        return m;
      }
    }
    return new SessionModel(bytes, meta, await createSession(bytes, { device, modelFor: graphFor(bytes, form) }), form);
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
      await this.moveToWasm(`webgpu run failed, continued on wasm: ${e instanceof Error ? e.message : String(e)}`);
      return toFeatureLayouts(await runI3d(this.session, x, T, this.inChannels, pads));
    }
  }

  /** The WebGPU check of this load (./verify.ts); absent when the model does not run on WebGPU or was not checked. */
  verification?: Verification;

  /**
   * Checks a WebGPU session against WASM on one short input, or uses the stored verdict of `subject`; on a
   * failing verdict the model moves to WASM (the check's WASM session) and says why in `fallbacks`. No-op off
   * WebGPU. `perturb` (test builds only): skip the stored verdict and perturb the WebGPU outputs by that much.
   */
  async verify(subject: Omit<VerificationSubject, 'compute'>, store: VerdictStore | undefined, perturb?: number): Promise<void> {
    if (this.session.device !== 'webgpu') return;
    const full: VerificationSubject = { ...subject, compute: this.compute };
    const key = verdictKey(full);
    const tolerance = toleranceFor(this.compute);
    const test = __TEST_HOOKS__ && perturb !== undefined;
    const stored = test ? null : await store?.get(key).catch(() => null);
    if (stored && stored.tolerance === tolerance) {
      this.verification = fromStored(stored, true);
      if (stored.verdict === 'fail') await this.moveToWasm(verificationNote(this.verification));
      return;
    }
    const x = verificationInput(this.inChannels);
    let gpu: Awaited<ReturnType<typeof runI3d>>;
    try {
      gpu = await runI3d(this.session, x, VERIFY_FRAMES, this.inChannels);
    } catch (e) {
      // not a verdict on the adapter (a lost device may be transient): nothing is stored
      await this.moveToWasm(`webgpu run failed, continued on wasm: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    if (test) gpu = { ...gpu, ...perturbForTest(gpu, perturb) };
    const wasm = await createSession(graphFor(this.bytes, this.wasmForm)('wasm'), { device: 'wasm', fallback: false });
    let verdict: StoredVerdict;
    try {
      const reference = await runI3d(wasm, x, VERIFY_FRAMES, this.inChannels);
      const maxDiff = relativeMaxDiff(reference, gpu);
      verdict = { subject: full, maxDiff, tolerance, verdict: judge(maxDiff, tolerance), checkedAt: new Date().toISOString() };
    } catch (e) {
      await release(wasm).catch(() => undefined);
      throw e;
    }
    await store?.put(key, verdict).catch(() => undefined);
    this.verification = fromStored(verdict, false);
    if (verdict.verdict === 'fail') await this.moveToWasm(verificationNote(this.verification), wasm);
    else await release(wasm);
  }

  /** Moves the model to WASM for good (`wasm`: a WASM session already made) and records why. */
  private async moveToWasm(why: string, wasm?: ModelSession): Promise<void> {
    this.fallbacks.push(why);
    await release(this.session).catch(() => undefined);
    this.session = wasm ?? (await createSession(graphFor(this.bytes, this.wasmForm)('wasm'), { device: 'wasm', fallback: false }));
    this.compute = 'fp32';
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
  /** The WASM graph's form (default `winograd`; src/pipeline/memory-budget.ts picks it). */
  wasmForm?: WasmForm;
}

/**
 * Loaded models kept across the videos of a queue: the same model, dtype and device is loaded (and its WASM
 * graph rewritten) once. `release` frees them all (the queue ended, or memory is short).
 */
export class ModelRuntime {
  private readonly loaded = new Map<string, { id: string; model: Promise<SessionModel> }>();

  /**
   * `verdicts`: where WebGPU verification verdicts are kept (none: every WebGPU load checks); `version`: the app
   * version a verdict holds for (RUNTIME_VERSION is added).
   */
  constructor(private readonly opts: { verdicts?: VerdictStore; version?: string } = {}) {}

  /** The device a preference resolves to on this browser (one adapter probe for the whole app). */
  async device(preference: DevicePreference): Promise<Device> {
    return resolveDevice(preference, await capabilities());
  }

  /**
   * The model `key` on `device`, loaded (and on WebGPU verified) from `bytes()` the first time; a kept model
   * reports its verification as `cached`. `test.perturbVerification` (test builds only): see SessionModel.verify.
   */
  open(key: ModelKey, bytes: () => Promise<Uint8Array>, device: Device, test: { perturbVerification?: number } = {}): Promise<SessionModel> {
    const wasmForm = key.wasmForm ?? 'winograd';
    const modelKey = [RUNTIME_VERSION, key.id, key.dtype, device].join('/');
    const cacheKey = `${modelKey}/${wasmForm}`;
    const kept = this.loaded.get(cacheKey);
    if (kept) {
      return kept.model.then((m) => {
        if (m.verification) m.verification = { ...m.verification, cached: true };
        return m;
      });
    }
    const model = (async () => {
      const caps = await capabilities();
      // one form of a model at a time: a new budget's form replaces the kept one
      await Promise.allSettled(
        [...this.loaded]
          .filter(([k]) => k !== cacheKey && k.startsWith(`${modelKey}/`))
          .map(async ([k, v]) => {
            this.loaded.delete(k);
            await (await v.model).close();
          }),
      );
      const m = await SessionModel.open(await bytes(), device, { halfCompute: caps.shaderF16, wasmForm });
      if (m.device === 'webgpu') {
        const adapter = webgpuAdapterName() ?? caps.adapter ?? 'unknown adapter';
        const app = [this.opts.version, RUNTIME_VERSION].filter(Boolean).join(' ');
        try {
          await m.verify({ adapter, model: { id: key.id, dtype: key.dtype }, app }, this.opts.verdicts, __TEST_HOOKS__ ? test.perturbVerification : undefined);
        } catch (e) {
          await m.close().catch(() => undefined);
          throw e;
        }
      }
      return m;
    })();
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
