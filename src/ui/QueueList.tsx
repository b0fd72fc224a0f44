import { memo } from 'react';
import { useStore } from '../state/store';
import type { QueueItem } from '../state/queue';
import { formatBytes, formatDuration, formatFps } from './format';
import { Progress } from './Progress';
import { Results } from './Results';
import { useNow } from './use-now';

function Metadata({ item }: { item: QueueItem }) {
  const m = item.meta;
  if (!m) return null;
  return (
    <dl className="meta" data-testid="meta">
      <dt>duration</dt>
      <dd data-testid="duration">{formatDuration(m.duration)}</dd>
      <dt>resolution</dt>
      <dd data-testid="resolution">
        {m.width}×{m.height}
      </dd>
      <dt>rate</dt>
      <dd data-testid="fps">{formatFps(m.fps)}</dd>
      <dt>frames</dt>
      <dd data-testid="frames">{m.frameCount ?? '?'}</dd>
    </dl>
  );
}

/** The decoder complained (a damaged file): the features are those of the frames it could decode. */
function DecodeWarnings({ item }: { item: QueueItem }) {
  const warnings = item.summary?.meta.decodeWarnings ?? [];
  if (warnings.length === 0) return null;
  const total = warnings.reduce((n, w) => n + w.count, 0);
  const title = warnings.map((w) => (w.count > 1 ? `${w.message} (×${w.count})` : w.message)).join('\n');
  return (
    <span className="badge warning" role="status" data-testid="decode-warnings" data-count={total} title={title}>
      ⚠ {total === 1 ? '1 decoder warning' : `${total} decoder warnings`}
    </span>
  );
}

/**
 * A stream's model did not run where it was meant to (WebGPU failed to load or run, or disagreed with WASM when the
 * adapter was checked): which device it ran on and why, as meta.json's `fallback` says.
 */
function Fallbacks({ item }: { item: QueueItem }) {
  const streams = Object.entries(item.summary?.meta.streams ?? {}).filter(([, s]) => s?.fallback);
  if (streams.length === 0) return null;
  return (
    <ul className="fallbacks" role="status" data-testid="fallbacks">
      {streams.map(([name, s]) => (
        <li key={name} data-testid="fallback" data-stream={name} data-verdict={s?.verification?.verdict}>
          ⚠ {name} model ran on {s?.backend}: {s?.fallback}
        </li>
      ))}
    </ul>
  );
}

const STATUS_TEXT: Partial<Record<QueueItem['status'], string>> = {
  probing: 'Reading…',
  queued: 'Waiting…',
  cancelled: 'Cancelled.',
};

/** A restored video whose file the page cannot read: say plainly what to do. */
function Missing({ item }: { item: QueueItem }) {
  return (
    <p className="status warning" data-testid="missing">
      {item.resume ? 'Interrupted; its finished chunks are kept. ' : ''}Drop <strong>{item.name}</strong> ({formatBytes(item.bytes)}, modified{' '}
      {new Date(item.lastModified).toLocaleString()}) again to {item.resume ? 'go on where it stopped' : 'extract it'}: the browser did not keep access to it.
    </p>
  );
}

function Actions({ item }: { item: QueueItem }) {
  const removeItem = useStore((s) => s.removeItem);
  const cancelItem = useStore((s) => s.cancelItem);
  const retryItem = useStore((s) => s.retryItem);
  const canCancel = item.status === 'running' || item.status === 'queued';
  const canRetry = (item.status === 'error' || item.status === 'cancelled') && item.file !== undefined;
  return (
    <div className="actions">
      {canCancel ? (
        <button type="button" onClick={() => cancelItem(item.id)} aria-label={`cancel ${item.name}`} data-testid="cancel-item">
          Cancel
        </button>
      ) : null}
      {canRetry ? (
        <button type="button" onClick={() => retryItem(item.id)} aria-label={`retry ${item.name}`} data-testid="retry-item">
          Retry
        </button>
      ) : null}
      <button type="button" className="remove" aria-label={`remove ${item.name}`} disabled={item.status === 'running'} onClick={() => removeItem(item.id)}>
        ×
      </button>
    </div>
  );
}

// memo: an update of one entry (progress, a new status) renders that row only; the store keeps every other
// entry's object as it was, so a long queue costs nothing per progress message
const Row = memo(function Row({ item }: { item: QueueItem }) {
  const now = useNow(item.status === 'running');
  const text = STATUS_TEXT[item.status];
  return (
    <li className={`queue-item ${item.status}`} data-testid="queue-item" data-status={item.status}>
      <div className="thumbs">
        <div className="thumb">{item.thumbnail ? <img src={item.thumbnail} alt={`first frame of ${item.name}`} data-testid="thumbnail" /> : null}</div>
        {item.flowPreview ? (
          <div className="thumb flow" title="optical flow (colour = direction, saturation = speed)">
            <img src={item.flowPreview} alt={`optical flow of ${item.name}`} data-testid="flow-preview" />
          </div>
        ) : null}
      </div>
      <div className="body">
        <div className="title">
          <strong data-testid="name">{item.name}</strong> <span className="size">{formatBytes(item.bytes)}</span> <DecodeWarnings item={item} />
        </div>
        {text ? <p className="status">{text}</p> : null}
        {item.status === 'missing' ? <Missing item={item} /> : null}
        {item.resume && item.status === 'ready' ? (
          <p className="status" data-testid="resumable">
            Interrupted; it goes on from its last finished chunk.
          </p>
        ) : null}
        <Metadata item={item} />
        {item.status === 'running' ? <Progress item={item} now={now} /> : null}
        {item.error ? (
          <p className="error" role="alert" data-testid="error" data-code={item.error.code}>
            {item.error.message}
            {item.error.detail ? <span className="detail"> {item.error.detail}</span> : null}
          </p>
        ) : null}
        <Fallbacks item={item} />
        {item.status === 'done' ? <Results item={item} /> : null}
      </div>
      <Actions item={item} />
    </li>
  );
});

export function QueueList() {
  const queue = useStore((s) => s.queue);
  if (queue.length === 0) return <p className="empty">No videos yet.</p>;
  return (
    <ul className="queue" data-testid="queue">
      {queue.map((item) => (
        <Row key={item.id} item={item} />
      ))}
    </ul>
  );
}
