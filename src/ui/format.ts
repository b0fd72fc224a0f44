/** Human-readable numbers for the UI. Pure. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds * 10) / 10;
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const rest = (s - m * 60).toFixed(1).padStart(4, '0');
  if (h > 0) return `${h}:${String(m % 60).padStart(2, '0')}:${rest}`;
  return `${m}:${rest}`;
}

export function formatFps(fps: number): string {
  return Number.isFinite(fps) ? `${fps.toFixed(2)} fps` : '? fps';
}

/** Time left, roughly: "45 s", "12 min", "2 h 5 min". */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  const m = Math.round(seconds / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}
