/**
 * The prediction timeline of one video: the scores of a few classes at every feature step, per stream and joint.
 * Pure. Each step's logits get the same activation as the video-level predictions (./predictions.ts: softmax, or
 * sigmoid for Charades' 157 multi-label classes); the joint score of a step is the activation of the sum of both
 * streams' logits at that step.
 */
import { activate, activationFor, type Activation, type ClassScore, type StreamLogits } from './predictions';

export type TimelineStream = 'rgb' | 'flow' | 'joint';

export interface Timeline {
  activation: Activation;
  /** Centre time (seconds) of each feature step's receptive window (meta.json `steps[].centerTime`). */
  times: number[];
  /** The classes followed (the top of the joint prediction, or of the one stream). */
  classes: { index: number; name: string }[];
  /** Per stream, per followed class (same order as `classes`), its score at each step. */
  scores: Partial<Record<TimelineStream, number[][]>>;
}

/** One step's (classes) row of a (steps, classes) array, in float64. */
function row(s: StreamLogits, t: number): Float64Array {
  return Float64Array.from(s.logits.subarray(t * s.classes, (t + 1) * s.classes));
}

/**
 * The timeline of `follow`'s classes over `times` (one per step). Steps beyond `times` or beyond a stream's rows
 * are left out; the joint series exists when both streams ran with the same classes.
 */
export function buildTimeline(
  streams: { rgb?: StreamLogits; flow?: StreamLogits },
  follow: readonly Pick<ClassScore, 'index' | 'name'>[],
  times: readonly number[],
): Timeline {
  const any = streams.rgb ?? streams.flow;
  if (!any) throw new RangeError('no stream to build a timeline from');
  const activation = activationFor(any.classes);
  const classes = follow.map(({ index, name }) => ({ index, name }));
  const scores: Timeline['scores'] = {};
  const series = (rows: Float64Array[]) => classes.map(({ index }) => rows.map((r) => r[index]));
  const steps = (s: StreamLogits) => Math.min(s.steps, times.length);
  const activated = (s: StreamLogits) => Array.from({ length: steps(s) }, (_, t) => activate(row(s, t), activationFor(s.classes)));
  for (const key of ['rgb', 'flow'] as const) {
    const s = streams[key];
    if (s) scores[key] = series(activated(s));
  }
  const { rgb, flow } = streams;
  if (rgb && flow && rgb.classes === flow.classes) {
    const n = Math.min(steps(rgb), steps(flow));
    const rows = Array.from({ length: n }, (_, t) => {
      const a = row(rgb, t);
      const b = row(flow, t);
      return activate(
        a.map((v, i) => v + b[i]),
        activationFor(rgb.classes),
      );
    });
    scores.joint = series(rows);
  }
  const n = Math.max(0, ...Object.values(scores).map((s) => s[0]?.length ?? 0));
  return { activation, times: times.slice(0, n), classes, scores };
}

/** The streams a timeline has, joint first (the selector's choices). */
export function timelineStreams(t: Timeline): TimelineStream[] {
  return (['joint', 'rgb', 'flow'] as const).filter((s) => t.scores[s] !== undefined);
}
