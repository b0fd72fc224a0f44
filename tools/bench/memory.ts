/**
 * Benchmark stage `memory` (full mode; tiny in --dry-run; left out in --quick): does the app's memory grow with
 * the video's length? RGB-only extraction at --fps 2 of synthetic 1080p testsrc2 videos of 2 and 10 minutes
 * (native ffmpeg, libx264 ultrafast, cached under .cache/bench/videos/) with `npm run extract`; the figures are
 * the peak resident size (VmHWM) of the renderer process that runs the page and its workers, and the peak summed
 * PSS of all Chromium processes (lib/commands.ts). The ratio 10-min / 2-min says how much memory grows with a
 * 5× longer video (1.0: not at all).
 */
import { runAppExtract, type CommandRun } from './lib/commands';
import { checkpoint } from './lib/models';
import { ratio, type Figure, type StageData } from './lib/schema';
import { figure, type StageOptions } from './lib/stats';
import { syntheticVideo, type SyntheticSpec } from './lib/videos';

const FPS = 2;

export async function run(opts: StageOptions): Promise<StageData> {
  if (opts.quick && !opts.dryRun) {
    return {
      figures: [],
      ratios: [],
      skipped: ['memory stage: full mode only (2- and 10-minute 1080p videos)'],
      method: ['Left out in quick mode.'],
    };
  }
  const short: SyntheticSpec = opts.dryRun ? { width: 320, height: 240, seconds: 3, fps: 25 } : { width: 1920, height: 1080, seconds: 120, fps: 25 };
  const long: SyntheticSpec = { ...short, seconds: short.seconds * 5 };
  const runs = opts.runs ?? 1;
  const rgb = await checkpoint('rgb', opts.dryRun ? 8 : 1);
  const figures: Figure[] = [];
  const details: Record<string, CommandRun[]> = {};
  const byLength: Record<string, { renderer: Figure; chromium: Figure }> = {};
  for (const spec of [short, long]) {
    const video = syntheticVideo(spec);
    const key = spec.seconds >= 60 ? `${spec.seconds / 60}min` : `${spec.seconds}s`;
    const what = `testsrc2 ${spec.width}×${spec.height} ${key} at --fps ${FPS} (${spec.seconds * FPS} frames), RGB only`;
    const list: CommandRun[] = [];
    for (let r = 0; r < runs; r++) {
      list.push(await runAppExtract({ video, rgb, fps: FPS }));
      console.log(
        `memory ${key} run ${r + 1}: ${list[r].wallSeconds.toFixed(1)} s; during the extraction: renderer peak ${list[r].extraction?.rendererHwmMiB} MiB, Chromium PSS peak ${list[r].extraction?.peakSumPssMiB} MiB`,
      );
    }
    details[key] = list;
    const params = { video: key, frames: spec.seconds * FPS, size: `${spec.width}x${spec.height}` };
    for (const x of list) if (!x.extraction) throw new Error('npm run extract printed no progress line: no extraction phase to measure');
    const during = (f: (e: NonNullable<CommandRun['extraction']>) => number) => list.map((x) => f(x.extraction as NonNullable<CommandRun['extraction']>));
    const renderer = figure(
      `memory.renderer.${key}`,
      `renderer peak (VmHWM) during the extraction, ${what}`,
      'app',
      'MiB',
      during((e) => e.rendererHwmMiB),
      params,
    );
    const chromium = figure(
      `memory.chromium.${key}`,
      `Chromium processes, peak summed PSS during the extraction, ${what}`,
      'app',
      'MiB',
      during((e) => e.peakSumPssMiB),
      params,
    );
    const whole = figure(
      `memory.renderer-whole.${key}`,
      `renderer peak (VmHWM) of the whole command (model import included), ${what}`,
      'info',
      'MiB',
      list.map((x) => x.rendererHwmMiB ?? 0),
      params,
    );
    const wall = figure(
      `memory.wall.${key}`,
      `npm run extract wall time, ${what}`,
      'info',
      's',
      list.map((x) => x.wallSeconds),
      params,
    );
    figures.push(renderer, chromium, whole, wall);
    byLength[key] = { renderer, chromium };
  }
  const [a, b] = Object.keys(byLength);
  return {
    figures,
    ratios: [
      ratio('memory.renderer.growth', `renderer peak memory, ${b} / ${a} video (1.0: no growth)`, byLength[b].renderer, byLength[a].renderer),
      ratio('memory.chromium.growth', `Chromium peak memory, ${b} / ${a} video (1.0: no growth)`, byLength[b].chromium, byLength[a].chromium),
    ],
    skipped: [],
    method: [
      `Videos: synthetic testsrc2 ${short.width}×${short.height} at ${short.fps} fps, ${a} and ${b} long (libx264 ultrafast); RGB-only extraction at --fps ${FPS} with \`npm run extract\` (q8, published-width random-weight RGB checkpoint${opts.dryRun ? ' — slim in dry-run' : ''}).`,
      'Memory during the extraction: when `npm run extract` prints its first progress line (the checkpoints are imported and converted, the video starts), the VmHWM of every Chromium process is reset (/proc/PID/clear_refs); then the renderer process (the page with its pipeline, decode and flow workers) has its VmHWM read until it exits, and the PSS of all Chromium processes (shared pages split between them) is summed every 200 ms or more (the sampler keeps to 5% of a core), the largest sum kept. The renderer’s peak over the whole command (model conversion included) is shown too.',
      `${runs} run(s) per video. The ratios compare the longer video with the shorter one (not the app with a reference).`,
    ],
    details,
  };
}
