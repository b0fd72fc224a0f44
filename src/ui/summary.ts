/** A finished video's run in a few facts, from its meta.json (pure). */
import type { VideoMetaJson } from '../pipeline/meta';

const DEVICES: Record<string, string> = { wasm: 'WebAssembly', webgpu: 'WebGPU' };
const STREAMS = { rgb: 'RGB', flow: 'flow' } as const;

export interface RunFacts {
  frames: number;
  steps: number;
  /** Where each stream's model ran (and TV-L1), in words. */
  backend: string;
  /** Wall time of the run, seconds (null when meta.json does not say). */
  seconds: number | null;
  /** Decoded frames per second of that time. */
  fps: number | null;
}

export function runFacts(meta: VideoMetaJson): RunFacts {
  const parts: string[] = [];
  for (const key of ['rgb', 'flow'] as const) {
    const s = meta.streams[key];
    if (!s) continue;
    const device = DEVICES[s.backend] ?? s.backend;
    const precision = [s.model.dtype, s.model.compute && s.model.compute !== 'fp32' ? `${s.model.compute} compute` : null].filter(Boolean).join(', ');
    parts.push(`${STREAMS[key]} on ${device} (${precision})${s.fallback ? `, fell back: ${s.fallback}` : ''}`);
  }
  if (meta.flow) parts.push(`TV-L1 on ${meta.flow.backend}`);
  const seconds = meta.seconds.total ?? (meta.seconds.count ?? 0) + (meta.seconds.extract ?? 0);
  const known = Number.isFinite(seconds) && seconds > 0;
  return {
    frames: meta.video.decodedFrames,
    steps: meta.steps.length,
    backend: parts.join('; '),
    seconds: known ? seconds : null,
    fps: known ? meta.video.decodedFrames / seconds : null,
  };
}
