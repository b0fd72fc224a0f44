"""Hostile and wrong checkpoints for the reader's tests.

    /usr/bin/python3 tools/reference/make_bad_files.py OUT_DIR MARKER_PATH

Payload files: unpickled by Python, each would run `touch MARKER_PATH` (os.system, posix.system,
builtins.eval, builtins.exec). The script proves that on a scratch marker: it loads every payload
with Python's own pickle (zip ones through torch.load) and checks that the scratch marker appears,
so a test that asserts MARKER_PATH does not exist after our reader ran can really fail.

Wrong-model files: a ResNet-like state dict, a slim I3D with a layer missing, one with a wrong shape,
a plain pickle that is not a checkpoint. files.json lists them all.
"""
import io
import json
import os
import pickle
import shutil
import struct
import sys
import tempfile
import zipfile
from collections import OrderedDict

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from i3d import InceptionI3d  # noqa: E402

LEGACY_MAGIC = 0x1950a86a20f9469cfc6c


def short_unicode(s):
    b = s.encode('utf-8')
    return b'X' + struct.pack('<I', len(b)) + b


def payload_pickle(module, name, marker):
    """`module.name(<argument>)` as a protocol-2 pickle, written by hand so the GLOBAL is exactly module.name."""
    if name in ('eval', 'exec'):
        arg = "__import__('os').system('touch %s')" % marker
    else:
        arg = 'touch %s' % marker
    return (b'\x80\x02c' + module.encode() + b'\n' + name.encode() + b'\n'
            + short_unicode(arg) + b'\x85R.')


def as_state_dict_pickle(payload):
    """An OrderedDict {'weight': payload} (the payload's REDUCE nested inside a state dict)."""
    inner = payload[2:-1]  # drop PROTO and STOP
    return b'\x80\x02ccollections\nOrderedDict\n)R' + short_unicode('weight') + inner + b's.'


def legacy_file(obj_pickle):
    f = io.BytesIO()
    pickle.dump(LEGACY_MAGIC, f, protocol=2)
    pickle.dump(1001, f, protocol=2)
    pickle.dump({'protocol_version': 1001, 'little_endian': True, 'type_sizes': {'short': 2, 'int': 4, 'long': 4}}, f, protocol=2)
    f.write(obj_pickle)
    pickle.dump([], f, protocol=2)
    return f.getvalue()


def zip_file(obj_pickle):
    f = io.BytesIO()
    with zipfile.ZipFile(f, 'w', compression=zipfile.ZIP_STORED) as z:
        z.writestr('archive/data.pkl', obj_pickle)
        z.writestr('archive/version', '3\n')
    return f.getvalue()


PAYLOADS = [('os', 'system'), ('posix', 'system'), ('builtins', 'eval'), ('builtins', 'exec')]


def payload_files(marker):
    out = {}
    for module, name in PAYLOADS:
        raw = payload_pickle(module, name, marker)
        sd = as_state_dict_pickle(raw)
        out['%s_%s_raw.pkl' % (module, name)] = raw
        out['%s_%s_legacy.pt' % (module, name)] = legacy_file(sd)
        out['%s_%s_zip.pt' % (module, name)] = zip_file(sd)
    return out


def prove_payloads_run():
    """Every payload, read by Python itself, creates its marker."""
    scratch = tempfile.mkdtemp()
    try:
        for i, name in enumerate(sorted(payload_files('unused'))):
            marker = os.path.join(scratch, 'marker%d' % i)
            data = payload_files(marker)[name]
            path = os.path.join(scratch, name)
            with open(path, 'wb') as f:
                f.write(data)
            if name.endswith('_raw.pkl'):
                pickle.loads(data)
            else:
                torch.load(path)  # torch 1.13 has no weights_only default: it runs the payload
            if not os.path.exists(marker):
                raise SystemExit('payload %s did not run under Python; the test would prove nothing' % name)
    finally:
        shutil.rmtree(scratch)


def slim_i3d_state_dict():
    torch.manual_seed(0)
    return InceptionI3d(num_classes=157, in_channels=3, width_divisor=8).state_dict()


def resnet_state_dict():
    g = torch.Generator().manual_seed(1)
    sd = OrderedDict()

    def conv_bn(prefix, bn, cout, cin, k):
        sd[prefix + '.weight'] = torch.randn((cout, cin, k, k), generator=g)
        for p, v in [('weight', torch.ones(cout)), ('bias', torch.zeros(cout)), ('running_mean', torch.zeros(cout)),
                     ('running_var', torch.ones(cout)), ('num_batches_tracked', torch.tensor(0))]:
            sd[bn + '.' + p] = v

    conv_bn('conv1', 'bn1', 8, 3, 7)
    conv_bn('layer1.0.conv1', 'layer1.0.bn1', 8, 8, 3)
    conv_bn('layer1.0.conv2', 'layer1.0.bn2', 8, 8, 3)
    sd['fc.weight'] = torch.randn((10, 8), generator=g)
    sd['fc.bias'] = torch.randn(10, generator=g)
    return sd


def main():
    out_dir, marker = sys.argv[1], sys.argv[2]
    prove_payloads_run()
    os.makedirs(out_dir, exist_ok=True)
    files = {}
    for name, data in payload_files(marker).items():
        with open(os.path.join(out_dir, name), 'wb') as f:
            f.write(data)
        files[name] = {'kind': 'payload'}

    torch.save(resnet_state_dict(), os.path.join(out_dir, 'resnet_zip.pt'))
    files['resnet_zip.pt'] = {'kind': 'resnet'}

    missing = slim_i3d_state_dict()
    removed = [k for k in missing if k.startswith('Mixed_4c.b1b.')]
    for k in removed:
        del missing[k]
    torch.save(missing, os.path.join(out_dir, 'i3d_missing_layer_zip.pt'))
    torch.save(missing, os.path.join(out_dir, 'i3d_missing_layer_legacy.pt'), _use_new_zipfile_serialization=False)
    files['i3d_missing_layer_zip.pt'] = files['i3d_missing_layer_legacy.pt'] = {'kind': 'missing', 'removed': removed}

    wrong = slim_i3d_state_dict()
    wrong['Mixed_4d.b2b.conv3d.weight'] = torch.zeros((8, 4, 3, 3, 3))  # expected (8, 3, 3, 3, 3)
    torch.save(wrong, os.path.join(out_dir, 'i3d_wrong_shape_zip.pt'))
    files['i3d_wrong_shape_zip.pt'] = {'kind': 'shape', 'key': 'Mixed_4d.b2b.conv3d.weight'}

    with open(os.path.join(out_dir, 'plain_list.pkl'), 'wb') as f:
        pickle.dump([1, 2, 3], f, protocol=2)
    files['plain_list.pkl'] = {'kind': 'not_checkpoint'}

    with open(os.path.join(out_dir, 'files.json'), 'w') as f:
        json.dump({'marker': marker, 'files': files}, f, indent=1)


if __name__ == '__main__':
    main()
