import type { VideoProgress } from '../pipeline/video';

/** A one-line account of where a running video is. */
export function Progress({ progress }: { progress?: VideoProgress }) {
  if (!progress) return <p className="status">Starting…</p>;
  if (progress.stage === 'count') return <p className="status">Counting frames…</p>;
  if (progress.stage === 'bundle') return <p className="status">Writing the .npz…</p>;
  const { decodedFrames, totalFrames, flowPairs, steps, totalSteps } = progress;
  const done = Math.min(...Object.values(steps).map((s) => s ?? 0), totalSteps);
  const parts = [`decoded ${decodedFrames}/${totalFrames}`];
  if (steps.flow !== undefined) parts.push(`flow ${flowPairs}/${totalFrames - 1}`);
  parts.push(`features ${Number.isFinite(done) ? done : 0}/${totalSteps}`);
  const fraction = totalSteps > 0 && Number.isFinite(done) ? done / totalSteps : 0;
  return (
    <div className="status" data-testid="progress">
      <progress max={1} value={fraction} /> {parts.join(' · ')}
    </div>
  );
}
