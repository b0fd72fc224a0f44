/**
 * From raw TV-L1 flow to the I3D flow stream input (DESIGN.md §3 step 3): clip to ±20, scale to [−1, 1], centre
 * crop 224×224, channels (x, y). The `jpeg8` encoding reproduces the classic pipelines that stored flow as 8-bit
 * images: `q = floor(255·(v + 20)/40 + 0.5)` (in double, half rounds up), then `q/127.5 − 1`.
 * The arithmetic follows tools/reference/pipeline.py: float mode divides in float32, jpeg8 works in double and
 * rounds once to float32.
 */
import { AppError } from '../errors';
import { CENTRE_CROP, centreCropOrigin } from './crop';

export type FlowEncoding = 'float' | 'jpeg8';

/** Flow values are clipped to ±FLOW_BOUND pixels. */
export const FLOW_BOUND = 20;
/** Side of the centre crop (the model's input size, ./crop.ts). */
export const FLOW_CROP = CENTRE_CROP;

export interface FlowPostprocessOptions {
  encoding?: FlowEncoding;
  /** Side of the square centre crop (default FLOW_CROP). */
  crop?: number;
}

/** One encoded value from one raw flow component. */
export function encodeFlowValue(raw: number, encoding: FlowEncoding = 'float'): number {
  const v = raw < -FLOW_BOUND ? -FLOW_BOUND : raw > FLOW_BOUND ? FLOW_BOUND : raw;
  if (encoding === 'float') return Math.fround(v / FLOW_BOUND);
  const q = Math.floor((255 * (v + FLOW_BOUND)) / (2 * FLOW_BOUND) + 0.5);
  return Math.fround(q / 127.5 - 1);
}

/**
 * Raw flow H×W×2 (row-major, channels x, y) → crop×crop×2 float32 in [−1, 1]. Writes into `out` when given.
 */
export function postprocessFlow(flow: Float32Array, width: number, height: number, options: FlowPostprocessOptions = {}, out?: Float32Array): Float32Array {
  const crop = options.crop ?? FLOW_CROP;
  const encoding = options.encoding ?? 'float';
  if (flow.length !== width * height * 2) throw new AppError('E_FLOW_SIZE', `${flow.length} values for a ${width}×${height}×2 flow`);
  const { top, left } = centreCropOrigin(width, height, crop);
  const result = out ?? new Float32Array(crop * crop * 2);
  if (result.length !== crop * crop * 2) throw new AppError('E_FLOW_SIZE', `output of ${result.length} values for ${crop}×${crop}×2`);
  for (let y = 0; y < crop; y++) {
    const src = ((top + y) * width + left) * 2;
    const dst = y * crop * 2;
    for (let k = 0; k < crop * 2; k++) result[dst + k] = encodeFlowValue(flow[src + k], encoding);
  }
  return result;
}
