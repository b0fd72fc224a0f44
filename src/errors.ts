/**
 * Typed error codes, and the one place they are turned into words for the user.
 *
 * Pure code throws `AppError(code, detail)`; the UI shows `describeError(err)`.
 * Add a code here (with its message) before throwing it anywhere.
 */
export const ERROR_MESSAGES = {
  // generic
  E_INTERNAL: 'Something went wrong inside the app.',
  E_CANCELLED: 'Cancelled.',
  E_PAUSED: 'Paused; it resumes from its last finished chunk.',
  E_WORKER_CRASH: 'A background worker crashed; it was restarted.',
  E_OUT_OF_MEMORY: 'The browser ran out of memory for this video. Lower the frame rate (--fps) or the chunk length and try again.',
  E_QUOTA: 'Not enough storage space in the browser for this result. Free some space (remove models or results) and try again.',
  E_GPU_LOST: 'The GPU device was lost.',
  E_MEMORY_BUDGET: 'The memory budget must be a size such as 2G or 1500M (at least 64M).',
  // video intake and decoding
  E_EMPTY_FILE: 'The file is empty (0 bytes).',
  E_NOT_VIDEO: 'This file is not a video that ffmpeg can read.',
  E_NO_VIDEO_STREAM: 'The file has no video stream (audio only?).',
  E_DECODE: 'The video could not be decoded (the file may be truncated or corrupt).',
  E_NO_FRAMES: 'The video has no decodable frames.',
  E_UNSUPPORTED_CODEC: 'The video is in a format this app cannot decode.',
  E_TOO_FEW_FRAMES: 'The video needs at least 2 frames (the first one only starts the streams; shorter streams are padded to 9).',
  // checkpoints and models
  E_PICKLE_TRUNCATED: 'The checkpoint file is truncated.',
  E_PICKLE_FORMAT: 'The file is not a PyTorch checkpoint.',
  E_PICKLE_OPCODE: 'The checkpoint contains a pickle instruction that a state dict never needs; it was refused.',
  E_PICKLE_GLOBAL: 'The checkpoint refers to code that a state dict never needs; it was refused and nothing was run.',
  E_PICKLE_LIMIT: 'The checkpoint is larger or deeper than any I3D checkpoint; it was refused.',
  E_PICKLE_DTYPE: 'The checkpoint stores tensors in a number format this app does not read.',
  E_NOT_I3D: 'The checkpoint is not an InceptionI3d state dict.',
  E_I3D_MISSING: 'The I3D checkpoint is missing layers.',
  E_I3D_SHAPE: 'An I3D checkpoint tensor has the wrong shape.',
  E_MODEL_MISSING: 'No model is imported for this stream yet.',
  E_MODEL_MODALITY: 'The model chosen for this stream was made for the other stream (RGB vs optical flow); choose or import the right one.',
  E_MODEL_FORMAT: 'The model file is not a model this app produced.',
  E_MODEL_LOAD: 'The model could not be loaded on any available device.',
  E_MODEL_RUN: 'The model failed while computing features.',
  // flow
  E_FLOW_SIZE: 'The two frames given to optical flow have different sizes.',
  E_FLOW_CROP: 'The video frames are smaller than the 224×224 crop the flow model needs.',
  // network (only model URLs the user typed)
  E_FETCH: 'The model could not be downloaded.',
  E_URL_SCHEME: 'Models can be imported only from https URLs (http only from this machine: localhost).',
} as const;

export type ErrorCode = keyof typeof ERROR_MESSAGES;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly detail: string;
  constructor(code: ErrorCode, detail = '') {
    super(detail ? `${code}: ${ERROR_MESSAGES[code]} (${detail})` : `${code}: ${ERROR_MESSAGES[code]}`);
    this.name = 'AppError';
    this.code = code;
    this.detail = detail;
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** A plain object that crosses threads (structured clone loses the class). */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  detail: string;
}

/**
 * What an exhausted heap says, as the engines word it: V8 when a WebAssembly memory cannot grow or an
 * ArrayBuffer cannot be allocated, Emscripten's runtime (ffmpeg.wasm, onnxruntime-web) when its heap cannot be
 * enlarged, onnxruntime's allocators (`failed to allocate a buffer`, `std::bad_alloc`) and ffmpeg's ENOMEM.
 */
const OUT_OF_MEMORY =
  /Maximum memory size exceeded|Unable to grow instance memory|Out of memory|Array buffer allocation failed|could not allocate memory|failed to allocate|bad_alloc|Cannot enlarge memory|Cannot allocate memory/i;
/** Emscripten's own word for it, in capitals ("Aborted(OOM)", "… (OOM)"). */
const OOM = /\bOOM\b/;

/** Codes whose failure may have been an exhausted heap (their detail says so): those become E_OUT_OF_MEMORY. */
const MAY_BE_OUT_OF_MEMORY: ReadonlySet<ErrorCode> = new Set(['E_INTERNAL', 'E_MODEL_RUN', 'E_MODEL_LOAD', 'E_DECODE']);

/** Whether an error's text is one of the out-of-memory shapes. */
export function isOutOfMemory(text: string): boolean {
  return OUT_OF_MEMORY.test(text) || OOM.test(text);
}

function outOfMemory(code: ErrorCode, detail: string): ErrorInfo | null {
  if (!MAY_BE_OUT_OF_MEMORY.has(code) || !isOutOfMemory(detail)) return null;
  return { code: 'E_OUT_OF_MEMORY', message: ERROR_MESSAGES.E_OUT_OF_MEMORY, detail };
}

export function toErrorInfo(e: unknown): ErrorInfo {
  if (isAppError(e)) return outOfMemory(e.code, e.detail) ?? { code: e.code, message: ERROR_MESSAGES[e.code], detail: e.detail };
  if (e && typeof e === 'object' && 'code' in e && typeof e.code === 'string' && e.code in ERROR_MESSAGES) {
    const code = e.code as ErrorCode;
    const detail = 'detail' in e && typeof e.detail === 'string' ? e.detail : '';
    return outOfMemory(code, detail) ?? { code, message: ERROR_MESSAGES[code], detail };
  }
  if (e instanceof DOMException && e.name === 'QuotaExceededError') {
    return { code: 'E_QUOTA', message: ERROR_MESSAGES.E_QUOTA, detail: e.message };
  }
  if (e instanceof DOMException && e.name === 'AbortError') {
    return { code: 'E_CANCELLED', message: ERROR_MESSAGES.E_CANCELLED, detail: '' };
  }
  const detail = e instanceof Error ? e.message : String(e);
  return outOfMemory('E_INTERNAL', detail) ?? { code: 'E_INTERNAL', message: ERROR_MESSAGES.E_INTERNAL, detail };
}

/** The sentence the UI shows for an error. */
export function describeError(e: unknown): string {
  const info = toErrorInfo(e);
  return info.detail ? `${info.message} ${info.detail}` : info.message;
}
