/** The committed PNG icons are what tools/icons.mjs draws, and each PNG's header says the size the manifest gives. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const ICONS = { 'icon-192.png': 192, 'icon-512.png': 512, 'icon-maskable-512.png': 512 };

/** Width, height, bit depth and colour type from a PNG's IHDR, and its decompressed image data. */
function readPng(png: Buffer) {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(png.toString('ascii', 12, 16)).toBe('IHDR');
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    if (png.toString('ascii', at + 4, at + 8) === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), depth: png[24], colour: png[25], data: inflateSync(Buffer.concat(idat)) };
}

describe('app icons', () => {
  const out = mkdtempSync(join(tmpdir(), 'icons-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('tools/icons.mjs draws exactly the committed PNGs', () => {
    execFileSync(process.execPath, [resolve(ROOT, 'tools/icons.mjs'), '--out', out]);
    for (const file of Object.keys(ICONS)) expect(readFileSync(join(out, file)).equals(readFileSync(resolve(ROOT, 'public', file))), file).toBe(true);
  });

  it('each PNG is an RGBA image of its size; the maskable one is opaque to the edges', () => {
    for (const [file, size] of Object.entries(ICONS)) {
      const png = readPng(readFileSync(resolve(ROOT, 'public', file)));
      expect([png.width, png.height, png.depth, png.colour], file).toEqual([size, size, 8, 6]);
      expect(png.data.length, file).toBe(size * (1 + size * 4));
      const cornerAlpha = png.data[1 + 3] as number;
      expect(cornerAlpha, file).toBe(file.includes('maskable') ? 255 : 0);
    }
  });
});
