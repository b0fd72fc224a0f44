/**
 * The worker side of job ids: each abortable call of the pipeline service gets an AbortController under the
 * id the bridge chose, and `abort(id)` aborts it.
 */
import type { PipelineService } from '../pipeline/job';
import type { PipelineApi } from './pipeline.api';

export function withJobs(service: PipelineService): PipelineApi {
  const jobs = new Map<number, AbortController>();
  async function job<T>(jobId: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const c = new AbortController();
    jobs.set(jobId, c);
    try {
      return await run(c.signal);
    } finally {
      jobs.delete(jobId);
    }
  }
  const api: PipelineApi = {
    probe: (file) => service.probe(file),
    extract: (jobId, req, onProgress, onFlowPreview) => job(jobId, (signal) => service.extract(req, onProgress, onFlowPreview, signal)),
    bundle: (jobId, zipName, folders) => job(jobId, (signal) => service.bundle(zipName, folders, signal)),
    removeResult: (id) => service.removeResult(id),
    importModel: (jobId, source, dtype, onStage) => job(jobId, (signal) => service.importModel(source, dtype, onStage, signal)),
    listModels: () => service.listModels(),
    removeModel: (id) => service.removeModel(id),
    capabilities: () => service.capabilities(),
    releaseModels: () => service.releaseModels(),
    abort(jobId) {
      jobs.get(jobId)?.abort();
    },
  };
  if (__TEST_HOOKS__) {
    api.crashForTest = () => {
      setTimeout(() => {
        throw new Error('crash requested by a test');
      });
    };
  }
  return api;
}
