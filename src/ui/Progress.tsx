import type { VideoProgress } from '../pipeline/video';
import { rate } from '../state/progress';
import type { QueueItem } from '../state/queue';
import { formatEta } from './format';

/** Where a running video is: decoding, flow, I3D or writing. */
export function phase(p: VideoProgress | undefined): 'starting' | 'decoding' | 'flow' | 'I3D' | 'writing' {
  if (!p) return 'starting';
  if (p.stage === 'count') return 'decoding';
  if (p.stage === 'bundle') return 'writing';
  if (p.steps.flow !== undefined && p.flowPairs < p.totalFrames - 1) return 'flow';
  if (p.decodedFrames < p.totalFrames) return 'decoding';
  return 'I3D';
}

/** One bar over a running video's whole work, with its stage, speed and time left. */
export function Progress({ item, now }: { item: QueueItem; now: number }) {
  const p = item.progress;
  const fraction = item.fraction ?? 0;
  const frames = p?.stage === 'extract' ? p.totalFrames : (item.meta?.frameCount ?? null);
  const r = item.runStart ? rate(item.runStart, fraction, now, frames) : { fps: null, eta: null };
  const parts: string[] = [phase(p)];
  if (p?.stage === 'count') parts.push('counting frames');
  if (p?.stage === 'extract') {
    const done = Math.min(...Object.values(p.steps).map((s) => s ?? 0));
    parts.push(`frame ${p.decodedFrames}/${p.totalFrames}`);
    if (p.steps.flow !== undefined) parts.push(`flow ${p.flowPairs}/${p.totalFrames - 1}`);
    parts.push(`features ${Number.isFinite(done) ? done : 0}/${p.totalSteps}`);
    if (p.resumedFrom) parts.push(`resumed at chunk ${Math.min(...Object.values(p.resumedFrom).map((c) => c ?? 0)) + 1} of ${p.totalChunks}`);
    else if (p.totalChunks > 1) parts.push(`chunk ${Math.min(...Object.values(p.chunks).map((c) => c ?? 0)) + 1} of ${p.totalChunks}`);
  }
  if (r.fps !== null) parts.push(`${r.fps.toFixed(1)} frames/s`);
  if (r.eta !== null) parts.push(`${formatEta(r.eta)} left`);
  const chunks = p?.stage === 'extract' ? Math.min(...Object.values(p.chunks).map((c) => c ?? 0)) : 0;
  const resumedFrom = p?.stage === 'extract' && p.resumedFrom ? Math.min(...Object.values(p.resumedFrom).map((c) => c ?? 0)) : undefined;
  return (
    <div
      className="status"
      data-testid="progress"
      data-phase={phase(p)}
      data-fraction={fraction.toFixed(4)}
      data-chunks-done={Number.isFinite(chunks) ? chunks : 0}
      data-resumed-from={resumedFrom}
    >
      <progress max={1} value={fraction} aria-label={`${item.name}: ${Math.round(fraction * 100)}% done`} /> {Math.round(fraction * 100)}% ·{' '}
      <span data-testid="progress-text">{parts.join(' · ')}</span>
    </div>
  );
}
