/**
 * Test builds only (every use is behind `__TEST_HOOKS__`): faults injected into a running extraction, to check
 * that a dying worker, an exhausted heap or a full disk fails that video with a typed error and never hangs the
 * queue or leaves a partial result.
 */

/** Which worker the fault hits: the pipeline worker, the video's decode worker, or one of its flow workers. */
export type FaultWorker = 'pipeline' | 'decode' | 'flow';

/**
 * `crash`: an uncaught error in that worker's global scope (its `error` event); `exit`: the worker closes itself
 * (it stops answering, no event at all); `oom`: the RangeError V8 throws when a WebAssembly memory cannot grow,
 * thrown where that worker computes.
 */
export type FaultKind = 'crash' | 'exit' | 'oom';

export interface FaultForTest {
  worker: FaultWorker;
  kind: FaultKind;
  /** Once this many frames are decoded. */
  afterFrames: number;
}

/**
 * A full disk during one extraction: its writes into its results folder throw the browser's own
 * `QuotaExceededError` (a DOMException, as a full OPFS does) once `afterBytes` bytes are written, counted over
 * the writes to `file` only when it is given (e.g. 'meta.json'), else over all its files. The write that passes
 * the mark writes the bytes up to it first.
 */
export interface QuotaForTest {
  afterBytes: number;
  file?: string;
}

/** A real heap-exhaustion error of this engine (not a copy of its words): a WebAssembly memory grown past its maximum. */
export function wasmMemoryExhausted(): Error {
  // (typed here: the pure code's library has no WebAssembly, every engine it runs on has)
  const { Memory } = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number; maximum: number }) => { grow(pages: number): number } } })
    .WebAssembly;
  try {
    new Memory({ initial: 1, maximum: 1 }).grow(1);
  } catch (e) {
    if (e instanceof Error) return e;
  }
  return new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
}
