"""PyTorch CPU timing of the reference I3D (tools/reference/i3d.py), driven line by line from stdin.

    /usr/bin/python3 tools/bench/i3d_torch.py [--channels 3] [--classes 400]

Builds one InceptionI3d (published widths, PyTorch's default random initialisation: the timing does not
depend on the weights), then for every stdin line "FRAMES THREADS" runs `features` once on a random clip of
FRAMES frames with torch.set_num_threads(THREADS) and prints one JSON line {"frames", "threads", "seconds"}.
The first run at each (FRAMES, THREADS) is preceded by an untimed warm-up run. Used by tools/bench/i3d-browser.ts
so that PyTorch and the browser are measured alternately in the same run.
"""
import argparse
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'reference'))
from i3d import InceptionI3d  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--channels', type=int, default=3)
    ap.add_argument('--classes', type=int, default=400)
    args = ap.parse_args()
    torch.manual_seed(0)
    model = InceptionI3d(num_classes=args.classes, in_channels=args.channels).eval()
    warm = set()
    print(json.dumps({'ready': True, 'torch': torch.__version__}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        frames, threads = (int(v) for v in line.split())
        torch.set_num_threads(threads)
        x = torch.rand(1, args.channels, frames, 224, 224) * 2 - 1
        with torch.no_grad():
            if (frames, threads) not in warm:
                model.features(x)
                warm.add((frames, threads))
            t0 = time.perf_counter()
            model.features(x)
            seconds = time.perf_counter() - t0
        print(json.dumps({'frames': frames, 'threads': threads, 'seconds': seconds}), flush=True)


if __name__ == '__main__':
    main()
