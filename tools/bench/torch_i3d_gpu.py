#!/usr/bin/env python3
"""PyTorch timing of the reference I3D (tools/reference/i3d.py) on a CUDA GPU and on the CPU, for the GPU route of
issue 12 (tools/bench/gpu.ts measures the app's WebGPU path on the same machine): the reference to set the WebGPU
figures against.
    python3 tools/bench/torch_i3d_gpu.py [--frames 64,256] [--runs 5] [--cpu-runs 2] [--width-divisor 1] --json OUT.json
Random weights (PyTorch's default init; the time does not depend on the values), both streams (3 and 2 input
channels, 400 classes), input (1, C, T, 224, 224) float32 uniform in [-1, 1). CUDA: fp32 (TF32 off, then on: PyTorch's
default for convolutions is on) and fp16 (model and input in half), one untimed run, then --runs timed runs of
model.features under no_grad, each synchronised. CPU: all cores, one untimed run, --cpu-runs timed runs, T=64 only.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'reference'))
from i3d import InceptionI3d  # noqa: E402


def timed(model, x, runs, sync):
    out = []
    with torch.no_grad():
        for _ in range(runs + 1):
            sync()
            t = time.perf_counter()
            model.features(x)
            sync()
            out.append(time.perf_counter() - t)
    return {'warmupSeconds': out[0], 'seconds': out[1:], 'median': float(np.median(out[1:]))}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--frames', default='64,256')
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--cpu-runs', type=int, default=2)
    ap.add_argument('--width-divisor', type=int, default=1)
    ap.add_argument('--json', required=True)
    a = ap.parse_args()
    frames = [int(f) for f in a.frames.split(",")]
    torch.set_num_threads(os.cpu_count() or 1)
    report = {'torch': torch.__version__, 'cuda': torch.cuda.is_available(), 'rows': []}
    if torch.cuda.is_available():
        report['gpu'] = torch.cuda.get_device_name(0)
    rng = np.random.default_rng(12345)

    def save():
        with open(a.json, 'w') as f:
            json.dump(report, f, indent=2)

    for stream, channels in (('rgb', 3), ('flow', 2)):
        torch.manual_seed(1)
        model = InceptionI3d(num_classes=400, in_channels=channels, width_divisor=a.width_divisor).eval()
        if torch.cuda.is_available():
            dev = torch.device('cuda')
            model = model.to(dev)
            torch.backends.cudnn.benchmark = True
            for T in frames:
                x = torch.from_numpy(rng.uniform(-1, 1, (1, channels, T, 224, 224)).astype(np.float32)).to(dev)
                for label, tf32 in (('fp32', False), ('fp32-tf32', True)):
                    torch.backends.cudnn.allow_tf32 = tf32
                    torch.backends.cuda.matmul.allow_tf32 = tf32
                    row = {'stream': stream, 'device': 'cuda', 'dtype': label, 'frames': T, **timed(model, x, a.runs, torch.cuda.synchronize)}
                    report['rows'].append(row)
                    print(json.dumps(row), flush=True)
                half = model.half()
                row = {'stream': stream, 'device': 'cuda', 'dtype': 'fp16', 'frames': T, **timed(half, x.half(), a.runs, torch.cuda.synchronize)}
                report['rows'].append(row)
                print(json.dumps(row), flush=True)
                model = half.float()
                save()
            model = model.cpu()
        if a.cpu_runs > 0:
            x = torch.from_numpy(rng.uniform(-1, 1, (1, channels, 64, 224, 224)).astype(np.float32))
            row = {'stream': stream, 'device': 'cpu', 'threads': torch.get_num_threads(), 'dtype': 'fp32', 'frames': 64,
                   **timed(model, x, a.cpu_runs, lambda: None)}
            report['rows'].append(row)
            print(json.dumps(row), flush=True)
            save()
    save()


if __name__ == '__main__':
    main()
