import { useEffect } from 'react';
import { useStore } from '../state/store';
import { formatBytes } from './format';

/** The app's storage in this browser: usage and quota, persistence, the results folders (sizes, delete, clean up). */
export function StoragePanel() {
  const storage = useStore((s) => s.storage);
  const queue = useStore((s) => s.queue);
  const refresh = useStore((s) => s.refreshStorage);
  const requestPersistence = useStore((s) => s.requestPersistence);
  const deleteResult = useStore((s) => s.deleteResult);
  const cleanUp = useStore((s) => s.cleanUpResults);
  const running = useStore((s) => s.running);
  // listed again when the queue stops and when entries leave it; while it runs, each finished video adds its own
  // entry (noteResult): walking every folder after every video made a long batch slower with each video
  useEffect(() => {
    if (!running) void refresh();
  }, [refresh, running, queue.length]);

  const owners = new Map(queue.flatMap((q) => (q.resultId ? [[q.resultId, q] as const] : [])));
  const { status, results } = storage;
  const unowned = results.filter((r) => r.folder && !owners.has(r.id)).length;
  const folders = results.filter((r) => r.folder);
  const total = folders.reduce((n, r) => n + r.bytes, 0);

  return (
    <section className="panel storage" data-testid="storage" aria-labelledby="storage-title" aria-busy={storage.loading}>
      <h2 id="storage-title">Storage</h2>
      <p data-testid="storage-usage">
        {status?.usage != null && status.quota != null ? (
          <>
            {formatBytes(status.usage)} used of {formatBytes(status.quota)} this browser allows the app{' '}
            <meter min={0} max={status.quota} value={status.usage} aria-label="storage used" />
          </>
        ) : (
          'This browser does not say how much storage the app uses.'
        )}
      </p>
      <div className="row">
        <span data-testid="storage-persisted">
          {status?.persisted == null
            ? 'Persistence unknown.'
            : status.persisted
              ? 'Persistent: the browser keeps these files even when space runs low.'
              : 'Not persistent: the browser may clear these files when space runs low.'}
        </span>
        {status?.persisted ? null : (
          <button type="button" onClick={() => void requestPersistence()} data-testid="storage-persist">
            Ask to keep storage
          </button>
        )}
        {storage.persistAnswer !== undefined ? (
          <span role="status" data-testid="storage-persist-answer">
            {storage.persistAnswer ? 'The browser agreed.' : 'The browser declined (it may agree later, e.g. once the app is installed).'}
          </span>
        ) : null}
      </div>
      <h3>Results folders</h3>
      {folders.length === 0 ? (
        <p className="dim" data-testid="storage-empty">
          No results stored.
        </p>
      ) : (
        <ul className="result-list" data-testid="storage-results">
          {folders.map((r) => {
            const owner = owners.get(r.id);
            return (
              <li
                key={r.id}
                data-testid="storage-result"
                data-id={r.id}
                data-owned={owner ? 'yes' : 'no'}
                data-complete={r.complete ? 'yes' : 'no'}
                data-bytes={r.bytes}
              >
                <span className="name">{r.name}</span> <span className="dim">{formatBytes(r.bytes)}</span>{' '}
                <span className="tag">{owner ? 'in the queue' : r.complete ? 'not in the queue' : 'unfinished, not in the queue'}</span>
                <button
                  type="button"
                  className="link"
                  disabled={owner?.status === 'running'}
                  onClick={() => void deleteResult(r.id)}
                  aria-label={`delete the results of ${r.name}${owner ? ' (and its queue entry)' : ''}`}
                  data-testid="storage-delete"
                >
                  delete
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <div className="row">
        <span className="dim">
          {folders.length} folder{folders.length === 1 ? '' : 's'}, {formatBytes(total)}
        </span>
        <button type="button" onClick={() => void cleanUp()} disabled={unowned === 0} data-testid="storage-cleanup">
          Clean up {unowned} folder{unowned === 1 ? '' : 's'} not in the queue
        </button>
        <button type="button" onClick={() => void refresh()} data-testid="storage-refresh">
          Refresh
        </button>
        {storage.cleaned !== undefined ? (
          <span role="status" data-testid="storage-cleaned">
            Removed {storage.cleaned} folder{storage.cleaned === 1 ? '' : 's'}.
          </span>
        ) : null}
      </div>
      {storage.error ? <p className="error">{storage.error}</p> : null}
    </section>
  );
}
