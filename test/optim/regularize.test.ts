/** Regularization helpers: L1 / elastic-net loss terms, no-decay groups, gradient clipping, NaN/Inf guard. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion";
import { assertClose } from "../helpers.js";

type Tensor = g.Tensor;
const { optim } = g;
const leaf = (v: number[] | number[][]): Tensor => g.tensor(v, { dtype: "float64", requiresGrad: true }).keep();
const vals = (t: Tensor): number[] => [...t.dataSync()];

test("l1Penalty: λ·Σ|θ| with gradient λ·sign(θ)", () => {
  const a = leaf([1, -2, 0]);
  const b = leaf([[0.5, -0.25]]);
  const pen = optim.l1Penalty([a, b], 0.1);
  assert.ok(Math.abs(pen.item() - 0.375) < 1e-15);
  pen.backward();
  assertClose(vals(a.grad!), [0.1, -0.1, 0], { atol: 1e-15, rtol: 0 });
  assertClose(vals(b.grad!), [0.1, -0.1], { atol: 1e-15, rtol: 0 });
});

test("elasticNet: l1·Σ|θ| + (l2/2)·Σθ²; its L2 part has the gradient of weightDecay l2", () => {
  const a = leaf([1, -2, 3]);
  const pen = optim.elasticNet([a], 0.1, 0.2);
  assert.ok(Math.abs(pen.item() - (0.1 * 6 + 0.1 * 14)) < 1e-14);
  const l2 = optim.elasticNet([a], 0, 0.2);
  l2.backward();
  assertClose(vals(a.grad!), [0.2, -0.4, 0.6], { atol: 1e-15, rtol: 0 });
  assert.throws(() => optim.l1Penalty([a], -1), /l1Penalty: invalid lambda -1/);
  assert.throws(() => optim.elasticNet([a], 0.1, Number.NaN), /elasticNet: invalid l2 NaN/);
  assert.throws(() => optim.l1Penalty([], 0.1), /l1Penalty: no parameters given/);
});

test("paramGroupsNoDecay: weights decay, biases and norm parameters (rank ≤ 1) do not", () => {
  const rng = new g.Rng(3);
  const model = g.nn.sequential(g.nn.linear(3, 4, { rng }), g.nn.batchNorm1d(4), g.nn.relu(), g.nn.linear(4, 2, { rng }));
  const groups = optim.paramGroupsNoDecay(model, 0.5);
  assert.deepEqual(groups.map((gr) => gr.params.map((p) => p.name)), [["weight", "weight"], ["bias", "weight", "bias", "bias"]]);
  assert.deepEqual(groups.map((gr) => gr.params.map((p) => p.rank)), [[2, 2], [1, 1, 1, 1]]);
  const before = model.parameters().map(vals);
  const opt = optim.sgd(groups, { lr: 0.1 });
  for (const p of model.parameters()) p.grad = g.zerosLike(p).keep(); // zero loss gradient: only decay moves
  opt.step();
  model.parameters().forEach((p, i) => {
    const factor = p.rank >= 2 ? 1 - 0.1 * 0.5 : 1;
    assertClose(vals(p), before[i].map((v) => v * factor), { atol: 1e-7, rtol: 1e-6 }, p.name);
  });
  assert.deepEqual(opt.groups.map((gr) => gr.options.weightDecay), [0.5, 0]);
});

function withGrads(...gs: number[][]): Tensor[] {
  return gs.map((v) => {
    const p = leaf(v.map(() => 0));
    p.grad = g.tensor(v, { dtype: "float64" }).keep();
    return p;
  });
}

test("clipGradNorm: torch's clip_grad_norm_ (norm of norms, coefficient maxNorm/(total + 1e-6) clamped at 1)", () => {
  for (const [normType, total] of [[2, 13], [1, 19], [Infinity, 12], [3, Math.cbrt(27 + 64 + 1728)]] as const) {
    const ps = withGrads([3, -4], [12]);
    const n = optim.clipGradNorm(ps, 6.5, normType);
    assert.ok(Math.abs(n - total) < 1e-12 * total, `p=${normType}: total ${n} vs ${total}`);
    const c = 6.5 / (total + 1e-6);
    assertClose(vals(ps[0].grad!), [3 * c, -4 * c], { atol: 0, rtol: 1e-14 }, `p=${normType}`);
    assertClose(vals(ps[1].grad!), [12 * c], { atol: 0, rtol: 1e-14 }, `p=${normType}`);
  }
  const ps = withGrads([3, -4], [12]);
  assert.equal(optim.clipGradNorm(ps, 100), 13);
  assert.deepEqual(vals(ps[0].grad!), [3, -4], "below maxNorm: unchanged");
  assert.equal(optim.clipGradNorm([leaf([1])], 1), 0, "no gradients: norm 0");
  assert.throws(() => optim.clipGradNorm(ps, -1), /clipGradNorm: invalid maxNorm -1/);
  assert.throws(() => optim.clipGradNorm(ps, 1, 0), /clipGradNorm: invalid normType 0/);
});

test("clipGradValue clamps every gradient to [−v, v]", () => {
  const ps = withGrads([3, -4, 0.5], [-0.2]);
  optim.clipGradValue(ps, 1);
  assert.deepEqual(vals(ps[0].grad!), [1, -1, 0.5]);
  assert.deepEqual(vals(ps[1].grad!), [-0.2]);
  assert.throws(() => optim.clipGradValue(ps, -1), /clipGradValue: invalid clipValue -1/);
});

test("checkFiniteGrads names the first parameter whose gradient has NaN or Inf", () => {
  const rng = new g.Rng(4);
  const model = g.nn.sequential(g.nn.linear(2, 3, { rng }), g.nn.relu(), g.nn.linear(3, 1, { rng }));
  const x = g.tensor([[1, 2]]);
  model.forward(x).sum().backward();
  optim.checkFiniteGrads(model.namedParameters()); // finite: no error
  const w = model.parameters()[2];
  w.grad!.assign(g.tensor([[Number.NaN, Number.POSITIVE_INFINITY, 1]]));
  model.parameters()[3].grad!.assign(g.tensor([Number.NaN]));
  assert.throws(() => optim.checkFiniteGrads(model.namedParameters()), (e: Error) => {
    assert.ok(e instanceof optim.NonFiniteGradError);
    assert.equal(e.param, "2.weight");
    assert.equal(e.message, "checkFiniteGrads: gradient of '2.weight' [1,3] has 1 NaN and 1 infinite values (of 3)");
    return true;
  });
  model.dispose();
});
