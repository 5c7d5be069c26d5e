#!/usr/bin/env python3
"""Fashion-MNIST recipe search for ganglion's main job, with PyTorch on CPU (one thread).

Trains one candidate recipe (architecture + optimizer + schedule + augmentation) restricted to the
layers ganglion has, prints per-epoch progress, and appends one JSON line with the result (test
accuracy with and without flip-TTA, forward MFLOP/image, budget = epochs x MFLOP, seconds) to
--results (default /tmp/recipes/results.jsonl).

How to run (Debian python3-torch 1.13; put OpenBLAS first, see bench/RESULTS.md):

    mkdir -p /tmp/openblas && cd /tmp/openblas && apt-get download libopenblas0-pthread && dpkg -x libopenblas0-pthread*.deb .
    export LD_LIBRARY_PATH=/tmp/openblas/usr/lib/x86_64-linux-gnu/openblas-pthread OPENBLAS_NUM_THREADS=1
    /usr/bin/python3 tools/recipes/recipe_search.py --arch "C32k5-mp2-C64k5-mp2-d0.25-fc" --epochs 7 \
        --opt adamw --lr 0.003 --wd 5e-4 --ls 0.1 --bs 64 --aug crop2,flip --tta
    /usr/bin/python3 tools/recipes/recipe_search.py --arch ... --flops-only   # just print MFLOP/img

Architecture mini-language (tokens joined by "-", applied in order to a [1,28,28] input):
    C<n>[k<k>][s<s>][p<p>][g<g>]  conv(k x k, default 3; stride s, default 1; padding p, default k//2;
                                  groups g) -> BatchNorm2d -> ReLU        (bias-free conv, as ganglion's CNN)
    c<n>[...]                     bare conv (with bias), no BN/ReLU
    R<n>                          residual block  x + BN(conv3x3(ReLU(BN(conv3x3(x))))), then ReLU (same width)
    mp<k> / ap<k>                 max / average pool, kernel = stride = k
    gap                           global average pool (-> [C,1,1])
    d<p>                          dropout p
    fc                            flatten + linear(-> 10 classes)
    fc<n>                         flatten + linear(-> n) + ReLU  (hidden layer; end with a final "fc")
Weight decay is applied to every parameter (like AdamW/SGD weight decay on the whole model).
Augmentation (--aug, comma list): crop<P> (random crop with P-pixel zero padding), flip (horizontal),
cutout<S> (one S x S zeroed square, centre uniform over the image). TTA = average logits of the test
image and its mirror. Normalization: per-channel mean/std of the training set.
The one-cycle schedule matches ganglion's oneCycle defaults (pctStart 0.3, divFactor 25,
finalDivFactor 1e4, cosine, no momentum cycling); 'cosine' is linear warm-up (--warmup epochs) then
cosine to 0.
"""
import argparse
import gzip
import json
import math
import os
import re
import time

import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

warnings.filterwarnings("ignore", message="Lazy modules")
DATA_DIR = "/usr/share/datasets/fashion-mnist"


def read_idx(name):
    for p in (os.path.join(DATA_DIR, name), os.path.join(DATA_DIR, name + ".gz")):
        if os.path.exists(p):
            with (gzip.open(p, "rb") if p.endswith(".gz") else open(p, "rb")) as f:
                data = f.read()
            ndim = data[3]
            dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
            return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)
    raise FileNotFoundError(name)


def load_data():
    xtr = torch.from_numpy(read_idx("train-images-idx3-ubyte").astype(np.float32) / 255.0).unsqueeze(1)
    ytr = torch.from_numpy(read_idx("train-labels-idx1-ubyte").astype(np.int64))
    xte = torch.from_numpy(read_idx("t10k-images-idx3-ubyte").astype(np.float32) / 255.0).unsqueeze(1)
    yte = torch.from_numpy(read_idx("t10k-labels-idx1-ubyte").astype(np.int64))
    mean, std = xtr.mean().item(), xtr.std().item()
    return (xtr - mean) / std, ytr, (xte - mean) / std, yte


# ---------------------------------------------------------------- architecture mini-language

class Residual(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.f = nn.Sequential(nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(),
                               nn.Conv2d(c, c, 3, padding=1, bias=False), nn.BatchNorm2d(c))

    def forward(self, x):
        return F.relu(x + self.f(x))


CONV_RE = re.compile(r"^([Cc])(\d+)((?:[kspg]\d+)*)$")


def build(arch, in_ch=1, classes=10):
    layers, c = [], in_ch
    for tok in arch.split("-"):
        m = CONV_RE.match(tok)
        if m:
            out = int(m.group(2))
            opts = {k: int(v) for k, v in re.findall(r"([kspg])(\d+)", m.group(3))}
            k = opts.get("k", 3)
            conv = nn.Conv2d(c, out, k, stride=opts.get("s", 1), padding=opts.get("p", k // 2),
                             groups=opts.get("g", 1), bias=(m.group(1) == "c"))
            layers += [conv] if m.group(1) == "c" else [conv, nn.BatchNorm2d(out), nn.ReLU()]
            c = out
        elif tok.startswith("R"):
            assert int(tok[1:]) == c, f"residual width {tok} != current channels {c}"
            layers.append(Residual(c))
        elif tok.startswith("mp"):
            layers.append(nn.MaxPool2d(int(tok[2:])))
        elif tok.startswith("ap"):
            layers.append(nn.AvgPool2d(int(tok[2:])))
        elif tok == "gap":
            layers.append(nn.AdaptiveAvgPool2d(1))
        elif tok.startswith("d"):
            layers.append(nn.Dropout(float(tok[1:])))
        elif tok.startswith("fc"):
            layers.append(nn.Flatten())
            layers.append(nn.LazyLinear(int(tok[2:]) if len(tok) > 2 else classes))
            if len(tok) > 2:
                layers.append(nn.ReLU())
        else:
            raise ValueError(f"unknown token {tok!r}")
    model = nn.Sequential(*layers)
    with torch.no_grad():
        model.eval()
        model(torch.zeros(1, in_ch, 28, 28))  # materialize lazy linears
    return model


def forward_mflops(model):
    """Forward multiply-adds x 2 of conv and linear layers, per image, in MFLOP."""
    total = [0]

    def conv_hook(mod, inp, out):
        total[0] += 2 * out.numel() * (mod.in_channels // mod.groups) * mod.kernel_size[0] * mod.kernel_size[1]

    def lin_hook(mod, inp, out):
        total[0] += 2 * mod.in_features * mod.out_features

    hooks = []
    for mod in model.modules():
        if isinstance(mod, nn.Conv2d):
            hooks.append(mod.register_forward_hook(conv_hook))
        elif isinstance(mod, nn.Linear):
            hooks.append(mod.register_forward_hook(lin_hook))
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 1, 28, 28))
    for h in hooks:
        h.remove()
    return total[0] / 1e6


# ---------------------------------------------------------------- augmentation (whole batch, vectorized)

def augment(x, specs, gen):
    n = x.shape[0]
    for s in specs:
        if s.startswith("crop"):
            p = int(s[4:])
            xp = F.pad(x, (p, p, p, p))
            dx = torch.randint(0, 2 * p + 1, (n,), generator=gen)
            dy = torch.randint(0, 2 * p + 1, (n,), generator=gen)
            out = torch.empty_like(x)
            for i in range(2 * p + 1):
                for j in range(2 * p + 1):
                    idx = ((dy == i) & (dx == j)).nonzero(as_tuple=True)[0]
                    if len(idx):
                        out[idx] = xp[idx, :, i:i + 28, j:j + 28]
            x = out
        elif s == "flip":
            m = torch.rand(n, generator=gen) < 0.5
            x = torch.where(m.view(n, 1, 1, 1), x.flip(3), x)
        elif s.startswith("cutout"):
            size = int(s[6:])
            cy = torch.randint(0, 28, (n, 1, 1), generator=gen)
            cx = torch.randint(0, 28, (n, 1, 1), generator=gen)
            r = torch.arange(28)
            my = ((r.view(1, 28, 1) - cy).abs() <= (size - 1) // 2) if size % 2 else \
                ((r.view(1, 28, 1) >= cy - size // 2) & (r.view(1, 28, 1) < cy + size // 2))
            mx = ((r.view(1, 1, 28) - cx).abs() <= (size - 1) // 2) if size % 2 else \
                ((r.view(1, 1, 28) >= cx - size // 2) & (r.view(1, 1, 28) < cx + size // 2))
            x = x.masked_fill((my & mx).unsqueeze(1), 0.0)  # 0 = the normalized mean
        elif s:
            raise ValueError(f"unknown augmentation {s!r}")
    return x


# ---------------------------------------------------------------- training

def lr_at(step, total, args):
    if args.sched == "onecycle":
        up = int(0.3 * total)
        init, peak = args.lr / 25, args.lr
        fin = init / 1e4
        if step < up:
            return init + (peak - init) * (1 - math.cos(math.pi * step / up)) / 2
        p = (step - up) / max(1, total - 1 - up)
        return fin + (peak - fin) * (1 + math.cos(math.pi * min(p, 1.0))) / 2
    if args.sched == "cosine":
        w = int(args.warmup * total / args.epochs)
        if step < w:
            return args.lr * (step + 1) / w
        return args.lr * 0.5 * (1 + math.cos(math.pi * (step - w) / max(1, total - w)))
    if args.sched == "constant":
        return args.lr
    raise ValueError(args.sched)


def evaluate(model, x, y, tta):
    model.eval()
    correct = correct_tta = 0
    with torch.no_grad():
        for i in range(0, len(x), 1000):
            xb = x[i:i + 1000].contiguous(memory_format=torch.channels_last)
            logits = model(xb)
            correct += (logits.argmax(1) == y[i:i + 1000]).sum().item()
            if tta:
                logits = logits + model(xb.flip(3).contiguous(memory_format=torch.channels_last))
                correct_tta += (logits.argmax(1) == y[i:i + 1000]).sum().item()
    return correct / len(x), (correct_tta / len(x) if tta else None)


def print_table(path):
    print("| tag | architecture | MFLOP/img | epochs | budget | batch | optimizer / schedule / peak lr / wd | label smoothing "
          "| augmentation | test acc | test acc (flip TTA) | train s (1 thread) |")
    print("| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | --- | ---: | ---: | ---: |")
    for line in open(path):
        r = json.loads(line)
        print(f"| {r['tag']} | `{r['arch']}` | {r['mflops']:.1f} | {r['epochs']:g} | {r['budget']:.0f} | {r['bs']} "
              f"| {r['opt']} / {r['sched']} / {r['lr']:g} / {r['wd']:g} | {r['ls']:g} | {r['aug']} "
              f"| {100 * r['acc']:.2f}% | {100 * r['acc_tta']:.2f}% | {r['train_s']:.0f} |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--arch", default="C32k5-mp2-C64k5-mp2-d0.25-fc")
    ap.add_argument("--epochs", type=float, default=7)
    ap.add_argument("--bs", type=int, default=64)
    ap.add_argument("--opt", default="adamw", choices=["adamw", "adam", "sgd", "nesterov"])
    ap.add_argument("--lr", type=float, default=0.003)
    ap.add_argument("--wd", type=float, default=5e-4)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--sched", default="onecycle", choices=["onecycle", "cosine", "constant"])
    ap.add_argument("--warmup", type=float, default=0.5, help="warm-up epochs for --sched cosine")
    ap.add_argument("--ls", type=float, default=0.1, help="label smoothing")
    ap.add_argument("--aug", default="crop2,flip")
    ap.add_argument("--tta", action="store_true", help="also report flip-TTA accuracy")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--tag", default="")
    ap.add_argument("--flops-only", action="store_true")
    ap.add_argument("--eval-every", type=int, default=0, help="test accuracy every N epochs (0: only at the end)")
    ap.add_argument("--no-channels-last", action="store_true", help="NCHW instead of channels-last (mkldnn) tensors")
    ap.add_argument("--results", default="/tmp/recipes/results.jsonl")
    ap.add_argument("--table", metavar="JSONL", help="print the results of JSONL as a markdown table and exit")
    args = ap.parse_args()
    if args.table:
        print_table(args.table)
        return

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = build(args.arch)
    mflops = forward_mflops(model)
    nparams = sum(p.numel() for p in model.parameters())
    print(f"arch {args.arch}: {mflops:.2f} forward MFLOP/img, {nparams} params, budget {mflops * args.epochs:.1f}",
          flush=True)
    if args.flops_only:
        return

    xtr, ytr, xte, yte = load_data()
    if not args.no_channels_last:  # ~1.5x faster convolutions on one thread; same math
        model = model.to(memory_format=torch.channels_last)
    gen = torch.Generator().manual_seed(args.seed)
    params = model.parameters()
    if args.opt == "adamw":
        opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=args.wd)
    elif args.opt == "adam":
        opt = torch.optim.Adam(params, lr=args.lr, weight_decay=args.wd)
    else:
        opt = torch.optim.SGD(params, lr=args.lr, momentum=args.momentum, weight_decay=args.wd,
                              nesterov=(args.opt == "nesterov"))
    n = len(xtr)
    steps_per_epoch = n // args.bs  # drop the last partial batch
    total = int(round(args.epochs * steps_per_epoch))
    specs = [s for s in args.aug.split(",") if s and s != "none"]
    step, t0, train_time = 0, time.time(), 0.0
    epoch = 0
    while step < total:
        ts = time.time()
        model.train()
        perm = torch.randperm(n, generator=gen)
        xs = augment(xtr[perm], specs, gen)
        ys = ytr[perm]
        loss_sum, seen = 0.0, 0
        for b in range(steps_per_epoch):
            if step >= total:
                break
            for g in opt.param_groups:
                g["lr"] = lr_at(step, total, args)
            xb, yb = xs[b * args.bs:(b + 1) * args.bs], ys[b * args.bs:(b + 1) * args.bs]
            if not args.no_channels_last:
                xb = xb.contiguous(memory_format=torch.channels_last)
            loss = F.cross_entropy(model(xb), yb, label_smoothing=args.ls)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(yb)
            seen += len(yb)
            step += 1
        train_time += time.time() - ts
        epoch += 1
        acc = evaluate(model, xte, yte, False)[0] if args.eval_every and epoch % args.eval_every == 0 else float("nan")
        print(f"epoch {epoch}: loss {loss_sum / max(seen, 1):.4f} test {acc:.4f} "
              f"({seen / (time.time() - ts):.0f} img/s, {time.time() - t0:.0f}s)", flush=True)
    acc, acc_tta = evaluate(model, xte, yte, True)
    res = dict(tag=args.tag, arch=args.arch, mflops=round(mflops, 3), params=nparams, epochs=args.epochs,
               budget=round(mflops * args.epochs, 1), bs=args.bs, opt=args.opt, lr=args.lr, wd=args.wd,
               sched=args.sched, ls=args.ls, aug=args.aug, seed=args.seed, acc=acc, acc_tta=acc_tta,
               train_s=round(train_time, 1), total_s=round(time.time() - t0, 1))
    print("RESULT " + json.dumps(res), flush=True)
    os.makedirs(os.path.dirname(args.results), exist_ok=True)
    with open(args.results, "a") as f:
        f.write(json.dumps(res) + "\n")


if __name__ == "__main__":
    main()
