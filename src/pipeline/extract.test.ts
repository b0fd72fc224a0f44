/**
 * extractStreams with the real model code (slim random-weight I3D on onnxruntime-web's WASM backend in Node):
 * chunked runs equal the one pass around every chunk boundary, short streams are padded, outputs are .npy.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff } from '../../test/support/compare';
import { mulberry32 } from '../../test/support/prng';
import { ensureCheckpoints } from '../../test/support/reference';
import { decodeNpy } from '../io/npy';
import { MemoryDir } from '../io/output';
import { loadStateDict, inspectI3d } from '../model/checkpoint';
import { buildI3dOnnx } from '../model/graph/i3d-graph';
import { fromBytes } from '../model/pickle';
import type { FrameBatch } from '../decode/frames';
import { extractStreams, type FlowEngine } from './extract';
import { SessionModel } from '../model/runtime';
import { planChunks, stepCount } from './geometry';

const W = 240;
const H = 232;

/** Deterministic synthetic rgb24 frames (moving gradients + noise). */
function frame(i: number): Uint8Array {
  const f = new Uint8Array(W * H * 3);
  const rand = mulberry32(i + 1);
  for (let p = 0; p < W * H; p++) {
    const s = (rand() * 2 ** 32) >>> 0;
    const x = p % W;
    const y = (p / W) | 0;
    f[p * 3] = (x * 2 + i * 3) & 255;
    f[p * 3 + 1] = (y + i * 5 + (s >>> 28)) & 255;
    f[p * 3 + 2] = (s >>> 24) & 255;
  }
  return f;
}

const frames = Array.from({ length: 400 }, (_, i) => frame(i));

async function* batches(n: number, size = 16): AsyncGenerator<FrameBatch> {
  for (let start = 0; start < n; start += size) {
    yield { start, width: W, height: H, frames: frames.slice(start, Math.min(n, start + size)).map((f) => f.slice()) };
  }
}

/** A stand-in flow: the difference of the centre crops' green channels (cheap, deterministic). */
const fakeFlow: FlowEngine = {
  parallelism: 2,
  async entry(prev, next) {
    const out = new Float32Array(2 * 224 * 224);
    for (let y = 0; y < 224; y++) {
      for (let x = 0; x < 224; x++) {
        const p = ((y + 4) * W + x + 8) * 3 + 1;
        out[y * 224 + x] = (next[p] - prev[p]) / 255;
        out[224 * 224 + y * 224 + x] = (next[p - 1] - prev[p + 1]) / 255;
      }
    }
    return out;
  },
};

let rgbModel: SessionModel;
let flowModel: SessionModel;

beforeAll(async () => {
  const set = await ensureCheckpoints({ divisor: 8 });
  const build = async (modality: 'rgb' | 'flow', classes: 400 | 157) => {
    const { stateDict } = await loadStateDict(fromBytes(readFileSync(set.i3d(modality, classes).path)));
    return SessionModel.open(buildI3dOnnx(stateDict, inspectI3d(stateDict), { dtype: 'fp32' }), 'wasm');
  };
  rgbModel = await build('rgb', 400);
  flowModel = await build('flow', 157);
}, 600_000);

async function extract(n: number, maxChunkFrames: number, streams: ('rgb' | 'flow')[] = ['rgb']) {
  const out = new MemoryDir();
  const models = { rgb: streams.includes('rgb') ? rgbModel : undefined, flow: streams.includes('flow') ? flowModel : undefined };
  const res = await extractStreams({ frames: batches(n), decodedFrames: n, models, flow: fakeFlow, out, maxChunkFrames });
  const arrays = Object.fromEntries([...out.files].map(([name, bytes]) => [name, decodeNpy(bytes)]));
  return { res, arrays };
}

describe('extractStreams', () => {
  it('writes (T′,F), (T′,7,7,F), (T′,K) arrays per stream with fc = spatial mean of map', async () => {
    const { res, arrays } = await extract(40, 512, ['rgb', 'flow']);
    expect(res.streams.rgb?.steps).toBe(stepCount(39));
    expect(arrays['rgb_fc.npy'].shape).toEqual([4, 128]);
    expect(arrays['rgb_map.npy'].shape).toEqual([4, 7, 7, 128]);
    expect(arrays['rgb_logits.npy'].shape).toEqual([4, 400]);
    expect(arrays['flow_logits.npy'].shape).toEqual([4, 157]);
    const fc = arrays['flow_fc.npy'].data as Float32Array;
    const map = arrays['flow_map.npy'].data as Float32Array;
    for (let t = 0; t < 4; t++) {
      for (let c = 0; c < 128; c += 17) {
        let sum = 0;
        for (let p = 0; p < 49; p++) sum += map[(t * 49 + p) * 128 + c];
        expect(Math.abs(sum / 49 - fc[t * 128 + c])).toBeLessThan(1e-5);
      }
    }
  });

  it('pads streams shorter than 9 frames by repeating the last frame', async () => {
    for (const n of [2, 5, 9, 10]) {
      const { res, arrays } = await extract(n, 512);
      expect(res.streams.rgb?.paddedFrames).toBe(Math.max(0, 9 - (n - 1)));
      expect(arrays['rgb_fc.npy'].shape).toEqual([1, 128]);
    }
  });

  it('refuses a one-frame video with a typed error', async () => {
    await expect(extract(1, 512)).rejects.toThrow(/E_TOO_FEW_FRAMES/);
  });

  const chunk = 128;
  // a stream that fits one chunk runs as one pass whatever its length, so one such length is enough; the rest
  // put the chunk boundaries at each phase of the 8-frame step grid, with 2 and 3 chunks
  const lengths = [chunk, chunk + 1, chunk + 7, chunk + 8, 2 * chunk + 1, 2 * chunk + 8, 300];
  it(`chunked (${chunk}-frame chunks) equals one pass within 1e-4 at lengths ${lengths.map((l) => l + 1).join(', ')}`, async () => {
    for (const len of lengths) {
      const n = len + 1; // decoded frames; the stream has n − 1
      const one = await extract(n, 1024);
      const chunked = await extract(n, chunk);
      expect(chunked.res.streams.rgb?.chunks).toBeGreaterThan(len > chunk ? 1 : 0);
      for (const name of ['rgb_fc.npy', 'rgb_map.npy', 'rgb_logits.npy']) {
        expect(chunked.arrays[name].shape).toEqual(one.arrays[name].shape);
        expect(maxAbsDiff(chunked.arrays[name].data as Float32Array, one.arrays[name].data as Float32Array)).toBeLessThanOrEqual(1e-4);
      }
    }
  }, 600_000);
});

describe('extractStreams resume', () => {
  const n = 300;
  const chunk = 128;
  /** fakeFlow counting its pairs. */
  const countingFlow = () => {
    const f = {
      pairs: 0,
      parallelism: fakeFlow.parallelism,
      entry: (a: Uint8Array, b: Uint8Array, w: number, h: number) => (f.pairs++, fakeFlow.entry(a, b, w, h)),
    };
    return f;
  };
  const run = (out: MemoryDir, extra: Partial<Parameters<typeof extractStreams>[0]> = {}) =>
    extractStreams({
      frames: batches(n),
      decodedFrames: n,
      models: { rgb: rgbModel, flow: flowModel },
      flow: countingFlow(),
      out,
      maxChunkFrames: chunk,
      ...extra,
    });
  const names = ['rgb_fc.npy', 'rgb_map.npy', 'rgb_logits.npy', 'flow_fc.npy', 'flow_map.npy', 'flow_logits.npy'];
  /** The uninterrupted run, made once. */
  let uninterrupted: Promise<{ dir: MemoryDir; res: Awaited<ReturnType<typeof extractStreams>> }> | undefined;
  const reference = () =>
    (uninterrupted ??= (async () => {
      const dir = new MemoryDir();
      return { dir, res: await run(dir) };
    })());

  it('a paused run resumed from its last chunk equals an uninterrupted run bit for bit, and skips the finished flow', async () => {
    const { dir: whole, res: full } = await reference();
    expect(full.streams.rgb?.chunks).toBeGreaterThanOrEqual(3);

    const out = new MemoryDir();
    const pause = new AbortController();
    let next: Partial<Record<'rgb' | 'flow', number>> = {};
    const first = run(out, {
      pause: pause.signal,
      onChunk: (nx) => {
        next = nx;
        if ((nx.flow ?? 0) >= 1) pause.abort(); // pause once a chunk of both streams is done
      },
    });
    await expect(first).rejects.toThrow(/E_PAUSED/);
    // it stopped where both streams had finished the same chunks
    expect(next.rgb).toBe(next.flow);
    const from = next.flow as number;
    expect(from).toBeGreaterThanOrEqual(1);

    const flow = countingFlow();
    const progress: { resumedFrom?: Partial<Record<'rgb' | 'flow', number>> }[] = [];
    const resumed = await run(out, { resume: next, flow, onProgress: (p) => progress.push(p) });
    expect(resumed.resumedFrom).toEqual({ rgb: from, flow: from });
    expect(progress[0]?.resumedFrom).toEqual({ rgb: from, flow: from });
    // the flow entries before the chunk it restarted at were not computed again
    expect(flow.pairs).toBe(n - 1 - planChunks(n - 1, chunk)[from].start);
    for (const name of names) expect(out.files.get(name), name).toEqual(whole.files.get(name));
    expect([...resumed.streams.rgb!.logits]).toEqual([...full.streams.rgb!.logits]);
    expect([...resumed.streams.flow!.logits]).toEqual([...full.streams.flow!.logits]);
  }, 600_000);

  it('a run cut off mid-chunk (streams not level, rows past the record) resumes exactly', async () => {
    const { dir: whole } = await reference();
    const out = new MemoryDir();
    const cancel = new AbortController();
    let next: Partial<Record<'rgb' | 'flow', number>> = {};
    await expect(
      run(out, {
        signal: cancel.signal,
        onChunk: (nx) => {
          next = nx;
          if ((nx.rgb ?? 0) >= 2) cancel.abort();
        },
      }),
    ).rejects.toThrow(/E_CANCELLED/);
    expect(next.rgb).toBeGreaterThan(next.flow ?? 0);
    await run(out, { resume: next });
    for (const name of names) expect(out.files.get(name), name).toEqual(whole.files.get(name));
  }, 600_000);
});
