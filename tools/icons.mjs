#!/usr/bin/env node
// Draws the app's PNG icons (the manifest's 192×192 and 512×512, and a 512×512 maskable one) with Node built-ins
// only: the shape of public/icon.svg (three bars on a rounded dark-blue square) rasterised with 4×4 supersampling,
// written by a minimal PNG encoder (zlib for the deflate, CRC-32 computed here). The output is deterministic; the
// PNGs are committed in public/ (test/icons/icons.test.ts checks they are what this script draws).
// Usage: node tools/icons.mjs [--out DIR]   (default: public/)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The icons the manifest lists (vite.config.ts): file, size in pixels, maskable or not. */
export const ICONS = [
  { file: 'icon-192.png', size: 192, maskable: false },
  { file: 'icon-512.png', size: 512, maskable: false },
  { file: 'icon-maskable-512.png', size: 512, maskable: true },
];

const BACKGROUND = [0x1d, 0x35, 0x57];
const FOREGROUND = [0xf1, 0xfa, 0xee];
/** The bars of public/icon.svg, in its 64×64 view box: [x, y, width, height]. */
const BARS = [
  [14, 20, 8, 24],
  [26, 16, 8, 32],
  [38, 24, 12, 16],
];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** A PNG of 8-bit RGBA pixels (row-major, width × height × 4). */
export function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: RGBA
  // compression, filter, interlace: 0
  const raw = Buffer.alloc(height * (1 + width * 4));
  for (let y = 0; y < height; y++) {
    raw[y * (1 + width * 4)] = 0; // filter: none
    rgba.copy(raw, y * (1 + width * 4) + 1, y * width * 4, (y + 1) * width * 4);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** Draws one icon: `maskable` fills the whole square (no rounded corners) and keeps the bars in the safe circle. */
export function drawIcon(size, maskable) {
  const S = 4; // supersampling per axis
  const scale = maskable ? 0.8 : 1; // the bars' corners reach 75% of the radius; a maskable icon keeps them well inside 80%
  const inRoundedSquare = (x, y) => {
    if (maskable) return true;
    const r = 12;
    const cx = Math.min(Math.max(x, r), 64 - r);
    const cy = Math.min(Math.max(y, r), 64 - r);
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
  };
  const inBar = (x, y) => {
    const u = 32 + (x - 32) / scale;
    const v = 32 + (y - 32) / scale;
    return BARS.some(([bx, by, bw, bh]) => u >= bx && u < bx + bw && v >= by && v < by + bh);
  };
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let square = 0;
      let bar = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const x = ((px + (sx + 0.5) / S) * 64) / size;
          const y = ((py + (sy + 0.5) / S) * 64) / size;
          if (!inRoundedSquare(x, y)) continue;
          square++;
          if (inBar(x, y)) bar++;
        }
      }
      const o = (py * size + px) * 4;
      if (square === 0) continue; // transparent corner
      for (let c = 0; c < 3; c++) rgba[o + c] = Math.round((BACKGROUND[c] * (square - bar) + FOREGROUND[c] * bar) / square);
      rgba[o + 3] = Math.round((255 * square) / (S * S));
    }
  }
  return encodePng(size, size, rgba);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--out');
  const out = at > 0 ? resolve(process.argv[at + 1]) : join(ROOT, 'public');
  mkdirSync(out, { recursive: true });
  for (const { file, size, maskable } of ICONS) {
    const png = drawIcon(size, maskable);
    writeFileSync(join(out, file), png);
    console.log(`${file}: ${size}×${size}${maskable ? ' maskable' : ''}, ${png.length} bytes`);
  }
}
