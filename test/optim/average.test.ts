/** Weight averaging (EMA, Polyak/SWA), swapping averaged weights in and out, and BN statistics recompute. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion";
import { assertClose } from "../helpers.js";

type Tensor = g.Tensor;
const vals = (t: Tensor): number[] => [...t.dataSync()];

function model(seed = 1): g.nn.Sequential {
  const rng = new g.Rng(seed);
  return g.nn.sequential(g.nn.linear(3, 4, { rng }), g.nn.batchNorm1d(4), g.nn.relu(), g.nn.linear(4, 2, { rng }));
}
/** Sets every float parameter and buffer of `m` to `v` (a stand-in for an optimizer step). */
function setAll(m: g.nn.Module, v: number): void {
  g.noGrad(() =>
    g.scope(() => {
      for (const [, t] of [...m.namedParameters(), ...m.namedBuffers()]) if (t.dtype === "float32") t.assign(g.fullLike(t, v));
    }),
  );
}
const first = (a: g.optim.AveragedModel): number => a.stateDict()["0.weight"].dataSync()[0];

test("ema: the first update copies, then avg ← decay·avg + (1 − decay)·θ (parameters and float buffers)", () => {
  const m = model();
  const avg = g.optim.ema(m, { decay: 0.9 });
  let expect = 0;
  [1, 2, 5, -3].forEach((v, i) => {
    setAll(m, v);
    avg.update();
    expect = i === 0 ? v : 0.9 * expect + 0.1 * v;
    assert.ok(Math.abs(first(avg) - expect) < 1e-5, `update ${i + 1}: ${first(avg)} vs ${expect}`);
    assert.ok(Math.abs(avg.stateDict()["1.running_var"].dataSync()[0] - expect) < 1e-5, "BN running_var averaged too");
  });
  assert.equal(avg.count, 4);
  avg.dispose();
  m.dispose();
});

test("polyak: the running mean of every snapshot; integer buffers are copied", () => {
  const m = model();
  const avg = g.optim.polyak(m);
  const seq = [4, -2, 7, 1, 0.5];
  for (const v of seq) {
    setAll(m, v);
    g.noGrad(() => g.scope(() => void m.forward(g.ones([2, 3])))); // train mode: num_batches_tracked += 1
    avg.update();
  }
  // the forward also moved the BN running stats; only parameters are checked against the plain mean
  assert.ok(Math.abs(first(avg) - seq.reduce((a, b) => a + b) / seq.length) < 1e-6);
  assert.equal(avg.stateDict()["1.num_batches_tracked"].dataSync()[0], 5);
  avg.dispose();
  m.dispose();
});

test("swapInto exchanges averaged and raw weights (twice restores); update() refuses while swapped; copyTo", () => {
  const m = model();
  const avg = g.optim.ema(m, { decay: 0.5 });
  setAll(m, 2);
  avg.update();
  setAll(m, 4);
  avg.update(); // average 3, model 4
  avg.swapInto(m);
  assert.equal(vals(m.parameters()[0])[0], 3);
  assert.equal(first(avg), 4);
  assert.throws(() => avg.update(), /ema: update\(\) while the averaged weights are swapped into the model/);
  avg.swapInto(m);
  assert.equal(vals(m.parameters()[0])[0], 4);
  assert.equal(first(avg), 3);
  const evalCopy = model(9);
  avg.copyTo(evalCopy);
  assert.equal(vals(evalCopy.parameters()[0])[0], 3);
  const other = g.nn.sequential(g.nn.linear(3, 4));
  assert.throws(() => avg.copyTo(other), /ema: the model has no parameter or buffer '1\.weight'/);
  assert.throws(() => g.optim.ema(m, { decay: 1 }), /ema: invalid decay 1/);
  avg.dispose();
  m.dispose();
});

test("recomputeBatchNormStats: running stats = average of the batch statistics; momentum and mode restored", () => {
  const m = model(3);
  const bn = m.children()[1] as g.nn.BatchNorm1d;
  m.eval();
  const rng = new g.Rng(21);
  const batches = [0, 1, 2].map(() => g.randn([6, 3], { rng, std: 2 }));
  const n = g.optim.recomputeBatchNormStats(m, batches);
  assert.equal(n, 3);
  // Expected: per batch, the mean and unbiased variance of the first linear layer's output, averaged.
  const lin = m.children()[0];
  const stats = batches.map((x) => g.noGrad(() => g.scope(() => {
    const h = lin.forward(x);
    return { mean: vals(h.mean(0)), var: vals(h.var(0)) };
  })));
  const avgOf = (k: "mean" | "var"): number[] => stats[0][k].map((_, j) => stats.reduce((s, st) => s + st[k][j], 0) / stats.length);
  assertClose(vals(bn.runningMean!), avgOf("mean"), { atol: 1e-6, rtol: 1e-5 }, "running_mean");
  assertClose(vals(bn.runningVar!), avgOf("var"), { atol: 1e-6, rtol: 1e-5 }, "running_var");
  assert.equal(bn.numBatchesTracked!.dataSync()[0], 3);
  assert.equal(bn.momentum, 0.1);
  assert.ok(m.children().every((c) => !c.training), "eval mode restored");
  assert.equal(g.optim.recomputeBatchNormStats(m, []), 0);
  assert.ok(Math.abs(vals(bn.runningMean!)[0] - avgOf("mean")[0]) < 1e-5, "no batches: unchanged");
  assert.equal(g.optim.recomputeBatchNormStats(g.nn.sequential(g.nn.linear(3, 1)), batches.map((x) => ({ x }))), 0, "no BN: nothing to do");
  m.dispose();
});

test("averaging keeps tensor counts flat across updates", () => {
  const m = model();
  const avg = g.optim.polyak(m);
  avg.update();
  const live = g.memory().liveTensors;
  for (let i = 0; i < 3; i++) {
    setAll(m, i);
    avg.update();
    avg.swapInto(m);
    avg.swapInto(m);
  }
  assert.equal(g.memory().liveTensors, live);
  avg.dispose();
  m.dispose();
});
