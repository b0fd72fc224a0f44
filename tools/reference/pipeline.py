#!/usr/bin/env python3
"""The canonical pipeline of DESIGN.md section 3 in one pass, with the native tools: ffmpeg CLI decoding,
OpenCV TV-L1 flow, the PyTorch InceptionI3d of i3d.py on each whole stream. The app's outputs must match these.

    /usr/bin/python3 tools/reference/pipeline.py VIDEO [VIDEO ...] --out DIR [--rgb CKPT] [--flow CKPT] [--fps F]
        [--max-frames N] [--flow-mode float|jpeg8] [--flow-raw FLOW.npy] [--threads T]

Writes to DIR: rgb_fc.npy, rgb_map.npy, rgb_logits.npy, flow_fc.npy, flow_map.npy, flow_logits.npy (float32),
predictions.json (top-5 per stream and joint) and meta.json (frame count, padding, and for every feature step the
first / centre / last decoded frame of its receptive window, computed here independently of the app).

--flow-raw: raw TV-L1 flow (n-1, H, W, 2) of the same decoded frames (e.g. from flow_opencv.py, or an earlier run
on a longer prefix: TV-L1 of a pair does not depend on the others); the first n-1 pairs are used instead of
computing them again.

Several videos: the checkpoints are loaded once, and each video's files go to DIR/<video name without extension>/;
DIR/batch.json gives the seconds spent loading the models. meta.json's `seconds` are per step (decode, flow, and
model_<stream>: the forward pass and writing its arrays; load_<stream>, loading the checkpoint, for one video).
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from features import load_model  # noqa: E402
from flow_opencv import CANONICAL_FILTER, decode_video, make_tvl1, to_gray  # noqa: E402
from i3d import same_pad  # noqa: E402

CROP = 224
MIN_FRAMES = 9
BOUND = 20.0

# the network's time axis: (kernel, stride, data-dependent SAME pad?) per layer, the k2 s1 feature pooling last
TIME_AXIS = ([(7, 2, True), (3, 1, False), (3, 1, False), (3, 1, False), (3, 2, True)] + [(3, 1, False)] * 5
             + [(2, 2, True), (3, 1, False), (3, 1, False), (2, 1, None)])


def centre_crop(frames):
    h, w = frames.shape[1:3]
    top, left = (h - CROP) // 2, (w - CROP) // 2
    return frames[:, top:top + CROP, left:left + CROP]


def flow_input(raw, mode):
    v = np.clip(raw, -BOUND, BOUND)
    if mode == 'jpeg8':
        q = np.floor(255.0 * (v.astype(np.float64) + BOUND) / (2 * BOUND) + 0.5)
        return (q / 127.5 - 1).astype(np.float32)
    return (v / np.float32(BOUND)).astype(np.float32)


def pad_to_min(x):
    if len(x) >= MIN_FRAMES:
        return x, 0
    extra = MIN_FRAMES - len(x)
    return np.concatenate([x, np.repeat(x[-1:], extra, axis=0)]), extra


def windows(n_model, n_real, steps):
    """Receptive window [first, last] of each feature step in stream positions, by walking the pads backwards."""
    pads, length = [], n_model
    for k, s, same in TIME_AXIS:
        f = same_pad(length, k, s)[0] if same else (0 if same is None else 1)
        b = (same_pad(length, k, s)[1] if same else (0 if same is None else 1))
        pads.append(f)
        length = (length + f + b - k) // s + 1
    assert length == steps, (length, steps)
    out = []
    for t in range(steps):
        lo = hi = t
        for (k, s, _), f in zip(reversed(TIME_AXIS), reversed(pads)):
            lo, hi = s * lo - f, s * hi - f + k - 1
        clamp = lambda p: min(max(p, 0), n_real - 1)  # noqa: E731
        out.append({'step': t, 'firstFrame': clamp(lo) + 1, 'centerFrame': clamp((lo + hi) // 2) + 1,
                    'lastFrame': clamp(hi) + 1})
    return out


def predictions(logits_by_stream):
    def activate(z):
        if len(z) == 157:
            return 1 / (1 + np.exp(-z))
        e = np.exp(z - z.max())
        return e / e.sum()

    out, means = {}, {}
    for name, logits in logits_by_stream.items():
        z = logits.astype(np.float64).mean(axis=0)
        means[name] = z
        out[name] = [int(i) for i in np.argsort(-activate(z), kind='stable')[:5]]
    if len(means) == 2 and len(means['rgb']) == len(means['flow']):
        z = means['rgb'] + means['flow']
        out['joint'] = [int(i) for i in np.argsort(-activate(z), kind='stable')[:5]]
    return out


def run_video(video, out, models, args):
    """Decode, flow and both models for one video; writes its files to `out`; returns its step seconds."""
    os.makedirs(out, exist_ok=True)
    seconds = {}

    t = time.time()
    fps_prefix = '' if args.fps is None else 'fps=%g,' % args.fps
    frames = decode_video(video, fps_prefix + CANONICAL_FILTER, args.max_frames)
    n = len(frames)
    seconds['decode'] = time.time() - t
    if n < 2:
        sys.exit('%s: need at least 2 decoded frames, got %d' % (video, n))
    streams, meta_streams = {}, {}

    if 'rgb' in models:
        streams['rgb'] = centre_crop(frames[1:]).astype(np.float32) / np.float32(127.5) - np.float32(1)
    if 'flow' in models:
        t = time.time()
        raw = np.load(args.flow_raw, mmap_mode='r')[: n - 1] if args.flow_raw else None
        if raw is None or len(raw) < n - 1:
            gray = to_gray(frames)
            raw = np.stack([make_tvl1({}).calc(gray[i], gray[i + 1], None) for i in range(n - 1)])
        seconds['flow'] = time.time() - t
        streams['flow'] = centre_crop(flow_input(np.asarray(raw, dtype=np.float32), args.flow_mode))

    logits = {}
    steps = None
    for name, x in streams.items():
        t = time.time()
        x, padded = pad_to_min(x)
        with torch.no_grad():
            out_ = models[name].features(torch.from_numpy(np.ascontiguousarray(x.transpose(3, 0, 1, 2)))[None])
        for key, v in out_.items():
            np.save(os.path.join(out, '%s_%s.npy' % (name, key)), v.numpy().astype(np.float32))
        logits[name] = out_['logits'].numpy()
        steps = out_['fc'].shape[0]
        meta_streams[name] = {'frames': n - 1, 'paddedFrames': padded, 'steps': steps}
        seconds['model_' + name] = time.time() - t

    with open(os.path.join(out, 'predictions.json'), 'w') as f:
        json.dump(predictions(logits), f)
    with open(os.path.join(out, 'meta.json'), 'w') as f:
        json.dump({'decodedFrames': n, 'streams': meta_streams,
                   'steps': windows(max(n - 1, MIN_FRAMES), n - 1, steps), 'seconds': seconds}, f)
    return seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('videos', nargs='+', metavar='video')
    ap.add_argument('--out', required=True)
    ap.add_argument('--rgb')
    ap.add_argument('--flow')
    ap.add_argument('--fps', type=float)
    ap.add_argument('--max-frames', type=int)
    ap.add_argument('--flow-mode', choices=['float', 'jpeg8'], default='float')
    ap.add_argument('--flow-raw')
    ap.add_argument('--threads', type=int, default=2)
    args = ap.parse_args()
    if args.flow_raw and len(args.videos) > 1:
        sys.exit('--flow-raw is for one video')
    torch.set_num_threads(args.threads)
    import cv2
    cv2.setNumThreads(args.threads)
    os.makedirs(args.out, exist_ok=True)

    models, load = {}, {}
    for name, ckpt in (('rgb', args.rgb), ('flow', args.flow)):
        if ckpt:
            t = time.time()
            models[name] = load_model(ckpt)
            load['load_' + name] = time.time() - t
    if len(args.videos) == 1:
        seconds = run_video(args.videos[0], args.out, models, args)
        path = os.path.join(args.out, 'meta.json')
        with open(path) as f:
            meta = json.load(f)
        meta['seconds'] = {**seconds, **load}
        with open(path, 'w') as f:
            json.dump(meta, f)
        return
    names = [os.path.splitext(os.path.basename(v))[0] for v in args.videos]
    if len(set(names)) != len(names):
        sys.exit('several videos have the same name: their output folders would collide')
    for video, name in zip(args.videos, names):
        run_video(video, os.path.join(args.out, name), models, args)
    with open(os.path.join(args.out, 'batch.json'), 'w') as f:
        json.dump({'videos': len(args.videos), 'seconds': load}, f)


if __name__ == '__main__':
    main()
