/** A JPEG thumbnail of an rgb24 frame (needs OffscreenCanvas: browser main thread or worker). */
export async function rgbToJpeg(frame: { width: number; height: number; data: Uint8Array }, quality = 0.85): Promise<Blob> {
  const { width, height, data } = frame;
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, j = 0; i < data.length; i += 3, j += 4) {
    rgba[j] = data[i];
    rgba[j + 1] = data[i + 1];
    rgba[j + 2] = data[i + 2];
    rgba[j + 3] = 255;
  }
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('2d canvas unavailable');
  ctx.putImageData(new ImageData(rgba, width, height), 0, 0);
  return canvas.convertToBlob({ type: 'image/jpeg', quality });
}
