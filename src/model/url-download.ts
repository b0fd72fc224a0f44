/**
 * Downloading a checkpoint from a URL the user gave (pure: the fetch function is passed in, so it runs in Node too).
 *
 * 1. The URL is checked before any request (./url-policy.ts: https, or http to this machine; E_URL_SCHEME).
 * 2. The request is sent without credentials; a non-2xx answer is E_FETCH, a declared size above
 *    MAX_CHECKPOINT_BYTES is E_PICKLE_LIMIT.
 * 3. Once the headers are in and before any of the body is read, `confirm` is shown the host and the declared size
 *    (null: unknown); false aborts the request (E_CANCELLED). Without `confirm` the caller has confirmed already.
 * 4. The body is read as a stream, with progress, and stopped as soon as it passes MAX_CHECKPOINT_BYTES whatever
 *    the headers said (E_PICKLE_LIMIT).
 * An abort of `signal` at any point ends it with E_CANCELLED.
 */
import { AppError } from '../errors';
import type { ConfirmDownload, DownloadOffer, DownloadProgress } from '../io/model-record';
import { checkDeclaredSize, checkModelUrl, MAX_CHECKPOINT_BYTES } from './url-policy';

/** The part of a fetch Response a download reads. */
export interface ModelResponse {
  ok: boolean;
  status: number;
  /** The final URL (after redirects); may be empty. */
  url: string;
  headers: { get(name: string): string | null };
  body: ReadableStream<Uint8Array<ArrayBuffer>> | null;
}

export type ModelFetch = (url: string, init: { mode: 'cors'; credentials: 'omit'; signal: AbortSignal }) => Promise<ModelResponse>;

export interface DownloadHooks {
  /** Asked after the headers, before the body; absent: the download was confirmed before it started. */
  confirm?: ConfirmDownload;
  /** Bytes read so far: once at the start of the body, then every percent or so (every MiB when the size is unknown), and at the end. */
  onProgress?: (p: DownloadProgress) => void;
}

/** Bytes between two progress reports when the size is unknown. */
const UNKNOWN_STEP = 1 << 20;

/** How often progress is reported: about every percent of a known size (at least 64 KiB), every MiB otherwise. */
export function progressStep(total: number | null): number {
  return total === null ? UNKNOWN_STEP : Math.max(64 << 10, Math.ceil(total / 100));
}

/** `p`, or E_CANCELLED as soon as `signal` aborts. */
function unlessAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new AppError('E_CANCELLED'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AppError('E_CANCELLED'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function fetchError(url: URL, e: unknown): AppError {
  if (e instanceof AppError) return e;
  return new AppError('E_FETCH', `${url.href}: ${e instanceof Error ? e.message : String(e)}`);
}

function hostOf(href: string): string | null {
  try {
    return new URL(href).host;
  } catch {
    return null;
  }
}

export async function downloadModel(fetchFn: ModelFetch, raw: string, signal: AbortSignal, hooks: DownloadHooks = {}): Promise<Blob> {
  const url = checkModelUrl(raw); // before any request
  if (signal.aborted) throw new AppError('E_CANCELLED');
  // our own controller: a "Cancel" at the confirmation aborts the request as the caller's signal does
  const request = new AbortController();
  const forward = () => request.abort();
  signal.addEventListener('abort', forward, { once: true });
  try {
    let res: ModelResponse;
    try {
      res = await unlessAborted(fetchFn(url.href, { mode: 'cors', credentials: 'omit', signal: request.signal }), signal);
    } catch (e) {
      throw signal.aborted ? new AppError('E_CANCELLED') : fetchError(url, e);
    }
    if (!res.ok) throw new AppError('E_FETCH', `${url.href}: HTTP ${res.status}`);
    const total = checkDeclaredSize(res.headers.get('content-length')); // refused before the body is read
    if (hooks.confirm) {
      const offer: DownloadOffer = { url: url.href, host: url.host, total };
      const answered = res.url ? hostOf(res.url) : null;
      if (answered && answered !== url.host) offer.redirectedTo = answered;
      const yes = await unlessAborted(hooks.confirm(offer), signal);
      if (!yes) {
        request.abort();
        throw new AppError('E_CANCELLED', 'the download was not confirmed');
      }
    }
    return await readBody(res, url, total, signal, request, hooks.onProgress);
  } finally {
    signal.removeEventListener('abort', forward);
  }
}

async function readBody(
  res: ModelResponse,
  url: URL,
  total: number | null,
  signal: AbortSignal,
  request: AbortController,
  onProgress: DownloadHooks['onProgress'],
): Promise<Blob> {
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let received = 0;
  onProgress?.({ received, total });
  if (!res.body) return new Blob([]);
  const reader = res.body.getReader();
  const step = progressStep(total);
  let reported = 0;
  try {
    for (;;) {
      const next = await unlessAborted(reader.read(), signal).catch((e: unknown) => {
        throw signal.aborted ? new AppError('E_CANCELLED') : fetchError(url, e);
      });
      if (next.done) break;
      received += next.value.byteLength;
      if (received > MAX_CHECKPOINT_BYTES) {
        throw new AppError('E_PICKLE_LIMIT', `${url.href} sent more than ${MAX_CHECKPOINT_BYTES} bytes; the download was stopped`);
      }
      chunks.push(next.value);
      if (received - reported >= step) {
        reported = received;
        onProgress?.({ received, total });
      }
    }
  } catch (e) {
    request.abort();
    void reader.cancel().catch(() => undefined);
    throw e;
  }
  if (reported !== received) onProgress?.({ received, total });
  return new Blob(chunks);
}
