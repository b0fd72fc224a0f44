/**
 * Raw TV-L1 flow (H, W, 2) → the flow stream's model entry (2, 224, 224): the values of DESIGN §3 step 3
 * (../flow/postprocess.ts: clip ±20, /20 or the jpeg8 encoding), centre-cropped, as planes. Pure.
 */
import { centreCropOrigin } from '../flow/crop';
import { encodeFlowValue, type FlowEncoding } from '../flow/postprocess';
import { CROP } from './streams';

export function flowEntry(flow: Float32Array, width: number, height: number, mode: FlowEncoding, out = new Float32Array(2 * CROP * CROP)): Float32Array {
  const { top, left } = centreCropOrigin(width, height, CROP);
  const plane = CROP * CROP;
  for (let y = 0; y < CROP; y++) {
    let src = ((top + y) * width + left) * 2;
    for (let x = 0; x < CROP; x++, src += 2) {
      out[y * CROP + x] = encodeFlowValue(flow[src], mode);
      out[plane + y * CROP + x] = encodeFlowValue(flow[src + 1], mode);
    }
  }
  return out;
}
