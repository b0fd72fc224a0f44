/** Messages between a decode client and the decode worker (plain postMessage; buffers are transferred). */
import type { ErrorInfo } from '../errors';
import type { FaultKind } from '../faults';
import type { DecodeOptions, DecodeWarning, FrameBatch } from './frames';

export type { DecodeEnd, DecodeOptions, DecodeStreamOptions, DecodeWarning, FrameBatch } from './frames';
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
      /** Test builds only: fail this way at this frame. */
      faultForTest?: { kind: FaultKind; afterFrames: number };
    };

export type DecodeResponse =
  | { type: 'probe'; meta: VideoMeta; thumbnail?: { width: number; height: number; data: Uint8Array } }
  | { type: 'batch'; batch: FrameBatch }
  | { type: 'end'; frameCount: number; warnings: DecodeWarning[]; /** The decode's time in the worker, less its waits for the consumer. */ busyMs: number }
  | { type: 'error'; error: ErrorInfo };
