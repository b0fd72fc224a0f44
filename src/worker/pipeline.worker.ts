/// <reference lib="webworker" />
/** Thin pipeline worker: exposes the pipeline API through comlink. */
import { expose } from 'comlink';
import '../bridge/comlink-errors';
import { probeVideo } from '../decode/client';
import { rgbToJpeg } from '../decode/thumbnail';
import type { PipelineApi } from './pipeline.api';

const jobs = new Map<number, AbortController>();

const api: PipelineApi = {
  async probe(file) {
    const { meta, thumbnail } = await probeVideo(file, true);
    return { meta, thumbnail: thumbnail ? await rgbToJpeg(thumbnail) : undefined };
  },
  abort(jobId) {
    jobs.get(jobId)?.abort();
  },
  crashForTest() {
    setTimeout(() => {
      throw new Error('crash requested by a test');
    });
  },
};

expose(api);
