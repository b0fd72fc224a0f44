/** The flow pool: scheduling, errors and crashes with fake workers; real Node worker_threads end to end. */
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors';
import { TVL1 } from '../../src/flow/cpu';
import { FlowPool, type FlowWorkerPort } from '../../src/flow/pool';
import type { FlowRequest, FlowResponse } from '../../src/flow/protocol';
import { createFlowHandler } from '../../src/flow/worker-core';
import { createNodeFlowPool } from '../../tools/cli/lib/flow-node-pool';
import { makePair, translate } from './synthetic';

/** An in-process worker: answers on a later tick, optionally crashing on a request. */
function fakePort(log: number[], crashOn?: (req: FlowRequest) => boolean): FlowWorkerPort {
  const handle = createFlowHandler();
  let onMessage: (m: FlowResponse) => void = () => {};
  let onError: (e: unknown) => void = () => {};
  let alive = true;
  return {
    send(req, transfer) {
      expect(transfer).toEqual([req.frame0, req.frame1]);
      log.push(req.id);
      setTimeout(() => {
        if (!alive) return;
        if (crashOn?.(req)) onError(new Error('boom'));
        else onMessage(handle(req).response);
      }, 1);
    },
    listen(m, e) {
      onMessage = m;
      onError = e;
    },
    terminate() {
      alive = false;
    },
  };
}

const frames = (w: number, h: number, seed: number) => {
  const p = makePair(w, h, seed, translate(0.7, -0.4));
  return [p.data.subarray(0, w * h), p.data.subarray(w * h)] as const;
};

describe('FlowPool', () => {
  it('runs every pair once, at most `size` at a time, and returns the same flow as TVL1', async () => {
    const log: number[] = [];
    let ports = 0;
    const pool = new FlowPool(() => {
      ports++;
      return fakePort(log);
    }, 2);
    const inputs = [1, 2, 3, 4, 5].map((s) => frames(24, 18, s));
    const results = await Promise.all(inputs.map(([a, b]) => pool.computePair(a, b, 24, 18)));
    expect(ports).toBe(2);
    expect(log.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
    const tv = new TVL1();
    results.forEach((r, i) => {
      const want = tv.calc({ data: inputs[i][0], width: 24, height: 18 }, { data: inputs[i][1], width: 24, height: 18 });
      expect(Array.from(r.flow)).toEqual(Array.from(want));
    });
    // the caller's frames were copied, not transferred away
    expect(inputs[0][0].length).toBe(24 * 18);
    pool.terminate();
  });

  it('rejects a bad pair with its typed error and keeps going', async () => {
    const pool = new FlowPool(() => fakePort([]), 1);
    const [a, b] = frames(10, 8, 1);
    const bad = pool.computePair(a, b.subarray(0, 20), 10, 8);
    const good = pool.computePair(a, b, 10, 8);
    await expect(bad).rejects.toMatchObject({ code: 'E_FLOW_SIZE' });
    expect((await good).flow.length).toBe(10 * 8 * 2);
    pool.terminate();
  });

  it('a crashed worker fails its pair with E_WORKER_CRASH and is replaced', async () => {
    let ports = 0;
    const pool = new FlowPool(() => {
      ports++;
      return fakePort([], (req) => req.id === 1);
    }, 1);
    const [a, b] = frames(10, 8, 2);
    const first = pool.computePair(a, b, 10, 8);
    const second = pool.computePair(a, b, 10, 8);
    const err = await first.catch((e: unknown) => e);
    expect(isAppError(err) && err.code).toBe('E_WORKER_CRASH');
    expect((await second).flow.length).toBe(160);
    expect(ports).toBe(2);
    pool.terminate();
  });

  it('terminate() cancels what is queued', async () => {
    const pool = new FlowPool(() => fakePort([]), 1);
    const [a, b] = frames(10, 8, 3);
    const p = [pool.computePair(a, b, 10, 8), pool.computePair(a, b, 10, 8)];
    pool.terminate();
    for (const x of p) await expect(x).rejects.toMatchObject({ code: 'E_CANCELLED' });
    await expect(pool.computePair(a, b, 10, 8)).rejects.toMatchObject({ code: 'E_CANCELLED' });
  });

  it('Node worker_threads run the same core (2 workers, 3 pairs)', async () => {
    const pool = createNodeFlowPool(2);
    try {
      const inputs = [7, 8, 9].map((s) => frames(48, 36, s));
      const results = await Promise.all(inputs.map(([a, b]) => pool.computePair(a, b, 48, 36)));
      const tv = new TVL1();
      results.forEach((r, i) => {
        const want = tv.calc({ data: inputs[i][0], width: 48, height: 36 }, { data: inputs[i][1], width: 48, height: 36 });
        expect(Array.from(r.flow)).toEqual(Array.from(want));
      });
    } finally {
      pool.terminate();
    }
  });
});
