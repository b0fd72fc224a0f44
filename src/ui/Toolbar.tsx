import { queueFraction, rate } from '../state/progress';
import { useStore } from '../state/store';
import { formatEta } from './format';
import { useNow } from './use-now';

/** The queue's overall bar: every video of this run weighted by its frames, with the time left. */
function Overall() {
  const queue = useStore((s) => s.queue);
  const running = useStore((s) => s.running);
  const now = useNow(running);
  const inRun = queue.filter((q) => ['queued', 'running', 'done'].includes(q.status) && (q.status !== 'done' || q.runStart));
  if (!running || inRun.length < 2) return null;
  const frames = (q: (typeof inRun)[number]) => (q.progress?.stage === 'extract' ? q.progress.totalFrames : (q.meta?.frameCount ?? null));
  const fraction = queueFraction(inRun.map((q) => ({ frames: frames(q), fraction: q.status === 'done' ? 1 : (q.fraction ?? 0) })));
  const started = Math.min(...inRun.map((q) => q.runStart?.at ?? Infinity));
  const r = Number.isFinite(started) ? rate({ fraction: 0, at: started }, fraction, now, null) : { eta: null };
  const done = inRun.filter((q) => q.status === 'done').length;
  return (
    <div className="overall" data-testid="overall">
      <progress max={1} value={fraction} aria-label={`queue: ${Math.round(fraction * 100)}% done`} /> {done}/{inRun.length} videos
      {r.eta !== null ? ` · ${formatEta(r.eta)} left` : ''}
    </div>
  );
}

/** Start, pause, resume or cancel the queue; clear finished videos; download everything finished as one zip. */
export function Toolbar() {
  const queue = useStore((s) => s.queue);
  const running = useStore((s) => s.running);
  const paused = useStore((s) => s.paused);
  const runQueue = useStore((s) => s.runQueue);
  const cancelRun = useStore((s) => s.cancelRun);
  const pauseQueue = useStore((s) => s.pauseQueue);
  const resumeQueue = useStore((s) => s.resumeQueue);
  const clearFinished = useStore((s) => s.clearFinished);
  const reopenFiles = useStore((s) => s.reopenFiles);
  const settings = useStore((s) => s.settings);
  const downloadAll = useStore((s) => s.downloadAll);
  const bundleStatus = useStore((s) => s.bundleStatus);
  const ready = queue.filter((q) => q.status === 'ready').length;
  const done = queue.filter((q) => q.status === 'done' && q.resultId);
  const missingFiles = queue.filter((q) => q.status === 'missing');
  const noStreams = settings.streams.length === 0;
  const missing = settings.streams.filter((s) => !settings.models[s]);
  const canStart = ready > 0 && !noStreams && missing.length === 0;

  return (
    <div className="toolbar">
      {running ? (
        <>
          <button type="button" onClick={pauseQueue} data-testid="pause">
            Pause
          </button>
          <button type="button" onClick={cancelRun} data-testid="cancel">
            Cancel all
          </button>
        </>
      ) : paused ? (
        <button type="button" className="primary" onClick={resumeQueue} disabled={!canStart} data-testid="resume">
          Resume ({ready} video{ready === 1 ? '' : 's'})
        </button>
      ) : (
        <button type="button" className="primary" disabled={!canStart} onClick={() => void runQueue()} data-testid="run">
          Extract features{ready > 0 ? ` (${ready} video${ready === 1 ? '' : 's'})` : ''}
        </button>
      )}
      {done.length > 0 ? (
        <>
          <button type="button" onClick={() => void downloadAll()} disabled={bundleStatus.busy} data-testid="download-all">
            Download all ({done.length}) as .zip
          </button>
          <button type="button" onClick={clearFinished} data-testid="clear-finished">
            Clear finished
          </button>
        </>
      ) : null}
      {missingFiles.some((q) => q.handle) ? (
        <button type="button" onClick={() => void reopenFiles()} data-testid="reopen">
          Reopen {missingFiles.length} file{missingFiles.length === 1 ? '' : 's'}
        </button>
      ) : null}
      {paused && !running ? (
        <span className="dim" data-testid="paused">
          Paused between chunks; Resume goes on from there.
        </span>
      ) : null}
      {missing.length > 0 && !noStreams ? (
        <span className="dim" data-testid="needs-model">
          Choose or import a {missing.join(' and ')} model to start.
        </span>
      ) : null}
      {bundleStatus.error ? <span className="error">{bundleStatus.error}</span> : null}
      <Overall />
    </div>
  );
}
