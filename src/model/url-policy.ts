import { AppError } from '../errors';

/** An I3D checkpoint is about 50 MB; a response declared larger than this is refused before its body is read. */
export const MAX_CHECKPOINT_BYTES = 256 << 20;

// the hosts the Content-Security-Policy's connect-src allows over http (vite.config.ts)
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1']);

/**
 * The URL a model may be imported from: `https:`, or `http:` to this machine only.
 * Throws E_URL_SCHEME (before any request is made) for anything else.
 */
export function checkModelUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('E_URL_SCHEME', `${raw} is not a URL`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname)) return url;
  if (url.protocol === 'http:') throw new AppError('E_URL_SCHEME', `${url.host}: http is allowed only for localhost; use https`);
  throw new AppError('E_URL_SCHEME', `${url.protocol} URLs are not allowed; use https`);
}

/** The declared size of a response (Content-Length), null when absent or unreadable; E_PICKLE_LIMIT when too large. */
export function checkDeclaredSize(contentLength: string | null): number | null {
  if (contentLength === null || !/^\d+$/.test(contentLength.trim())) return null;
  const n = Number(contentLength.trim());
  if (n > MAX_CHECKPOINT_BYTES) throw new AppError('E_PICKLE_LIMIT', `the server says the file is ${n} bytes (at most ${MAX_CHECKPOINT_BYTES})`);
  return n;
}
