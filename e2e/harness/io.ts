/** I/O for the test harnesses: files the tests serve, and bytes crossing Playwright's page.evaluate as base64. */

/** The bytes of a file the test served at `url`. */
export async function fetchBytes(url: string): Promise<Uint8Array<ArrayBuffer>> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

export { fromBase64, toBase64 } from '../../src/io/base64';
