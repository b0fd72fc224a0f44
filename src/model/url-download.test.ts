import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../errors';
import type { DownloadOffer, DownloadProgress } from '../io/model-record';
import { downloadModel, progressStep, type ModelFetch, type ModelResponse } from './url-download';
import { MAX_CHECKPOINT_BYTES } from './url-policy';

async function codeOf(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (e) {
    return e instanceof AppError ? e.code : `other: ${String(e)}`;
  }
}

/** A body of `chunks`, produced only when read (no read-ahead), counting what was pulled and whether it was cancelled. */
function body(chunks: Uint8Array<ArrayBuffer>[] | (() => Uint8Array<ArrayBuffer> | null)) {
  const state = { pulled: 0, cancelled: false };
  let i = 0;
  const stream = new ReadableStream<Uint8Array<ArrayBuffer>>(
    {
      pull(c) {
        const next = typeof chunks === 'function' ? chunks() : (chunks[i++] ?? null);
        if (next === null) c.close();
        else {
          state.pulled++;
          c.enqueue(next);
        }
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

function response(
  stream: ReadableStream<Uint8Array<ArrayBuffer>> | null,
  headers: Record<string, string> = {},
  extra: Partial<ModelResponse> = {},
): ModelResponse {
  const h = new Headers(headers);
  return { ok: true, status: 200, url: '', headers: h, body: stream, ...extra };
}

/** A fetch that answers `res`, remembering the signal it was given. */
function fetchOf(res: ModelResponse) {
  const seen: { url?: string; signal?: AbortSignal; credentials?: string } = {};
  const fn = vi.fn<ModelFetch>((url, init) => {
    seen.url = url;
    seen.signal = init.signal;
    seen.credentials = init.credentials;
    return Promise.resolve(res);
  });
  return { fn, seen };
}

const bytes = (n: number, v = 1) => new Uint8Array(n).fill(v);

describe('downloadModel', () => {
  it('refuses a remote http URL with E_URL_SCHEME before any request', async () => {
    const { fn } = fetchOf(response(null));
    expect(await codeOf(downloadModel(fn, 'http://example.com/x.pt', new AbortController().signal, { confirm: () => Promise.resolve(true) }))).toBe(
      'E_URL_SCHEME',
    );
    expect(fn).not.toHaveBeenCalled();
  });

  it('shows the host and the declared size before reading any of the body; confirming downloads it with progress', async () => {
    const { stream, state } = body([bytes(100_000, 1), bytes(100_000, 2), bytes(50_000, 3)]);
    const { fn, seen } = fetchOf(response(stream, { 'content-length': '250000' }));
    const offers: DownloadOffer[] = [];
    const progress: DownloadProgress[] = [];
    const blob = await downloadModel(fn, 'https://models.example.org/a/rgb.pt', new AbortController().signal, {
      confirm: (offer) => {
        offers.push(offer);
        expect(state.pulled).toBe(0);
        return Promise.resolve(true);
      },
      onProgress: (p) => progress.push(p),
    });
    expect(seen.credentials).toBe('omit');
    expect(offers).toEqual([{ url: 'https://models.example.org/a/rgb.pt', host: 'models.example.org', total: 250_000 }]);
    expect(blob.size).toBe(250_000);
    const got = new Uint8Array(await blob.arrayBuffer());
    expect([got[0], got[100_000], got[249_999]]).toEqual([1, 2, 3]);
    expect(progress[0]).toEqual({ received: 0, total: 250_000 });
    expect(progress.at(-1)).toEqual({ received: 250_000, total: 250_000 });
    const received = progress.map((p) => p.received);
    expect(received).toEqual([...received].sort((a, b) => a - b));
    expect(progress.length).toBeGreaterThan(2);
  });

  it('an unknown size is offered as null and the body is still read to its end', async () => {
    const { stream } = body([bytes(10), bytes(20)]);
    const { fn } = fetchOf(response(stream));
    const offers: DownloadOffer[] = [];
    const progress: DownloadProgress[] = [];
    const blob = await downloadModel(fn, 'http://127.0.0.1:9/x.pt', new AbortController().signal, {
      confirm: (o) => (offers.push(o), Promise.resolve(true)),
      onProgress: (p) => progress.push(p),
    });
    expect(offers[0]?.total).toBeNull();
    expect(offers[0]?.host).toBe('127.0.0.1:9');
    expect(blob.size).toBe(30);
    expect(progress.at(-1)).toEqual({ received: 30, total: null });
  });

  it('says where a redirect led', async () => {
    const { stream } = body([bytes(1)]);
    const { fn } = fetchOf(response(stream, {}, { url: 'https://objects.example.net/blob/1' }));
    let offer: DownloadOffer | undefined;
    await downloadModel(fn, 'https://example.org/x.pt', new AbortController().signal, { confirm: (o) => ((offer = o), Promise.resolve(true)) });
    expect(offer?.redirectedTo).toBe('objects.example.net');
  });

  it('declining aborts the request and ends with E_CANCELLED, nothing of the body read', async () => {
    const { stream, state } = body([bytes(10)]);
    const { fn, seen } = fetchOf(response(stream, { 'content-length': '10' }));
    const progress = vi.fn();
    const err = await downloadModel(fn, 'https://example.org/x.pt', new AbortController().signal, {
      confirm: () => Promise.resolve(false),
      onProgress: progress,
    }).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('E_CANCELLED');
    expect(seen.signal?.aborted).toBe(true);
    expect(state.pulled).toBe(0);
    expect(progress).not.toHaveBeenCalled();
  });

  it('an abort while the confirmation is pending ends with E_CANCELLED and aborts the request', async () => {
    const { stream } = body([bytes(10)]);
    const { fn, seen } = fetchOf(response(stream));
    const abort = new AbortController();
    const done = downloadModel(fn, 'https://example.org/x.pt', abort.signal, {
      confirm: () => {
        setTimeout(() => abort.abort(), 5);
        return new Promise<boolean>(() => undefined); // never answered
      },
    });
    expect(await codeOf(done)).toBe('E_CANCELLED');
    expect(seen.signal?.aborted).toBe(true);
  });

  it('an abort while the body streams ends with E_CANCELLED and cancels the stream', async () => {
    const abort = new AbortController();
    let n = 0;
    const { stream, state } = body(() => {
      if (++n === 3) abort.abort();
      return bytes(1000);
    });
    const { fn, seen } = fetchOf(response(stream, { 'content-length': '1000000' }));
    expect(await codeOf(downloadModel(fn, 'https://example.org/x.pt', abort.signal, { confirm: () => Promise.resolve(true) }))).toBe('E_CANCELLED');
    expect(seen.signal?.aborted).toBe(true);
    expect(state.cancelled).toBe(true);
  });

  it('a declared size above the bound is E_PICKLE_LIMIT before the confirmation', async () => {
    const { stream } = body([bytes(1)]);
    const { fn } = fetchOf(response(stream, { 'content-length': String(MAX_CHECKPOINT_BYTES + 1) }));
    const confirm = vi.fn(() => Promise.resolve(true));
    expect(await codeOf(downloadModel(fn, 'https://example.org/x.pt', new AbortController().signal, { confirm }))).toBe('E_PICKLE_LIMIT');
    expect(confirm).not.toHaveBeenCalled();
  });

  it('a body that grows past the bound without a Content-Length is stopped while streaming (E_PICKLE_LIMIT)', async () => {
    const mib = bytes(1 << 20); // the same chunk over and over: no real memory
    let served = 0;
    const { stream, state } = body(() => (served++, mib));
    const { fn, seen } = fetchOf(response(stream));
    const err = await downloadModel(fn, 'https://example.org/x.pt', new AbortController().signal, { confirm: () => Promise.resolve(true) }).catch(
      (e: unknown) => e,
    );
    expect((err as AppError).code).toBe('E_PICKLE_LIMIT');
    expect(served).toBe(MAX_CHECKPOINT_BYTES / (1 << 20) + 1);
    expect(state.cancelled).toBe(true);
    expect(seen.signal?.aborted).toBe(true);
  });

  it('a body longer than its declared size is stopped at the bound too', async () => {
    const mib = bytes(1 << 20);
    const { stream } = body(() => mib);
    const { fn } = fetchOf(response(stream, { 'content-length': '100' }));
    expect(await codeOf(downloadModel(fn, 'https://example.org/x.pt', new AbortController().signal))).toBe('E_PICKLE_LIMIT');
  });

  it('HTTP errors and network errors are E_FETCH, before any confirmation', async () => {
    const confirm = vi.fn(() => Promise.resolve(true));
    const { fn } = fetchOf(response(null, {}, { ok: false, status: 404 }));
    const err = await downloadModel(fn, 'https://example.org/x.pt', new AbortController().signal, { confirm }).then(
      () => null,
      (e: unknown) => e as AppError,
    );
    expect(err?.code).toBe('E_FETCH');
    expect(err?.detail).toContain('404');
    const failing: ModelFetch = () => Promise.reject(new TypeError('Failed to fetch'));
    expect(await codeOf(downloadModel(failing, 'https://example.org/x.pt', new AbortController().signal, { confirm }))).toBe('E_FETCH');
    expect(confirm).not.toHaveBeenCalled();
  });

  it('without a confirmation hook (confirmed beforehand) it downloads at once', async () => {
    const { stream } = body([bytes(5)]);
    const { fn } = fetchOf(response(stream, { 'content-length': '5' }));
    expect((await downloadModel(fn, 'https://example.org/x.pt', new AbortController().signal)).size).toBe(5);
  });

  it('an already aborted signal sends nothing', async () => {
    const { fn } = fetchOf(response(null));
    const abort = new AbortController();
    abort.abort();
    expect(await codeOf(downloadModel(fn, 'https://example.org/x.pt', abort.signal))).toBe('E_CANCELLED');
    expect(fn).not.toHaveBeenCalled();
  });
});

describe('progressStep', () => {
  it('about every percent of a known size (at least 64 KiB), every MiB of an unknown one', () => {
    expect(progressStep(50 << 20)).toBe(Math.ceil((50 << 20) / 100));
    expect(progressStep(1000)).toBe(64 << 10);
    expect(progressStep(null)).toBe(1 << 20);
  });
});
