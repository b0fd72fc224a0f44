/** Messages between a decode client and the decode worker (plain postMessage; buffers are transferred). */
import type { ErrorInfo } from '../errors';
import type { DecodeOptions } from './core';
import type { VideoMeta } from './probe';

export type DecodeRequest =
  | { type: 'probe'; wasm: WebAssembly.Module; file: File; thumbnail: boolean }
  | {
      type: 'decode';
      wasm: WebAssembly.Module;
      file: File;
      options: DecodeOptions;
      /** Frames per posted batch. */
      batchFrames: number;
      /** Int32Array view: [0] batches posted and not yet acknowledged. Absent when not cross-origin isolated. */
      control?: SharedArrayBuffer;
      /** Most unacknowledged batches before the decoder waits. */
      maxInFlight: number;
      /** Post empty batches that only say how many frames were decoded (a counting pass). */
      countOnly?: boolean;
    };

export interface FrameBatch {
  /** Index (0-based, decoded numbering) of the first frame in the batch. */
  start: number;
  width: number;
  height: number;
  /** One rgb24 buffer per frame (empty buffers in a counting pass). */
  frames: Uint8Array[];
}

export type DecodeResponse =
  | { type: 'probe'; meta: VideoMeta; thumbnail?: { width: number; height: number; data: Uint8Array } }
  | { type: 'batch'; batch: FrameBatch }
  | { type: 'end'; frameCount: number }
  | { type: 'error'; error: ErrorInfo };
