/**
 * The one module that owns onnxruntime-web. Everything else creates, runs and releases model
 * sessions through this API and never imports onnxruntime-web itself.
 *
 * Runtime entry: `#ort-runtime` (package.json "imports") resolves to ./ort-runtime/node.ts under
 * Node (the `node` condition: onnxruntime-web's Node build, WASM backend only) and to
 * ./ort-runtime/web.ts in the browser, which lazily loads `onnxruntime-web/webgpu` (native WebGPU
 * EP) for `webgpu` and `onnxruntime-web/wasm` for `wasm`. Each entry is loaded at most once.
 *
 * Devices are tried in the fallback order of DEVICES (webgpu → wasm) starting from the requested
 * one; the session says which device actually runs it and why an earlier one was skipped.
 */
import { loadOrtRuntime } from '#ort-runtime';
import { AppError } from '../errors';
import { adapterName, type AdapterInfoLike } from '../platform/adapter';
import type { OrtModule } from './ort-runtime/types';
import { DEVICES, type Device } from './types';

export interface OrtConfig {
  /** Where the runtime fetches its .wasm/.mjs files: a URL prefix ending in '/', served from the app's origin. */
  wasmPaths?: string;
  /** WASM threads (1 = no worker threads). Takes effect when a runtime is first initialised. Default: ORT's choice. */
  numThreads?: number;
  logLevel?: 'verbose' | 'info' | 'warning' | 'error' | 'fatal';
}

export interface SessionRequest {
  /** First device to try. Default `webgpu`. */
  device?: Device;
  /** Try the next devices of the fallback order when this one is unavailable or fails. Default true. */
  fallback?: boolean;
  /** WASM threads; same as configureOrt({ numThreads }) and only effective before the runtime starts. */
  threads?: number;
  /** WebGPU EP layout for layout-sensitive ops. Default: the EP's default. */
  preferredLayout?: 'NCHW' | 'NHWC';
  /** ORT graph optimisation level at load. Default 'all'. */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** The model each device loads, when they differ (e.g. a graph tuned for WASM); default `model` everywhere. */
  modelFor?: (device: Device) => Uint8Array;
}

/** A loaded model. Opaque apart from these fields. */
export interface ModelSession {
  /** The device that runs this session. */
  readonly device: Device;
  /** Why earlier devices of the fallback order were not used (empty when the requested one runs it). */
  readonly fallbackReasons: readonly string[];
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
}

export type FeedTensor =
  | { type: 'float32'; data: Float32Array; dims: readonly number[] }
  | { type: 'float16'; data: Uint16Array; dims: readonly number[] }
  | { type: 'int64'; data: BigInt64Array; dims: readonly number[] };

export interface OutputTensor {
  data: Float32Array;
  dims: number[];
}

interface SessionInternals extends ModelSession {
  ort: OrtModule;
  session: import('onnxruntime-web').InferenceSession;
  released: boolean;
}

interface GpuDeviceLike {
  destroy(): void;
  adapterInfo?: AdapterInfoLike;
}

/** The GPUDevice of the WebGPU runtime, once a WebGPU session exists (for the device-loss test hook). */
let webgpuDevice: GpuDeviceLike | null = null;

const config: OrtConfig = {};
const runtimes = new Map<Device, Promise<OrtModule | null>>();

function applyConfig(ort: OrtModule): void {
  if (config.wasmPaths !== undefined) ort.env.wasm.wasmPaths = config.wasmPaths;
  if (config.numThreads !== undefined) ort.env.wasm.numThreads = config.numThreads;
  if (config.logLevel !== undefined) ort.env.logLevel = config.logLevel;
}

/** Set where the wasm files are served from and how many threads WASM uses. Call before the first session. */
export function configureOrt(next: OrtConfig): void {
  Object.assign(config, next);
  for (const p of runtimes.values()) {
    void p.then((ort) => {
      if (ort) applyConfig(ort);
    });
  }
}

function runtime(device: Device): Promise<OrtModule | null> {
  let p = runtimes.get(device);
  if (!p) {
    p = loadOrtRuntime(device).then((ort) => {
      if (ort) applyConfig(ort);
      return ort;
    });
    runtimes.set(device, p);
  }
  return p;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** True when the WebGPU API is present (a missing adapter is only found when a session starts). */
function hasWebGpuApi(): boolean {
  return typeof navigator !== 'undefined' && 'gpu' in navigator && !!(navigator as { gpu?: unknown }).gpu;
}

async function tryDevice(model: Uint8Array, device: Device, req: SessionRequest): Promise<SessionInternals> {
  if (device === 'webgpu' && !hasWebGpuApi()) throw new Error('WebGPU is not available here');
  const ort = await runtime(device);
  if (!ort) throw new Error(`no onnxruntime-web entry for ${device} here`);
  const ep: import('onnxruntime-web').InferenceSession.ExecutionProviderConfig =
    device === 'webgpu' ? (req.preferredLayout ? { name: 'webgpu', preferredLayout: req.preferredLayout } : 'webgpu') : 'wasm';
  const session = await ort.InferenceSession.create(req.modelFor?.(device) ?? model, {
    executionProviders: [ep],
    graphOptimizationLevel: req.graphOptimizationLevel ?? 'all',
    // keep DequantizeLinear → Conv as a float Conv on constant-folded weights (q8 is weight-only)
    extra: { session: { disable_quant_qdq: '1' } },
  });
  if (device === 'webgpu') webgpuDevice = (await (ort.env.webgpu as { device?: Promise<GpuDeviceLike> | GpuDeviceLike }).device) ?? null;
  return { device, fallbackReasons: [], inputNames: session.inputNames, outputNames: session.outputNames, ort, session, released: false };
}

/**
 * Load a model. Tries `req.device` (default webgpu), then the later devices of the fallback order
 * unless `fallback` is false. Throws E_MODEL_LOAD when no device can run it.
 */
export async function createSession(model: Uint8Array, req: SessionRequest = {}): Promise<ModelSession> {
  if (req.threads !== undefined) configureOrt({ numThreads: req.threads });
  const first = DEVICES.indexOf(req.device ?? 'webgpu');
  const order = req.fallback === false ? [DEVICES[first]] : DEVICES.slice(first);
  const reasons: string[] = [];
  for (const device of order) {
    try {
      const s = await tryDevice(model, device, req);
      return { ...s, fallbackReasons: reasons };
    } catch (e) {
      reasons.push(`${device}: ${message(e)}`);
    }
  }
  throw new AppError('E_MODEL_LOAD', reasons.join('; '));
}

function internals(s: ModelSession): SessionInternals {
  const i = s as SessionInternals;
  if (!i.session) throw new Error('not a session made by createSession');
  if (i.released) throw new Error('session already released');
  return i;
}

/** Run the model; every output is returned as float32 on the CPU. Throws E_MODEL_RUN on failure. */
export async function run(s: ModelSession, feeds: Record<string, FeedTensor>): Promise<Record<string, OutputTensor>> {
  const { ort, session } = internals(s);
  const inputs: Record<string, import('onnxruntime-web').Tensor> = {};
  for (const [name, f] of Object.entries(feeds)) inputs[name] = new ort.Tensor(f.type, f.data, [...f.dims]);
  let results: import('onnxruntime-web').InferenceSession.ReturnType;
  try {
    results = await session.run(inputs);
  } catch (e) {
    throw new AppError('E_MODEL_RUN', message(e));
  }
  const out: Record<string, OutputTensor> = {};
  for (const [name, t] of Object.entries(results)) {
    const data = t.location === 'cpu' ? t.data : await t.getData(true);
    if (!(data instanceof Float32Array)) throw new AppError('E_MODEL_RUN', `output ${name} is ${t.type}, expected float32`);
    out[name] = { data, dims: [...t.dims] };
  }
  return out;
}

/** Free the session's memory (WASM heap or GPU buffers). Safe to call twice. */
export async function release(s: ModelSession): Promise<void> {
  const i = s as SessionInternals;
  if (!i.session || i.released) return;
  i.released = true;
  await i.session.release();
}

/**
 * The adapter the WebGPU runtime's device was made on (GPUDevice.adapterInfo), as ../platform/adapter.ts
 * adapterName writes it; null before a WebGPU session exists or where the browser does not say.
 */
export function webgpuAdapterName(): string | null {
  const info = webgpuDevice?.adapterInfo;
  return info ? adapterName(info) || null : null;
}

/**
 * Test hook: destroys the GPUDevice the WebGPU runtime uses, as a driver reset or a lost device would; the
 * next WebGPU run fails and the pipeline continues on WASM. Synchronous (the device is kept from the last
 * WebGPU session), so a caller can lose it at an exact point; no-op when WebGPU never started.
 */
export function loseWebGpuDeviceForTest(): void {
  webgpuDevice?.destroy();
}
