"""Reads an `npm run extract -- --h5` file with h5py and compares it with the output folders: prints one JSON report.

usage: read_h5.py FILE.h5 OUT_DIR

For every group listed in the root's `videos`: each array dataset against its folder's .npy (numpy array_equal, same
dtype and shape), step_frames / step_times against meta.json's `steps`, and the group's attributes as JSON.
"""
import json
import os
import sys

import h5py
import numpy as np


def plain(v):
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.ndarray):
        return [plain(x) for x in v.tolist()]
    if isinstance(v, np.generic):
        return v.item()
    return v


def main(path, out):
    report = {"attrs": {}, "videos": [], "groups": {}, "paths": []}
    with h5py.File(path, "r") as f:
        report["attrs"] = {k: plain(v) for k, v in f.attrs.items()}
        report["videos"] = list(f["videos"].asstr()) if "videos" in f else []
        f.visit(report["paths"].append)
        for name in report["videos"]:
            g = f[name]
            arrays = {}
            for key, d in g.items():
                if not isinstance(d, h5py.Dataset) or key.startswith("step_"):
                    continue
                ref = np.load(os.path.join(out, name, key + ".npy"))
                value = d[()]
                arrays[key] = {
                    "equal": bool(value.dtype == ref.dtype and value.shape == ref.shape and np.array_equal(value, ref)),
                    "shape": list(value.shape),
                    "dtype": str(value.dtype),
                    "chunked": d.chunks is not None,
                }
            with open(os.path.join(out, name, "meta.json")) as m:
                steps = json.load(m)["steps"]
            frames = np.array([[s["firstFrame"], s["centerFrame"], s["lastFrame"]] for s in steps], dtype=np.int32)
            times = np.array([[s["firstTime"], s["centerTime"], s["lastTime"]] for s in steps], dtype=np.float64)
            report["groups"][name] = {
                "arrays": arrays,
                "steps_equal": bool(
                    g["step_frames"].dtype == np.int32
                    and np.array_equal(g["step_frames"][()], frames)
                    and g["step_times"].dtype == np.float64
                    and np.array_equal(g["step_times"][()], times)
                ),
                "attrs": {k: plain(v) for k, v in g.attrs.items()},
            }
    print(json.dumps(report))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
