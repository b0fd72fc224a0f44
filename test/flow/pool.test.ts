/** The flow pool: scheduling, errors and crashes with fake workers; real Node worker_threads end to end. */
import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors';
import { TVL1 } from '../../src/flow/cpu';
import { FlowPool, type FlowWorkerPort } from '../../src/flow/pool';
import { type FlowRequest, type FlowResponse, type FlowWorkerInit, isFlowWorkerInit } from '../../src/flow/protocol';
import { createFlowHandler } from '../../src/flow/worker-core';
import { createNodeFlowPool } from '../../src/flow/pool-node';
import { compileTVL1WasmModule } from '../../src/flow/wasm/node';
import { makePair, translate } from './synthetic';

/** An in-process worker: answers on a later tick, optionally crashing on a request; records init messages. */
function fakePort(log: number[], crashOn?: (req: FlowRequest) => boolean, inits: FlowWorkerInit[] = []): FlowWorkerPort {
  const handle = createFlowHandler();
  let onMessage: (m: FlowResponse) => void = () => {};
  let onError: (e: unknown) => void = () => {};
  let alive = true;
  return {
    send(req, transfer) {
      if (isFlowWorkerInit(req)) {
        expect(log).toEqual([]); // before any pair
        inits.push(req);
        return handle.init(req);
      }
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

  it('sends the (awaited) init message to each worker once, before its first pair', async () => {
    const wasm = await compileTVL1WasmModule();
    const inits: FlowWorkerInit[] = [];
    let ports = 0;
    let release: (m: FlowWorkerInit) => void = () => {};
    const init = new Promise<FlowWorkerInit>((r) => (release = r));
    const pool = new FlowPool(
      () => {
        ports++;
        return fakePort([], undefined, inits);
      },
      2,
      { init },
    );
    const [a, b] = frames(20, 16, 4);
    const pending = [1, 2, 3].map(() => pool.computePair(a, b, 20, 16));
    await new Promise((r) => setTimeout(r, 5));
    expect(ports).toBe(0); // nothing starts before the module is there
    release({ type: 'init', kernels: 'auto', wasm });
    const results = await Promise.all(pending);
    expect(ports).toBe(2);
    expect(inits.map((m) => m.kernels)).toEqual(['auto', 'auto']);
    expect(results.map((r) => r.kernels)).toEqual(['wasm', 'wasm', 'wasm']);
    const want = new TVL1().calc({ data: a, width: 20, height: 16 }, { data: b, width: 20, height: 16 });
    for (const r of results) expect(new Uint32Array(r.flow.buffer)).toEqual(new Uint32Array(want.buffer));
    expect(await pool.kernels()).toEqual({ kernels: 'auto', wasm: true, reason: undefined });
    pool.terminate();
  });

  it('kernels: auto without a module runs TypeScript; forced wasm without one fails with a reason; a failed init is auto', async () => {
    const [a, b] = frames(12, 10, 5);
    const auto = new FlowPool(() => fakePort([]), 1, { init: { type: 'init', kernels: 'auto', wasm: null } });
    expect((await auto.computePair(a, b, 12, 10)).kernels).toBe('ts');
    auto.terminate();
    const forced = new FlowPool(() => fakePort([]), 1, { init: { type: 'init', kernels: 'wasm', wasm: null, reason: 'no SIMD here' } });
    const err = await forced.computePair(a, b, 12, 10).catch((e: unknown) => e);
    expect(isAppError(err) && err.code).toBe('E_INTERNAL');
    expect(String(err)).toMatch(/no SIMD here/);
    forced.terminate();
    const failed = new FlowPool(() => fakePort([]), 1, { init: Promise.reject(new Error('fetch failed')) });
    expect((await failed.computePair(a, b, 12, 10)).kernels).toBe('ts');
    expect(await failed.kernels()).toEqual({ kernels: 'auto', wasm: false, reason: 'fetch failed' });
    failed.terminate();
  });

  it('a module that is not the kernel module falls back to TypeScript under auto', async () => {
    // the smallest valid module: no exports, so instantiation succeeds but the kernels are missing
    const empty = new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
    const handle = createFlowHandler({ type: 'init', kernels: 'auto', wasm: empty });
    const [a, b] = frames(12, 10, 6);
    const { response } = handle({ id: 1, width: 12, height: 10, frame0: a.slice().buffer, frame1: b.slice().buffer });
    expect(response.ok && response.kernels).toBe('ts');
    handle.init({ type: 'init', kernels: 'wasm', wasm: empty });
    const forced = handle({ id: 2, width: 12, height: 10, frame0: a.slice().buffer, frame1: b.slice().buffer }).response;
    expect(!forced.ok && forced.error.code).toBe('E_INTERNAL');
  });

  for (const kernels of ['wasm', 'ts'] as const) {
    it(`Node worker_threads run the same core (2 workers, 3 pairs, ${kernels} kernels)`, async () => {
      const pool = createNodeFlowPool(2, { kernels });
      try {
        const inputs = [7, 8, 9].map((s) => frames(48, 36, s));
        const results = await Promise.all(inputs.map(([a, b]) => pool.computePair(a, b, 48, 36)));
        const tv = new TVL1();
        results.forEach((r, i) => {
          expect(r.kernels).toBe(kernels);
          const want = tv.calc({ data: inputs[i][0], width: 48, height: 36 }, { data: inputs[i][1], width: 48, height: 36 });
          expect(new Uint32Array(r.flow.buffer)).toEqual(new Uint32Array(want.buffer));
        });
      } finally {
        pool.terminate();
      }
    });
  }
});
