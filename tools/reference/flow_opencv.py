#!/usr/bin/env python3
"""OpenCV reference for TV-L1 optical flow (DESIGN.md section 3, step 3).

Computes cv2.optflow.DualTVL1OpticalFlow with OpenCV's default parameters between consecutive frames and writes
the raw flow (before any clipping) as float32 .npy of shape (n-1, H, W, 2), channels (x, y).

Inputs (one of):
  --video FILE     decoded with the native ffmpeg CLI and the canonical filter graph (DESIGN.md section 3 step 1);
                   pass --filter to use exactly the string the TypeScript side uses (src/decode/filter.ts)
  --frames FILE    an .npy of frames: (n, H, W) uint8 grey, or (n, H, W, 3) uint8 RGB (converted with
                   cv2.COLOR_RGB2GRAY), or (n, H, W) float32 (used as is)

Options:
  --out FILE           flow .npy to write
  --max-frames N       use at most the first N frames (N-1 pairs)
  --threads T          cv2.setNumThreads(T) (default: OpenCV's own choice)
  --param NAME=VALUE   override a DualTVL1 parameter (tau, lambda, theta, nscales, warps, epsilon,
                       innerIterations, outerIterations, scaleStep, gamma, medianFiltering); repeatable
  --gray-out FILE      also write the grey uint8 frames (n, H, W) that went into the flow
  --timing-json FILE   write {"pairs": [...seconds per pair...], "threads": T, "opencv": version, "size": [W, H]}
  --repeat R           compute every pair R times (timing only; the flow of the last run is written)
  --warmup N           compute the first pair N times untimed before starting (thread pools, caches)

A fresh DualTVL1 object is created for every pair: OpenCV's calc() lowers the object's own number of scales
permanently when a frame is too small for the pyramid, so reusing one object across sizes would leak state.
"""
import argparse
import json
import re
import subprocess
import sys
import time

import cv2
import numpy as np

# Default filter graph; the TypeScript side passes its own (identical) string with --filter.
CANONICAL_FILTER = (
    "scale=w='if(lte(iw,ih),256,-2)':h='if(lte(iw,ih),-2,256)'"
    ":flags=bicubic+accurate_rnd+full_chroma_int+bitexact,format=rgb24"
)

PARAM_SETTERS = {
    'tau': ('setTau', float),
    'lambda': ('setLambda', float),
    'theta': ('setTheta', float),
    'nscales': ('setScalesNumber', int),
    'warps': ('setWarpingsNumber', int),
    'epsilon': ('setEpsilon', float),
    'innerIterations': ('setInnerIterations', int),
    'outerIterations': ('setOuterIterations', int),
    'scaleStep': ('setScaleStep', float),
    'gamma': ('setGamma', float),
    'medianFiltering': ('setMedianFiltering', int),
}


def decode_video(path, filt, max_frames):
    """rgb24 frames (n, H, W, 3) from the native ffmpeg CLI with the canonical filter graph.

    One decoder thread (as ffmpeg.wasm's single-thread core): on a damaged stream the error concealment of
    frame-threaded H.264 decoding depends on the thread count (so on the machine's cores); on an intact one the
    frames are the same either way."""
    args = ['ffmpeg', '-nostdin', '-hide_banner', '-threads', '1', '-fflags', '+bitexact', '-i', path, '-vf', filt,
            '-fps_mode', 'passthrough', '-an', '-sn', '-dn', '-flags:v', '+bitexact']
    if max_frames is not None:
        args += ['-frames:v', str(max_frames)]
    args += ['-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']
    proc = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    err = proc.stderr.decode('utf-8', 'replace')
    if proc.returncode != 0:
        sys.exit(f'ffmpeg failed ({proc.returncode}):\n{err}')
    out_section = err[err.find('Output #0'):]
    m = re.search(r'Video: .*?, (\d+)x(\d+)', out_section)
    if not m:
        sys.exit(f'could not find the output frame size in ffmpeg output:\n{err}')
    w, h = int(m.group(1)), int(m.group(2))
    data = np.frombuffer(proc.stdout, dtype=np.uint8)
    n = data.size // (w * h * 3)
    return data[: n * w * h * 3].reshape(n, h, w, 3)


def to_gray(frames):
    if frames.dtype == np.uint8 and frames.ndim == 4 and frames.shape[3] == 3:
        return np.stack([cv2.cvtColor(f, cv2.COLOR_RGB2GRAY) for f in frames])
    if frames.ndim == 3 and frames.dtype in (np.uint8, np.float32):
        return frames
    sys.exit(f'unsupported frames array: shape {frames.shape}, dtype {frames.dtype}')


def make_tvl1(params):
    tvl1 = cv2.optflow.DualTVL1OpticalFlow_create()
    for name, value in params.items():
        setter, cast = PARAM_SETTERS[name]
        getattr(tvl1, setter)(cast(value))
    return tvl1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument('--video')
    src.add_argument('--frames')
    ap.add_argument('--filter', default=CANONICAL_FILTER)
    ap.add_argument('--out')
    ap.add_argument('--max-frames', type=int)
    ap.add_argument('--threads', type=int)
    ap.add_argument('--param', action='append', default=[])
    ap.add_argument('--gray-out')
    ap.add_argument('--timing-json')
    ap.add_argument('--repeat', type=int, default=1)
    ap.add_argument('--warmup', type=int, default=0)
    a = ap.parse_args()

    params = {}
    for p in a.param:
        name, _, value = p.partition('=')
        if name not in PARAM_SETTERS:
            sys.exit(f'unknown parameter {name}; known: {", ".join(PARAM_SETTERS)}')
        params[name] = value

    if a.threads is not None:
        cv2.setNumThreads(a.threads)

    if a.video:
        frames = decode_video(a.video, a.filter, a.max_frames)
    else:
        frames = np.load(a.frames)
        if a.max_frames is not None:
            frames = frames[: a.max_frames]
    gray = to_gray(frames)
    if a.gray_out:
        np.save(a.gray_out, np.ascontiguousarray(gray))

    n = gray.shape[0]
    flow = np.zeros((max(n - 1, 0),) + gray.shape[1:3] + (2,), np.float32)
    times = []
    for _ in range(a.warmup if n > 1 else 0):
        make_tvl1(params).calc(gray[0], gray[1], None)
    for i in range(n - 1):
        for _ in range(a.repeat):
            tvl1 = make_tvl1(params)
            t0 = time.perf_counter()
            f = tvl1.calc(gray[i], gray[i + 1], None)
            times.append(time.perf_counter() - t0)
        flow[i] = f
    if a.out:
        np.save(a.out, flow)
    if a.timing_json:
        with open(a.timing_json, 'w') as fh:
            json.dump({'pairs': times, 'threads': cv2.getNumThreads(), 'opencv': cv2.__version__,
                       'size': [int(gray.shape[2]), int(gray.shape[1])]}, fh)


if __name__ == '__main__':
    main()
