#!/usr/bin/env python3
"""OpenCV image operations behind TV-L1, one by one, for bit-exact unit tests of src/flow/cpu.

Usage: cv_ops.py JOBS.json
JOBS.json is a list of jobs; each names its input/output .npy files:
  {"op": "resize_factor", "src": a.npy, "factor": 0.8, "out": b.npy}      cv2.resize(src, None, fx=f, fy=f, INTER_LINEAR)
  {"op": "resize_size", "src": a.npy, "width": W, "height": H, "out": b.npy}  cv2.resize(src, (W, H), INTER_LINEAR)
  {"op": "remap_cubic", "src": a.npy, "mapx": x.npy, "mapy": y.npy, "out": b.npy}
        cv2.remap(src, mapx, mapy, INTER_CUBIC) with the default border (constant 0), as tvl1flow.cpp calls it
  {"op": "median", "src": a.npy, "ksize": 5, "out": b.npy}                 cv2.medianBlur(src, ksize)
  {"op": "gray_all_colours", "out": g.npy}   cv2.cvtColor(RGB2GRAY) of all 2^24 colours (index = R<<16 | G<<8 | B)
"""
import json
import sys

import cv2
import numpy as np


def main():
    jobs = json.load(open(sys.argv[1]))
    for job in jobs:
        op = job['op']
        if op == 'resize_factor':
            src = np.load(job['src'])
            out = cv2.resize(src, None, fx=job['factor'], fy=job['factor'], interpolation=cv2.INTER_LINEAR)
        elif op == 'resize_size':
            src = np.load(job['src'])
            out = cv2.resize(src, (job['width'], job['height']), interpolation=cv2.INTER_LINEAR)
        elif op == 'remap_cubic':
            src = np.load(job['src'])
            out = cv2.remap(src, np.load(job['mapx']), np.load(job['mapy']), cv2.INTER_CUBIC)
        elif op == 'median':
            src = np.load(job['src'])
            out = cv2.medianBlur(src, job['ksize'])
        elif op == 'gray_all_colours':
            v = np.arange(1 << 24, dtype=np.uint32)
            rgb = np.stack([(v >> 16) & 255, (v >> 8) & 255, v & 255], -1).astype(np.uint8).reshape(4096, 4096, 3)
            out = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).reshape(-1)
        else:
            sys.exit(f'unknown op {op}')
        np.save(job['out'], np.ascontiguousarray(out))


if __name__ == '__main__':
    main()
