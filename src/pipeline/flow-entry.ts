/**
 * Raw TV-L1 flow (H, W, 2) → the flow stream's model entry (2, 224, 224), DESIGN §3 step 3: clip to ±20,
 * divide by 20, centre crop 224, channels (x, y). `jpeg8` reproduces the classic 8-bit flow images:
 * q = floor(255·(v+20)/40 + 0.5), then q/127.5 − 1. Pure.
 */
import { cropOrigin, CROP } from './streams';

export const FLOW_BOUND = 20;

export type FlowMode = 'float' | 'jpeg8';

/** The 256 values q/127.5 − 1 (float32) of the 8-bit mode. */
const JPEG8 = Float32Array.from({ length: 256 }, (_, q) => Math.fround(Math.fround(q / 127.5) - 1));

export function flowValue(v: number, mode: FlowMode): number {
  const c = v < -FLOW_BOUND ? -FLOW_BOUND : v > FLOW_BOUND ? FLOW_BOUND : v;
  if (mode === 'float') return Math.fround(c / FLOW_BOUND);
  return JPEG8[Math.floor((255 * (c + FLOW_BOUND)) / (2 * FLOW_BOUND) + 0.5)];
}

export function flowEntry(flow: Float32Array, width: number, height: number, mode: FlowMode, out = new Float32Array(2 * CROP * CROP)): Float32Array {
  const { top, left } = cropOrigin(width, height);
  const plane = CROP * CROP;
  for (let y = 0; y < CROP; y++) {
    let src = ((top + y) * width + left) * 2;
    for (let x = 0; x < CROP; x++, src += 2) {
      out[y * CROP + x] = flowValue(flow[src], mode);
      out[plane + y * CROP + x] = flowValue(flow[src + 1], mode);
    }
  }
  return out;
}
