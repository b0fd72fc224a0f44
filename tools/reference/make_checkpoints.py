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

Scales: activations O(1) through the network; on white-noise clips (the tests' random inputs) fc has a
mean of about 0.4-0.7, map values reach 2.5-7, and the logits layer is scaled so that logits spread over
classes with a standard deviation of about 2 (a clear top class, not a one-hot softmax).

Weights are random (deterministic from the seed) but made to behave like trained ones, set unit by unit in
one pass over two calibration clips (a smooth, video-like one and a white-noise one):
- Each filter is part random (uniform, variance 2/fan_in) and part a random combination of the unit's own
  input patches on the calibration clips, centred per clip; the mix is set per output channel so that the
  aligned part carries ALIGNED_SHARE (60%) of the unit's response variance there.
  Why: with i.i.d. random filters (what this script did before) a network with BatchNorm calibrated on its
  data is chaotic. BatchNorm removes each channel's mean; what is left of a ReLU output is its fluctuation,
  smaller than its magnitude, so every layer multiplies relative perturbations by about 1.2. Over I3D's
  ~19 layers, fp32 rounding grew from 6e-7 (relative, after Conv3d_1a) to 3.5e-5 at Mixed_5c (PyTorch fp32
  vs float64: up to 3e-4 absolute on map), int8 weight rounding from 0.8% to 36% (q8 cosine(fc)
  0.990-0.997), and noise added after Conv3d_2c came out 16x larger in map. Trained networks do the
  opposite: noise injected in a layer fades in the layers above ("noise stability", Arora et al. 2018),
  because their filters read the directions in which their inputs actually vary and isotropic noise is
  mostly orthogonal to those. Aligned filters do the same: the same injected noise now shrinks (x0.5-0.8
  in map for width/8, x0.15 at full width), fp32 rounding stays ~1e-6 relative at every layer (map within
  1.5e-5 of float64), q8 cosine(fc) >= 0.9995 (width/8) and >= 0.9999 (full width); the units still
  respond to content (fc of two different smooth clips differ by 20-65%, of a smooth and a white-noise
  clip by 35-100%; a swapped pad, a transposed kernel or BatchNorm eps 1e-5 changes map by 0.02-1.6).
  Nothing in the old statistics was degenerate (no dead channels, smallest running_var >= 0.17x the
  median, folded BatchNorm scales <= 3), and other levers barely moved the growth: white-noise-only
  calibration changed nothing, smooth-only calibration makes white-noise inputs out of range (fc mean
  3-14, map up to 190), beta ~ N(0.5, 0.2) halved the fp32 error, uniform instead of normal filters helped
  int8 (a Gaussian filter's largest weight sets a coarser int8 step: max/sigma ~4 against sqrt(3)) but
  not fp32.
- Patches are centred per clip: filters follow how their input varies within a clip; left in, the offset
  between the smooth and the white-noise clip dominates and makes units smooth-versus-noise detectors that
  are dead on one kind of clip.
- BatchNorm: gamma in [0.6, 1.4], beta ~ N(0.2, 0.2) (units active a little more than half of the time;
  centred on 0, 10-25% of the fc channels were exactly 0 on white-noise clips), running statistics those
  of the calibration pass, perturbed a little (mean +- 0.05 sigma, variance x exp(0.1 N(0, 1))).
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
from i3d import InceptionI3d, InceptionModule, Unit3D, pad_same  # noqa: E402

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

ALIGNED_SHARE = 0.6  # share of each unit's response variance (calibration clips) read along its inputs' own directions
PATCH_SAMPLES = 4096  # input patches per unit (both clips together) from which the aligned filter part is drawn


def calibration_clips(generator, channels, frames=16, size=224):
    """Two clips in [-1, 1]: a smooth one (low-resolution noise upsampled, plus fine noise, like video)
    and white uniform noise (like the random inputs of tests), so both stay in range."""
    coarse = torch.randn((1, channels, frames // 2, size // 16, size // 16), generator=generator)
    smooth = F.interpolate(coarse, size=(frames, size, size), mode='trilinear', align_corners=False)
    smooth = (smooth + 0.1 * torch.randn(smooth.shape, generator=generator)).clamp(-1, 1)
    white = torch.rand(smooth.shape, generator=generator) * 2 - 1
    return torch.cat([smooth, white])


def input_patches(x, kernel, stride, generator, samples):
    """A random sample of the convolution's input patches, (clips, per_clip, fan_in), at the positions the conv reads."""
    v = pad_same(x, kernel, stride)
    for dim in range(3):
        v = v.unfold(2 + dim, kernel[dim], stride[dim])  # (N, C, T', H', W', kt, kh, kw)
    n, _, t, h, w = v.shape[:5]
    per_clip = min(samples // n, t * h * w)
    idx = torch.randperm(t * h * w, generator=generator)[:per_clip]
    p = v[:, :, idx // (h * w), (idx // w) % h, idx % w]  # (N, C, per_clip, kt, kh, kw)
    return p.permute(0, 2, 1, 3, 4, 5).reshape(n, per_clip, -1)


def unit_weights(unit, x, generator):
    """Conv weights of one Unit3D: an isotropic random part plus a part drawn from its input patches."""
    w = unit.conv3d.weight
    out, fan_in = w.shape[0], w[0].numel()
    iso = (torch.rand((out, fan_in), generator=generator) * 2 - 1) * math.sqrt(3)  # unit variance
    patches = input_patches(x, unit._kernel_shape, unit._stride, generator, PATCH_SAMPLES)
    patches = (patches - patches.mean(1, keepdim=True)).reshape(-1, fan_in)  # centred per clip
    aligned = torch.randn((out, patches.shape[0]), generator=generator) @ patches
    aligned /= aligned.pow(2).mean(1, keepdim=True).sqrt()  # unit mean square per filter
    some = patches[::4]  # response variances on a quarter of the patches are precise enough
    v_iso = (some @ iso.t()).pow(2).mean(0)
    v_aligned = (some @ aligned.t()).pow(2).mean(0)
    r = ALIGNED_SHARE / (1 - ALIGNED_SHARE) * v_iso / v_aligned  # (aligned coefficient / iso coefficient)^2
    filters = (iso + r.sqrt()[:, None] * aligned) / (1 + r).sqrt()[:, None]
    return (filters * math.sqrt(2.0 / fan_in)).view(w.shape)  # He scale


def init_unit(unit, x, generator):
    """Weights, BatchNorm parameters and statistics of one Unit3D from its input on the calibration clips; its output."""
    unit.conv3d.weight.copy_(unit_weights(unit, x, generator))
    y = unit.conv3d(pad_same(x, unit._kernel_shape, unit._stride))
    mean, var = y.mean((0, 2, 3, 4)), y.var((0, 2, 3, 4))
    c = y.shape[1]
    bn = unit.bn
    bn.weight.copy_(0.6 + 0.8 * torch.rand(c, generator=generator))
    bn.bias.copy_(0.2 + 0.2 * torch.randn(c, generator=generator))
    # the statistics of the calibration pass, perturbed a little (a running average is never the exact batch value)
    bn.running_mean.copy_(mean + 0.05 * var.sqrt() * torch.randn(c, generator=generator))
    bn.running_var.copy_(var * torch.exp(0.1 * torch.randn(c, generator=generator)))
    bn.num_batches_tracked.fill_(1)
    return F.relu(bn(y))


def make_backbone(modality, divisor, seed):
    """Backbone weights and BatchNorm statistics, set unit by unit in one pass over the calibration clips.
    Returns the model (eval mode) and its Mixed_5c output on those clips."""
    g = torch.Generator().manual_seed(seed)
    model = InceptionI3d(num_classes=1, in_channels=MODALITY_CHANNELS[modality], width_divisor=divisor).eval()
    x = calibration_clips(g, MODALITY_CHANNELS[modality])
    with torch.no_grad():
        for name in model.end_points:
            m = model._modules[name]
            if isinstance(m, Unit3D):
                x = init_unit(m, x, g)
            elif isinstance(m, InceptionModule):
                b0 = init_unit(m.b0, x, g)
                b1 = init_unit(m.b1b, init_unit(m.b1a, x, g), g)
                b2 = init_unit(m.b2b, init_unit(m.b2a, x, g), g)
                b3 = init_unit(m.b3b, m.b3a(x), g)
                x = torch.cat([b0, b1, b2, b3], dim=1)
            else:
                x = m(x)
    return model, x


def make_state_dict(backbone, mixed_5c, num_classes, seed):
    """The backbone plus a logits layer scaled for a clear but moderate spread on the calibration clips."""
    g = torch.Generator().manual_seed(seed)
    d = backbone.width_divisor
    model = InceptionI3d(num_classes=num_classes, in_channels=backbone.in_channels, width_divisor=d)
    own = {k: v for k, v in backbone.state_dict().items() if not k.startswith('logits.')}
    model.load_state_dict(own, strict=False)
    model.eval()
    with torch.no_grad():
        pooled = model.avg_pool(mixed_5c)[:, :, :, 0, 0]  # (2, C, T')
        fc = torch.cat(list(pooled), dim=1)  # (C, 2T')
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
            backbone, mixed_5c = make_backbone(modality, divisor, args.seed * 1000 + divisor * 10 + mi)
            for classes in [400, 157]:
                sd = make_state_dict(backbone, mixed_5c, classes, args.seed * 1000 + divisor * 10 + mi + classes * 100000)
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
