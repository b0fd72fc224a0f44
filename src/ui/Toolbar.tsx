import { useStore } from '../state/store';

/** Start / cancel the queue, and download everything finished as one zip. */
export function Toolbar() {
  const queue = useStore((s) => s.queue);
  const running = useStore((s) => s.running);
  const runQueue = useStore((s) => s.runQueue);
  const cancelRun = useStore((s) => s.cancelRun);
  const settings = useStore((s) => s.settings);
  const downloadAll = useStore((s) => s.downloadAll);
  const bundleStatus = useStore((s) => s.bundleStatus);
  const ready = queue.filter((q) => q.status === 'ready').length;
  const done = queue.filter((q) => q.status === 'done' && q.resultId);
  const noStreams = settings.streams.length === 0;
  const missing = settings.streams.filter((s) => !settings.models[s]);

  return (
    <div className="toolbar">
      {running ? (
        <button type="button" onClick={cancelRun} data-testid="cancel">
          Cancel
        </button>
      ) : (
        <button type="button" className="primary" disabled={ready === 0 || noStreams || missing.length > 0} onClick={() => void runQueue()} data-testid="run">
          Extract features{ready > 0 ? ` (${ready} video${ready === 1 ? '' : 's'})` : ''}
        </button>
      )}
      {done.length > 0 ? (
        <button type="button" onClick={() => void downloadAll()} disabled={bundleStatus.busy} data-testid="download-all">
          Download all ({done.length}) as .zip
        </button>
      ) : null}
      {missing.length > 0 && !noStreams ? (
        <span className="dim" data-testid="needs-model">
          Choose or import a {missing.join(' and ')} model to start.
        </span>
      ) : null}
      {bundleStatus.error ? <span className="error">{bundleStatus.error}</span> : null}
    </div>
  );
}
