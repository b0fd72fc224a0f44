/**
 * What the progress live region says (pure): a video's state changes, and every 10% of a running video's work,
 * e.g. "video.mp4: 40% — flow". Nothing is said for progress that stays in the same tenth and phase.
 */
export interface AnnounceInput {
  id: string;
  name: string;
  status: string;
  /** Fraction of the whole work done (0…1). */
  fraction: number;
  phase: string;
  error?: string;
}

/** What was last said about a video. */
export interface Announced {
  status: string;
  tenth: number;
  phase: string;
}

/** One line for a video whose state is new since `prev` (null: nothing to say), and what to remember. */
export function announceOne(item: AnnounceInput, prev: Announced | undefined): { text: string | null; state: Announced } {
  const tenth = Math.min(10, Math.floor(item.fraction * 10 + 1e-9));
  const state: Announced = { status: item.status, tenth, phase: item.phase };
  const changed = !prev || prev.status !== item.status;
  if (item.status === 'running') {
    if (changed || prev.tenth !== tenth || prev.phase !== item.phase) return { text: `${item.name}: ${tenth * 10}% — ${item.phase}`, state };
    return { text: null, state };
  }
  if (!changed) return { text: null, state };
  // a video first seen in a settled state (restored from an earlier visit) is not news
  if (!prev && item.status !== 'error') return { text: null, state };
  switch (item.status) {
    case 'done':
      return { text: `${item.name}: done`, state };
    case 'error':
      return { text: `${item.name}: failed${item.error ? ` — ${item.error}` : ''}`, state };
    case 'cancelled':
      return { text: `${item.name}: cancelled`, state };
    case 'queued':
      return { text: prev?.status === 'running' ? `${item.name}: paused` : null, state };
    default:
      return { text: null, state };
  }
}

/** The lines for every video that changed, and the new memory. */
export function announce(items: readonly AnnounceInput[], memory: ReadonlyMap<string, Announced>): { text: string | null; memory: Map<string, Announced> } {
  const next = new Map<string, Announced>();
  const lines: string[] = [];
  for (const item of items) {
    const { text, state } = announceOne(item, memory.get(item.id));
    next.set(item.id, state);
    if (text) lines.push(text);
  }
  return { text: lines.length > 0 ? lines.join('. ') : null, memory: next };
}
