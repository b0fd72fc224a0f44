/** Installable: the manifest lists PNG icons (192, 512, maskable) and each PNG's IHDR has the size it claims. */
import { expect, test } from '@playwright/test';

test('the manifest lists 192×192, 512×512 and maskable PNG icons of the sizes they claim', async ({ page, request }) => {
  await page.goto('/');
  const href = await page.locator('link[rel="manifest"]').getAttribute('href');
  expect(href).toBeTruthy();
  const manifestUrl = new URL(href as string, page.url());
  const manifest = (await (await request.get(manifestUrl.href)).json()) as { icons: { src: string; sizes: string; type: string; purpose?: string }[] };
  const pngs = manifest.icons.filter((i) => i.type === 'image/png');
  expect(pngs.map((i) => [i.sizes, i.purpose ?? 'any'])).toEqual(
    expect.arrayContaining([
      ['192x192', 'any'],
      ['512x512', 'any'],
      ['512x512', 'maskable'],
    ]),
  );
  for (const icon of pngs) {
    const res = await request.get(new URL(icon.src, manifestUrl).href);
    expect(res.ok(), icon.src).toBe(true);
    const png = await res.body();
    expect(png.subarray(1, 4).toString('ascii'), icon.src).toBe('PNG');
    expect(png.toString('ascii', 12, 16), icon.src).toBe('IHDR');
    expect(`${png.readUInt32BE(16)}x${png.readUInt32BE(20)}`, icon.src).toBe(icon.sizes);
  }
});
