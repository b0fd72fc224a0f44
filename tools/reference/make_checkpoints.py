"""Random-weight InceptionI3d checkpoints with realistic scales, in the three file flavours readers meet.

    /usr/bin/python3 tools/reference/make_checkpoints.py OUT_DIR [--divisors 8] [--seed 0] [--threads 2]

For modality rgb (3 input channels) / flow (2), classes 400 / 157 and each width divisor, writes
  i3d_<modality>_<classes>_d<divisor>_zip.pt       torch.save default (zip; num_batches_tracked, _metadata)
  i3d_<modality>_<classes>_d<divisor>_legacy.pt    _use_new_zipfile_serialization=False (_rebuild_tensor_v2)
  i3d_<modality>_<classes>_d<divisor>_legacy03.pt  PyTorch 0.3 style, like the published pytorch-i3d files
and, for divisor 8 only, `..._zip_module.pt` / `..._legacy03_module.pt` with DataParallel `module.` keys.
Also misc_<flavour>.pt: non-I3D tensors exercising dtypes, strides, offsets and shared storages,
also as misc_zip_p4.pt / misc_legacy_p4.pt written with pickle protocol 4.
manifest.json lists every file with its format and the sha256 of every tensor (C order; float16 and
float64 as float32, bool as uint8), so a reader can prove it got exactly these tensors.

Scales: He-normal convolutions; BatchNorm gamma in [0.6, 1.4], beta ~ N(0, 0.2), running statistics
calibrated on a smooth random clip and a white-noise clip (then perturbed a little), so activations stay O(1) through the
network; the logits layer is scaled so that, on such clips, logits spread over classes with a standard
deviation of a few units (a clear top class, not a one-hot softmax).
Tensor values are deterministic from the seed (and the thread count); torch's own legacy writer names
storages by memory address, so the bytes of the `_legacy.pt` files (not their tensors) vary between runs.
"""
import argparse
import hashlib
import json
import math
import os
import pickle
import struct
import sys
from collections import OrderedDict

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from i3d import InceptionI3d, Unit3D  # noqa: E402

LEGACY_MAGIC = 0x1950a86a20f9469cfc6c
LEGACY_PROTOCOL_VERSION = 1001
MODALITY_CHANNELS = {'rgb': 3, 'flow': 2}
STORAGE_TYPES = {
    torch.float32: torch.FloatStorage,
    torch.float16: torch.HalfStorage,
    torch.float64: torch.DoubleStorage,
    torch.int64: torch.LongStorage,
    torch.int32: torch.IntStorage,
    torch.uint8: torch.ByteStorage,
    torch.int8: torch.CharStorage,
    torch.bool: torch.BoolStorage,
}


# ----------------------------------------------------------------------------- weights

def calibration_clip(generator, channels, frames=16, size=224):
    """Two clips in [-1, 1]: a smooth one (low-resolution noise upsampled, plus fine noise, like video)
    and white uniform noise (like the random inputs of tests), so both stay in range."""
    coarse = torch.randn((1, channels, frames // 2, size // 16, size // 16), generator=generator)
    smooth = F.interpolate(coarse, size=(frames, size, size), mode='trilinear', align_corners=False)
    smooth = (smooth + 0.1 * torch.randn(smooth.shape, generator=generator)).clamp(-1, 1)
    white = torch.rand(smooth.shape, generator=generator) * 2 - 1
    return torch.cat([smooth, white])


def make_backbone(modality, divisor, seed):
    """Backbone weights and calibrated BatchNorm statistics (shared by both class counts)."""
    g = torch.Generator().manual_seed(seed)
    model = InceptionI3d(num_classes=1, in_channels=MODALITY_CHANNELS[modality], width_divisor=divisor)
    units = [m for name, m in model.named_modules() if isinstance(m, Unit3D) and name != 'logits']
    with torch.no_grad():
        for u in units:
            w = u.conv3d.weight
            fan_in = w[0].numel()
            w.copy_(torch.randn(w.shape, generator=g) * math.sqrt(2.0 / fan_in))
            c = w.shape[0]
            u.bn.weight.copy_(0.6 + 0.8 * torch.rand(c, generator=g))
            u.bn.bias.copy_(0.2 * torch.randn(c, generator=g))
            u.bn.reset_running_stats()
            u.bn.momentum = None  # cumulative average: one pass gives the batch statistics
        model.train()
        model.backbone(calibration_clip(g, MODALITY_CHANNELS[modality]))
        model.eval()
        for u in units:
            std = u.bn.running_var.sqrt()
            u.bn.running_mean.add_(0.05 * std * torch.randn(std.shape, generator=g))
            u.bn.running_var.mul_(torch.exp(0.1 * torch.randn(std.shape, generator=g)))
            u.bn.momentum = 0.01
    return model


def make_state_dict(backbone, num_classes, seed):
    """The backbone plus a logits layer scaled for a clear but moderate spread."""
    g = torch.Generator().manual_seed(seed)
    d = backbone.width_divisor
    model = InceptionI3d(num_classes=num_classes, in_channels=backbone.in_channels, width_divisor=d)
    own = {k: v for k, v in backbone.state_dict().items() if not k.startswith('logits.')}
    model.load_state_dict(own, strict=False)
    model.eval()
    with torch.no_grad():
        clip = calibration_clip(g, backbone.in_channels)
        pooled = model.avg_pool(model.backbone(clip))[:, :, :, 0, 0]  # (2, C, T')
        fc = torch.cat([pooled[0], pooled[1]], dim=1)  # (C, 2T')
        w = torch.randn((num_classes, fc.shape[0]), generator=g)
        spread = (w @ fc).std().item()
        w *= 2.0 / max(spread, 1e-6)
        model.logits.conv3d.weight.copy_(w.reshape(num_classes, fc.shape[0], 1, 1, 1))
        model.logits.conv3d.bias.copy_(0.3 * torch.randn(num_classes, generator=g))
    return model.state_dict()


def misc_state_dict(seed):
    """Tensors of every supported dtype, a transposed view, views sharing one storage, a scalar, an empty one."""
    g = torch.Generator().manual_seed(seed)
    base = torch.randn(10, generator=g)
    sd = OrderedDict()
    sd['float'] = torch.randn((2, 3, 4), generator=g)
    sd['transposed'] = torch.randn((3, 5), generator=g).t()
    sd['permuted'] = torch.randn((2, 3, 4, 5), generator=g).permute(3, 1, 0, 2)
    sd['every_other'] = torch.randn(12, generator=g)[1::3]
    sd['half'] = torch.randn((4, 3), generator=g).half()
    sd['half_special'] = torch.tensor([0.0, -0.0, 1e-7, 65504.0, float('inf'), -float('inf'), 5.96e-8, -2.5], dtype=torch.float16)
    sd['double'] = torch.randn(5, generator=g, dtype=torch.float64) * 1e10
    sd['int64'] = torch.tensor([0, -1, 2 ** 40, -(2 ** 62)], dtype=torch.int64)
    sd['int32'] = torch.tensor([[1, -2], [3, 2 ** 30]], dtype=torch.int32)
    sd['uint8'] = torch.arange(250, 256, dtype=torch.uint8)
    sd['int8'] = torch.tensor([-128, -1, 0, 127], dtype=torch.int8)
    sd['bool'] = torch.tensor([True, False, True])
    sd['base'] = base
    sd['base_head'] = base[2:5]
    sd['base_tail'] = base[6:].view(2, 2)
    sd['scalar'] = torch.tensor(3.5)
    sd['empty'] = torch.zeros((0, 3))
    sd['expanded'] = torch.randn((3, 1), generator=g).expand(3, 4)
    return sd


# ----------------------------------------------------------------------------- the PyTorch 0.3 writer

class _Storage:
    """A root storage in the 0.3 pickle: pickled as a persistent id, its bytes written after the pickles."""

    def __init__(self, key, tensor):
        self.key = key
        full = torch.tensor([], dtype=tensor.dtype).set_(tensor.storage())
        self.numel = full.numel()
        self.storage_type = STORAGE_TYPES[tensor.dtype]
        self.data = full.numpy().tobytes()


class _Pickler03(pickle.Pickler):
    def __init__(self, f):
        super().__init__(f, protocol=2)
        self.storages = OrderedDict()  # data_ptr -> _Storage

    def persistent_id(self, obj):
        if isinstance(obj, _Storage):
            return ('storage', obj.storage_type, obj.key, 'cpu', obj.numel, None)
        return None

    def reducer_override(self, obj):
        if isinstance(obj, torch.Tensor):
            ptr = obj.storage().data_ptr()
            if ptr not in self.storages:
                # keys look like 0.3's (addresses) but are deterministic
                self.storages[ptr] = _Storage(str(94100000000000 + 4096 * len(self.storages)), obj)
            args = (self.storages[ptr], obj.storage_offset(), tuple(obj.size()), tuple(obj.stride()))
            return (torch._utils._rebuild_tensor, args)
        return NotImplemented


def save_legacy03(state_dict, path):
    """A file laid out as PyTorch 0.3 wrote it: magic, protocol, sys_info, the OrderedDict, keys, storages."""
    with open(path, 'wb') as f:
        pickle.dump(LEGACY_MAGIC, f, protocol=2)
        pickle.dump(LEGACY_PROTOCOL_VERSION, f, protocol=2)
        pickle.dump({'protocol_version': LEGACY_PROTOCOL_VERSION, 'little_endian': sys.byteorder == 'little',
                     'type_sizes': {'short': 2, 'int': 4, 'long': 8}}, f, protocol=2)
        p = _Pickler03(f)
        p.dump(OrderedDict(state_dict.items()))  # a fresh OrderedDict: no _metadata
        storages = sorted(p.storages.values(), key=lambda s: s.key)
        pickle.dump([s.key for s in storages], f, protocol=2)
        for s in storages:
            f.write(struct.pack('<q', s.numel))
            f.write(s.data)


# ----------------------------------------------------------------------------- files and manifest

def tensor_digest(t):
    t = t.detach().contiguous()
    if t.dtype in (torch.float16, torch.float64):
        t = t.float()
    if t.dtype == torch.bool:
        t = t.to(torch.uint8)
    return hashlib.sha256(t.numpy().tobytes()).hexdigest()


def describe(state_dict):
    out = OrderedDict()
    for k, v in state_dict.items():
        out[k] = {'shape': list(v.shape), 'dtype': str(v.dtype).replace('torch.', ''), 'sha256': tensor_digest(v)}
    return out


def check_roundtrip(path, state_dict):
    loaded = torch.load(path, map_location='cpu')
    assert list(loaded.keys()) == list(state_dict.keys()), path
    for k, v in state_dict.items():
        w = loaded[k]
        assert w.dtype == v.dtype and w.shape == v.shape and torch.equal(w, v), (path, k)


def write_flavours(out_dir, stem, state_dict, with_prefix, manifest, meta, with_protocol4=False):
    without_nbt = OrderedDict((k, v) for k, v in state_dict.items() if not k.endswith('num_batches_tracked'))
    prefixed = OrderedDict(('module.' + k, v) for k, v in state_dict.items())
    prefixed03 = OrderedDict(('module.' + k, v) for k, v in without_nbt.items())
    variants = [
        ('zip', 'zip', state_dict, lambda sd, p: torch.save(sd, p)),
        ('legacy', 'legacy', state_dict, lambda sd, p: torch.save(sd, p, _use_new_zipfile_serialization=False)),
        ('legacy03', 'legacy', without_nbt, save_legacy03),
    ]
    if with_protocol4:  # FRAME, SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL, ...
        variants += [
            ('zip_p4', 'zip', state_dict, lambda sd, p: torch.save(sd, p, pickle_protocol=4)),
            ('legacy_p4', 'legacy', state_dict,
             lambda sd, p: torch.save(sd, p, pickle_protocol=4, _use_new_zipfile_serialization=False)),
        ]
    if with_prefix:
        variants += [
            ('zip_module', 'zip', prefixed, lambda sd, p: torch.save(sd, p)),
            ('legacy03_module', 'legacy', prefixed03, save_legacy03),
        ]
    for flavour, fmt, sd, save in variants:
        name = '%s_%s.pt' % (stem, flavour)
        path = os.path.join(out_dir, name)
        save(sd, path)
        check_roundtrip(path, sd)
        unprefixed = OrderedDict((k[len('module.'):] if flavour.endswith('_module') else k, v) for k, v in sd.items())
        entry = dict(meta, file=name, flavour=flavour, format=fmt, prefixed=flavour.endswith('_module'),
                     bytes=os.path.getsize(path), tensors=describe(unprefixed))
        manifest['files'].append(entry)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('out_dir')
    ap.add_argument('--divisors', default='8', help='comma-separated width divisors (1 = published size)')
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--no-misc', action='store_true', help='skip the misc_*.pt files')
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    os.makedirs(args.out_dir, exist_ok=True)
    manifest = {'seed': args.seed, 'files': []}
    for divisor in [int(d) for d in args.divisors.split(',')]:
        for mi, modality in enumerate(['rgb', 'flow']):
            backbone = make_backbone(modality, divisor, args.seed * 1000 + divisor * 10 + mi)
            for classes in [400, 157]:
                sd = make_state_dict(backbone, classes, args.seed * 1000 + divisor * 10 + mi + classes * 100000)
                stem = 'i3d_%s_%d_d%d' % (modality, classes, divisor)
                meta = {'kind': 'i3d', 'modality': modality, 'in_channels': MODALITY_CHANNELS[modality],
                        'classes': classes, 'divisor': divisor}
                write_flavours(args.out_dir, stem, sd, divisor == 8, manifest, meta)
    if not args.no_misc:
        write_flavours(args.out_dir, 'misc', misc_state_dict(args.seed), False, manifest, {'kind': 'misc'}, True)
    with open(os.path.join(args.out_dir, 'manifest.json'), 'w') as f:
        json.dump(manifest, f, indent=1)


if __name__ == '__main__':
    main()
