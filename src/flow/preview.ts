/** A colour-wheel picture of a flow stream entry, for the UI (needs OffscreenCanvas: browser or worker). */
import { flowToRgba } from './colorwheel';

/** Entry (2, S, S) planar (the model's square crop) → JPEG of its colour-wheel rendering. */
export async function flowPreviewJpeg(entry: Float32Array): Promise<Blob> {
  const CROP = Math.round(Math.sqrt(entry.length / 2));
  const plane = CROP * CROP;
  const flow = new Float32Array(2 * plane);
  for (let i = 0; i < plane; i++) {
    flow[2 * i] = entry[i];
    flow[2 * i + 1] = entry[plane + i];
  }
  // entries are flow / 20 (or its 8-bit encoding): colours saturate at 0.25, i.e. 5 px
  const rgba = flowToRgba(flow, CROP, CROP, { maxMagnitude: 0.25 });
  const canvas = new OffscreenCanvas(CROP, CROP);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('2d canvas unavailable');
  ctx.putImageData(new ImageData(rgba as Uint8ClampedArray<ArrayBuffer>, CROP, CROP), 0, 0);
  return canvas.convertToBlob({ type: 'image/jpeg', quality: 0.85 });
}
