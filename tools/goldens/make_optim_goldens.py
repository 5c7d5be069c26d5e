"""Golden optimizer trajectories from torch.optim (PyTorch 1.13) for ganglion's optimizers.

Run:  /usr/bin/python3 tools/goldens/make_optim_goldens.py
Writes test/fixtures/golden/optim.json, read by test/optim/trajectories.test.ts.

Everything runs in float64 (torch.set_default_dtype): in float32 the two libraries round fused ops
(addcmul, addcdiv, add with alpha) and reductions (matmul, conv) differently, and 20 steps of Adam or
RMSProp amplify those 1e-7 differences where gradients are small; float64 leaves only ~1e-15 noise, so the
1e-5 relative criterion tests the update rule, not the rounding. ganglion supports float64 on the
reference backend.

File layout (a tensor T is {"dtype": "float64" | "int32", "shape": [...], "b64": little-endian bytes}):
  problems   name -> {"inputs": {name: T}, "params": {name: T}}: the fixed data and the initial
             parameters, in the order of model.parameters()
               linear  nn.Linear(4, 3) on x [8,4], y [8,3], MSE (mean)
               cnn     conv 1->2 3x3 (name "conv"), relu, flatten, nn.Linear(18, 3) (name "fc") on
                       x [6,1,5,5], target [6] int32, cross-entropy (mean)
  cases      one per optimizer configuration x problem:
               {name, problem, optimizer: "sgd"|"adam"|"adamw"|"adagrad"|"rmsprop",
                options: ganglion option names, groups: [{params: [names], options}] or absent,
                steps, losses: loss before each step, trajectory: {param: T [steps, ...shape]}}
  lbfgs      torch.optim.LBFGS cases: {name, problem: "rosenbrock"|"logistic", options (ganglion names),
               inputs: {name: T} (logistic only), params: {name: T} initial values, steps,
               losses: what step(closure) returned, funcEvals, nIter: torch's state after each step,
               trajectory: {param: T [steps, ...shape]}}
The script is deterministic: running it twice gives byte-identical output.
"""
import base64
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
GENERATOR = "tools/goldens/make_optim_goldens.py"
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "golden", "optim.json")
STEPS = 20


def encode(t):
    t = t.detach()
    if t.dtype in (torch.int64, torch.int32):
        a, dtype = t.numpy().astype("<i4"), "int32"
    else:
        a, dtype = t.numpy().astype("<f8"), "float64"
    return {"dtype": dtype, "shape": list(a.shape), "b64": base64.b64encode(a.tobytes()).decode("ascii")}


# ---- the two first-order problems ----

class TinyCnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 2, 3)
        self.fc = torch.nn.Linear(18, 3)

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).flatten(1))


def make_problems():
    torch.manual_seed(4)
    lin = torch.nn.Linear(4, 3)
    lx, ly = torch.randn(8, 4), torch.randn(8, 3)
    torch.manual_seed(5)
    cnn = TinyCnn()
    cx, ct = torch.randn(6, 1, 5, 5), torch.randint(0, 3, (6,))
    return {
        "linear": (lin, {"x": lx, "y": ly}, lambda m, d: F.mse_loss(m(d["x"]), d["y"])),
        "cnn": (cnn, {"x": cx, "target": ct}, lambda m, d: F.cross_entropy(m(d["x"]), d["target"])),
    }


TORCH_NAMES = {
    "lr": "lr", "momentum": "momentum", "dampening": "dampening", "nesterov": "nesterov", "weightDecay": "weight_decay",
    "betas": "betas", "eps": "eps", "amsgrad": "amsgrad", "lrDecay": "lr_decay",
    "initialAccumulatorValue": "initial_accumulator_value", "alpha": "alpha", "centered": "centered",
    "maxIter": "max_iter", "maxEval": "max_eval", "toleranceGrad": "tolerance_grad",
    "toleranceChange": "tolerance_change", "historySize": "history_size", "lineSearch": "line_search_fn",
}
TORCH_OPT = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
             "adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop, "lbfgs": torch.optim.LBFGS}


def torch_kwargs(options):
    out = {}
    for k, v in options.items():
        if k == "lineSearch":
            v = {"strongWolfe": "strong_wolfe", "none": None}[v]
        out[TORCH_NAMES[k]] = tuple(v) if isinstance(v, list) else v
    return out


CONFIGS = [
    ("sgd/plain", "sgd", {"lr": 0.1}, None),
    ("sgd/weight_decay", "sgd", {"lr": 0.1, "weightDecay": 0.1}, None),
    ("sgd/momentum", "sgd", {"lr": 0.05, "momentum": 0.9}, None),
    ("sgd/nesterov", "sgd", {"lr": 0.05, "momentum": 0.9, "nesterov": True}, None),
    ("sgd/dampening", "sgd", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}, None),
    ("sgd/momentum_weight_decay", "sgd", {"lr": 0.05, "momentum": 0.8, "weightDecay": 0.05}, None),
    ("sgd/groups", "sgd", {"lr": 0.05, "momentum": 0.9}, "groups"),
    ("adam/plain", "adam", {"lr": 0.01}, None),
    ("adam/weight_decay", "adam", {"lr": 0.01, "weightDecay": 0.1}, None),
    ("adam/amsgrad", "adam", {"lr": 0.01, "amsgrad": True}, None),
    ("adam/betas_eps", "adam", {"lr": 0.02, "betas": [0.8, 0.95], "eps": 1e-6, "weightDecay": 0.01, "amsgrad": True}, None),
    ("adamw/plain", "adamw", {"lr": 0.01}, None),
    ("adamw/weight_decay", "adamw", {"lr": 0.01, "weightDecay": 0.2}, None),
    ("adamw/amsgrad", "adamw", {"lr": 0.01, "weightDecay": 0.1, "amsgrad": True}, None),
    ("adagrad/plain", "adagrad", {"lr": 0.1}, None),
    ("adagrad/decay_wd_init", "adagrad", {"lr": 0.1, "lrDecay": 0.05, "weightDecay": 0.1, "initialAccumulatorValue": 0.1, "eps": 1e-8}, None),
    ("rmsprop/plain", "rmsprop", {"lr": 0.01}, None),
    ("rmsprop/centered", "rmsprop", {"lr": 0.01, "centered": True}, None),
    ("rmsprop/momentum", "rmsprop", {"lr": 0.005, "momentum": 0.9}, None),
    ("rmsprop/centered_momentum_wd", "rmsprop", {"lr": 0.005, "alpha": 0.9, "eps": 1e-6, "centered": True, "momentum": 0.5, "weightDecay": 0.1}, None),
]


def group_specs(model):
    """Per-group options: weights (rank >= 2) keep the defaults, biases get lr/10 and weight decay."""
    names = [n for n, _ in model.named_parameters()]
    weights = [n for n, p in model.named_parameters() if p.dim() >= 2]
    biases = [n for n in names if n not in weights]
    return [{"params": weights, "options": {}}, {"params": biases, "options": {"lr": 0.005, "weightDecay": 0.1}}]


def run_case(name, kind, options, groups, problem, model0, data, loss_fn):
    model = type(model0)() if isinstance(model0, TinyCnn) else torch.nn.Linear(4, 3)
    model.load_state_dict(model0.state_dict())
    params = dict(model.named_parameters())
    specs = group_specs(model) if groups == "groups" else None
    if specs:
        torch_groups = [dict(params=[params[n] for n in g["params"]], **torch_kwargs(g["options"])) for g in specs]
        opt = TORCH_OPT[kind](torch_groups, **torch_kwargs(options))
    else:
        opt = TORCH_OPT[kind](model.parameters(), **torch_kwargs(options))
    losses, traj = [], {n: [] for n in params}
    for _ in range(STEPS):
        opt.zero_grad()
        loss = loss_fn(model, data)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        for n, p in params.items():
            traj[n].append(p.detach().clone())
    case = {"name": f"{name}/{problem}", "problem": problem, "optimizer": kind, "options": options}
    if specs:
        case["groups"] = specs
    case.update(steps=STEPS, losses=losses, trajectory={n: encode(torch.stack(v)) for n, v in traj.items()})
    return case


# ---- L-BFGS ----

def rosenbrock(p):
    x = p["xy"]
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def make_logistic():
    torch.manual_seed(7)
    x = torch.randn(32, 3)
    w_true = torch.tensor([1.5, -2.0, 0.5])
    y = ((x @ w_true + 0.3 + 0.8 * torch.randn(32)) > 0).double()
    return {"x": x, "y": y}


def logistic_loss(p, d):
    return F.binary_cross_entropy_with_logits(d["x"] @ p["w"] + p["b"], d["y"])


LBFGS_CASES = [
    ("lbfgs/rosenbrock/strong_wolfe", "rosenbrock", {"lr": 1, "maxIter": 20, "lineSearch": "strongWolfe"}, 6),
    ("lbfgs/rosenbrock/fixed_step", "rosenbrock", {"lr": 0.05, "maxIter": 10, "historySize": 5}, 6),
    ("lbfgs/rosenbrock/strong_wolfe_history3", "rosenbrock", {"lr": 1, "maxIter": 7, "maxEval": 9, "historySize": 3, "lineSearch": "strongWolfe"}, 8),
    ("lbfgs/logistic/strong_wolfe", "logistic", {"lr": 1, "maxIter": 8, "historySize": 4, "lineSearch": "strongWolfe"}, 4),
    ("lbfgs/logistic/fixed_step", "logistic", {"lr": 0.5, "maxIter": 8, "historySize": 4}, 4),
    ("lbfgs/logistic/converges", "logistic", {"lr": 1, "maxIter": 30, "toleranceGrad": 1e-6, "toleranceChange": 1e-12, "lineSearch": "strongWolfe"}, 3),
]


def run_lbfgs(name, problem, options, steps, logistic):
    if problem == "rosenbrock":
        params = {"xy": torch.tensor([-1.5, 2.0], requires_grad=True)}
        inputs, f = {}, lambda: rosenbrock(params)
    else:
        torch.manual_seed(8)
        params = {"w": (0.1 * torch.randn(3)).requires_grad_(), "b": torch.zeros(1, requires_grad=True)}
        inputs, f = logistic, lambda: logistic_loss(params, logistic)
    init = {n: encode(p) for n, p in params.items()}
    opt = torch.optim.LBFGS(list(params.values()), **torch_kwargs(options))

    def closure():
        opt.zero_grad()
        loss = f()
        loss.backward()
        return loss

    losses, evals, iters, traj = [], [], [], {n: [] for n in params}
    for _ in range(steps):
        losses.append(float(opt.step(closure)))
        st = opt.state[next(iter(params.values()))]
        evals.append(st["func_evals"])
        iters.append(st["n_iter"])
        for n, p in params.items():
            traj[n].append(p.detach().clone())
    return {"name": name, "problem": problem, "options": options, "inputs": {k: encode(v) for k, v in inputs.items()},
            "params": init, "steps": steps, "losses": losses, "funcEvals": evals, "nIter": iters,
            "trajectory": {n: encode(torch.stack(v)) for n, v in traj.items()}}


def main():
    problems = make_problems()
    cases = []
    for name, kind, options, groups in CONFIGS:
        for pname, (model0, data, loss_fn) in problems.items():
            cases.append(run_case(name, kind, options, groups, pname, model0, data, loss_fn))
    logistic = make_logistic()
    lbfgs = [run_lbfgs(n, p, o, s, logistic) for n, p, o, s in LBFGS_CASES]
    probs = {n: {"inputs": {k: encode(v) for k, v in d.items()},
                 "params": {k: encode(p) for k, p in m.named_parameters()}} for n, (m, d, _) in problems.items()}
    dump = lambda x: json.dumps(x, separators=(",", ":"), allow_nan=False)
    head = dump({"generator": GENERATOR, "torch": torch.__version__, "dtype": "float64"})[:-1]
    text = (head + ',\n"problems":' + dump(probs) + ',\n"cases":[\n' + ",\n".join(dump(c) for c in cases)
            + '\n],\n"lbfgs":[\n' + ",\n".join(dump(c) for c in lbfgs) + "\n]}\n")
    with open(OUT, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    for c in lbfgs:
        print(f"{c['name']}: losses {['%.6g' % v for v in c['losses']]} evals {c['funcEvals']} iters {c['nIter']}")
    print(f"wrote {OUT}: {len(cases)} cases, {len(lbfgs)} lbfgs cases, {len(text)} bytes")


if __name__ == "__main__":
    main()
