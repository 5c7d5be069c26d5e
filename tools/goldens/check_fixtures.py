#!/usr/bin/python3
"""Re-read every golden fixture and check it: structure, tensor encodings, shapes, and a few
semantics recomputed independently with numpy (no torch), so the README's formulas are verified.

    /usr/bin/python3 tools/goldens/check_fixtures.py

Exits non-zero on the first group with problems, after printing them all.
"""
import base64
import glob
import json
import math
import os
import sys

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GOLDEN = os.path.join(ROOT, "test", "fixtures", "golden")
GROUPS = ["unary", "binary", "reduce", "matmul", "conv", "pool", "index", "softmax", "norm"]
NON_DIFF = {"sign", "floor", "ceil", "round", "eq", "ne", "lt", "le", "gt", "ge", "argmax", "argmin", "oneHot"}
INT_OUT = {"eq", "ne", "lt", "le", "gt", "ge", "argmax", "argmin"}
NO_TIES = {"maximum", "minimum", "max", "min", "argmax", "argmin", "maxPool2d"}

errors = []


def err(case, msg):
    errors.append(f"{case.get('name', '?')}: {msg}")


def decode(t, where, case):
    if set(t) != {"dtype", "shape", "b64"}:
        err(case, f"{where}: tensor keys {sorted(t)}")
        return None
    if t["dtype"] not in ("float32", "int32"):
        err(case, f"{where}: dtype {t['dtype']}")
        return None
    shape = t["shape"]
    if not (isinstance(shape, list) and all(isinstance(d, int) and d >= 0 for d in shape)):
        err(case, f"{where}: bad shape {shape}")
        return None
    raw = base64.b64decode(t["b64"], validate=True)
    n = math.prod(shape)
    if len(raw) != 4 * n:
        err(case, f"{where}: {len(raw)} bytes for shape {shape} (want {4 * n})")
        return None
    a = np.frombuffer(raw, dtype="<f4" if t["dtype"] == "float32" else "<i4").reshape(shape)
    if a.dtype.kind == "f" and not np.all(np.isfinite(a)):
        err(case, f"{where}: non-finite values")
    return a


def check_structure(case, group):
    keys = set(case)
    want = {"name", "op", "inputs", "attrs", "outputs"}
    if not want <= keys or not keys <= want | {"gradOut", "grads"}:
        err(case, f"keys {sorted(keys)}")
        return None
    if case["name"].split("/")[0] != case["op"]:
        err(case, f"name does not start with op {case['op']}")
    ins = {k: decode(v, f"inputs.{k}", case) for k, v in case["inputs"].items()}
    if set(case["outputs"]) != {"out"}:
        err(case, f"outputs keys {sorted(case['outputs'])}")
        return None
    out = decode(case["outputs"]["out"], "outputs.out", case)
    if out is None or any(v is None for v in ins.values()):
        return None
    diff = case["op"] not in NON_DIFF
    if ("grads" in case) != diff or ("gradOut" in case) != diff:
        err(case, f"grads/gradOut presence does not match differentiability ({diff})")
        return None
    if case["op"] in INT_OUT and out.dtype != np.int32:
        err(case, "expected int32 output")
    if case["op"] not in INT_OUT and out.dtype != np.float32:
        err(case, "expected float32 output")
    if case["op"] in NO_TIES:
        vals = np.concatenate([v.ravel() for v in ins.values() if v.dtype == np.float32])
        if len(np.unique(vals)) != len(vals):
            err(case, "inputs have ties")
    grads = {}
    if diff:
        go = decode(case["gradOut"], "gradOut", case)
        if go is not None and go.shape != out.shape:
            err(case, f"gradOut shape {go.shape} != out shape {out.shape}")
        floats = [k for k, v in ins.items() if v.dtype == np.float32]
        if list(case["grads"]) != floats:
            err(case, f"grads keys {list(case['grads'])} != float inputs {floats}")
        for k, t in case["grads"].items():
            g = decode(t, f"grads.{k}", case)
            if g is not None and k in ins and g.shape != ins[k].shape:
                err(case, f"grads.{k} shape {g.shape} != input shape {ins[k].shape}")
            grads[k] = g
        grads["_out"] = go
    return ins, out, grads


# ----------------------------------------------------------------------------------------------
# Independent numpy recomputation of the formulas the README documents.


def close(case, got, want, what="out", tol=2e-5):
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        err(case, f"{what}: shape {got.shape}, recomputed {want.shape}")
    elif not np.allclose(got, want, rtol=tol, atol=tol):
        err(case, f"{what}: max diff {np.max(np.abs(got - want))}")


def logsoftmax(x, axis):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def semantic(case, ins, out):
    op, a = case["op"], case["attrs"]
    x = {k: v.astype(np.float64) if v.dtype == np.float32 else v.astype(np.int64) for k, v in ins.items()}
    if op == "round":
        close(case, out, np.round(x["x"]))  # numpy rounds half to even, like torch
    elif op == "svmLoss":
        s, y = x["scores"], x["target"]
        total = 0.0
        for i in range(s.shape[0]):
            for j in range(s.shape[1]):
                if j != y[i]:
                    total += max(0.0, s[i, j] - s[i, y[i]] + a["margin"])
        close(case, out, total / s.shape[0])
    elif op == "crossEntropy":
        lp, y, eps = logsoftmax(x["logits"], 1), x["target"], a["labelSmoothing"]
        n, c = lp.shape
        if np.issubdtype(y.dtype, np.floating):  # probability targets, smoothed toward uniform
            per = -(((1 - eps) * y + eps / c) * lp).sum(axis=1)
        else:
            per = (1 - eps) * -lp[np.arange(n), y] + eps * -lp.mean(axis=1)
        close(case, out, {"mean": per.mean(), "sum": per.sum(), "none": per}[a["reduction"]])
    elif op == "adaptiveAvgPool2d":
        xx = x["x"]
        n, c, h, w = xx.shape
        oh, ow = a["outputSize"]
        want = np.zeros((n, c, oh, ow))
        for i in range(oh):
            h0, h1 = (i * h) // oh, -((-(i + 1) * h) // oh)
            for j in range(ow):
                w0, w1 = (j * w) // ow, -((-(j + 1) * w) // ow)
                want[:, :, i, j] = xx[:, :, h0:h1, w0:w1].mean(axis=(2, 3))
        close(case, out, want)
    elif op == "avgPool2d":
        xx = x["x"]
        (kh, kw), (sh, sw), (ph, pw) = a["kernel"], a["stride"], a["padding"]
        n, c, h, w = xx.shape
        oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
        xp = np.pad(xx, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
        ones = np.pad(np.ones((h, w)), ((ph, ph), (pw, pw)))
        want = np.zeros((n, c, oh, ow))
        for i in range(oh):
            for j in range(ow):
                win = (slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw))
                div = kh * kw if a["countIncludePad"] else ones[win].sum()
                want[:, :, i, j] = xp[(slice(None), slice(None)) + win].sum(axis=(2, 3)) / div
        close(case, out, want)
    elif op == "var":
        axes = tuple(range(x["x"].ndim)) if a["axes"] is None else tuple(a["axes"])
        close(case, out, np.var(x["x"], axis=axes, ddof=a["correction"], keepdims=a["keepDims"]))
    elif op == "batchNorm":
        xx = x["x"]
        axes = (0,) + tuple(range(2, xx.ndim))
        bshape = (1, -1) + (1,) * (xx.ndim - 2)
        mu, var = xx.mean(axis=axes, keepdims=True), xx.var(axis=axes, keepdims=True)  # biased
        want = (xx - mu) / np.sqrt(var + a["eps"]) * x["weight"].reshape(bshape) + x["bias"].reshape(bshape)
        close(case, out, want)
    elif op == "layerNorm":
        xx = x["x"]
        axes = tuple(range(xx.ndim - len(a["normalizedShape"]), xx.ndim))
        mu, var = xx.mean(axis=axes, keepdims=True), xx.var(axis=axes, keepdims=True)
        close(case, out, (xx - mu) / np.sqrt(var + a["eps"]) * x["weight"] + x["bias"])
    elif op == "gelu" and a["approximate"] == "tanh":
        xx = x["x"]
        close(case, out, 0.5 * xx * (1 + np.tanh(math.sqrt(2 / math.pi) * (xx + 0.044715 * xx ** 3))))
    elif op == "pad":
        close(case, out, np.pad(x["x"], a["pads"], constant_values=a["value"]))
    elif op == "matmul":
        close(case, out, np.matmul(x["a"], x["b"]))


def main():
    # Only the conformance groups written by make_goldens.py; schedules.json and optim.json come from
    # their own generators (make_schedule_goldens.py, make_optim_goldens.py) with their own formats.
    files = [os.path.join(GOLDEN, f"{g}.json") for g in GROUPS]
    missing = [f for f in files if not os.path.exists(f)]
    if missing:
        errors.append(f"missing conformance groups: {missing}")
    files = [f for f in files if os.path.exists(f)]
    names, total_cases, total_bytes = set(), 0, 0
    for path in files:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        doc = json.loads(text)
        total_bytes += len(text.encode("utf-8"))
        if set(doc) != {"generator", "torch", "cases"} or doc["generator"] != "tools/goldens/make_goldens.py":
            errors.append(f"{path}: bad header {sorted(doc)}")
        per_op = {}
        for case in doc["cases"]:
            if case.get("name") in names:
                err(case, "duplicate name")
            names.add(case.get("name"))
            res = check_structure(case, os.path.basename(path)[:-5])
            if res is not None:
                semantic(case, res[0], res[1])
            per_op[case.get("op")] = per_op.get(case.get("op"), 0) + 1
        total_cases += len(doc["cases"])
        print(f"{os.path.relpath(path, ROOT)}: {len(doc['cases'])} cases ({', '.join(f'{k} {v}' for k, v in per_op.items())})")
    print(f"total: {total_cases} cases, {total_bytes} bytes")
    for e in errors:
        print("ERROR", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
