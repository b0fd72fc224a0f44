/**
 * Benchmark stage `chunks` (issue 12, memory by budget): peak memory and wall time of `npm run extract` per chunk
 * length, both streams, q8 on WASM, published-width random-weight checkpoints. Inputs: the fixture (320×240 →
 * 342×256, 355 frames) and synthetic 1080p testsrc2 clips at --fps 2 (3 minutes, 360 frames, and 10 minutes, 1200
 * frames; 455×256 decode; the 10-minute one only when BENCH_CHUNK_INPUTS names it).
 * The figures: the peak summed PSS of all Chromium processes during the extraction and the renderer's VmHWM (the
 * page with its workers; lib/commands.ts), per chunk length. They are what src/pipeline/memory-budget.ts is fitted
 * to. Not run by default (`npm run bench -- chunks`): full mode is about half an hour on a 2-core machine.
 *
 * Environment: BENCH_CHUNKS=128,256,budget=2G (chunk lengths, or memory budgets: the CLI's --memory-budget picks the
 * length and the WASM graph's form), BENCH_CHUNK_INPUTS=fixture,1080p,1080p10 (the inputs;
 * default fixture,1080p).
 */
import { runAppExtract, type CommandRun } from './lib/commands';
import { FIXTURE } from './lib/env';
import { checkpoint } from './lib/models';
import type { Figure, StageData } from './lib/schema';
import { figure, type StageOptions } from './lib/stats';
import { syntheticVideo } from './lib/videos';

const FPS_1080P = 2;

interface Input {
  key: string;
  what: string;
  video: () => string;
  fps?: number;
  maxFrames?: number;
}

function inputs(opts: StageOptions): Input[] {
  const all: Input[] = [
    { key: 'fixture', what: 'fixture 320×240 → 342×256, 355 frames', video: () => FIXTURE, ...(opts.dryRun ? { maxFrames: 40 } : {}) },
    {
      key: '1080p',
      what: `testsrc2 1920×1080 3 min at --fps ${FPS_1080P} (360 frames, 455×256 decode)`,
      video: () => syntheticVideo(opts.dryRun ? { width: 320, height: 240, seconds: 3, fps: 25 } : { width: 1920, height: 1080, seconds: 180, fps: 25 }),
      fps: FPS_1080P,
    },
    {
      key: '1080p10',
      what: `testsrc2 1920×1080 10 min at --fps ${FPS_1080P} (1200 frames, 455×256 decode)`,
      video: () => syntheticVideo(opts.dryRun ? { width: 320, height: 240, seconds: 3, fps: 25 } : { width: 1920, height: 1080, seconds: 600, fps: 25 }),
      fps: FPS_1080P,
    },
  ];
  const wanted = (process.env.BENCH_CHUNK_INPUTS ?? 'fixture,1080p').split(',');
  return all.filter((i) => wanted.includes(i.key));
}

export async function run(opts: StageOptions): Promise<StageData> {
  const chunks = (process.env.BENCH_CHUNKS ?? (opts.dryRun ? '128' : opts.quick ? '128,256' : '128,192,256')).split(',');
  const divisor = opts.dryRun ? 8 : 1;
  const rgb = await checkpoint('rgb', divisor);
  const flow = await checkpoint('flow', divisor);
  const runs = opts.runs ?? 1;
  const figures: Figure[] = [];
  const details: Record<string, CommandRun[]> = {};
  for (const input of inputs(opts)) {
    const video = input.video();
    for (const chunk of chunks) {
      const budget = chunk.startsWith('budget=') ? chunk.slice('budget='.length) : undefined;
      const list: CommandRun[] = [];
      for (let r = 0; r < runs; r++) {
        const x = await runAppExtract({
          video,
          rgb,
          flow,
          ...(budget !== undefined ? { memoryBudget: budget } : { chunk: Number(chunk) }),
          dtype: 'q8',
          fps: input.fps,
          maxFrames: input.maxFrames,
        });
        list.push(x);
        console.log(
          `chunks ${input.key} ${budget !== undefined ? `--memory-budget ${budget}` : `--chunk ${chunk}`} run ${r + 1}: ${x.wallSeconds.toFixed(1)} s; Chromium PSS peak ${x.peakSumPssMiB} MiB (extraction ${x.extraction?.peakSumPssMiB} MiB), renderer peak ${x.extraction?.rendererHwmMiB} MiB; stages ${JSON.stringify(x.stages ?? {})}`,
        );
      }
      details[`${input.key}.${chunk}`] = list;
      const params = {
        input: input.key,
        chunk: budget !== undefined ? `budget ${budget}` : Number(chunk),
        streams: 'rgb+flow',
        dtype: 'q8',
        backend: 'wasm',
        width: divisor === 1 ? 'published' : `1/${divisor}`,
      };
      const what = `${input.what}, both streams, ${budget !== undefined ? `--memory-budget ${budget}` : `--chunk ${chunk}`}`;
      figures.push(
        figure(
          `chunks.pss.${input.key}.${chunk}`,
          `Chromium processes, peak summed PSS of the whole command, ${what}`,
          'app',
          'MiB',
          list.map((x) => x.peakSumPssMiB),
          params,
        ),
        figure(
          `chunks.renderer.${input.key}.${chunk}`,
          `renderer peak (VmHWM) during the extraction, ${what}`,
          'app',
          'MiB',
          list.map((x) => x.extraction?.rendererHwmMiB ?? 0),
          params,
        ),
        figure(
          `chunks.wall.${input.key}.${chunk}`,
          `npm run extract wall time, ${what}`,
          'info',
          's',
          list.map((x) => x.wallSeconds),
          params,
        ),
      );
    }
  }
  return {
    figures,
    ratios: [],
    skipped: [],
    method: [
      `\`npm run extract\` with --streams rgb,flow --dtype q8 --chunk N (N = ${chunks.join(', ')}), ${divisor === 1 ? 'published-width' : 'slim'} random-weight checkpoints, ${runs} run(s) each.`,
      'Memory: PSS of all Chromium processes summed every 200 ms or more (the sampler keeps to 5% of a core; shared pages split between them), the largest sum over the whole command (model import and conversion included); the renderer’s VmHWM from the first progress line on (lib/procs.ts).',
    ],
    details,
  };
}
