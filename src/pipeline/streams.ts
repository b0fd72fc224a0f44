/**
 * Per-frame preparation of the model inputs (DESIGN §3 steps 2–3), as planar (C, 224, 224) float32 entries.
 * Pure.
 */
import { CENTRE_CROP, centreCropOrigin } from '../flow/crop';

/** Top-left corner of the centre crop (the one rule, ../flow/crop.ts). */
export { centreCropOrigin as cropOrigin } from '../flow/crop';

/** Side of the centre crop: I3D_INPUT_SIZE (../flow/crop.ts holds the one crop rule). */
export const CROP = CENTRE_CROP;
const PLANE = CROP * CROP;

/** x/127.5 − 1 in float32 arithmetic, as numpy computes it on float32 frames. */
const RGB_TABLE = Float32Array.from({ length: 256 }, (_, v) => Math.fround(Math.fround(v / 127.5) - 1));

/**
 * rgb24 frame → centre-cropped planar (3, 224, 224) bytes: an RGB stream entry as the pipeline holds it until its
 * chunks have run (a quarter of the normalised floats; assembleInput normalises it).
 */
export function rgbCrop(rgb: Uint8Array, width: number, height: number, out = new Uint8Array(3 * PLANE)): Uint8Array {
  const { top, left } = centreCropOrigin(width, height, CROP);
  for (let y = 0; y < CROP; y++) {
    let src = ((top + y) * width + left) * 3;
    const row = y * CROP;
    for (let x = 0; x < CROP; x++, src += 3) {
      out[row + x] = rgb[src];
      out[PLANE + row + x] = rgb[src + 1];
      out[2 * PLANE + row + x] = rgb[src + 2];
    }
  }
  return out;
}

/** rgb24 frame → centre-cropped, normalised (3, 224, 224). */
export function rgbEntry(rgb: Uint8Array, width: number, height: number, out = new Float32Array(3 * PLANE)): Float32Array {
  const crop = rgbCrop(rgb, width, height);
  for (let i = 0; i < crop.length; i++) out[i] = RGB_TABLE[crop[i]];
  return out;
}

/** A stream entry: planar (C, 224, 224) model values, or an RGB crop in bytes (rgbCrop) that becomes them. */
export type StreamEntry = Float32Array | Uint8Array;

/**
 * The model input (1, C, T, 224, 224) from T planar (C, 224, 224) entries (byte entries normalised as rgbEntry does),
 * written into `out` when it has that size (every element is written).
 */
export function assembleInput(entries: readonly StreamEntry[], channels: number, out?: Float32Array): Float32Array {
  const T = entries.length;
  const x = out?.length === channels * T * PLANE ? out : new Float32Array(channels * T * PLANE);
  for (let t = 0; t < T; t++) {
    const e = entries[t];
    for (let c = 0; c < channels; c++) {
      const to = (c * T + t) * PLANE;
      if (e instanceof Float32Array) x.set(e.subarray(c * PLANE, (c + 1) * PLANE), to);
      else for (let i = 0, from = c * PLANE; i < PLANE; i++) x[to + i] = RGB_TABLE[e[from + i]];
    }
  }
  return x;
}
