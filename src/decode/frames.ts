/** Decoded frames as the pipeline sees them, and what a caller asks of a decode (pure types). */
import type { FaultKind } from '../faults';

export interface DecodeOptions {
  fps?: number;
  maxFrames?: number;
}

export interface FrameBatch {
  /** Index (0-based, decoded numbering) of the first frame in the batch. */
  start: number;
  width: number;
  height: number;
  /** One rgb24 buffer per frame (empty buffers in a counting pass). */
  frames: Uint8Array[];
}

/** One kind of decoder warning or error (normalised: numbers and addresses removed) and how often it came. */
export interface DecodeWarning {
  message: string;
  count: number;
}

/** What a decode ends with. */
export interface DecodeEnd {
  frameCount: number;
  /** ffmpeg's warnings and errors during the decode, by kind (empty when it decoded cleanly). */
  warnings: DecodeWarning[];
  /** Seconds the decoder worked on this decode (its waits for the consumer left out), when it says. */
  busySeconds?: number;
}

/** What a caller of the decode client asks for. */
export interface DecodeStreamOptions extends DecodeOptions {
  /** Only count: batches carry empty frame buffers. */
  countOnly?: boolean;
  batchFrames?: number;
  maxInFlight?: number;
  signal?: AbortSignal;
  /** Called once when the decode has finished (not when it is broken off). */
  onEnd?: (end: DecodeEnd) => void;
  /** Test builds only: the decode worker fails this way at this frame. */
  faultForTest?: { kind: FaultKind; afterFrames: number };
}
