/**
 * Knowing that a worker has ended however it ended. A crash (an uncaught error) fires the Worker's `error` event;
 * a worker that closes itself, or that the browser stops, fires nothing, and whoever waits for its answer would
 * wait forever. So each worker holds a Web Lock named after itself (its unique `name`) for its whole life, and
 * its parent asks for the same lock once the worker has said it holds it: the browser frees a worker's locks
 * when it ends, so the parent is granted the lock exactly when the worker is gone.
 *
 * Without Web Locks (Node, old browsers) nothing is watched: the `error` event is all there is.
 */

/** The message a worker posts once it holds its lock. */
interface LifeMessage {
  i3dWorkerHolds: string;
}

/** A name no other worker has: `kind` and a random suffix. */
export function workerName(kind: string): string {
  return `${kind} ${globalThis.crypto.randomUUID()}`;
}

/**
 * In a worker, at its start: holds the lock named after this worker until it ends, and tells its parent once it
 * holds it; resolves then. The lock is granted by a task: a worker that then blocks its event loop (ffmpeg's
 * synchronous decode) awaits this first, or it could end before its parent can watch it.
 */
export function holdLifeLock(): Promise<void> {
  const scope = globalThis as unknown as { name?: string; postMessage(m: LifeMessage): void };
  const name = scope.name;
  const locks = globalThis.navigator?.locks;
  if (!name || !locks) return Promise.resolve();
  return new Promise((held) => {
    void locks.request(name, () => {
      scope.postMessage({ i3dWorkerHolds: name });
      held();
      return new Promise<never>(() => undefined);
    });
  });
}

/** Whether a message from a worker is its lock message (consumed by `watchLife`'s caller, not the protocol). */
export function isLifeMessage(data: unknown): data is LifeMessage {
  return typeof data === 'object' && data !== null && 'i3dWorkerHolds' in data;
}

/**
 * In the parent, on the worker's lock message: calls `onGone` once when that worker has ended. The returned
 * function stops watching (call it before terminating the worker yourself).
 */
export function watchLife(message: LifeMessage, onGone: () => void): () => void {
  const locks = globalThis.navigator?.locks;
  if (!locks) return () => undefined;
  const stop = new AbortController();
  locks
    .request(message.i3dWorkerHolds, { signal: stop.signal }, () => {
      if (!stop.signal.aborted) onGone();
    })
    .catch(() => undefined);
  return () => stop.abort();
}
