/** Paths of the test videos (the shared fixture and bad inputs made by global-setup). */
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const FIXTURE = resolve(ROOT, '../shared/fixtures/v_GGSY1Qvo990.mp4');
export const CACHE = resolve(ROOT, '.cache/e2e');

export const BAD_INPUTS = {
  notVideo: resolve(CACHE, 'notes.mp4'),
  truncated: resolve(CACHE, 'truncated.mp4'),
  empty: resolve(CACHE, 'empty.mp4'),
  audioOnly: resolve(CACHE, 'audio-only.m4a'),
};
