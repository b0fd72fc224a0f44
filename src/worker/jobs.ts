/**
 * The worker side of job ids: each abortable call of the pipeline service gets an AbortController under the
 * id the bridge chose, and `abort(id)` aborts it; `pause(id)` asks an extraction to stop between chunks.
 */
import type { PipelineService } from '../pipeline/job';
import type { PipelineApi } from './pipeline.api';

export function withJobs(service: PipelineService): PipelineApi {
  const jobs = new Map<number, AbortController>();
  const pauses = new Map<number, AbortController>();
  async function job<T>(jobId: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const c = new AbortController();
    jobs.set(jobId, c);
    pauses.set(jobId, new AbortController());
    try {
      return await run(c.signal);
    } finally {
      jobs.delete(jobId);
      pauses.delete(jobId);
    }
  }
  const api: PipelineApi = {
    probe: (file) => service.probe(file),
    extract: (jobId, req, onProgress, onFlowPreview) =>
      job(jobId, (signal) => service.extract(req, onProgress, onFlowPreview, signal, pauses.get(jobId)?.signal)),
    bundle: (jobId, zipName, folders) => job(jobId, (signal) => service.bundle(zipName, folders, signal)),
    removeResult: (id) => service.removeResult(id),
    listResults: () => service.listResults(),
    frameAt: (file, seconds, video) => service.frameAt(file, seconds, video),
    importModel: (jobId, source, dtype, onStage, confirm) => job(jobId, (signal) => service.importModel(source, dtype, onStage, signal, confirm)),
    listModels: () => service.listModels(),
    removeModel: (id) => service.removeModel(id),
    capabilities: () => service.capabilities(),
    releaseModels: () => service.releaseModels(),
    abort(jobId) {
      jobs.get(jobId)?.abort();
    },
    pause(jobId) {
      pauses.get(jobId)?.abort();
    },
  };
  if (__TEST_HOOKS__) {
    api.crashForTest = () => {
      setTimeout(() => {
        throw new Error('crash requested by a test');
      });
    };
    api.failNextExtractForTest = (code, passes) => service.failNextExtractForTest?.(code, passes);
  }
  return api;
}
