/** Paths of the test videos (the shared fixture and bad inputs made by global-setup). */
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const FIXTURE = resolve(ROOT, '../shared/fixtures/v_GGSY1Qvo990.mp4');
export const CACHE = resolve(ROOT, '.cache/e2e');

export const BAD_INPUTS = {
  notVideo: resolve(CACHE, 'notes.mp4'),
  /** The fixture's first third: its moov (at the front) lists 355 frames, its mdat holds about a third of them. */
  truncated: resolve(CACHE, 'truncated.mp4'),
  /** The fixture cut 200 bytes into its mdat: no complete frame. */
  truncatedEarly: resolve(CACHE, 'truncated-early.mp4'),
  empty: resolve(CACHE, 'empty.mp4'),
  audioOnly: resolve(CACHE, 'audio-only.m4a'),
};

/** A tiny valid video (64×48, 12 frames): many copies of it test the intake. */
export const TINY_VIDEO = resolve(CACHE, 'tiny.mp4');

/** Port of the test build (dist-test/: the app plus the harness page and the test hooks); the product is on E2E_PORT. */
export const TEST_BUILD_PORT = Number(process.env.E2E_TEST_BUILD_PORT ?? 4174);
/** The harness page (window.harness) of the test build. */
export const HARNESS = `http://127.0.0.1:${TEST_BUILD_PORT}/e2e/harness/harness.html`;
