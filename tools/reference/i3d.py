"""InceptionI3d, the project's PyTorch reference (same structure and state-dict keys as pytorch-i3d).

Every Unit3D is Conv3d (no bias) -> BatchNorm3d(eps=0.001) -> ReLU, except `logits` (Conv3d 1x1x1
with bias). Padding is TensorFlow "SAME", computed from the actual input size of each dimension,
with zeros, also before max pools (F.pad, then MaxPool3d). State-dict keys are those of the
published checkpoints: `Conv3d_1a_7x7.conv3d.weight`, `Conv3d_1a_7x7.bn.running_mean`,
`Mixed_3b.b1a.conv3d.weight`, ..., `logits.conv3d.{weight,bias}`.

`width_divisor` divides every channel width (1 = published; 8 = a slim model with the identical
structure, for fast tests). The class count is not scaled.

Features (see `features()`), for a clip of n >= 9 frames at 224x224:
  fc     (T', 1024)        AvgPool3d (2,7,7) stride 1 over Mixed_5c
  map    (T', 7, 7, 1024)  AvgPool3d (2,1,1) stride 1 over Mixed_5c, as T,H,W,C
  logits (T', classes)     the `logits` conv on the fc pooling
with T' = ceil(n/8) - 1. Streams shorter than 9 frames must be padded to 9 by repeating their last
frame BEFORE calling the model; that is the pipeline's job, not the model's.
"""
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

BN_EPS = 0.001

# [b0, b1a, b1b, b2a, b2b, b3b] of every inception block, published widths
INCEPTION_WIDTHS = OrderedDict([
    ('Mixed_3b', [64, 96, 128, 16, 32, 32]),
    ('Mixed_3c', [128, 128, 192, 32, 96, 64]),
    ('Mixed_4b', [192, 96, 208, 16, 48, 64]),
    ('Mixed_4c', [160, 112, 224, 24, 64, 64]),
    ('Mixed_4d', [128, 128, 256, 24, 64, 64]),
    ('Mixed_4e', [112, 144, 288, 32, 64, 64]),
    ('Mixed_4f', [256, 160, 320, 32, 128, 128]),
    ('Mixed_5b', [256, 160, 320, 32, 128, 128]),
    ('Mixed_5c', [384, 192, 384, 48, 128, 128]),
])


def same_pad(size, kernel, stride):
    """TF SAME padding of one dimension: (front, back)."""
    if size % stride == 0:
        pad = max(kernel - stride, 0)
    else:
        pad = max(kernel - size % stride, 0)
    return pad // 2, pad - pad // 2


def pad_same(x, kernel, stride):
    _, _, t, h, w = x.shape
    pt = same_pad(t, kernel[0], stride[0])
    ph = same_pad(h, kernel[1], stride[1])
    pw = same_pad(w, kernel[2], stride[2])
    return F.pad(x, (pw[0], pw[1], ph[0], ph[1], pt[0], pt[1]))


class MaxPool3dSamePadding(nn.MaxPool3d):
    """Zero SAME padding, then max pool (as pytorch-i3d)."""

    def forward(self, x):
        return super().forward(pad_same(x, self.kernel_size, self.stride))


class Unit3D(nn.Module):
    def __init__(self, in_channels, output_channels, kernel_shape=(1, 1, 1), stride=(1, 1, 1),
                 activation_fn=F.relu, use_batch_norm=True, use_bias=False):
        super().__init__()
        self._kernel_shape = tuple(kernel_shape)
        self._stride = tuple(stride)
        self._activation_fn = activation_fn
        self._use_batch_norm = use_batch_norm
        self.conv3d = nn.Conv3d(in_channels, output_channels, kernel_size=self._kernel_shape,
                                stride=self._stride, padding=0, bias=use_bias)
        if use_batch_norm:
            self.bn = nn.BatchNorm3d(output_channels, eps=BN_EPS, momentum=0.01)

    def forward(self, x):
        x = self.conv3d(pad_same(x, self._kernel_shape, self._stride))
        if self._use_batch_norm:
            x = self.bn(x)
        if self._activation_fn is not None:
            x = self._activation_fn(x)
        return x


class InceptionModule(nn.Module):
    def __init__(self, in_channels, widths):
        super().__init__()
        c0, c1a, c1b, c2a, c2b, c3b = widths
        self.b0 = Unit3D(in_channels, c0, [1, 1, 1])
        self.b1a = Unit3D(in_channels, c1a, [1, 1, 1])
        self.b1b = Unit3D(c1a, c1b, [3, 3, 3])
        self.b2a = Unit3D(in_channels, c2a, [1, 1, 1])
        self.b2b = Unit3D(c2a, c2b, [3, 3, 3])
        self.b3a = MaxPool3dSamePadding(kernel_size=[3, 3, 3], stride=(1, 1, 1), padding=0)
        self.b3b = Unit3D(in_channels, c3b, [1, 1, 1])
        self.out_channels = c0 + c1b + c2b + c3b

    def forward(self, x):
        return torch.cat([self.b0(x), self.b1b(self.b1a(x)), self.b2b(self.b2a(x)), self.b3b(self.b3a(x))], dim=1)


class InceptionI3d(nn.Module):
    def __init__(self, num_classes=400, in_channels=3, width_divisor=1):
        super().__init__()
        d = width_divisor
        for widths in INCEPTION_WIDTHS.values():
            if any(w % d for w in widths) or 64 % d or 192 % d:
                raise ValueError('width_divisor %d does not divide every width' % d)
        self.num_classes = num_classes
        self.in_channels = in_channels
        self.width_divisor = d
        feature_channels = 1024 // d
        # registered first, as in pytorch-i3d (state-dict order: logits, then the backbone)
        self.avg_pool = nn.AvgPool3d(kernel_size=[2, 7, 7], stride=(1, 1, 1))
        self.logits = Unit3D(feature_channels, num_classes, [1, 1, 1], activation_fn=None,
                             use_batch_norm=False, use_bias=True)
        self.end_points = []
        self._add('Conv3d_1a_7x7', Unit3D(in_channels, 64 // d, [7, 7, 7], stride=(2, 2, 2)))
        self._add('MaxPool3d_2a_3x3', MaxPool3dSamePadding(kernel_size=[1, 3, 3], stride=(1, 2, 2), padding=0))
        self._add('Conv3d_2b_1x1', Unit3D(64 // d, 64 // d, [1, 1, 1]))
        self._add('Conv3d_2c_3x3', Unit3D(64 // d, 192 // d, [3, 3, 3]))
        self._add('MaxPool3d_3a_3x3', MaxPool3dSamePadding(kernel_size=[1, 3, 3], stride=(1, 2, 2), padding=0))
        channels = 192 // d
        for name, widths in INCEPTION_WIDTHS.items():
            if name == 'Mixed_4b':
                self._add('MaxPool3d_4a_3x3', MaxPool3dSamePadding(kernel_size=[3, 3, 3], stride=(2, 2, 2), padding=0))
            if name == 'Mixed_5b':
                self._add('MaxPool3d_5a_2x2', MaxPool3dSamePadding(kernel_size=[2, 2, 2], stride=(2, 2, 2), padding=0))
            block = InceptionModule(channels, [w // d for w in widths])
            self._add(name, block)
            channels = block.out_channels
        assert channels == feature_channels

    def _add(self, name, module):
        self.add_module(name, module)
        self.end_points.append(name)

    def backbone(self, x):
        """(B, C, T, H, W) -> Mixed_5c output (B, 1024/d, ceil(T/8), H/32, W/32)."""
        for name in self.end_points:
            x = self._modules[name](x)
        return x

    def forward(self, x):
        """pytorch-i3d's forward: logits (B, classes, T')."""
        return self.logits(self.avg_pool(self.backbone(x))).squeeze(3).squeeze(3)

    def features(self, x):
        """One clip (1, C, n, 224, 224) -> dict of fc (T',1024), map (T',7,7,1024), logits (T',classes)."""
        mixed_5c = self.backbone(x)
        pooled = self.avg_pool(mixed_5c)  # (1, 1024, T', 1, 1)
        if pooled.shape[3] != 1 or pooled.shape[4] != 1:
            raise ValueError('fc is defined for 224x224 input (Mixed_5c 7x7); got Mixed_5c %s' % (tuple(mixed_5c.shape),))
        fc = pooled[0, :, :, 0, 0].transpose(0, 1)
        fmap = F.avg_pool3d(mixed_5c, kernel_size=(2, 1, 1), stride=(1, 1, 1))[0].permute(1, 2, 3, 0)
        logits = self.logits(pooled)[0, :, :, 0, 0].transpose(0, 1)
        return {'fc': fc.contiguous(), 'map': fmap.contiguous(), 'logits': logits.contiguous()}


def feature_steps(n):
    """T' for a stream of n >= 9 frames."""
    return -(-n // 8) - 1
