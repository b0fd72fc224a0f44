/**
 * Deterministic synthetic frame pairs for TV-L1 tests: a smooth random texture evaluated analytically (no
 * interpolation), so the second frame is the exact image of the first under a known motion.
 */
import type { GrayStack } from './reference';
import { mulberry32 } from '../support/prng';

/** A texture: sum of random plane waves and Gaussian blobs, roughly in [0, 255]. */
export function texture(seed: number): (x: number, y: number) => number {
  const rnd = mulberry32(seed);
  const waves = Array.from({ length: 14 }, () => {
    const wavelength = 6 + 50 * rnd();
    const angle = 2 * Math.PI * rnd();
    const k = (2 * Math.PI) / wavelength;
    return { kx: k * Math.cos(angle), ky: k * Math.sin(angle), phase: 2 * Math.PI * rnd(), amp: 6 + 10 * rnd() };
  });
  const blobs = Array.from({ length: 30 }, () => ({ x: 400 * rnd() - 40, y: 320 * rnd() - 40, s: 3 + 12 * rnd(), amp: 80 * rnd() - 40 }));
  return (x, y) => {
    let v = 128;
    for (const w of waves) v += w.amp * Math.cos(w.kx * x + w.ky * y + w.phase);
    for (const b of blobs) v += b.amp * Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (2 * b.s * b.s));
    return v;
  };
}

/** Motion as an inverse map: frame1(x, y) = frame0(inverse(x, y)). */
export type InverseMap = (x: number, y: number) => [number, number];

function quantise(v: number): number {
  return Math.min(255, Math.max(0, Math.round(v)));
}

/** Two grey frames w×h: the texture, and the texture moved by the motion whose inverse map is given. */
export function makePair(w: number, h: number, seed: number, inverse: InverseMap): GrayStack {
  const f = texture(seed);
  const data = new Uint8Array(2 * w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      data[y * w + x] = quantise(f(x, y));
      const [sx, sy] = inverse(x, y);
      data[w * h + y * w + x] = quantise(f(sx, sy));
    }
  }
  return { data, n: 2, height: h, width: w };
}

export const translate =
  (dx: number, dy: number): InverseMap =>
  (x, y) => [x - dx, y - dy];

export function rotate(degrees: number, cx: number, cy: number): InverseMap {
  const a = (-degrees * Math.PI) / 180;
  const c = Math.cos(a);
  const s = Math.sin(a);
  return (x, y) => [cx + c * (x - cx) - s * (y - cy), cy + s * (x - cx) + c * (y - cy)];
}

export function zoom(factor: number, cx: number, cy: number): InverseMap {
  return (x, y) => [cx + (x - cx) / factor, cy + (y - cy) / factor];
}

/** Two frames filled with constants. */
export function constantPair(w: number, h: number, a: number, b: number): GrayStack {
  const data = new Uint8Array(2 * w * h);
  data.fill(a, 0, w * h);
  data.fill(b, w * h);
  return { data, n: 2, height: h, width: w };
}
