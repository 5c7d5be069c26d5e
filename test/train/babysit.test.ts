/** The babysitter's checks on small models: each says pass/warn/fail for the right reason, names the culprit, and leaves the model as it was. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion";
import * as B from "../../src/train/babysit/index.js";

const { data, nn, optim, train } = g;

function spiral(n = 60, seed = 2): g.data.PointDataset {
  return new data.PointDataset(data.makeSpiral({ pointsPerClass: n, classes: 3, rng: new g.Rng(seed) }));
}
function loader(batchSize = 30, ds = spiral()): g.data.DataLoader {
  return new data.DataLoader(ds, { batchSize, seed: 1 });
}
function mlp(seed = 0, hidden = 64, act: () => g.nn.Module = nn.relu): g.nn.Sequential {
  const rng = new g.Rng(seed);
  return nn.sequential(nn.linear(2, hidden, { rng }), act(), nn.linear(hidden, 3, { rng }));
}
function weights(m: g.nn.Module): number[][] {
  return Object.values(m.stateDict()).map((t) => Array.from(t.dataSync()));
}
function scaleParams(m: g.nn.Module, k: number, pick: (name: string) => boolean = () => true): void {
  g.noGrad(() => {
    for (const [n, p] of m.namedParameters()) if (pick(n)) g.scope(() => p.assign(p.mul(k)));
  });
}

/** Multiplies by 1e38 twice: overflows to Inf on the forward pass. */
class Blow extends nn.Module {
  forward(x: g.Tensor): g.Tensor {
    return x.mul(1e38).mul(1e38);
  }
}
/** x + sqrt(w) with w = 0: a finite forward whose gradient d sqrt(w)/dw = 1/(2·0) is infinite. */
class SqrtShift extends nn.Module {
  readonly w: g.Tensor;
  constructor() {
    super();
    this.w = this.registerParameter("w", g.zeros([1]))!;
  }
  forward(x: g.Tensor): g.Tensor {
    return x.add(this.w.sqrt());
  }
}
/** A linear map whose backward is half the true gradient (half the weight is detached). */
class HalfGradLinear extends nn.Module {
  readonly w: g.Tensor;
  constructor(i: number, o: number, rng: g.Rng) {
    super();
    this.w = this.registerParameter("w", g.randn([i, o], { rng, std: 0.3 }))!;
  }
  forward(x: g.Tensor): g.Tensor {
    return x.matmul(this.w.detach().mul(0.5).add(this.w.mul(0.5)));
  }
}
/** Ignores its input: only the final bias can learn, so it cannot memorize anything. */
class Blind extends nn.Module {
  readonly lin: g.nn.Linear;
  constructor() {
    super();
    this.lin = this.registerModule("lin", nn.linear(2, 3, { rng: new g.Rng(0) }));
  }
  forward(x: g.Tensor): g.Tensor {
    return this.runChild("lin", this.lin, x.mul(0));
  }
}

describe("babysit: initial loss", () => {
  it("passes near ln C, rises with regularization, fails with large weights or all-zero weights", () => {
    const m = mlp();
    const before = g.memory().liveTensors;
    const ok = B.checkInitialLoss(m, loader());
    assert.equal(ok.status, "pass", ok.advice);
    assert.ok(Math.abs(ok.numbers.loss - Math.log(3)) < 0.3, `loss ${ok.numbers.loss}`);
    assert.ok(ok.numbers.regLoss > ok.numbers.loss);
    assert.equal(g.memory().liveTensors, before);
    scaleParams(m, 30);
    const big = B.checkInitialLoss(m, loader());
    assert.equal(big.status, "fail");
    assert.match(big.advice, /far above ln C means the weights are too large/);
    scaleParams(m, 0);
    const zero = B.checkInitialLoss(m, loader());
    assert.equal(zero.status, "fail");
    assert.match(zero.advice, /does not raise the loss.*All weights are zero/);
    m.dispose();
  });
  it("notices a regularizer that is not wired to the weights", () => {
    const m = mlp();
    const r = B.checkInitialLoss(m, loader(), { regularizer: () => g.scalar(0) });
    assert.equal(r.status, "fail");
    assert.match(r.advice, /not wired into the loss/);
    m.dispose();
  });
});

describe("babysit: overfit a tiny subset", () => {
  it("memorizes 20 spiral points and restores the model", () => {
    const m = mlp(5, 100);
    const w0 = weights(m);
    const before = g.memory().liveTensors;
    const r = B.checkOverfitTinySubset(m, loader(), { lr: 0.03, steps: 300 });
    assert.equal(r.status, "pass", r.advice);
    assert.equal(r.numbers.trainAccuracy, 1);
    assert.deepEqual(weights(m), w0);
    assert.equal(g.memory().liveTensors, before);
    m.dispose();
  });
  it("fails with the 'cannot even memorize' advice when the model ignores its input", () => {
    const m = new Blind();
    const r = B.checkOverfitTinySubset(m, loader(), { lr: 0.03, steps: 100 });
    assert.equal(r.status, "fail");
    assert.match(r.advice, /cannot even memorize 20 examples/);
    m.dispose();
  });
  it("blames the learning rate when the loss jumps around", () => {
    const m = mlp(5, 100);
    const r = B.checkOverfitTinySubset(m, loader(), { lr: 30, steps: 60, makeOptimizer: (p, lr) => optim.sgd(p, { lr }) });
    assert.notEqual(r.status, "pass");
    assert.match(r.advice, /learning rate is too high|learning rate is far too high/);
    m.dispose();
  });
});

describe("babysit: LR range test", () => {
  it("records loss vs LR, proposes a range, judges the current LR, and restores the weights", () => {
    const m = mlp(1);
    const w0 = weights(m);
    const before = g.memory().liveTensors;
    const make: B.MakeOptimizer = (p, lr) => optim.sgd(p, { lr, momentum: 0.9 });
    const r = B.lrRangeTest(m, loader(), { minLr: 1e-4, maxLr: 100, steps: 60, makeOptimizer: make, currentLr: 0.1 });
    assert.equal(r.curve.lr.length, r.curve.loss.length);
    assert.ok(r.curve.lr.length >= 20, `only ${r.curve.lr.length} steps`);
    assert.ok(r.curve.lr.every((v, i) => i === 0 || v > r.curve.lr[i - 1]));
    assert.ok(r.proposed.low <= r.proposed.suggested && r.proposed.suggested <= r.proposed.high, JSON.stringify(r.proposed));
    assert.ok(Number.isFinite(r.numbers.lrExplodes), "the loss should explode before lr 100");
    assert.equal(r.status, "pass", r.advice);
    assert.deepEqual(weights(m), w0);
    assert.equal(g.memory().liveTensors, before);
    const high = B.analyzeLrCurve(r.curve, NaN, { minLr: 1e-4, maxLr: 100, currentLr: 50 });
    assert.equal(high.status, "fail");
    assert.match(high.advice, /too high/);
    const low = B.analyzeLrCurve(r.curve, NaN, { minLr: 1e-4, maxLr: 100, currentLr: 1e-7 });
    assert.equal(low.status, "warn");
    assert.match(low.advice, /too low/);
    m.dispose();
  });
  it("reads a synthetic curve: steepest descent inside the range, ceiling a tenth of the explosion", () => {
    const lr = Array.from({ length: 100 }, (_, i) => 1e-6 * 1e7 ** (i / 99));
    const loss = lr.map((v) => (v < 1e-3 ? 2.3 : v < 0.1 ? 2.3 - 0.9 * Math.log10(v / 1e-3) : 0.5 * (v / 0.1) ** 2));
    const r = B.analyzeLrCurve({ lr, loss, smoothed: loss }, NaN, { minLr: 1e-6, maxLr: 10 });
    assert.equal(r.status, "pass");
    assert.ok(r.numbers.lrExplodes > 0.1 && r.numbers.lrExplodes < 1, `explodes ${r.numbers.lrExplodes}`);
    assert.ok(r.proposed.high <= 0.1 && r.proposed.high >= 0.01, `high ${r.proposed.high}`);
    assert.ok(r.proposed.suggested >= 1e-3 && r.proposed.suggested <= 0.1, `suggested ${r.proposed.suggested}`);
    // Still falling at the largest LR and never below chance: inconclusive, the current LR is not blessed.
    const falling = lr.map((v) => 40 - 3 * Math.log10(v / 1e-6));
    const inc = B.analyzeLrCurve({ lr, loss: falling, smoothed: falling }, NaN, { minLr: 1e-6, maxLr: 10, currentLr: 10, chanceLoss: Math.log(10) });
    assert.equal(inc.status, "warn");
    assert.match(inc.advice, /above the chance level.*initialized far too large.*found no ceiling/);
    assert.doesNotMatch(inc.advice, /good range/);
    const flat = B.analyzeLrCurve({ lr, loss: lr.map(() => 2.3), smoothed: lr.map(() => 2.3) }, NaN, { minLr: 1e-6, maxLr: 10 });
    assert.equal(flat.status, "fail");
    assert.match(flat.advice, /did not go down at any learning rate/);
  });
});

describe("babysit: NaN/Inf guard", () => {
  it("names the layer that overflows on the forward pass and stops fit at that step", () => {
    const rng = new g.Rng(0);
    const m = nn.sequential(nn.linear(2, 8, { rng }), nn.relu(), new Blow(), nn.linear(8, 3, { rng }));
    const guard = B.nanGuard(m);
    const opt = optim.sgd(m.parameters(), { lr: 0.1 });
    try {
      const r = train.fit({ model: m, optimizer: opt, train: loader(), epochs: 3, onStep: guard.onStep });
      assert.equal(r.position.step, 1);
      assert.deepEqual({ ...guard.finding, value: undefined, badWeights: undefined }, { where: "forward", name: "2", layerType: "Blow", step: 1, value: undefined, badWeights: undefined });
      const res = guard.result();
      assert.equal(res.status, "fail");
      assert.match(res.advice, /Layer 2 \(Blow\) produced Infinity at step 1/);
    } finally {
      guard.dispose();
      opt.dispose();
      m.dispose();
    }
  });
  it("names the parameter whose gradient is non-finite while the forward pass is finite", () => {
    const rng = new g.Rng(0);
    const m = nn.sequential(nn.linear(2, 8, { rng }), new SqrtShift(), nn.linear(8, 3, { rng }));
    const guard = B.nanGuard(m);
    const opt = optim.sgd(m.parameters(), { lr: 0.1 });
    try {
      train.fit({ model: m, optimizer: opt, train: loader(), epochs: 1, onStep: guard.onStep });
      assert.equal(guard.finding?.where, "backward");
      assert.equal(guard.finding?.name, "1.w");
      assert.equal(guard.finding?.step, 1);
      assert.match(guard.result().advice, /gradient of 1\.w became/);
    } finally {
      guard.dispose();
      opt.dispose();
      m.dispose();
    }
  });
  it("stops a run whose learning rate is absurd, keeps the last good state, and blames the data for NaN inputs", () => {
    const m = mlp(3);
    const guard = B.nanGuard(m, { keepLastGood: true });
    const opt = optim.sgd(m.parameters(), { lr: 1e38 });
    try {
      const r = train.fit({ model: m, optimizer: opt, train: loader(), epochs: 5, onStep: guard.onStep });
      assert.ok(guard.finding, "the guard must fire");
      assert.ok(r.position.step <= 3, `stopped at ${r.position.step}`);
      assert.ok(["forward", "update", "backward"].includes(guard.finding.where));
      assert.ok(guard.restoreLastGood());
      assert.ok(Object.values(m.stateDict()).every((t) => Array.from(t.dataSync()).every(Number.isFinite)));
    } finally {
      guard.dispose();
      opt.dispose();
      m.dispose();
    }
    const set = data.makeSpiral({ pointsPerClass: 20, classes: 3, rng: new g.Rng(1) });
    set.points[0] = NaN;
    const m2 = mlp(4);
    const guard2 = B.nanGuard(m2);
    const opt2 = optim.sgd(m2.parameters(), { lr: 0.1 });
    try {
      const dl = new data.DataLoader(new data.PointDataset(set), { batchSize: 10, shuffle: false });
      train.fit({ model: m2, optimizer: opt2, train: dl, epochs: 1, onStep: guard2.onStep });
      assert.equal(guard2.finding?.where, "input");
      assert.equal(guard2.finding?.name, "0");
      assert.match(guard2.result().advice, /data has non-finite values/);
    } finally {
      guard2.dispose();
      opt2.dispose();
      m2.dispose();
    }
  });
});

describe("babysit: layer statistics", () => {
  it("emits LayerStatsEvents through onEvent with histograms, grad norms and exact SGD update ratios", () => {
    const m = mlp(2, 16);
    const w0 = Array.from(m.parameters()[0].dataSync());
    const events: g.train.TrainEvent[] = [];
    const mon = B.layerStatsMonitor(m, { every: 5, emit: (e) => events.push(e) });
    const lr = 0.05;
    const opt = optim.sgd(m.parameters(), { lr });
    try {
      train.fit({ model: m, optimizer: opt, train: loader(30), epochs: 2, onStep: mon.onStep, onEvent: (e) => events.push(e) });
    } finally {
      mon.dispose();
      opt.dispose();
    }
    const stats = events.filter((e): e is g.train.LayerStatsEvent => e.type === "layerStats");
    assert.deepEqual(stats.map((e) => e.step), [1, 5, 10]); // 2 epochs × 6 batches = 12 steps
    const first = stats[0];
    const act = first.layers.find((l) => l.name === "1 (ReLU)");
    assert.ok(act?.histogram && act.deadFraction !== undefined);
    assert.equal(act.histogram.counts.reduce((a, b) => a + b, 0), 30 * 16);
    const w = first.layers.find((l) => l.name === "0.weight")!;
    const norm0 = Math.hypot(...w0);
    // Plain SGD: ‖Δθ‖ = lr·‖g‖, so the ratio is lr·gradNorm/‖θ‖.
    assert.ok(Math.abs(w.updateRatio! - (lr * w.gradNorm!) / norm0) < 1e-4 * w.updateRatio!, `${w.updateRatio} vs ${(lr * w.gradNorm!) / norm0}`);
    assert.equal(mon.result().status, "pass", mon.result().advice);
    m.dispose();
  });
  it("flags dead ReLUs and saturated tanh units with advice", () => {
    const dead = mlp(0, 16);
    g.noGrad(() => g.scope(() => (dead.parameters()[1] as g.Tensor).assign(g.full([16], -100))));
    const mon = B.layerStatsMonitor(dead, { every: 1 });
    const opt = optim.sgd(dead.parameters(), { lr: 0.01 });
    train.fit({ model: dead, optimizer: opt, train: loader(), epochs: 1, onStep: mon.onStep });
    mon.dispose();
    opt.dispose();
    const rd = mon.result();
    assert.equal(rd.numbers.maxDeadFraction, 1);
    assert.equal(rd.status, "fail");
    assert.match(rd.advice, /never fire \(dead ReLUs\)/);
    assert.match(rd.advice, /No gradient reaches parameters 0\.weight \(Linear\), 0\.bias \(Linear\)/);
    assert.match(rd.advice, /of the units of layer 1 \(ReLU\) never fire/);
    dead.dispose();

    const sat = mlp(0, 16, nn.tanh);
    scaleParams(sat, 200, (n) => n.startsWith("0."));
    const mon2 = B.layerStatsMonitor(sat, { every: 1 });
    const opt2 = optim.sgd(sat.parameters(), { lr: 1e-3 });
    train.fit({ model: sat, optimizer: opt2, train: loader(), epochs: 1, onStep: mon2.onStep });
    mon2.dispose();
    opt2.dispose();
    const rs = mon2.result();
    assert.ok(rs.numbers.maxSaturatedFraction > 0.5, `saturated ${rs.numbers.maxSaturatedFraction}`);
    assert.match(rs.advice, /saturated/);
    sat.dispose();
  });
  it("judges the update/weight ratio: too low and too high learning rates", () => {
    for (const [lr, re] of [[1e-7, /too low/], [50, /too high|grew/]] as const) {
      const m = mlp(6, 16);
      const mon = B.layerStatsMonitor(m, { every: 2 });
      const opt = optim.sgd(m.parameters(), { lr });
      const guard = B.nanGuard(m);
      train.fit({ model: m, optimizer: opt, train: loader(), epochs: 2, onStep: B.combineOnStep(mon.onStep, guard.onStep) });
      guard.dispose();
      mon.dispose();
      opt.dispose();
      const r = mon.result();
      assert.notEqual(r.status, "pass", `lr ${lr}: ${r.advice}`);
      assert.match(r.advice, re);
      m.dispose();
    }
  });
});

describe("babysit: train/val gap", () => {
  it("tells overfitting, underfitting, noisy labels and not learning apart", () => {
    const cases: Array<[B.GapInput, string, RegExp]> = [
      [{ trainAccuracy: 0.99, valAccuracy: 0.75, classes: 10 }, "warn", /Overfitting.*more regularization|Overfitting.*regularization/],
      [{ trainAccuracy: 0.6, valAccuracy: 0.58, classes: 10 }, "warn", /Underfitting.*bigger model/],
      [{ trainAccuracy: 0.45, valAccuracy: 0.7, classes: 10 }, "warn", /label noise/],
      [{ trainAccuracy: 0.11, valAccuracy: 0.1, classes: 10 }, "fail", /not learning at all/],
      [{ trainAccuracy: 0.95, valAccuracy: 0.93, classes: 10 }, "pass", /no sign of over- or underfitting/],
    ];
    for (const [input, status, re] of cases) {
      const r = B.diagnoseGap(input);
      assert.equal(r.status, status, `${JSON.stringify(input)}: ${r.advice}`);
      assert.match(r.advice, re);
      assert.equal(r.numbers.gap, input.trainAccuracy - input.valAccuracy);
    }
    const ep = (epoch: number, trainLoss: number, valLoss: number): g.train.EpochEvent => ({ type: "epoch", epoch, step: epoch, trainLoss, trainAccuracy: 0.95, valLoss, valAccuracy: 0.93, seconds: 1, lr: 0.1, time: 0 });
    const rising = B.diagnoseGap({ trainAccuracy: 0.95, valAccuracy: 0.93, history: [ep(0, 1, 1), ep(1, 0.5, 0.6), ep(2, 0.3, 0.8)] });
    assert.match(rising.advice, /validation loss is rising/);
  });
});

describe("babysit: gradient check of a model", () => {
  it("passes a correct model and names the parameter whose backward is wrong", () => {
    const rng = new g.Rng(7);
    const okModel = nn.sequential(nn.linear(2, 16, { rng }), nn.tanh(), nn.linear(16, 3, { rng }));
    const before = g.memory().liveTensors;
    const ok = B.gradcheckModel(okModel, loader());
    assert.equal(ok.status, "pass", ok.advice);
    assert.equal(ok.params.length, 4);
    assert.equal(g.memory().liveTensors, before);
    const bad = nn.sequential(nn.linear(2, 16, { rng }), nn.tanh(), new HalfGradLinear(16, 3, rng));
    const w0 = weights(bad);
    const r = B.gradcheckModel(bad, loader());
    assert.equal(r.status, "fail");
    assert.equal(r.params[0].name, "2.w");
    assert.ok(r.params[0].relError > 0.3, `rel ${r.params[0].relError}`);
    assert.match(r.advice, /The gradient of 2\.w disagrees/);
    assert.deepEqual(weights(bad), w0);
    okModel.dispose();
    bad.dispose();
  });
});

describe("babysit: report", () => {
  it("formats a table with statuses, numbers and advice, and an overall verdict", () => {
    const text = B.formatReport([
      { name: "initial-loss", status: "pass", numbers: { loss: 2.3026, lnC: Math.log(10) }, advice: "fine" },
      { name: "lr-range", status: "fail", numbers: { currentLr: 10 }, advice: "Your learning rate 10 is too high" },
    ]);
    assert.match(text, /^CHECK\s+STATUS\s+NUMBERS/);
    assert.match(text, /initial-loss\s+PASS\s+loss=2\.303 lnC=2\.303/);
    assert.match(text, /→ Your learning rate 10 is too high/);
    assert.match(text, /overall: FAIL \(1 pass, 0 warn, 1 fail\)/);
  });
});
