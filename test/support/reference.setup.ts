/**
 * Vitest global setup: make the Python reference data the tests share (random-weight checkpoints, slim and
 * published width) before any test starts, so no single test's timeout pays for it (minutes on a busy machine).
 */
import { ensureCheckpoints } from './reference';

export default async function setup(): Promise<void> {
  const t0 = Date.now();
  await ensureCheckpoints({ divisor: 8 });
  await ensureCheckpoints({ divisor: 1 });
  const s = (Date.now() - t0) / 1000;
  if (s > 1) console.log(`reference checkpoints ready in ${s.toFixed(0)} s`);
}
