#!/usr/bin/env python3
"""PyTorch CPU timing of the reference I3D (tools/reference: InceptionI3d.features -> fc, map, logits) for the
i3d stage of `npm run bench` (tools/bench/i3d.ts):
    /usr/bin/python3 tools/bench/torch_i3d.py CHECKPOINT.pt --frames T --threads N --runs R --json OUT.json
  Input (1, C, T, 224, 224) float32 uniform in [-1, 1) (fixed seed; the time does not depend on the values).
  One untimed run first, then R timed runs under torch.no_grad(). Writes {"torch", "threads", "channels",
  "frames", "loadSeconds", "warmupSeconds", "seconds": [...]}.
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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('checkpoint')
    ap.add_argument('--frames', type=int, default=64)
    ap.add_argument('--threads', type=int, required=True)
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--json', required=True)
    one_clip(ap.parse_args())


if __name__ == '__main__':
    main()
