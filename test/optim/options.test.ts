/**
 * Bad options: every optimizer rejects a negative lr, out-of-range values, unknown option keys and unknown
 * group keys with an error that names the optimizer, the option and the value.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion";

type Tensor = g.Tensor;
type Make = (p: Tensor[] | Array<{ params: Tensor[]; options?: Record<string, unknown> }>, o?: Record<string, unknown>) => unknown;
const p = (): Tensor => g.zeros([2, 2], { requiresGrad: true });

const OPTIMIZERS: Record<string, Make> = {
  sgd: (ps, o) => g.optim.sgd(ps as never, o),
  adam: (ps, o) => g.optim.adam(ps as never, o),
  adamw: (ps, o) => g.optim.adamw(ps as never, o),
  adagrad: (ps, o) => g.optim.adagrad(ps as never, o),
  rmsprop: (ps, o) => g.optim.rmsprop(ps as never, o),
  lbfgs: (ps, o) => g.optim.lbfgs(ps as never, o),
};

/** Option values each optimizer must reject, beyond the common ones. */
const SPECIFIC: Record<string, Array<[string, unknown]>> = {
  sgd: [["momentum", -0.5], ["dampening", -1], ["weightDecay", -1e-4], ["nesterov", "yes"]],
  adam: [["betas", [1, 0.999]], ["betas", [0.9, 1.5]], ["betas", [-0.1, 0.999]], ["betas", [0.9]], ["eps", 0], ["amsgrad", 1]],
  adamw: [["betas", [0.9, 1]], ["betas", [Number.NaN, 0.9]], ["weightDecay", -0.01]],
  adagrad: [["lrDecay", -0.1], ["initialAccumulatorValue", -1], ["eps", -1e-10], ["weightDecay", -1]],
  rmsprop: [["alpha", 1.5], ["alpha", -0.1], ["momentum", -0.9], ["eps", -1], ["centered", "true"]],
  lbfgs: [["maxIter", 0], ["maxIter", 2.5], ["historySize", 0], ["maxEval", -3], ["toleranceGrad", -1], ["lineSearch", "wolfe"]],
};

/** Asserts fn throws a ValueError whose message (not "ValueError: ...") matches re. */
function throwsMsg(fn: () => unknown, re: RegExp, what?: string): void {
  assert.throws(fn, (e: Error) => {
    assert.ok(e instanceof g.ValueError, `expected a ValueError, got ${String(e)}`);
    assert.match(e.message, re, what);
    return true;
  }, what);
}
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const shown = (v: unknown): string => (typeof v === "number" ? String(v) : JSON.stringify(v));

for (const [name, make] of Object.entries(OPTIMIZERS)) {
  test(`${name}: negative, NaN and non-number lr name the optimizer, the option and the value`, () => {
    for (const lr of [-0.1, Number.NaN, "0.1"]) {
      throwsMsg(() => make([p()], { lr }), new RegExp(`^${name}: invalid lr ${esc(shown(lr))}`), `lr ${String(lr)}`);
    }
  });

  test(`${name}: out-of-range options name the optimizer, the option and the value`, () => {
    for (const [k, v] of SPECIFIC[name]) {
      throwsMsg(() => make([p()], { [k]: v }), new RegExp(`^${name}: invalid ${k} ${esc(shown(v))}`), `${k} = ${shown(v)}`);
    }
  });

  test(`${name}: an unknown option key is an error naming it and its value`, () => {
    throwsMsg(() => make([p()], { learningRate: 0.1 }), new RegExp(`^${name}: unknown option 'learningRate' = 0\\.1 \\(allowed: lr, `));
  });

  test(`${name}: unknown group keys (PyTorch's flat { params, lr }) and bad group options are errors`, () => {
    throwsMsg(() => make([{ params: [p()], lr: 0.1 } as { params: Tensor[] }]), new RegExp(`^${name}: unknown key 'lr' = 0\\.1 in parameter group 0`));
    throwsMsg(() => make([{ params: [p()], options: { momentun: 0.9 } }]), new RegExp(`^${name}: unknown option 'momentun' = 0\\.9`));
    if (name !== "lbfgs") {
      throwsMsg(() => make([{ params: [p()] }, { params: [p()], options: { lr: -1 } }]), new RegExp(`^${name}: invalid lr -1`));
    }
    throwsMsg(() => make([{ options: { lr: 1 } } as unknown as { params: Tensor[] }]), new RegExp(`^${name}: parameter group 0 has no 'params'`));
  });

  test(`${name}: an empty parameter list and a parameter in two groups are errors`, () => {
    throwsMsg(() => make([]), new RegExp(`^${name}: got an empty parameter list`));
    const shared = p();
    shared.name = "fc.weight";
    throwsMsg(() => make([{ params: [shared] }, { params: [shared] }]), new RegExp(`^${name}: .*(fc\\.weight appears in more than one group|exactly one parameter group)`));
  });
}

test("setOption validates like the constructor (what a scheduler calls)", () => {
  const opt = g.optim.adam([p()]);
  throwsMsg(() => opt.setOption("lr", -3), /^adam: invalid lr -3/);
  throwsMsg(() => opt.setOption("betas", [0.9, 1]), /^adam: invalid betas \[0\.9,1\]/);
  opt.setOption("lr", 0.5);
  assert.equal(opt.groups[0].options.lr, 0.5);
});

test("sgd: nesterov without momentum is rejected", () => {
  throwsMsg(() => g.optim.sgd([p()], { nesterov: true }), /^sgd: nesterov needs momentum > 0 and dampening 0/);
});
