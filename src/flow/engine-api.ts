/** What the pipeline needs of a flow engine (pure types: the engines are in ./engine.ts and the Node tools). */

export interface FlowEngine {
  /** How many pairs are worth having in flight at once. */
  readonly parallelism: number;
  /** The flow stream entry for consecutive rgb24 frames. */
  entry(prev: Uint8Array, next: Uint8Array, width: number, height: number): Promise<Float32Array>;
  /**
   * CPU engines: the seconds its workers spent computing pairs so far (summed over the workers) and how many
   * workers there are; absent where the work is not on CPU workers (WebGPU).
   */
  work?(): { seconds: number; workers: number };
}

/** Raw TV-L1 flow (H, W, 2) → the model entry. */
export type ToEntry = (flow: Float32Array, width: number, height: number) => Float32Array;
