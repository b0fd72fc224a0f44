/** Paths shared by Node-side tests. */
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const SHARED = resolve(ROOT, '../shared');
export const FIXTURE = resolve(SHARED, 'fixtures/v_GGSY1Qvo990.mp4');
export const CACHE = resolve(ROOT, '.cache');
