/**
 * cli.html: the page `npm run extract` drives in headless Chromium. It runs the same bridge, worker and
 * pipeline as the app; the command line puts files into the two inputs and calls `window.cli`.
 */
import { proxy } from 'comlink';
import { pipeline } from '../bridge/pipeline';
import { downloadFromOpfs } from '../io/download';
import type { ModelRecord } from '../io/model-store';
import type { VideoProgress, VideoSummary } from '../pipeline/video';
import type { ExtractSettings } from '../worker/pipeline.api';

const input = (id: string) => document.getElementById(id) as HTMLInputElement;

function progressLine(name: string, p: VideoProgress): string {
  if (p.stage !== 'extract') return `${name}: ${p.stage}`;
  const steps = Object.entries(p.steps).map(([s, n]) => `${s} ${n}/${p.totalSteps}`);
  return `${name}: decoded ${p.decodedFrames}/${p.totalFrames}, flow ${p.flowPairs}, ${steps.join(', ')}`;
}

const cli = {
  async capabilities() {
    return pipeline().call((api) => api.capabilities());
  },
  /** Imports the checkpoints in #models (or reuses them when already imported). */
  async importModels(dtype: ExtractSettings['dtype']): Promise<ModelRecord[]> {
    const out: ModelRecord[] = [];
    for (const file of input('models').files ?? []) {
      out.push(await pipeline().call((api, job) => api.importModel(job, { file, name: file.name }, dtype, proxy(() => undefined))));
    }
    return out;
  },
  /** Extracts the video in #video; results stay in OPFS results/<id> until removed. */
  async extract(id: string, settings: ExtractSettings): Promise<VideoSummary> {
    const file = (input('video').files ?? [])[0];
    if (!file) throw new Error('no video given');
    const { meta } = await pipeline().call((api) => api.probe(file));
    let last = 0;
    return pipeline().call((api, job) =>
      api.extract(
        job,
        { id, file, probe: meta, settings },
        proxy((p: VideoProgress) => {
          if (Date.now() - last > 2000 || p.stage !== 'extract') {
            last = Date.now();
            console.log(`progress ${progressLine(file.name, p)}`);
          }
        }),
      ),
    );
  },
  download: (id: string, file: string) => downloadFromOpfs(['results', id, file], file),
  removeResult: (id: string) => pipeline().call((api) => api.removeResult(id)),
};

declare global {
  interface Window {
    cli: typeof cli;
  }
}
window.cli = cli;
document.body.dataset.ready = 'true';
