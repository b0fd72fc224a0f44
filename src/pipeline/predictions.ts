/**
 * Video-level predictions from per-step logits (DESIGN §2): mean over time; Charades (157 classes, multi-label)
 * → sigmoid, otherwise softmax; two-stream = sum of the RGB and flow mean logits before the activation.
 */
export interface ClassScore {
  index: number;
  name: string;
  score: number;
  logit: number;
}

export interface StreamLogits {
  /** (steps, classes), row-major. */
  logits: Float32Array;
  steps: number;
  classes: number;
}

export type Activation = 'sigmoid' | 'softmax';

export function activationFor(classes: number): Activation {
  return classes === 157 ? 'sigmoid' : 'softmax';
}

/** Mean over time of (steps, classes) logits, in float64. */
export function meanLogits({ logits, steps, classes }: StreamLogits): Float64Array {
  const mean = new Float64Array(classes);
  for (let t = 0; t < steps; t++) for (let c = 0; c < classes; c++) mean[c] += logits[t * classes + c];
  for (let c = 0; c < classes; c++) mean[c] /= steps;
  return mean;
}

export function activate(logits: Float64Array, activation: Activation): Float64Array {
  if (activation === 'sigmoid') return logits.map((v) => 1 / (1 + Math.exp(-v)));
  const max = logits.reduce((a, b) => Math.max(a, b), -Infinity);
  const exp = logits.map((v) => Math.exp(v - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  return exp.map((v) => v / sum);
}

export function topK(scores: Float64Array, logits: Float64Array, names: readonly string[], k: number): ClassScore[] {
  return [...scores.keys()]
    .sort((a, b) => scores[b] - scores[a] || a - b)
    .slice(0, k)
    .map((index) => ({ index, name: names[index] ?? `class ${index}`, score: scores[index], logit: logits[index] }));
}

export interface Predictions {
  activation: Activation;
  classes: number;
  rgb?: ClassScore[];
  flow?: ClassScore[];
  /** Sum of both streams' mean logits, then the activation (only when both streams have the same classes). */
  joint?: ClassScore[];
}

/** predictions.json: top-k per stream and joint. */
export function predict(streams: { rgb?: StreamLogits; flow?: StreamLogits }, namesFor: (classes: number) => readonly string[], k = 5): Predictions {
  const any = streams.rgb ?? streams.flow;
  if (!any) throw new RangeError('no stream to predict from');
  const activation = activationFor(any.classes);
  const out: Predictions = { activation, classes: any.classes };
  const means: Partial<Record<'rgb' | 'flow', Float64Array>> = {};
  for (const key of ['rgb', 'flow'] as const) {
    const s = streams[key];
    if (!s) continue;
    const mean = meanLogits(s);
    means[key] = mean;
    out[key] = topK(activate(mean, activationFor(s.classes)), mean, namesFor(s.classes), k);
  }
  if (means.rgb && means.flow && means.rgb.length === means.flow.length) {
    const joint = means.rgb.map((v, i) => v + (means.flow as Float64Array)[i]);
    out.joint = topK(activate(joint, activationFor(joint.length)), joint, namesFor(joint.length), k);
  }
  return out;
}
