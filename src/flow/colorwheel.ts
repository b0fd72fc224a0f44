/**
 * Flow visualisation with the standard Middlebury colour wheel (Baker et al., "A Database and Evaluation
 * Methodology for Optical Flow"): hue = direction, saturation = magnitude relative to `maxMagnitude`; magnitudes
 * beyond it are darkened to 75 %. Returns RGBA bytes ready for `new ImageData(rgba, width, height)`.
 */

const SEGMENTS: ReadonlyArray<readonly [number, (t: number) => [number, number, number]]> = [
  [15, (t) => [255, t, 0]], // red → yellow
  [6, (t) => [255 - t, 255, 0]], // yellow → green
  [4, (t) => [0, 255, t]], // green → cyan
  [11, (t) => [0, 255 - t, 255]], // cyan → blue
  [13, (t) => [t, 0, 255]], // blue → magenta
  [6, (t) => [255, 0, 255 - t]], // magenta → red
];

/** The 55 colours of the wheel, RGB 0–255. */
export const COLOUR_WHEEL: ReadonlyArray<readonly [number, number, number]> = SEGMENTS.flatMap(([n, colour]) =>
  Array.from({ length: n }, (_, i) => colour(Math.floor((255 * i) / n))),
);

export interface FlowColourOptions {
  /** Magnitude shown fully saturated; default the largest finite magnitude in the field (at least 1e-9). */
  maxMagnitude?: number;
}

/** Colour of one flow vector already divided by the maximum magnitude, into rgba[o … o+3]. */
function colourOf(u: number, v: number, rgba: Uint8ClampedArray, o: number): void {
  const wheel = COLOUR_WHEEL;
  const n = wheel.length;
  const rad = Math.sqrt(u * u + v * v);
  const a = Math.atan2(-v, -u) / Math.PI;
  const fk = ((a + 1) / 2) * (n - 1);
  const k0 = Math.floor(fk);
  const k1 = (k0 + 1) % n;
  const f = fk - k0;
  for (let c = 0; c < 3; c++) {
    let col = (1 - f) * (wheel[k0][c] / 255) + f * (wheel[k1][c] / 255);
    col = rad <= 1 ? 1 - rad * (1 - col) : col * 0.75;
    rgba[o + c] = Math.floor(255 * col);
  }
  rgba[o + 3] = 255;
}

/** RGBA preview (width·height·4 bytes) of a flow field H×W×2 (channels x, y). Non-finite vectors are black. */
export function flowToRgba(flow: Float32Array, width: number, height: number, options: FlowColourOptions = {}): Uint8ClampedArray {
  const n = width * height;
  if (flow.length !== n * 2) throw new RangeError(`flowToRgba: ${flow.length} values for ${width}×${height}×2`);
  let max = options.maxMagnitude ?? 0;
  if (options.maxMagnitude === undefined) {
    for (let i = 0; i < n; i++) {
      const m = Math.hypot(flow[2 * i], flow[2 * i + 1]);
      if (m > max && Number.isFinite(m)) max = m;
    }
  }
  max = Math.max(max, 1e-9);
  const rgba = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    const u = flow[2 * i];
    const v = flow[2 * i + 1];
    if (Number.isFinite(u) && Number.isFinite(v)) colourOf(u / max, v / max, rgba, 4 * i);
    else rgba[4 * i + 3] = 255;
  }
  return rgba;
}
