"""Golden learning-rate sequences from torch.optim.lr_scheduler (PyTorch 1.13) for ganglion's schedules.

Run:  /usr/bin/python3 tools/goldens/make_schedule_goldens.py
Writes test/fixtures/golden/schedules.json, read by src/optim/schedules/golden.test.ts.

Each case holds
  name       a label
  schedule   the ganglion call that must reproduce it: {"fn": name, "args": [...]}, where an argument
             that is itself {"fn": ...} is a nested schedule (combinators)
  values     the lr (or momentum) the optimizer held at step t = 0, 1, ..., as torch set it (its
             chainable form); for ReduceOnPlateau, the lr after each step(metrics[t])
  closed     the closed form torch documents (`_get_closed_form_lr`), where the scheduler has one
  metrics    ReduceOnPlateau only: the metric fed at each step (null stands for NaN)
  note       a difference between torch's two forms found while making the case
The golden test compares ganglion with `values`. The script also reports how far the chainable form drifts
from the closed form (maxChainableDrift): < 2e-15 relative everywhere except the `note`d SGDR case.
"""
import json
import math
import os
import warnings

import torch
from torch.optim import lr_scheduler as S

warnings.filterwarnings("ignore")
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "golden", "schedules.json")
BASE = 0.1
cases = []


def optimizer(lr=BASE):
    p = torch.nn.Parameter(torch.zeros(1))
    return torch.optim.SGD([p], lr=lr, momentum=0.9)


def spec(fn, *args):
    return {"fn": fn, "args": list(args)}


def drift(a, b):
    return max(abs(x - y) / max(abs(y), 1e-300) for x, y in zip(a, b))


def record(name, make, ganglion, steps, key="lr", base=BASE, note=None):
    opt = optimizer(base)
    sched = make(opt)
    # CosineAnnealingWarmRestarts has no _get_closed_form_lr: its closed form is step(epoch).
    epoch_opt = optimizer(base)
    epoch_sched = make(epoch_opt) if isinstance(sched, S.CosineAnnealingWarmRestarts) else None
    values, closed = [], []
    for t in range(steps):
        values.append(float(opt.param_groups[0][key]))
        if key == "lr" and hasattr(sched, "_get_closed_form_lr"):
            closed.append(float(sched._get_closed_form_lr()[0]))
        if epoch_sched is not None:
            if t > 0:
                epoch_sched.step(t)
            closed.append(float(epoch_opt.param_groups[0]["lr"]))
        opt.step()
        sched.step()
    case = {"name": name, "schedule": ganglion, "values": values}
    if closed:
        case["closed"] = closed
        case["maxChainableDrift"] = drift(values, closed)
    if note:
        case["note"] = note
    cases.append(case)


def plateau(name, opts, metrics, base=BASE):
    opt = optimizer(base)
    sched = S.ReduceLROnPlateau(opt, **opts)
    values = []
    for m in metrics:
        sched.step(m)
        values.append(float(opt.param_groups[0]["lr"]))
    ganglion_opts = {
        {"threshold_mode": "thresholdMode", "min_lr": "minLr"}.get(k, k): v for k, v in opts.items()
    }
    # JSON has no NaN: a NaN metric is written as null.
    metrics = [None if math.isnan(m) else m for m in metrics]
    cases.append({"name": name, "schedule": spec("ReduceOnPlateau", base, ganglion_opts), "metrics": metrics, "values": values})


# --- simple decays -------------------------------------------------------------------------------------
record("StepLR step_size=7 gamma=0.5", lambda o: S.StepLR(o, 7, 0.5), spec("stepDecay", BASE, 7, 0.5), 60)
record("MultiStepLR [10,25,25,40] gamma=0.3 (repeated milestone)",
       lambda o: S.MultiStepLR(o, [10, 25, 25, 40], 0.3), spec("multiStep", BASE, [10, 25, 25, 40], 0.3), 60)
record("ExponentialLR gamma=0.95", lambda o: S.ExponentialLR(o, 0.95), spec("exponential", BASE, 0.95), 80)
record("PolynomialLR total_iters=40 power=2", lambda o: S.PolynomialLR(o, total_iters=40, power=2.0),
       spec("polynomial", BASE, 40, {"power": 2}), 60)

# --- cosine --------------------------------------------------------------------------------------------
# Only up to T_max: beyond it torch's cosine climbs back up, ganglion's holds the floor (see cosine.ts).
record("CosineAnnealingLR T_max=50 eta_min=1e-3", lambda o: S.CosineAnnealingLR(o, 50, 1e-3),
       spec("cosine", BASE, 50, 1e-3), 51)
record("CosineAnnealingLR T_max=100 eta_min=0", lambda o: S.CosineAnnealingLR(o, 100, 0.0),
       spec("cosine", BASE, 100, 0), 101)
record("CosineAnnealingWarmRestarts T_0=10 T_mult=1 eta_min=1e-4",
       lambda o: S.CosineAnnealingWarmRestarts(o, 10, 1, 1e-4), spec("cosineWarmRestarts", BASE, 10, 1, 1e-4), 100)
record("CosineAnnealingWarmRestarts T_0=5 T_mult=2",
       lambda o: S.CosineAnnealingWarmRestarts(o, 5, 2, 0.0), spec("cosineWarmRestarts", BASE, 5, 2, 0), 100)
record("CosineAnnealingWarmRestarts T_0=3 T_mult=3 eta_min=0.01",
       lambda o: S.CosineAnnealingWarmRestarts(o, 3, 3, 0.01), spec("cosineWarmRestarts", BASE, 3, 3, 0.01), 370,
       note="torch's step(epoch) form misses the restart at epoch 363 = 3+9+27+81+243: "
            "int(log(243, 3)) = int(4.999999999999999) = 4; its chainable step() and ganglion restart there")

# --- one cycle -----------------------------------------------------------------------------------------
def one_cycle(total, **kw):
    return lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=total, **kw)


record("OneCycleLR cos", one_cycle(100), spec("oneCycle", 0.5, 100, {}), 100)
record("OneCycleLR cos momentum", one_cycle(100), spec("oneCycleMomentum", 100, {}), 100, key="momentum")
record("OneCycleLR linear pct_start=0.25 div=10 final_div=100",
       one_cycle(80, pct_start=0.25, div_factor=10.0, final_div_factor=100.0, anneal_strategy="linear"),
       spec("oneCycle", 0.5, 80, {"pctStart": 0.25, "divFactor": 10, "finalDivFactor": 100, "anneal": "linear"}), 80)
record("OneCycleLR cos three_phase", one_cycle(100, three_phase=True),
       spec("oneCycle", 0.5, 100, {"threePhase": True}), 100)
record("OneCycleLR linear three_phase pct_start=0.4", one_cycle(90, three_phase=True, pct_start=0.4, anneal_strategy="linear"),
       spec("oneCycle", 0.5, 90, {"threePhase": True, "pctStart": 0.4, "anneal": "linear"}), 90)
record("OneCycleLR linear three_phase momentum", one_cycle(90, three_phase=True, pct_start=0.4, anneal_strategy="linear",
       base_momentum=0.8, max_momentum=0.9),
       spec("oneCycleMomentum", 90, {"threePhase": True, "pctStart": 0.4, "anneal": "linear", "baseMomentum": 0.8,
                                     "maxMomentum": 0.9}), 90, key="momentum")

# --- warm-up and combinations --------------------------------------------------------------------------
record("SequentialLR(LinearLR start=0.1 x10, CosineAnnealingLR T_max=90)",
       lambda o: S.SequentialLR(o, [S.LinearLR(o, 0.1, 1.0, 10), S.CosineAnnealingLR(o, 90)], [10]),
       spec("linearWarmup", 10, spec("cosine", BASE, 90, 0), 0.1), 100)
# Each scheduler after a milestone restarts from the initial lr (SequentialLR calls step(0), the closed form).
record("SequentialLR(LinearLR start=1/3 x5, StepLR 10 0.5, ExponentialLR 0.9)",
       lambda o: S.SequentialLR(o, [S.LinearLR(o, total_iters=5), S.StepLR(o, 10, 0.5), S.ExponentialLR(o, 0.9)], [5, 35]),
       spec("sequential", [spec("compose", spec("constant", BASE), spec("linearRamp", 1 / 3, 1, 5)),
                           spec("stepDecay", BASE, 10, 0.5), spec("exponential", BASE, 0.9)], [5, 35]), 60)
warm = lambda t: 0.01 + 0.99 * min(t, 10) / 10
cos100 = lambda t: 0.5 * (1 + math.cos(math.pi * min(t, 100) / 100))
record("LambdaLR(linear warm-up 0.01 x10 * cosine 100)", lambda o: S.LambdaLR(o, lambda t: warm(t) * cos100(t)),
       spec("compose", spec("cosine", BASE, 100, 0), spec("linearRamp", 0.01, 1, 10)), 101)
record("ChainedScheduler(LinearLR start=0.25 x8, ExponentialLR 0.97)",
       lambda o: S.ChainedScheduler([S.LinearLR(o, 0.25, 1.0, 8), S.ExponentialLR(o, 0.97)]),
       spec("compose", spec("exponential", BASE, 0.97), spec("linearRamp", 0.25, 1, 8)), 60)

# --- reduce on plateau ---------------------------------------------------------------------------------
# A loss that improves, stalls, improves a little (below and above the threshold), and ends on a NaN.
loss = [1.0 / (1 + 0.3 * t) for t in range(12)] + [0.22, 0.225, 0.221, 0.23, 0.2199, 0.24, 0.25] \
    + [0.2 - 0.001 * t for t in range(10)] + [0.19] * 12 + [0.1899, 0.18999, 0.17, 0.171, 0.172, 0.173, 0.174] \
    + [0.16] * 12 + [float("nan"), 0.15, 0.15, 0.15, 0.15]
plateau("ReduceLROnPlateau min rel patience=3 factor=0.5 cooldown=2 min_lr=0.01",
        {"mode": "min", "factor": 0.5, "patience": 3, "threshold": 1e-3, "threshold_mode": "rel", "cooldown": 2,
         "min_lr": 0.01}, [x for x in loss if not math.isnan(x)])
plateau("ReduceLROnPlateau min abs patience=2 factor=0.3 eps=1e-3 (NaN metric)",
        {"mode": "min", "factor": 0.3, "patience": 2, "threshold": 0.005, "threshold_mode": "abs", "min_lr": 0.002,
         "eps": 1e-3}, loss)
acc = [0.1 + 0.8 * (1 - math.exp(-t / 8)) + 0.01 * math.sin(1.7 * t) for t in range(70)]
plateau("ReduceLROnPlateau max abs patience=2 factor=0.3 threshold=0.01",
        {"mode": "max", "factor": 0.3, "patience": 2, "threshold": 0.01, "threshold_mode": "abs"}, acc)
plateau("ReduceLROnPlateau max rel patience=4 cooldown=3", {"mode": "max", "patience": 4, "cooldown": 3}, acc)

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w") as f:
    json.dump({"generator": "tools/goldens/make_schedule_goldens.py", "torch": torch.__version__, "cases": cases}, f,
              indent=1, allow_nan=False)
for c in cases:
    d = c.get("maxChainableDrift")
    print(f"{c['name']:<75} {len(c['values']):>4} steps" + ("" if d is None else f"  chainable vs closed {d:.1e}"))
print(f"wrote {len(cases)} cases to {os.path.normpath(OUT)}")
