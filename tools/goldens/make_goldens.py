#!/usr/bin/python3
"""PyTorch golden values for ganglion's conformance tests.

Run with the system interpreter that has torch (CI has no Python; the outputs are committed):

    /usr/bin/python3 tools/goldens/make_goldens.py

Writes one JSON file per group to test/fixtures/golden/<group>.json. See tools/goldens/README.md
for the format. Every case:
  * seeds torch with crc32(case name), so adding a case never changes the others;
  * draws float32 inputs, promotes them to float64, runs the op and its backward in float64, and
    rounds outputs and gradients to float32 once (goldens are the exact value rounded once);
  * grads[k] = d(sum(out * gradOut)) / d(inputs[k]) for every float input k.
The script is deterministic: running it twice produces byte-identical files.
"""
import base64
import json
import math
import os
import sys
import zlib

import numpy as np
import torch
import torch.nn.functional as F

GENERATOR = "tools/goldens/make_goldens.py"
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT_DIR = os.path.join(ROOT, "test", "fixtures", "golden")

torch.set_num_threads(1)  # NOTE: fixed reduction order, so reruns are byte-identical.


# ----------------------------------------------------------------------------------------------
# Encoding


def encode(t):
    """torch tensor -> {dtype, shape, b64}; floats become float32, ints and bools int32."""
    t = t.detach().cpu()
    if t.dtype.is_floating_point:
        a = t.numpy().astype("<f4")
        dtype = "float32"
    else:
        a = t.numpy().astype("<i4")
        dtype = "int32"
    a = np.array(a, order="C")  # NOTE: not ascontiguousarray, which turns 0-d into shape [1]
    return {"dtype": dtype, "shape": list(a.shape), "b64": base64.b64encode(a.tobytes()).decode("ascii")}


# ----------------------------------------------------------------------------------------------
# Input helpers (called after the per-case seed is set)


def randn(*shape, scale=1.0):
    return (torch.randn(*shape, dtype=torch.float32) * scale).float()


def positive(*shape):
    """Domain of log/sqrt/rsqrt/pow base: [0.5, 1.5)."""
    return torch.rand(*shape, dtype=torch.float32) + 0.5


def nonzero(*shape):
    """Away from zero: |x| in [0.5, 1.5), random sign."""
    mag = torch.rand(*shape, dtype=torch.float32) + 0.5
    sgn = torch.where(torch.rand(*shape) < 0.5, -1.0, 1.0)
    return (mag * sgn).float()


def distinct(*shape):
    """Pairwise-distinct values in about [-2, 2] (no ties: max/min/argmax gradients well defined)."""
    n = int(np.prod(shape)) if len(shape) else 1
    perm = torch.randperm(n).float() + 0.8 * torch.rand(n)  # gaps >= 0.2 before scaling
    return ((perm - (n - 1) / 2) * (4.0 / max(n, 1))).reshape(*shape).float()


def distinct_split(*shapes):
    """Several tensors whose values are all pairwise distinct, also across tensors."""
    sizes = [int(np.prod(s)) if len(s) else 1 for s in shapes]
    flat = distinct(sum(sizes))
    out, k = [], 0
    for s, n in zip(shapes, sizes):
        out.append(flat[k:k + n].reshape(*s).clone())
        k += n
    return out


def small_ints(*shape, lo=-2, hi=3):
    """Integer-valued floats: many exact ties, for comparisons."""
    return torch.randint(lo, hi, shape).float()


def randint32(hi, *shape, lo=0):
    return torch.randint(lo, hi, shape).to(torch.int32)


# ----------------------------------------------------------------------------------------------
# Case builder


class Group:
    def __init__(self, name):
        self.name = name
        self.cases = []

    def add(self, name, op, make_inputs, fn, attrs=None, diff=True):
        """make_inputs() -> dict of float32/int32 tensors (signature order);
        fn(inputs, attrs) -> output, inputs promoted to float64 (floats) / int64 (ints)."""
        attrs = dict(attrs or {})
        torch.manual_seed(zlib.crc32(name.encode("utf-8")))
        raw = make_inputs()
        for k, v in raw.items():
            assert v.dtype in (torch.float32, torch.int32), (name, k, v.dtype)
        args = {}
        for k, v in raw.items():
            if v.dtype == torch.float32:
                args[k] = v.double().requires_grad_(diff)
            else:
                args[k] = v.long()
        out = fn(args, attrs)
        case = {
            "name": name,
            "op": op,
            "inputs": {k: encode(v) for k, v in raw.items()},
            "attrs": attrs,
            "outputs": {"out": encode(out)},
        }
        if diff:
            assert out.dtype == torch.float64, (name, out.dtype)
            g32 = torch.randn(tuple(out.shape), dtype=torch.float32)
            floats = [k for k, v in raw.items() if v.dtype == torch.float32]
            grads = torch.autograd.grad(out, [args[k] for k in floats], grad_outputs=g32.double(),
                                        allow_unused=True)
            case["gradOut"] = encode(g32)
            case["grads"] = {k: encode(g if g is not None else torch.zeros_like(args[k]))
                             for k, g in zip(floats, grads)}
        self.cases.append(case)


def shp(s):
    return "x".join(str(d) for d in s) if len(s) else "scalar"


# ----------------------------------------------------------------------------------------------
# unary

UNARY = {
    "neg": (torch.neg, randn, True),
    "abs": (torch.abs, randn, True),
    "sign": (torch.sign, randn, False),
    "exp": (torch.exp, randn, True),
    "log": (torch.log, positive, True),
    "sqrt": (torch.sqrt, positive, True),
    "rsqrt": (torch.rsqrt, positive, True),
    "reciprocal": (torch.reciprocal, nonzero, True),
    "square": (torch.square, randn, True),
    "tanh": (torch.tanh, randn, True),
    "sigmoid": (torch.sigmoid, randn, True),
    "relu": (torch.relu, randn, True),
    "erf": (torch.erf, randn, True),
    "sin": (torch.sin, lambda *s: randn(*s, scale=2.0), True),
    "cos": (torch.cos, lambda *s: randn(*s, scale=2.0), True),
    "floor": (torch.floor, lambda *s: randn(*s, scale=3.0), False),
    "ceil": (torch.ceil, lambda *s: randn(*s, scale=3.0), False),
    "round": (torch.round, lambda *s: randn(*s, scale=3.0), False),
}
UNARY_SHAPES = [(3, 5), (2, 3, 4), (1,)]


def unary():
    g = Group("unary")
    for op, (f, gen, diff) in UNARY.items():
        for s in UNARY_SHAPES:
            g.add(f"{op}/{shp(s)}", op, lambda gen=gen, s=s: {"x": gen(*s)},
                  lambda i, a, f=f: f(i["x"]), diff=diff)
    # NOTE: torch.round rounds half to even (like numpy/ONNX), unlike JS Math.round.
    g.add("round/half_to_even", "round",
          lambda: {"x": torch.tensor([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, -3.5, 0.49, -0.51])},
          lambda i, a: torch.round(i["x"]), diff=False)
    g.add("sign/with_zeros", "sign", lambda: {"x": torch.tensor([-2.0, 0.0, 3.0, -0.0, 0.25])},
          lambda i, a: torch.sign(i["x"]), diff=False)
    for approx in ("none", "tanh"):
        for s in [(3, 5), (2, 3, 4)]:
            g.add(f"gelu/{approx}_{shp(s)}", "gelu", lambda s=s: {"x": randn(*s, scale=2.0)},
                  lambda i, a: F.gelu(i["x"], approximate=a["approximate"]), {"approximate": approx})
    for slope in (0.01, 0.2):
        for s in [(3, 5), (2, 3, 4)]:
            g.add(f"leakyRelu/slope{slope}_{shp(s)}", "leakyRelu", lambda s=s: {"x": randn(*s)},
                  lambda i, a: F.leaky_relu(i["x"], a["slope"]), {"slope": slope})
    for alpha in (1.0, 0.5):
        for s in [(3, 5), (2, 3, 4)]:
            g.add(f"elu/alpha{alpha}_{shp(s)}", "elu", lambda s=s: {"x": randn(*s)},
                  lambda i, a: F.elu(i["x"], a["alpha"]), {"alpha": alpha})
    # PReLU: one learnable slope per channel (axis 1) or a single shared one.
    for s, n in [((2, 3, 4, 4), 3), ((4, 5), 5), ((3, 5), 1)]:
        g.add(f"prelu/{shp(s)}_n{n}", "prelu",
              lambda s=s, n=n: {"x": randn(*s), "weight": torch.rand(n) * 0.5},
              lambda i, a: F.prelu(i["x"], i["weight"]), {})
    return g


# ----------------------------------------------------------------------------------------------
# binary

BINARY_SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((5,), (1,)), ((4,), (3, 1))]


def binary():
    g = Group("binary")
    arith = {
        "add": (torch.add, lambda sa, sb: (randn(*sa), randn(*sb))),
        "sub": (torch.sub, lambda sa, sb: (randn(*sa), randn(*sb))),
        "mul": (torch.mul, lambda sa, sb: (randn(*sa), randn(*sb))),
        "div": (torch.div, lambda sa, sb: (randn(*sa), nonzero(*sb))),
        "pow": (torch.pow, lambda sa, sb: (positive(*sa), randn(*sb))),
        "maximum": (torch.maximum, lambda sa, sb: tuple(distinct_split(sa, sb))),
        "minimum": (torch.minimum, lambda sa, sb: tuple(distinct_split(sa, sb))),
    }
    for op, (f, gen) in arith.items():
        for sa, sb in BINARY_SHAPES:
            def mk(gen=gen, sa=sa, sb=sb):
                a, b = gen(sa, sb)
                return {"a": a, "b": b}
            g.add(f"{op}/{shp(sa)}_{shp(sb)}", op, mk, lambda i, a, f=f: f(i["a"], i["b"]))
    # b broadcast against a bigger a (grad of b is a reduction) and a smaller a against b
    cmp = {"eq": torch.eq, "ne": torch.ne, "lt": torch.lt, "le": torch.le, "gt": torch.gt, "ge": torch.ge}
    for op, f in cmp.items():
        for sa, sb in BINARY_SHAPES:
            g.add(f"{op}/{shp(sa)}_{shp(sb)}", op,
                  lambda sa=sa, sb=sb: {"a": small_ints(*sa), "b": small_ints(*sb)},
                  lambda i, a, f=f: f(i["a"], i["b"]), diff=False)
    where_shapes = [((3, 4), (3, 4), (3, 4)), ((3, 1), (4,), (3, 4)), ((4,), (3, 4), (1,)),
                    ((2, 1, 4), (3, 1), (4,))]
    for sc, sa, sb in where_shapes:
        g.add(f"where/{shp(sc)}_{shp(sa)}_{shp(sb)}", "where",
              lambda sc=sc, sa=sa, sb=sb: {"cond": randint32(2, *sc), "a": randn(*sa), "b": randn(*sb)},
              lambda i, a: torch.where(i["cond"] != 0, i["a"], i["b"]))
    return g


# ----------------------------------------------------------------------------------------------
# reduce

REDUCE_CONFIGS = [  # (shape, axes, keepDims)
    ((4, 5), None, False),
    ((4, 5), None, True),
    ((4, 5), [1], False),
    ((4, 5), [0], True),
    ((2, 3, 4), None, False),
    ((2, 3, 4), [-1], False),
    ((2, 3, 4), [1], True),
    ((2, 3, 4), [0, 2], False),
    ((2, 3, 4), [0, 2], True),
    ((2, 3, 4), [-3, -2], False),
]


def _dims(x, axes):
    return list(range(x.dim())) if axes is None else axes


def reduce():
    g = Group("reduce")

    def name(op, s, axes, kd, extra=""):
        ax = "all" if axes is None else "_".join(str(a) for a in axes)
        return f"{op}/{shp(s)}_axes{ax}_{'keep' if kd else 'drop'}{extra}"

    fns = {
        "sum": (lambda x, d, kd: torch.sum(x, dim=d, keepdim=kd), randn),
        "mean": (lambda x, d, kd: torch.mean(x, dim=d, keepdim=kd), randn),
        # NOTE: amax/amin (not torch.max) so several axes reduce at once; inputs have no ties.
        "max": (lambda x, d, kd: torch.amax(x, dim=d, keepdim=kd), distinct),
        "min": (lambda x, d, kd: torch.amin(x, dim=d, keepdim=kd), distinct),
        "logsumexp": (lambda x, d, kd: torch.logsumexp(x, dim=d, keepdim=kd), lambda *s: randn(*s, scale=2.0)),
    }
    for op, (f, gen) in fns.items():
        for s, axes, kd in REDUCE_CONFIGS:
            g.add(name(op, s, axes, kd), op, lambda gen=gen, s=s: {"x": gen(*s)},
                  lambda i, a, f=f: f(i["x"], _dims(i["x"], a["axes"]), a["keepDims"]),
                  {"axes": axes, "keepDims": kd})
    for corr in (1, 0):
        for s, axes, kd in REDUCE_CONFIGS:
            g.add(name("var", s, axes, kd, f"_corr{corr}"), "var", lambda s=s: {"x": randn(*s)},
                  lambda i, a: torch.var(i["x"], dim=_dims(i["x"], a["axes"]), unbiased=a["correction"] == 1,
                                         keepdim=a["keepDims"]),
                  {"axes": axes, "keepDims": kd, "correction": corr})
    arg_configs = [((4, 5), 0, False), ((4, 5), 1, True), ((4, 5), -1, False), ((2, 3, 4), 1, False),
                   ((2, 3, 4), -1, True), ((2, 3, 4), 0, True), ((7,), 0, False)]
    for op, f in (("argmax", torch.argmax), ("argmin", torch.argmin)):
        for s, axis, kd in arg_configs:
            g.add(f"{op}/{shp(s)}_axis{axis}_{'keep' if kd else 'drop'}", op, lambda s=s: {"x": distinct(*s)},
                  lambda i, a, f=f: f(i["x"], dim=a["axis"], keepdim=a["keepDims"]),
                  {"axis": axis, "keepDims": kd}, diff=False)
    return g


# ----------------------------------------------------------------------------------------------
# matmul


def matmul():
    g = Group("matmul")
    shapes = [((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)), ((1, 3, 4), (2, 4, 5)),
              ((2, 1, 3, 4), (3, 4, 2)), ((7, 13), (13, 9)), ((3, 4), (2, 4, 5)), ((1, 1), (1, 1))]
    for sa, sb in shapes:
        g.add(f"matmul/{shp(sa)}_{shp(sb)}", "matmul", lambda sa=sa, sb=sb: {"a": randn(*sa), "b": randn(*sb)},
              lambda i, a: torch.matmul(i["a"], i["b"]))
    return g


# ----------------------------------------------------------------------------------------------
# conv


def conv():
    g = Group("conv")
    # (desc, x shape, w shape, bias?, stride, padding, dilation, groups)
    configs = [
        ("k1x1", (1, 3, 5, 5), (4, 3, 1, 1), True, (1, 1), (0, 0), (1, 1), 1),
        ("k1x1_nobias", (2, 3, 4, 3), (2, 3, 1, 1), False, (1, 1), (0, 0), (1, 1), 1),
        ("k3x3_pad1", (2, 3, 6, 6), (4, 3, 3, 3), True, (1, 1), (1, 1), (1, 1), 1),
        ("k3x3_pad0_nobias", (1, 2, 6, 5), (3, 2, 3, 3), False, (1, 1), (0, 0), (1, 1), 1),
        ("k5x5_pad2", (1, 2, 8, 8), (3, 2, 5, 5), True, (1, 1), (2, 2), (1, 1), 1),
        ("stride2_pad1", (1, 3, 7, 7), (2, 3, 3, 3), True, (2, 2), (1, 1), (1, 1), 1),
        ("stride2_pad0_even", (1, 2, 8, 8), (2, 2, 2, 2), False, (2, 2), (0, 0), (1, 1), 1),
        ("stride2x1_pad1x0", (1, 2, 7, 9), (3, 2, 3, 3), True, (2, 1), (1, 0), (1, 1), 1),
        ("stride1x3_pad0x2_nobias", (1, 2, 6, 10), (2, 2, 3, 3), False, (1, 3), (0, 2), (1, 1), 1),
        ("dilation2_pad2", (1, 2, 9, 9), (2, 2, 3, 3), True, (1, 1), (2, 2), (2, 2), 1),
        ("dilation1x2_pad1x2_stride2", (1, 2, 8, 9), (3, 2, 3, 3), True, (2, 2), (1, 2), (1, 2), 1),
        ("stride2_pad1_groups2", (2, 4, 6, 6), (6, 2, 3, 3), True, (2, 2), (1, 1), (1, 1), 2),
        ("groups2_nobias", (1, 4, 5, 5), (4, 2, 3, 3), False, (1, 1), (0, 0), (1, 1), 2),
        ("depthwise_pad1", (1, 4, 6, 6), (4, 1, 3, 3), True, (1, 1), (1, 1), (1, 1), 4),
        ("depthwise_mult2_stride2", (2, 3, 7, 7), (6, 1, 3, 3), True, (2, 2), (1, 1), (1, 1), 3),
        ("odd7x9_kernel3x2", (1, 3, 7, 9), (2, 3, 3, 2), True, (1, 1), (0, 0), (1, 1), 1),
        ("odd7x9_kernel2x3_pad1", (2, 2, 7, 9), (3, 2, 2, 3), True, (1, 1), (1, 1), (1, 1), 1),
        ("batch2_k3x3_stride2", (2, 3, 9, 7), (4, 3, 3, 3), True, (2, 2), (0, 0), (1, 1), 1),
        ("kernel_equals_input", (2, 3, 3, 3), (4, 3, 3, 3), True, (1, 1), (0, 0), (1, 1), 1),
    ]
    for desc, sx, sw, bias, stride, pad, dil, groups in configs:
        def mk(sx=sx, sw=sw, bias=bias):
            d = {"x": randn(*sx), "w": randn(*sw, scale=0.5)}
            if bias:
                d["b"] = randn(sw[0])
            return d
        g.add(f"conv2d/{desc}", "conv2d", mk,
              lambda i, a: F.conv2d(i["x"], i["w"], i.get("b"), stride=a["stride"], padding=a["padding"],
                                    dilation=a["dilation"], groups=a["groups"]),
              {"stride": list(stride), "padding": list(pad), "dilation": list(dil), "groups": groups})
    return g


# ----------------------------------------------------------------------------------------------
# pool


def pool():
    g = Group("pool")
    # (desc, x shape, kernel, stride, padding)
    configs = [
        ("k2_s2", (1, 2, 6, 6), (2, 2), (2, 2), (0, 0)),
        ("k2_s2_batch2", (2, 3, 4, 4), (2, 2), (2, 2), (0, 0)),
        ("k3_s2_p1", (1, 2, 7, 7), (3, 3), (2, 2), (1, 1)),
        ("k3_s1", (1, 2, 5, 6), (3, 3), (1, 1), (0, 0)),
        ("k3_s1_p1", (1, 1, 5, 5), (3, 3), (1, 1), (1, 1)),
        ("odd7x9_k2_s2", (1, 2, 7, 9), (2, 2), (2, 2), (0, 0)),
        ("odd7x9_k3_s2", (2, 1, 7, 9), (3, 3), (2, 2), (0, 0)),
        ("k2x3_s2x1", (1, 2, 6, 7), (2, 3), (2, 1), (0, 0)),
        ("k3x2_s1x2_p1x0", (1, 2, 7, 8), (3, 2), (1, 2), (1, 0)),
    ]
    for desc, sx, k, s, p in configs:
        attrs = {"kernel": list(k), "stride": list(s), "padding": list(p)}
        g.add(f"maxPool2d/{desc}", "maxPool2d", lambda sx=sx: {"x": distinct(*sx)},
              lambda i, a: F.max_pool2d(i["x"], a["kernel"], a["stride"], a["padding"]), attrs)
    for desc, sx, k, s, p in configs:
        incl_opts = (True, False) if p != (0, 0) else (True,)
        for incl in incl_opts:
            attrs = {"kernel": list(k), "stride": list(s), "padding": list(p), "countIncludePad": incl}
            suffix = ("_inclpad" if incl else "_exclpad") if p != (0, 0) else ""
            g.add(f"avgPool2d/{desc}{suffix}", "avgPool2d", lambda sx=sx: {"x": randn(*sx)},
                  lambda i, a: F.avg_pool2d(i["x"], a["kernel"], a["stride"], a["padding"],
                                            count_include_pad=a["countIncludePad"]), attrs)
    adaptive = [("global_1x1", (2, 3, 5, 7), (1, 1)), ("global_1x1_square", (1, 4, 4, 4), (1, 1)),
                ("even_6x8_to_3x4", (1, 2, 6, 8), (3, 4)), ("even_4x4_to_2x2", (2, 2, 4, 4), (2, 2)),
                ("uneven_5x7_to_3x4", (1, 2, 5, 7), (3, 4))]
    for desc, sx, o in adaptive:
        g.add(f"adaptiveAvgPool2d/{desc}", "adaptiveAvgPool2d", lambda sx=sx: {"x": randn(*sx)},
              lambda i, a: F.adaptive_avg_pool2d(i["x"], a["outputSize"]), {"outputSize": list(o)})
    return g


# ----------------------------------------------------------------------------------------------
# index


def index():
    g = Group("index")
    gather_cfg = [((3, 4), (3, 2), 1, 4), ((4, 3), (2, 3), 0, 4), ((2, 3, 4), (2, 3, 6), -1, 4),
                  ((2, 3, 4), (2, 5, 4), 1, 3), ((5,), (8,), 0, 5)]
    for sx, si, axis, n in gather_cfg:
        g.add(f"gather/{shp(sx)}_idx{shp(si)}_axis{axis}", "gather",
              lambda sx=sx, si=si, n=n: {"x": randn(*sx), "index": randint32(n, *si)},
              lambda i, a: torch.gather(i["x"], a["axis"], i["index"]), {"axis": axis})
    scatter_cfg = [((3, 4), (3, 6), 1, 4), ((4, 3), (5, 3), 0, 4), ((2, 3, 4), (2, 3, 5), -1, 4),
                   ((6,), (9,), 0, 6)]
    for sb, si, axis, n in scatter_cfg:
        g.add(f"scatterAdd/{shp(sb)}_idx{shp(si)}_axis{axis}", "scatterAdd",
              lambda sb=sb, si=si, n=n: {"base": randn(*sb), "index": randint32(n, *si), "src": randn(*si)},
              lambda i, a: torch.scatter_add(i["base"], a["axis"], i["index"], i["src"]), {"axis": axis})
    for si, nc in [((5,), 4), ((2, 3), 5), ((1,), 1)]:
        g.add(f"oneHot/{shp(si)}_classes{nc}", "oneHot", lambda si=si, nc=nc: {"index": randint32(nc, *si)},
              lambda i, a: F.one_hot(i["index"], a["numClasses"]).to(torch.float64),
              {"numClasses": nc}, diff=False)
    concat_cfg = [(((2, 3), (1, 3), (3, 3)), 0), (((2, 1), (2, 3), (2, 2)), 1),
                  (((2, 3, 1), (2, 3, 2), (2, 3, 3)), -1), (((2, 1, 4), (2, 2, 4), (2, 1, 4)), 1)]
    for shapes, axis in concat_cfg:
        g.add(f"concat/{'_'.join(shp(s) for s in shapes)}_axis{axis}", "concat",
              lambda shapes=shapes: {f"x{k}": randn(*s) for k, s in enumerate(shapes)},
              lambda i, a: torch.cat([i["x0"], i["x1"], i["x2"]], a["axis"]), {"axis": axis})
    pad_cfg = [((3, 4), [[1, 2], [0, 3]], 0.0), ((2, 3, 4), [[0, 0], [1, 1], [2, 0]], 0.0),
               ((1, 2, 3, 3), [[0, 0], [0, 0], [1, 1], [1, 1]], 0.0), ((5,), [[2, 1]], -1.5),
               ((2, 3), [[0, 1], [2, 2]], 3.25)]
    for sx, pads, value in pad_cfg:
        flat = [p for pair in reversed(pads) for p in pair]  # F.pad: last dim first
        g.add(f"pad/{shp(sx)}_{'_'.join(f'{b}{e}' for b, e in pads)}_value{value}", "pad",
              lambda sx=sx: {"x": randn(*sx)},
              lambda i, a, flat=flat: F.pad(i["x"], flat, mode="constant", value=a["value"]),
              {"pads": pads, "value": value})
    slice_cfg = [((4, 5), [1, 0], [3, 5]), ((2, 3, 4), [0, 1, 1], [2, 3, 3]), ((6,), [2], [5]),
                 ((3, 4, 5), [1, 0, 4], [2, 4, 5]), ((3, 4), [2, 1], [3, 4])]
    for sx, st, en in slice_cfg:
        g.add(f"slice/{shp(sx)}_{'_'.join(f'{s}-{e}' for s, e in zip(st, en))}", "slice",
              lambda sx=sx: {"x": randn(*sx)},
              lambda i, a: i["x"][tuple(slice(s, e) for s, e in zip(a["starts"], a["ends"]))],
              {"starts": st, "ends": en})
    reshape_cfg = [((3, 4), [4, 3]), ((2, 3, 4), [6, 4]), ((2, 3, 4), [2, 12]), ((12,), [2, 2, 3]),
                   ((2, 3, 4), [24]), ((2, 3, 4), [4, -1])]
    for sx, s in reshape_cfg:
        g.add(f"reshape/{shp(sx)}_to_{'x'.join(str(d) for d in s)}", "reshape", lambda sx=sx: {"x": randn(*sx)},
              lambda i, a: i["x"].reshape(a["shape"]), {"shape": s})
    for sx, dims in [((3, 4), [1, 0]), ((2, 3, 4), [2, 0, 1]), ((2, 3, 4), [0, 2, 1]),
                     ((2, 3, 4, 5), [0, 2, 3, 1])]:
        g.add(f"permute/{shp(sx)}_{''.join(str(d) for d in dims)}", "permute", lambda sx=sx: {"x": randn(*sx)},
              lambda i, a: i["x"].permute(a["dims"]), {"dims": dims})
    for sx, d0, d1 in [((3, 4), 0, 1), ((2, 3, 4), 0, 2), ((2, 3, 4), -1, -2)]:
        g.add(f"transpose/{shp(sx)}_{d0}_{d1}", "transpose", lambda sx=sx: {"x": randn(*sx)},
              lambda i, a: torch.transpose(i["x"], a["dim0"], a["dim1"]), {"dim0": d0, "dim1": d1})
    for sx, s in [((3, 1), [3, 4]), ((1, 4), [3, 4]), ((4,), [2, 3, 4]), ((3, 1), [2, 3, 5]),
                  ((1, 1), [2, 2])]:
        g.add(f"expand/{shp(sx)}_to_{shp(s)}", "expand", lambda sx=sx: {"x": randn(*sx)},
              lambda i, a: i["x"].expand(*a["shape"]), {"shape": s})
    return g


# ----------------------------------------------------------------------------------------------
# softmax and losses


def svm_loss(scores, target, margin):
    """CS231n multiclass hinge: mean_i sum_{j != y_i} max(0, s_ij - s_iy_i + margin)."""
    correct = scores.gather(1, target[:, None])
    m = torch.clamp(scores - correct + margin, min=0)
    m = m * (1 - F.one_hot(target, scores.shape[1]).to(scores.dtype))  # drop j == y_i
    return m.sum(dim=1).mean()


def softmax():
    g = Group("softmax")
    for op, f in (("softmax", torch.softmax), ("logSoftmax", torch.log_softmax)):
        for sx, axis in [((4, 5), 1), ((4, 5), 0), ((4, 5), -1), ((2, 3, 4), -1), ((2, 3, 4), 1), ((6,), 0)]:
            g.add(f"{op}/{shp(sx)}_axis{axis}", op, lambda sx=sx: {"x": randn(*sx, scale=2.0)},
                  lambda i, a, f=f: f(i["x"], a["axis"]), {"axis": axis})
        g.add(f"{op}/large_values", op, lambda: {"x": randn(3, 4, scale=30.0) + 80.0},
              lambda i, a, f=f: f(i["x"], a["axis"]), {"axis": -1})
    for red in ("mean", "sum", "none"):
        for ls in (0.0, 0.1):
            for n, c in ((4, 5), (7, 3)):
                g.add(f"crossEntropy/{n}x{c}_{red}_ls{ls}", "crossEntropy",
                      lambda n=n, c=c: {"logits": randn(n, c, scale=2.0), "target": randint32(c, n)},
                      lambda i, a: F.cross_entropy(i["logits"], i["target"], reduction=a["reduction"],
                                                   label_smoothing=a["labelSmoothing"]),
                      {"reduction": red, "labelSmoothing": ls})
            # Probability targets (soft labels, e.g. mixup or distillation): rows of a softmax.
            g.add(f"crossEntropy/probs_4x5_{red}_ls{ls}", "crossEntropy",
                  lambda: {"logits": randn(4, 5, scale=2.0), "target": torch.softmax(randn(4, 5), 1).float()},
                  lambda i, a: F.cross_entropy(i["logits"], i["target"], reduction=a["reduction"],
                                               label_smoothing=a["labelSmoothing"]),
                  {"reduction": red, "labelSmoothing": ls})
    for red in ("mean", "sum", "none"):
        g.add(f"nllLoss/5x4_{red}", "nllLoss",
              lambda: {"logProbs": torch.log_softmax(randn(5, 4), 1).float(), "target": randint32(4, 5)},
              lambda i, a: F.nll_loss(i["logProbs"], i["target"], reduction=a["reduction"]), {"reduction": red})
        for s in ((4, 3), (2, 3, 4)):
            g.add(f"mseLoss/{shp(s)}_{red}", "mseLoss", lambda s=s: {"input": randn(*s), "target": randn(*s)},
                  lambda i, a: F.mse_loss(i["input"], i["target"], reduction=a["reduction"]), {"reduction": red})
        g.add(f"bceWithLogits/4x3_soft_{red}", "bceWithLogits",
              lambda: {"input": randn(4, 3, scale=2.0), "target": torch.rand(4, 3)},
              lambda i, a: F.binary_cross_entropy_with_logits(i["input"], i["target"], reduction=a["reduction"]),
              {"reduction": red})
        g.add(f"bceWithLogits/6_hard_{red}", "bceWithLogits",
              lambda: {"input": randn(6, scale=3.0), "target": torch.randint(0, 2, (6,)).float()},
              lambda i, a: F.binary_cross_entropy_with_logits(i["input"], i["target"], reduction=a["reduction"]),
              {"reduction": red})
    for n, c, scale in ((4, 5, 1.0), (8, 10, 1.0), (5, 3, 0.2), (6, 4, 4.0)):
        g.add(f"svmLoss/{n}x{c}_scale{scale}", "svmLoss",
              lambda n=n, c=c, scale=scale: {"scores": randn(n, c, scale=scale), "target": randint32(c, n)},
              lambda i, a: svm_loss(i["scores"], i["target"], a["margin"]), {"margin": 1, "reduction": "mean"})
    return g


# ----------------------------------------------------------------------------------------------
# norm


def norm():
    g = Group("norm")
    for sx in [(4, 3, 3, 3), (2, 2, 4, 5), (6, 4), (3, 5, 1, 1)]:
        c = sx[1]
        g.add(f"batchNorm/{shp(sx)}", "batchNorm",
              lambda sx=sx, c=c: {"x": randn(*sx, scale=2.0) + 1.0, "weight": randn(c), "bias": randn(c)},
              lambda i, a: F.batch_norm(i["x"], None, None, i["weight"], i["bias"], training=a["training"],
                                        eps=a["eps"]),
              {"training": True, "eps": 1e-5})
    for sx, ns in [((4, 5), [5]), ((2, 3, 4), [4]), ((2, 3, 4), [3, 4]), ((3, 2, 2, 3), [2, 2, 3])]:
        g.add(f"layerNorm/{shp(sx)}_ns{shp(ns)}", "layerNorm",
              lambda sx=sx, ns=ns: {"x": randn(*sx, scale=2.0) - 0.5, "weight": randn(*ns), "bias": randn(*ns)},
              lambda i, a: F.layer_norm(i["x"], a["normalizedShape"], i["weight"], i["bias"], eps=a["eps"]),
              {"normalizedShape": ns, "eps": 1e-5})
    return g


GROUPS = [unary, binary, reduce, matmul, conv, pool, index, softmax, norm]


def write(group):
    names = [c["name"] for c in group.cases]
    assert len(names) == len(set(names)), f"duplicate case names in {group.name}"
    lines = [json.dumps(c, separators=(",", ":"), allow_nan=False) for c in group.cases]
    head = json.dumps({"generator": GENERATOR, "torch": torch.__version__})[:-1]
    text = head + ',\n"cases":[\n' + ",\n".join(lines) + "\n]}\n"
    path = os.path.join(OUT_DIR, f"{group.name}.json")
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    return path, len(group.cases), len(text)


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    total, all_names = 0, set()
    for make in GROUPS:
        group = make()
        for c in group.cases:
            assert c["name"] not in all_names, c["name"]
            all_names.add(c["name"])
        path, n, size = write(group)
        total += size
        print(f"{os.path.relpath(path, ROOT)}: {n} cases, {size} bytes")
    print(f"total: {len(all_names)} cases, {total} bytes")


if __name__ == "__main__":
    sys.exit(main())
