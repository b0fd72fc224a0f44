/**
 * runVideo with stand-in engines: the frame count is planned, checked, and a wrong plan is run again; its files are
 * whole or absent when the disk fills up mid-write.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { FrameBatch } from '../decode/frames';
import type { VideoMeta } from '../decode/probe';
import { decodeNpy } from '../io/npy';
import { AppError } from '../errors';
import { isPart, MemoryDir } from '../io/output';
import { featureLength, type TemporalPads } from '../model/graph/pads';
import type { ChunkFeatures, StreamModel } from './extract';
import { describeFolder } from './results';
import { RESUME_FILE, runVideo, type VideoJob } from './video';

const W = 232;
const H = 224;

/** Features that depend on the input, its length and the pads (so a run planned for another N differs). */
const fakeModel: StreamModel = {
  inChannels: 3,
  classes: 4,
  featureChannels: 8,
  async run(x: Float32Array, T: number, pads: TemporalPads): Promise<ChunkFeatures> {
    const steps = featureLength(T, pads);
    const sig = pads.conv1a[0] * 100 + pads.pool4a[0] * 10 + pads.pool5a[0] + x[0] + T / 1000;
    const fc = Float32Array.from({ length: steps * 8 }, (_, i) => sig + i);
    return {
      fc,
      map: new Float32Array(steps * 49 * 8).fill(sig),
      logits: Float32Array.from({ length: steps * 4 }, (_, i) => sig - i),
      steps,
      channels: 8,
      classes: 4,
    };
  },
};

function job(n: number, expectedFrames: number | null, countFrames: () => Promise<number>): VideoJob & { out: MemoryDir } {
  const frames = async function* (): AsyncGenerator<FrameBatch> {
    for (let s = 0; s < n; s += 8) {
      yield { start: s, width: W, height: H, frames: Array.from({ length: Math.min(8, n - s) }, (_, k) => new Uint8Array(W * H * 3).fill((s + k) % 251)) };
    }
  };
  return {
    source: { name: 'v.mp4', bytes: 1 },
    probe: {
      width: W,
      height: H,
      decodedWidth: W,
      decodedHeight: H,
      rotation: 0,
      fps: 25,
      fpsFraction: '25/1',
      duration: n / 25,
      frameCount: expectedFrames ?? n,
      packetCount: n,
      codec: 'h264',
      hasAudio: false,
    } satisfies VideoMeta,
    expectedFrames,
    countFrames,
    frames,
    models: {
      rgb: { model: fakeModel, describe: () => ({ model: { name: 'm', modality: 'rgb', classes: 4, dtype: 'fp32', widthDivisor: 1 }, backend: 'wasm' }) },
    },
    fps: null,
    flowMode: 'float',
    maxChunkFrames: 256,
    out: new MemoryDir(),
    classNames: (k) => Array.from({ length: k }, (_, i) => `c${i}`),
  };
}

/** Like OPFS: a file has at most one open handle (createSyncAccessHandle refuses a second); close and abandon release it. */
class ExclusiveDir extends MemoryDir {
  readonly open = new Set<string>();
  override async create(name: string) {
    if (this.open.has(name)) throw new Error(`${name} is already open`);
    const f = await super.create(name);
    this.open.add(name);
    return {
      ...f,
      close: () => {
        this.open.delete(name);
        return f.close();
      },
      abandon: () => {
        this.open.delete(name);
        return f.abandon();
      },
    };
  }
}

const fc = (j: { out: MemoryDir }) => [...(decodeNpy(j.out.files.get('rgb_fc.npy') as Uint8Array).data as Float32Array)];

describe('runVideo frame count', () => {
  it('uses the expected count without a counting pass when it is right', async () => {
    const count = vi.fn(async () => 40);
    const j = job(40, 40, count);
    const s = await runVideo(j);
    expect(count).not.toHaveBeenCalled();
    expect(s.meta.video.decodedFrames).toBe(40);
    // where the extraction's time went, per stage, within its wall time
    expect(Object.keys(s.meta.stageSeconds ?? {}).sort()).toEqual(['decodeWait', 'i3d_rgb', 'prepare', 'write']);
    const busy = Object.values(s.meta.stageSeconds ?? {}).reduce((a, b) => a + b, 0);
    expect(busy).toBeLessThanOrEqual(s.meta.seconds.extract + 0.01);
    expect(s.meta.decodeWarnings).toEqual([]);
    expect(Object.keys(s.files)).toEqual(
      expect.arrayContaining(['rgb_fc.npy', 'rgb_map.npy', 'rgb_logits.npy', 'features.npz', 'meta.json', 'predictions.json']),
    );
  });

  it('records what the decoder and the CPU flow workers say they worked (busySeconds), and nothing when they say nothing', async () => {
    const plain = await runVideo(
      job(
        40,
        40,
        vi.fn(async () => 40),
      ),
    );
    expect(plain.meta.busySeconds).toBeUndefined();
    const j = job(
      40,
      40,
      vi.fn(async () => 40),
    );
    const s = await runVideo({ ...j, decodeBusySeconds: () => 1.25 });
    expect(s.meta.busySeconds).toEqual({ decode: 1.25 });
    const flow = { backend: 'cpu', parallelism: 2, entry: async () => new Float32Array(0), work: () => ({ seconds: 7.5, workers: 2 }) };
    const f = await runVideo({
      ...job(
        40,
        40,
        vi.fn(async () => 40),
      ),
      decodeBusySeconds: () => 0.5,
      flow,
    });
    expect(f.meta.busySeconds).toEqual({ decode: 0.5, flow: 7.5, flowWorkers: 2 });
  });

  it('counts first when no count is known', async () => {
    const count = vi.fn(async () => 40);
    const j = job(40, null, count);
    await runVideo(j);
    expect(count).toHaveBeenCalledOnce();
    expect(fc(j)).toEqual(
      fc(
        await (async () => {
          const r = job(40, 40, count);
          await runVideo(r);
          return r;
        })(),
      ),
    );
  });

  for (const wrong of [37, 45]) {
    it(`runs again with the true count when the container said ${wrong} (of 40)`, async () => {
      const right = job(40, 40, async () => 40);
      await runVideo(right);
      const j = job(40, wrong, async () => 40);
      const s = await runVideo(j);
      expect(s.meta.video.decodedFrames).toBe(40);
      expect(fc(j)).toEqual(fc(right));
      // the wrong count is reported, not refused
      expect(s.meta.decodeWarnings).toEqual([{ message: `container lists ${wrong} frames, decoded 40`, count: 1 }]);
    });
  }

  it('releases the files of the planned run before running again (one open handle per file, as in OPFS)', async () => {
    const j = job(23, 40, async () => 23);
    const dir = new ExclusiveDir();
    j.out = dir;
    const s = await runVideo(j);
    expect(s.meta.video.decodedFrames).toBe(23);
    expect(dir.open.size).toBe(0);
  });

  it("writes the decoder's warnings into meta.json, after the frame-count mismatch", async () => {
    const j = job(40, 50, async () => 40);
    j.decodeWarnings = () => [{ message: 'h264: Invalid NAL unit size (# > #).', count: 2 }];
    const s = await runVideo(j);
    const written = JSON.parse(new TextDecoder().decode(j.out.files.get('meta.json'))) as { decodeWarnings: unknown };
    expect(written.decodeWarnings).toEqual([
      { message: 'container lists 50 frames, decoded 40', count: 1 },
      { message: 'h264: Invalid NAL unit size (# > #).', count: 2 },
    ]);
    expect(s.meta.decodeWarnings).toEqual(written.decodeWarnings);
  });
});

/** A disk that fills up: writes to `file` fail with E_QUOTA once `afterBytes` of it are written (the bytes before written). */
class FullDiskDir extends ExclusiveDir {
  constructor(
    private readonly file: string,
    private left: number,
  ) {
    super();
  }
  override async create(name: string) {
    const f = await super.create(name);
    if (name !== this.file) return f;
    return {
      ...f,
      write: async (chunk: Uint8Array) => {
        const n = Math.min(chunk.length, this.left);
        this.left -= n;
        await f.write(chunk.subarray(0, n));
        if (n < chunk.length) throw new AppError('E_QUOTA', 'the quota has been exceeded');
      },
    };
  }
}

describe('runVideo files are whole or absent', () => {
  const resumable = (n: number) => ({ ...job(n, n, async () => n), resume: { key: 'k' }, maxChunkFrames: 128 });

  it('a finished folder holds only whole files, the summary lists them', async () => {
    const j = resumable(300);
    const s = await runVideo(j);
    const names = [...j.out.files.keys()].sort();
    expect(names).toEqual(['features.npz', 'meta.json', 'predictions.json', 'rgb_fc.npy', 'rgb_logits.npy', 'rgb_map.npy']);
    expect(Object.keys(s.files).sort()).toEqual(names);
  });

  it("meta.json holds every other file's size and SHA-256, as written", async () => {
    const j = resumable(300);
    const s = await runVideo(j);
    const meta = JSON.parse(new TextDecoder().decode(j.out.files.get('meta.json'))) as typeof s.meta;
    const expected = Object.fromEntries(
      [...j.out.files]
        .filter(([name]) => name !== 'meta.json')
        .map(([name, bytes]) => [name, { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }]),
    );
    expect(Object.keys(expected)).toHaveLength(5);
    expect(meta.checksums).toEqual(expected);
    expect(s.meta.checksums).toEqual(expected);
  });

  for (const [file, afterBytes] of [
    ['rgb_map.npy', 20_000],
    ['features.npz', 1000],
    ['predictions.json', 10],
    ['meta.json', 1000],
    // the second record fails: the first stays whole
    [RESUME_FILE, 100],
  ] as const) {
    it(`a full disk while writing ${file} fails the video with E_QUOTA, leaves nothing under that name, no handle open and no complete folder`, async () => {
      const whole = resumable(300);
      await runVideo(whole);
      const j = resumable(300);
      const dir = new FullDiskDir(file, afterBytes);
      j.out = dir;
      await expect(runVideo(j)).rejects.toMatchObject({ code: 'E_QUOTA' });
      // (the progress record: the last one written whole stays)
      expect(dir.files.has(file)).toBe(file === RESUME_FILE);
      expect(dir.open.size).toBe(0);
      expect((await describeFolder(dir)).complete).toBe(false);
      // what is under a final name is whole: as in the run that finished
      for (const [name, bytes] of dir.files) if (!isPart(name) && name !== RESUME_FILE) expect(bytes).toEqual(whole.out.files.get(name));
      if (dir.files.has(RESUME_FILE)) expect(() => JSON.parse(new TextDecoder().decode(dir.files.get(RESUME_FILE))) as unknown).not.toThrow();
    });
  }

  it('a run stopped by a full disk goes on from its last recorded chunk once there is space, and ends as an uninterrupted run', async () => {
    const whole = resumable(300);
    await runVideo(whole);
    const j = resumable(300);
    const dir = new FullDiskDir('rgb_fc.npy', 1000);
    j.out = dir;
    await expect(runVideo(j)).rejects.toMatchObject({ code: 'E_QUOTA' });
    expect([...dir.files.keys()].filter(isPart).sort()).toEqual(['rgb_fc.npy.part', 'rgb_logits.npy.part', 'rgb_map.npy.part']);
    const again = resumable(300);
    for (const [name, bytes] of dir.files) again.out.files.set(name, bytes);
    const s = await runVideo(again);
    expect(s.meta.resumedFrom?.rgb).toBeGreaterThan(0);
    for (const name of ['rgb_fc.npy', 'rgb_map.npy', 'rgb_logits.npy', 'features.npz']) expect(again.out.files.get(name)).toEqual(whole.out.files.get(name));
    expect([...again.out.files.keys()].filter(isPart)).toEqual([]);
  });
});
