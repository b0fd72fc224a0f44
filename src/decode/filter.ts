/**
 * The canonical decode of DESIGN.md §3 step 1, in one place: the app's ffmpeg.wasm decoder, the Node CLIs
 * (native ffmpeg) and the Python reference all use exactly this filter graph and these flags.
 */

/** Short side of the decoded frames. */
export const SHORT_SIDE = 256;

/** swscale flags that make ffmpeg.wasm byte-identical to native ffmpeg 5.1 (no SIMD colour paths). */
export const SWS_FLAGS = 'bicubic+accurate_rnd+full_chroma_int+bitexact';

/**
 * The -vf filter graph: optional `fps=F` first, then scale so the short side is 256 and the long side keeps the
 * aspect ratio rounded to an even number, then rgb24.
 */
export function canonicalFilter(fps?: number): string {
  if (fps !== undefined && !(Number.isFinite(fps) && fps > 0)) throw new RangeError(`fps must be positive, got ${fps}`);
  const scale = `scale=w='if(lte(iw,ih),${SHORT_SIDE},-2)':h='if(lte(iw,ih),-2,${SHORT_SIDE})'` + `:flags=${SWS_FLAGS}`;
  return `${fps !== undefined ? `fps=${fps},` : ''}${scale},format=rgb24`;
}

/** Output options that go with the filter (after the input): every frame once, video only, bit-exact. */
export const CANONICAL_OUTPUT_ARGS = ['-fps_mode', 'passthrough', '-an', '-sn', '-dn', '-flags:v', '+bitexact'] as const;

/**
 * Input options (before the input). One decoder thread: ffmpeg.wasm's core has one, and on a damaged H.264 stream
 * the error concealment of a frame-threaded decoder depends on the thread count (native ffmpeg's default is the
 * machine's core count), so native and wasm frames are equal only with the count pinned. Intact streams decode
 * to the same frames with any count.
 */
export const CANONICAL_INPUT_ARGS = ['-threads', '1', '-fflags', '+bitexact'] as const;

/**
 * The full ffmpeg argument list (without the program name) that decodes `input` to raw rgb24 frames in `output`
 * with the given muxer (`rawvideo` for raw bytes, `image2pipe` with `-c:v ppm` for self-describing frames).
 */
export function canonicalArgs(input: string, output: string, opts: { fps?: number; maxFrames?: number; muxer?: 'rawvideo' | 'ppm' } = {}): string[] {
  const args = ['-nostdin', '-y', ...CANONICAL_INPUT_ARGS, '-i', input, '-vf', canonicalFilter(opts.fps), ...CANONICAL_OUTPUT_ARGS];
  if (opts.maxFrames !== undefined) args.push('-frames:v', String(opts.maxFrames));
  if (opts.muxer === 'ppm') args.push('-c:v', 'ppm', '-f', 'image2pipe');
  else args.push('-f', 'rawvideo', '-pix_fmt', 'rgb24');
  args.push(output);
  return args;
}

/** The frame size the canonical filter produces for a displayed (rotation-applied) size. */
export function canonicalSize(width: number, height: number): { width: number; height: number } {
  const even = (x: number) => 2 * Math.round(x / 2);
  if (width <= height) return { width: SHORT_SIDE, height: even((height * SHORT_SIDE) / width) };
  return { width: even((width * SHORT_SIDE) / height), height: SHORT_SIDE };
}
