/** The typed API of the pipeline worker, as the bridge sees it. */
import type { VideoMeta } from '../decode/probe';
import type { ImportStage, ModelRecord } from '../io/model-store';
import type { ModelDtype } from '../model/types';
import type { Capabilities, DevicePreference } from '../platform/capabilities';
import type { StreamName } from '../pipeline/extract';
import type { VideoProgress, VideoSummary } from '../pipeline/video';

export interface ProbeInfo {
  meta: VideoMeta;
  /** JPEG of the first decoded frame (canonical size). */
  thumbnail?: Blob;
}

export interface ExtractSettings {
  streams: StreamName[];
  /** Model ids (ModelRecord.id) per stream. */
  models: Partial<Record<StreamName, string>>;
  dtype: ModelDtype;
  device: DevicePreference;
  /** Where TV-L1 runs: `auto` = WebGPU when there is an adapter, else the CPU workers. */
  flowBackend: 'auto' | 'cpu' | 'webgpu';
  /** Decode rate; null keeps every decoded frame. */
  fps: number | null;
  /** Decode at most this many frames; null for all. */
  maxFrames: number | null;
  flowMode: 'float' | 'jpeg8';
  /** Most stream entries per model pass (longer streams run in exact overlapping chunks). */
  maxChunkFrames: number;
}

export interface ExtractRequest {
  /** Results folder name (OPFS results/<id>). */
  id: string;
  file: File;
  probe: VideoMeta;
  settings: ExtractSettings;
  /** Test hook: destroy the WebGPU devices (models and flow) once this many frames are decoded. */
  loseGpuAfterFrames?: number;
}

export interface ModelSource {
  file?: File;
  url?: string;
  name: string;
}

export interface PipelineApi {
  /** Reads a video's metadata and its first frame. */
  probe(file: File): Promise<ProbeInfo>;
  /** Runs one video; results land in OPFS results/<id>/. `onFlowPreview` gets a colour-wheel JPEG now and then. */
  extract(jobId: number, req: ExtractRequest, onProgress: (p: VideoProgress) => void, onFlowPreview?: (jpeg: Blob) => void): Promise<VideoSummary>;
  /** Builds results/<zipName> from several results folders (one folder per video in the zip). */
  bundle(zipName: string, folders: { id: string; name: string }[]): Promise<number>;
  removeResult(id: string): Promise<void>;
  importModel(jobId: number, source: ModelSource, dtype: ModelDtype, onStage: (s: ImportStage) => void): Promise<ModelRecord>;
  listModels(): Promise<ModelRecord[]>;
  removeModel(id: string): Promise<void>;
  capabilities(): Promise<Capabilities>;
  /** Cancels the job started with this id (no-op if it already ended). */
  abort(jobId: number): void;
  /** Test hook: throws from the worker's global scope, as a crash would. */
  crashForTest(): void;
}
