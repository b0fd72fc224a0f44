#!/usr/bin/env python3
"""PyTorch CPU timing of the reference I3D (tools/reference: InceptionI3d.features -> fc, map, logits).

One clip (tools/bench/i3d.ts):
    /usr/bin/python3 tools/bench/torch_i3d.py CHECKPOINT.pt --frames T --threads N --runs R --json OUT.json
  Input (1, C, T, 224, 224) float32 uniform in [-1, 1) (fixed seed; the time does not depend on the values).
  One untimed run first, then R timed runs under torch.no_grad(). Writes {"torch", "threads", "channels",
  "frames", "loadSeconds", "warmupSeconds", "seconds": [...]}.

Served (tools/bench/i3d-browser.ts, so that PyTorch and the browser are measured alternately in the same run):
    /usr/bin/python3 tools/bench/torch_i3d.py --serve [--channels 3] [--classes 400]
  Builds one InceptionI3d (published widths, PyTorch's default random initialisation: the timing does not
  depend on the weights), prints {"ready", "torch"}, then for every stdin line "FRAMES THREADS" runs `features`
  once on a random clip with torch.set_num_threads(THREADS) and prints {"frames", "threads", "seconds"}. The
  first run at each (FRAMES, THREADS) is preceded by an untimed warm-up run.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'reference'))
from features import load_model  # noqa: E402
from i3d import InceptionI3d  # noqa: E402


def timed_features(model, x):
    """Seconds of one model.features(x) under no_grad."""
    with torch.no_grad():
        t = time.perf_counter()
        model.features(x)
        return time.perf_counter() - t


def one_clip(a):
    torch.set_num_threads(a.threads)
    t = time.perf_counter()
    model = load_model(a.checkpoint)
    load = time.perf_counter() - t
    rng = np.random.default_rng(12345)
    x = torch.from_numpy(rng.uniform(-1, 1, (1, model.in_channels, a.frames, 224, 224)).astype(np.float32))
    times = [timed_features(model, x) for _ in range(a.runs + 1)]
    with open(a.json, 'w') as f:
        json.dump({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'channels': model.in_channels,
                   'frames': a.frames, 'loadSeconds': load, 'warmupSeconds': times[0], 'seconds': times[1:]}, f)


def serve(a):
    torch.manual_seed(0)
    model = InceptionI3d(num_classes=a.classes, in_channels=a.channels).eval()
    warm = set()
    print(json.dumps({'ready': True, 'torch': torch.__version__}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        frames, threads = (int(v) for v in line.split())
        torch.set_num_threads(threads)
        x = torch.rand(1, a.channels, frames, 224, 224) * 2 - 1
        if (frames, threads) not in warm:
            timed_features(model, x)
            warm.add((frames, threads))
        print(json.dumps({'frames': frames, 'threads': threads, 'seconds': timed_features(model, x)}), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('checkpoint', nargs='?')
    ap.add_argument('--frames', type=int, default=64)
    ap.add_argument('--threads', type=int)
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--json')
    ap.add_argument('--serve', action='store_true')
    ap.add_argument('--channels', type=int, default=3)
    ap.add_argument('--classes', type=int, default=400)
    a = ap.parse_args()
    if a.serve:
        serve(a)
    elif a.checkpoint and a.threads and a.json:
        one_clip(a)
    else:
        ap.error('give CHECKPOINT --threads N --json OUT, or --serve')


if __name__ == '__main__':
    main()
