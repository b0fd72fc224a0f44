/**
 * The pipeline worker's wire API: what crosses the comlink boundary. Only the bridge (src/bridge/) calls it;
 * everyone else uses the bridge's façade. Job ids number the calls that can be aborted.
 */
import type { ErrorCode } from '../errors';
import type { ConfirmDownload, ImportStageListener, ModelRecord } from '../io/model-record';
import type { ModelDtype } from '../model/types';
import type { CapabilityReport } from '../platform/policy';
import type { ExtractRequest, ModelSource, ProbeInfo, ResultFolder, ResultInfo } from '../pipeline/job';
import type { VideoMetaJson } from '../pipeline/meta';
import type { VideoProgress, VideoSummary } from '../pipeline/video';

export type { ExtractRequest, ExtractSettings, ModelSource, ProbeInfo, ResultFolder, ResultInfo } from '../pipeline/job';

export interface PipelineApi {
  probe(file: File): Promise<ProbeInfo>;
  extract(jobId: number, req: ExtractRequest, onProgress: (p: VideoProgress) => void, onFlowPreview?: (jpeg: Blob) => void): Promise<VideoSummary>;
  bundle(jobId: number, zipName: string, folders: ResultFolder[]): Promise<number>;
  removeResult(id: string): Promise<void>;
  listResults(): Promise<ResultInfo[]>;
  frameAt(file: File, seconds: number, video: Pick<VideoMetaJson['video'], 'fps' | 'rate'>): Promise<Blob>;
  /** `confirm` (a URL source): asked with the host and size once the response headers are in; absent: confirmed already. */
  importModel(jobId: number, source: ModelSource, dtype: ModelDtype, onStage: ImportStageListener, confirm?: ConfirmDownload): Promise<ModelRecord>;
  listModels(): Promise<ModelRecord[]>;
  removeModel(id: string): Promise<void>;
  capabilities(): Promise<CapabilityReport>;
  /** Frees the model sessions kept between videos (the queue ended). */
  releaseModels(): Promise<void>;
  /** Cancels the job started with this id (no-op if it already ended). */
  abort(jobId: number): void;
  /** Asks the extraction started with this id to stop at its next point between chunks (E_PAUSED). */
  pause(jobId: number): void;
  /** Test builds only (__TEST_HOOKS__): throws from the worker's global scope, as a crash would. */
  crashForTest?(): void;
  /** Test builds only (__TEST_HOOKS__): the next extraction fails once with `code` at its model pass number `passes`. */
  failNextExtractForTest?(code: ErrorCode, passes: number): void;
}
