import { describe, expect, it } from 'vitest';
import { failureLine } from '../tools/cli/extract/report';
import { AppError, describeError, ERROR_MESSAGES, isOutOfMemory, toErrorInfo } from './errors';

/** Thrown for real by this engine (V8, as in Chromium): a WebAssembly memory past its maximum, an ArrayBuffer too large. */
function realFailure(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
}

describe('E_OUT_OF_MEMORY', () => {
  it('has a message with the hint (lower --fps or the chunk length)', () => {
    expect(ERROR_MESSAGES.E_OUT_OF_MEMORY).toMatch(/frame rate \(--fps\) or the chunk length/);
  });

  it('maps the real failures of a full heap', () => {
    const grow = realFailure(() => new WebAssembly.Memory({ initial: 1, maximum: 2 }).grow(5));
    expect(String(grow)).toBe('RangeError: WebAssembly.Memory.grow(): Maximum memory size exceeded');
    const buffer = realFailure(() => new ArrayBuffer(2 ** 45));
    expect(String(buffer)).toBe('RangeError: Array buffer allocation failed');
    for (const e of [grow, buffer]) {
      const info = toErrorInfo(e);
      expect(info.code).toBe('E_OUT_OF_MEMORY');
      expect(info.detail).toBe((e as Error).message);
    }
  });

  it.each([
    // V8 when the engine cannot grow a WebAssembly memory, or instantiate one
    'WebAssembly.Memory.grow(): Unable to grow instance memory',
    'Out of memory: Cannot allocate Wasm memory for new instance',
    'WebAssembly.Memory(): could not allocate memory',
    // Emscripten's runtime (ffmpeg.wasm, onnxruntime-web) with ABORTING_MALLOC
    'Aborted(Cannot enlarge memory arrays to size 2147549184 bytes (OOM). Either (1) compile with -sINITIAL_MEMORY=X with X higher than the current value 16777216, (2) compile with -sALLOW_MEMORY_GROWTH)',
    'Aborted(OOM)',
    // onnxruntime-web (ort.all.mjs; ort-wasm-simd-threaded.jsep.wasm)
    "Can't create a session. failed to allocate a buffer of size 50331648.",
    'failed to call OrtRun(). ERROR_CODE: 6, ERROR_MESSAGE: std::bad_alloc',
    'Failed to allocate memory for requested buffer of size 411041792',
  ])('maps %s', (message) => {
    expect(toErrorInfo(new Error(message))).toEqual({ code: 'E_OUT_OF_MEMORY', message: ERROR_MESSAGES.E_OUT_OF_MEMORY, detail: message });
    expect(toErrorInfo(message).code).toBe('E_OUT_OF_MEMORY');
  });

  it('maps a model or decode failure whose cause was the heap, and only those codes', () => {
    expect(toErrorInfo(new AppError('E_MODEL_RUN', 'failed to call OrtRun(). ERROR_CODE: 6, ERROR_MESSAGE: std::bad_alloc')).code).toBe('E_OUT_OF_MEMORY');
    expect(toErrorInfo(new AppError('E_MODEL_LOAD', 'webgpu: x; wasm: RangeError: Array buffer allocation failed')).code).toBe('E_OUT_OF_MEMORY');
    // ffmpeg's ENOMEM (av_malloc got NULL when the heap could not grow)
    expect(toErrorInfo(new AppError('E_DECODE', 'ffmpeg exit 1 after 40 frames: Error while filtering: Cannot allocate memory')).code).toBe('E_OUT_OF_MEMORY');
    // across the worker boundary (a plain ErrorInfo-like object)
    expect(toErrorInfo({ code: 'E_MODEL_RUN', detail: 'std::bad_alloc' }).code).toBe('E_OUT_OF_MEMORY');
    // a typed error that is not about memory keeps its code
    expect(toErrorInfo(new AppError('E_NOT_I3D', 'failed to allocate')).code).toBe('E_NOT_I3D');
    expect(toErrorInfo(new AppError('E_DECODE', 'ffmpeg exit 1 after 3 frames: Invalid data found')).code).toBe('E_DECODE');
  });

  it('leaves other failures alone', () => {
    for (const m of ['Cannot read properties of undefined', 'ROOM 101 not found', 'zoom level', '/input/oom.mp4: Invalid data found']) {
      expect(isOutOfMemory(m)).toBe(false);
      expect(toErrorInfo(new Error(m)).code).toBe('E_INTERNAL');
    }
  });

  it('is shown with its hint in the UI and on the CLI (PATH: E_OUT_OF_MEMORY: message (detail))', () => {
    const e = realFailure(() => new WebAssembly.Memory({ initial: 1, maximum: 2 }).grow(5));
    expect(describeError(e)).toBe(`${ERROR_MESSAGES.E_OUT_OF_MEMORY} WebAssembly.Memory.grow(): Maximum memory size exceeded`);
    expect(failureLine('videos/a.mp4', toErrorInfo(e))).toBe(
      'videos/a.mp4: E_OUT_OF_MEMORY: The browser ran out of memory for this video. Lower the frame rate (--fps) or the chunk length and try again. (WebAssembly.Memory.grow(): Maximum memory size exceeded)',
    );
  });
});
