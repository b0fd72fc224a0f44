import { describe, expect, it } from 'vitest';
import { opencvOps } from '../../test/flow/reference';
import { rgbToGray } from './gray';

describe('rgbToGray', () => {
  it('equals OpenCV COLOR_RGB2GRAY for all 2^24 colours', () => {
    const [ref] = opencvOps('gray', [{ job: { op: 'gray_all_colours' }, inputs: {} }]);
    const rgb = new Uint8Array(3 << 24);
    for (let v = 0; v < 1 << 24; v++) {
      rgb[3 * v] = v >>> 16;
      rgb[3 * v + 1] = (v >>> 8) & 255;
      rgb[3 * v + 2] = v & 255;
    }
    const gray = rgbToGray(rgb, 4096, 4096);
    expect(Buffer.compare(Buffer.from(gray), Buffer.from(ref.data as Uint8Array))).toBe(0);
  });

  it('checks the buffer sizes', () => {
    expect(() => rgbToGray(new Uint8Array(5), 2, 1)).toThrow(/E_FLOW_SIZE/);
    expect(Array.from(rgbToGray(new Uint8Array([255, 255, 255, 0, 0, 0]), 2, 1))).toEqual([255, 0]);
  });
});
