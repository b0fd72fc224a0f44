/**
 * What ffmpeg said while it decoded: its log lines at level warning and above (`-loglevel repeat+level+warning`
 * prefixes each with `[warning]`, `[error]`, …, and prints repeated lines every time), grouped by kind. Pure.
 */
import type { DecodeWarning } from './frames';

/** Log options for a decode whose warnings are collected (before the input). */
export const WARNING_LOG_ARGS = ['-loglevel', 'repeat+level+warning'] as const;

const LEVELED = /^(?:\[([^\]@]+?) @ 0x[0-9a-f]+\] )?\[(panic|fatal|error|warning)\] (.*)$/i;

/**
 * One kind of message: the component without its address, the input path as `input`, every number as `#`
 * ("[h264 @ 0xdf3930] [error] error while decoding MB 16 4, bytestream 2155" → "h264: error while decoding MB # #,
 * bytestream #").
 */
export function normaliseLogLine(line: string, inputPath?: string): { level: string; message: string } | null {
  const m = LEVELED.exec(line.trim());
  if (!m) return null;
  const [, component, level, text] = m;
  let message = text.trim();
  if (inputPath) message = message.split(inputPath).join('input');
  message = message
    .replace(/0x[0-9a-f]+/gi, '#')
    .replace(/-?\d+(?:\.\d+)?/g, '#')
    .replace(/#+/g, '#')
    .replace(/\s+/g, ' ');
  if (component && component !== 'NULL') message = `${component}: ${message}`;
  return { level: level.toLowerCase(), message };
}

/** Warnings and errors of a decode log, counted by kind, in order of first appearance. */
export function collectWarnings(lines: readonly string[], inputPath?: string): DecodeWarning[] {
  const counts = new Map<string, number>();
  for (const line of lines) {
    const n = normaliseLogLine(line, inputPath);
    if (n) counts.set(n.message, (counts.get(n.message) ?? 0) + 1);
  }
  return [...counts].map(([message, count]) => ({ message, count }));
}

/** Names for the codecs a user may meet; others are shown as ffmpeg names them. */
const CODEC_NAMES: Record<string, string> = { av1: 'AV1', hevc: 'HEVC (H.265)', vvc: 'VVC (H.266)', h264: 'H.264', vp9: 'VP9', vp8: 'VP8', prores: 'ProRes' };

export function codecLabel(codec: string): string {
  return CODEC_NAMES[codec.toLowerCase()] ?? codec.toUpperCase();
}

/**
 * The codec of the video stream when the log says this build cannot decode it: no decoder at all ("Decoder (codec
 * av1) not found"), or a decoder that only drives hardware (FFmpeg's own `av1` decoder without libdav1d/libaom:
 * "Your platform doesn't suppport hardware accelerated AV1 decoding").
 */
export function undecodableCodec(lines: readonly string[]): string | null {
  for (const line of lines) {
    const missing = /Decoder \(codec ([\w-]+)\) not found/i.exec(line);
    if (missing) return missing[1].toLowerCase();
    const hw = /\[([\w-]+) @ 0x[0-9a-f]+\].*(?:doesn't suppp?ort hardware accelerated|Failed to get pixel format)/i.exec(line);
    if (hw) return hw[1].toLowerCase();
  }
  return null;
}

/** The detail of E_UNSUPPORTED_CODEC. `how` says more about the stream (e.g. the encoder), when known. */
export function unsupportedCodecDetail(codec: string, how?: string): string {
  return `${codecLabel(codec)} (${how ?? codec}) — this build of ffmpeg.wasm cannot decode it`;
}
