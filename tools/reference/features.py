"""Reference I3D features of one clip: fc, map and logits as DESIGN.md section 2 defines them.

    /usr/bin/python3 tools/reference/features.py CHECKPOINT.pt FRAMES.npy OUT_DIR [--threads 2]

FRAMES.npy: float32 (n, 224, 224, C), already normalised (RGB: x/127.5 - 1; flow: clipped/20), n >= 9
(shorter streams are padded by the pipeline, by repeating the last frame, before this point).
Writes OUT_DIR/fc.npy (T', 1024/d), map.npy (T', 7, 7, 1024/d), logits.npy (T', classes), float32,
with T' = ceil(n/8) - 1. The checkpoint may be any flavour torch.load reads (zip, legacy, 0.3-style,
`module.` keys); modality, classes and width divisor are inferred from its shapes.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from i3d import InceptionI3d  # noqa: E402


def load_model(path):
    sd = torch.load(path, map_location='cpu')
    sd = {(k[len('module.'):] if k.startswith('module.') else k): v for k, v in sd.items()}
    conv1 = sd['Conv3d_1a_7x7.conv3d.weight']
    logits = sd['logits.conv3d.weight']
    model = InceptionI3d(num_classes=logits.shape[0], in_channels=conv1.shape[1], width_divisor=64 // conv1.shape[0])
    model.load_state_dict(sd, strict=True)
    return model.eval()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('checkpoint')
    ap.add_argument('frames')
    ap.add_argument('out_dir')
    ap.add_argument('--threads', type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    frames = np.load(args.frames)
    if frames.dtype != np.float32 or frames.ndim != 4:
        sys.exit('frames must be float32 (n, H, W, C), got %s %s' % (frames.dtype, frames.shape))
    model = load_model(args.checkpoint)
    if frames.shape[3] != model.in_channels:
        sys.exit('the model takes %d channels, the frames have %d' % (model.in_channels, frames.shape[3]))
    x = torch.from_numpy(np.ascontiguousarray(frames.transpose(3, 0, 1, 2)))[None]
    with torch.no_grad():
        out = model.features(x)
    os.makedirs(args.out_dir, exist_ok=True)
    for name, t in out.items():
        np.save(os.path.join(args.out_dir, name + '.npy'), t.numpy().astype(np.float32))
    print(json.dumps({k: list(v.shape) for k, v in out.items()}))


if __name__ == '__main__':
    main()
