/** The typed API of the pipeline worker, as the bridge sees it. */
import type { VideoMeta } from '../decode/probe';

export interface ProbeInfo {
  meta: VideoMeta;
  /** JPEG of the first decoded frame (canonical size). */
  thumbnail?: Blob;
}

export interface PipelineApi {
  /** Reads a video's metadata and its first frame. */
  probe(file: File): Promise<ProbeInfo>;
  /** Cancels the job started with this id (no-op if it already ended). */
  abort(jobId: number): void;
  /** Test hook: throws from the worker's global scope, as a crash would. */
  crashForTest(): void;
}
