#!/usr/bin/python3
"""PyTorch-made safetensors fixtures for ganglion's io tests (test/io/*.test.ts).

Run with the system interpreter that has torch (CI has no Python; the outputs are committed):

    /usr/bin/python3 tools/goldens/make_torch_models.py

There is no `safetensors` Python package on this machine, so the format is written by hand below
(`write_safetensors`): that is the point of the fixture too — an independent writer checks ganglion's
reader. Writes to test/fixtures/torch/:

  small_cnn.safetensors     state dict of a small conv-BN-ReLU CNN after a few SGD steps (so the
                            BatchNorm running stats are not their initial 0/1), keys as PyTorch names
                            them (`0.weight`, `1.running_mean`, `1.num_batches_tracked` as I64).
  small_cnn_io.safetensors  a fixed input batch `x` and the eval-mode output `y` of that model.
  dtypes.safetensors        one tensor per dtype the reader accepts (F64 F32 F16 BF16 I64 I32 I16 I8
                            U8 BOOL, a 0-d and an empty tensor), each with `<name>.expected` in F64:
                            the value ganglion should decode it to. Its header is NOT padded and
                            has an odd length, so tensor data starts unaligned (readers must cope).

Deterministic: seeded, one thread; running it twice gives byte-identical files.
"""
import json
import os
import struct

import numpy as np
import torch
import torch.nn as nn

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_DIR = os.path.join(ROOT, "test", "fixtures", "torch")

torch.set_num_threads(1)  # NOTE: fixed reduction order, so reruns are byte-identical.

# safetensors dtype name, element size, numpy little-endian dtype (None: written from raw bits).
DTYPES = {
    torch.float64: ("F64", 8, "<f8"),
    torch.float32: ("F32", 4, "<f4"),
    torch.float16: ("F16", 2, "<f2"),
    torch.bfloat16: ("BF16", 2, None),
    torch.int64: ("I64", 8, "<i8"),
    torch.int32: ("I32", 4, "<i4"),
    torch.int16: ("I16", 2, "<i2"),
    torch.int8: ("I8", 1, "|i1"),
    torch.uint8: ("U8", 1, "|u1"),
    torch.bool: ("BOOL", 1, "|u1"),
}


def tensor_bytes(t):
    """Raw little-endian bytes of a tensor in row-major order."""
    t = t.detach().cpu().contiguous()
    name, size, np_dtype = DTYPES[t.dtype]
    if t.dtype == torch.bfloat16:
        # numpy has no bfloat16: reinterpret the 16 bits as int16 and write those.
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    if t.dtype == torch.bool:
        return t.to(torch.uint8).numpy().tobytes()
    return np.array(t.numpy(), dtype=np_dtype, order="C").tobytes()


def write_safetensors(path, tensors, metadata=None, pad=True):
    """The safetensors spec by hand: u64 LE header length, JSON header, then the data.

    Data is laid out largest element size first, then by name (as the reference implementation
    does), so with `pad=True` (header padded with spaces to a multiple of 8) every tensor is aligned.
    """
    order = sorted(tensors, key=lambda k: (-DTYPES[tensors[k].dtype][1], k))
    header, blobs, pos = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for k in order:
        b = tensor_bytes(tensors[k])
        header[k] = {"dtype": DTYPES[tensors[k].dtype][0], "shape": list(tensors[k].shape), "data_offsets": [pos, pos + len(b)]}
        blobs.append(b)
        pos += len(b)
    text = json.dumps(header, separators=(",", ":"), sort_keys=True).encode("utf-8")
    if pad:
        text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)
    return len(text)


def small_cnn():
    """Input [N,1,8,8]: conv 8x8 -> pool 4x4 -> stride-2 grouped conv 2x2 -> 8*2*2 = 32 features."""
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 8, 3, stride=2, padding=1, groups=2), nn.BatchNorm2d(8), nn.ReLU(),
        nn.Flatten(), nn.Linear(8 * 2 * 2, 10),
    )


def make_small_cnn():
    torch.manual_seed(0)
    model = small_cnn()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model.train()
    for _ in range(5):  # NOTE: 5 steps: running stats move away from 0/1, num_batches_tracked = 5.
        x = torch.randn(16, 1, 8, 8) * 2 + 0.5
        y = torch.randint(0, 10, (16,))
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    sd = model.state_dict()
    assert sd["1.num_batches_tracked"].dtype == torch.int64 and int(sd["1.num_batches_tracked"]) == 5
    write_safetensors(os.path.join(OUT_DIR, "small_cnn.safetensors"), dict(sd), {"format": "pt"})
    x = torch.randn(4, 1, 8, 8)
    with torch.no_grad():
        y = model(x)
    write_safetensors(os.path.join(OUT_DIR, "small_cnn_io.safetensors"), {"x": x, "y": y}, {"format": "pt"})


def make_dtypes():
    f = torch.tensor([0.0, -0.0, 1.0, -2.5, 65504.0, 6.0e-8, 1.0e-4, float("inf"), float("-inf"), 3.14159])
    cases = {
        "f64": torch.tensor([1.0 / 3.0, -1e300, 5e-324], dtype=torch.float64),
        "f32": torch.tensor([1.0 / 3.0, -1e30, 1e-45], dtype=torch.float32),
        "f16": f.to(torch.float16),
        "bf16": torch.tensor([1.0, -3.0e38, 1.0e-38, 3.14159, 0.1, float("inf")]).to(torch.bfloat16),
        "i64": torch.tensor([0, -1, 2147483647, -2147483648, 42], dtype=torch.int64),
        "i32": torch.tensor([[1, -2], [2147483647, -2147483648]], dtype=torch.int32),
        "i16": torch.tensor([-32768, 32767, -1], dtype=torch.int16),
        "i8": torch.tensor([-128, 127, -1, 0], dtype=torch.int8),
        "u8": torch.tensor([0, 255, 128], dtype=torch.uint8),
        "bool": torch.tensor([[True, False, True]]),
        "scalar": torch.tensor(7.5, dtype=torch.float32),
        "empty": torch.zeros(0, 3, dtype=torch.float32),
    }
    tensors = dict(cases)
    for k, t in cases.items():
        # The value ganglion should read: float16/bfloat16 widen exactly to float32, ints are exact.
        tensors[k + ".expected"] = t.to(torch.float64)
    path = os.path.join(OUT_DIR, "dtypes.safetensors")
    meta = {"made_by": "tools/goldens/make_torch_models.py", "torch": torch.__version__, "unaligned": ""}
    if write_safetensors(path, tensors, meta, pad=False) % 2 == 0:
        meta["unaligned"] = "x"  # NOTE: one more header byte makes the length odd: data starts unaligned.
        assert write_safetensors(path, tensors, meta, pad=False) % 2 == 1


if __name__ == "__main__":
    os.makedirs(OUT_DIR, exist_ok=True)
    make_small_cnn()
    make_dtypes()
    print("wrote", ", ".join(sorted(os.listdir(OUT_DIR))))
