/** runVideo with stand-in engines: the frame count is planned, checked, and a wrong plan is run again. */
import { describe, expect, it, vi } from 'vitest';
import type { FrameBatch } from '../decode/frames';
import type { VideoMeta } from '../decode/probe';
import { decodeNpy } from '../io/npy';
import { MemoryDir } from '../io/output';
import { featureLength, type TemporalPads } from '../model/graph/pads';
import type { ChunkFeatures, StreamModel } from './extract';
import { runVideo, type VideoJob } from './video';

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

/** Like OPFS: a file has at most one open handle (createSyncAccessHandle refuses a second). */
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
