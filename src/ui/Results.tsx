import type { ClassScore } from '../pipeline/predictions';
import { NPZ_NAME } from '../pipeline/outputs';
import type { QueueItem } from '../state/queue';
import { useStore } from '../state/store';
import { formatBytes, formatDuration } from './format';
import { runFacts } from './summary';
import { Timeline } from './Timeline';

function TopList({ title, scores }: { title: string; scores?: ClassScore[] }) {
  if (!scores) return null;
  return (
    <div className="top" data-testid={`top-${title}`}>
      <h4>{title}</h4>
      <ol>
        {scores.map((c) => (
          <li key={c.index}>
            <span className="cls">{c.name}</span> <span className="score">{(c.score * 100).toFixed(1)}%</span>
          </li>
        ))}
      </ol>
    </div>
  );
}

/** What the run did: frames, feature steps, where the models ran, how long it took and how fast. */
function RunSummary({ item }: { item: QueueItem }) {
  const meta = item.summary?.meta;
  if (!meta) return null;
  const f = runFacts(meta);
  return (
    <dl className="meta run" data-testid="run-summary">
      <dt>frames</dt>
      <dd data-testid="run-frames">{f.frames}</dd>
      <dt>feature steps</dt>
      <dd data-testid="run-steps">{f.steps}</dd>
      <dt>backend</dt>
      <dd data-testid="run-backend">{f.backend || '?'}</dd>
      <dt>time</dt>
      <dd data-testid="run-time">{f.seconds !== null ? formatDuration(f.seconds) : '?'}</dd>
      <dt>speed</dt>
      <dd data-testid="run-speed">{f.fps !== null ? `${f.fps.toFixed(1)} frames/s` : '?'}</dd>
    </dl>
  );
}

/** Top-5 predictions, the scores over time, the run's summary and download buttons of one finished video. */
export function Results({ item }: { item: QueueItem }) {
  const downloadResult = useStore((s) => s.downloadResult);
  const summary = item.summary;
  if (!summary || !item.resultId) return null;
  const p = summary.predictions;
  const save = (file: string) => void downloadResult(item.id, file);
  const files = Object.entries(summary.files).filter(([name]) => name !== NPZ_NAME);
  return (
    <div className="results" data-testid="results">
      <div className="tops">
        <TopList title="joint" scores={p.joint} />
        <TopList title="rgb" scores={p.rgb} />
        <TopList title="flow" scores={p.flow} />
      </div>
      {summary.timeline ? <Timeline item={item} timeline={summary.timeline} /> : null}
      <RunSummary item={item} />
      <div className="downloads">
        <button type="button" onClick={() => save(NPZ_NAME)} data-testid="download-npz">
          Download .npz ({formatBytes(summary.files[NPZ_NAME] ?? 0)})
        </button>
        {files.map(([name, bytes]) => (
          <button type="button" className="link" key={name} onClick={() => save(name)} data-testid={`download-${name}`}>
            {name} <span className="dim">{formatBytes(bytes)}</span>
          </button>
        ))}
      </div>
    </div>
  );
}
