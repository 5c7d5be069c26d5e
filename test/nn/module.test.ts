/**
 * Module behaviour: BatchNorm train vs eval (running statistics exactly as PyTorch), inverted dropout,
 * PReLU learning, Residual shapes, freezing, state-dict names, strict and non-strict loading.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion";
import { assertClose } from "../helpers.js";

const nn = g.nn;
const vals = (t: g.Tensor): number[] => Array.from(t.dataSync());

describe("BatchNorm running statistics (PyTorch semantics)", () => {
  it("BatchNorm1d: momentum update with the unbiased variance, num_batches_tracked, eval uses running stats", () => {
    const bn = nn.batchNorm1d(2, { momentum: 0.1 });
    const b1 = [[1, 10], [2, 20], [4, 30], [5, 60]];
    const b2 = [[0, -1], [3, 1], [3, 2]];
    // Hand computation per channel: mean, biased and unbiased variance.
    const stats = (b: number[][], c: number): { m: number; vb: number; vu: number } => {
      const xs = b.map((r) => r[c]);
      const m = xs.reduce((a, v) => a + v, 0) / xs.length;
      const ss = xs.reduce((a, v) => a + (v - m) ** 2, 0);
      return { m, vb: ss / xs.length, vu: ss / (xs.length - 1) };
    };
    let rm = [0, 0];
    let rv = [1, 1];
    for (const b of [b1, b2]) {
      const y = bn.forward(g.tensor(b));
      // Training output: normalized with the batch mean and the biased variance.
      const want = b.flatMap((r) => r.map((v, c) => (v - stats(b, c).m) / Math.sqrt(stats(b, c).vb + 1e-5)));
      assertClose(vals(y), want, { atol: 1e-5 }, "train output");
      rm = rm.map((r, c) => 0.9 * r + 0.1 * stats(b, c).m);
      rv = rv.map((r, c) => 0.9 * r + 0.1 * stats(b, c).vu);
      assertClose(vals(bn.runningMean!), rm, { atol: 1e-6 }, "running_mean");
      assertClose(vals(bn.runningVar!), rv, { atol: 1e-5 }, "running_var");
    }
    assert.equal(bn.numBatchesTracked!.item(), 2);
    bn.eval();
    const x = [[1.5, 7], [-2, 0]];
    const y = bn.forward(g.tensor(x));
    assertClose(vals(y), x.flatMap((r) => r.map((v, c) => (v - rm[c]) / Math.sqrt(rv[c] + 1e-5))), { atol: 1e-5 }, "eval output");
    assert.equal(bn.numBatchesTracked!.item(), 2, "eval does not count batches");
    assertClose(vals(bn.runningMean!), rm, { atol: 1e-6 }, "eval leaves running_mean alone");
  });

  it("BatchNorm2d: statistics over N, H, W with n = N·H·W in the unbiased correction", () => {
    const bn = nn.batchNorm2d(3, { momentum: 0.25 });
    const x = g.randn([2, 3, 2, 3], { rng: new g.Rng(1) });
    bn.forward(x);
    const d = vals(x);
    for (let c = 0; c < 3; c++) {
      const xs: number[] = [];
      for (let n = 0; n < 2; n++) for (let i = 0; i < 6; i++) xs.push(d[n * 18 + c * 6 + i]);
      const m = xs.reduce((a, v) => a + v, 0) / 12;
      const vu = xs.reduce((a, v) => a + (v - m) ** 2, 0) / 11;
      assertClose([bn.runningMean!.dataSync()[c], bn.runningVar!.dataSync()[c]], [0.25 * m, 0.75 + 0.25 * vu], { atol: 1e-5 }, `channel ${c}`);
    }
  });

  it("eval output of a single example is deterministic and independent of the batch", () => {
    const bn = nn.batchNorm2d(2);
    for (let i = 0; i < 3; i++) bn.forward(g.randn([4, 2, 3, 3], { rng: new g.Rng(i) }));
    bn.eval();
    const x = g.randn([1, 2, 3, 3], { rng: new g.Rng(9) });
    const other = g.randn([1, 2, 3, 3], { rng: new g.Rng(10) });
    const alone = vals(bn.forward(x));
    const inBatch = vals(bn.forward(g.concat([x, other], 0))).slice(0, 18);
    assertClose(inBatch, alone, { atol: 1e-6 }, "eval is per example");
  });
});

describe("Dropout (inverted)", () => {
  it("zeroes a fraction p, scales survivors by 1/(1-p), preserves the expected value", () => {
    const p = 0.3;
    const d = nn.dropout(p, { rng: new g.Rng(2) });
    const y = vals(d.forward(g.ones([200000])));
    const zeros = y.filter((v) => v === 0).length / y.length;
    assert.ok(Math.abs(zeros - p) < 0.005, `dropped fraction ${zeros}`);
    assert.ok(y.every((v) => v === 0 || Math.abs(v - 1 / (1 - p)) < 1e-6), "survivors scaled by 1/(1-p)");
    const mean = y.reduce((a, v) => a + v, 0) / y.length;
    assert.ok(Math.abs(mean - 1) < 0.01, `mean ${mean}`);
  });
  it("is the identity in eval mode", () => {
    const d = nn.dropout(0.5).eval();
    const x = g.randn([3, 4], { rng: new g.Rng(3) });
    assert.deepEqual(vals(d.forward(x)), vals(x));
  });
  it("rejects p outside [0, 1)", () => {
    assert.throws(() => nn.dropout(1), /p must be in \[0, 1\), got 1/);
  });
});

describe("PReLU", () => {
  it("learns per-channel slopes by gradient descent", () => {
    const target = [0.1, 0.3, -0.2];
    const layer = nn.prelu(3);
    const rng = new g.Rng(4);
    for (let step = 0; step < 150; step++) {
      g.scope(() => {
        const x = g.randn([64, 3, 4], { rng });
        const y = g.where(x.gt(0), x, x.mul(g.tensor(target).reshape([1, 3, 1])));
        nn.mseLoss(layer.forward(x), y).backward();
        g.noGrad(() => layer.weight.assign(layer.weight.sub(layer.weight.grad!.mul(2))));
        layer.weight.grad!.dispose();
        layer.weight.grad = null;
      });
    }
    assertClose(vals(layer.weight), target, { atol: 1e-3 }, "learned slopes");
  });
});

describe("Residual", () => {
  it("keeps the shape with an identity shortcut and changes it with a projection", () => {
    const x = g.randn([2, 4, 8, 8], { rng: new g.Rng(5) });
    const same = nn.residual(nn.sequential(nn.conv2d(4, 4, 3, { padding: 1 }), nn.relu()));
    assert.deepEqual(same.forward(x).shape, [2, 4, 8, 8]);
    const down = nn.residual(nn.conv2d(4, 8, 3, { padding: 1, stride: 2 }), nn.sequential(nn.conv2d(4, 8, 1, { stride: 2, bias: false }), nn.batchNorm2d(8)));
    assert.deepEqual(down.forward(x).shape, [2, 8, 4, 4]);
    assert.deepEqual(Object.keys(down.stateDict()).sort(), ["body.bias", "body.weight", "shortcut.0.weight", "shortcut.1.bias", "shortcut.1.num_batches_tracked",
      "shortcut.1.running_mean", "shortcut.1.running_var", "shortcut.1.weight"]);
  });
  it("without a projection, a shape change names both shapes", () => {
    const bad = nn.sequential({ block: nn.residual(nn.conv2d(4, 8, 1)) });
    assert.throws(() => bad.forward(g.zeros([1, 4, 3, 3])), /block \(Residual\): .*body output \[1,8,3,3\] and shortcut \[1,4,3,3\] differ/);
  });
  it("is x + f(x) exactly", () => {
    const f = nn.linear(3, 3);
    const r = nn.residual(f);
    const x = g.randn([2, 3], { rng: new g.Rng(6) });
    assertClose(vals(r.forward(x)), vals(f.forward(x).add(x)), { atol: 0 }, "x + f(x)");
  });
});

describe("freezing", () => {
  const model = (): g.nn.Sequential => nn.sequential(nn.linear(4, 5), nn.relu(), nn.linear(5, 2));
  const run = (m: g.nn.Module): void => {
    const x = g.randn([3, 4], { rng: new g.Rng(7), requiresGrad: true });
    m.forward(x).sum().backward();
  };
  it("module.requiresGrad(false) freezes every parameter; unfreezing a child brings back its gradients", () => {
    const m = model().requiresGrad(false);
    assert.ok(m.parameters().every((p) => !p.requiresGrad));
    run(m);
    assert.ok(m.parameters().every((p) => p.grad === null), "frozen parameters get no gradient");
    m.layers[2].requiresGrad(true);
    run(m);
    assert.deepEqual([...m.namedParameters()].map(([n, p]) => [n, p.grad !== null]), [["0.weight", false], ["0.bias", false], ["2.weight", true], ["2.bias", true]]);
  });
  it("a single parameter can be frozen", () => {
    const m = model();
    (m.layers[0] as g.nn.Linear).bias!.requiresGrad = false;
    run(m);
    assert.deepEqual([...m.namedParameters()].map(([n, p]) => [n, p.grad !== null]), [["0.weight", true], ["0.bias", false], ["2.weight", true], ["2.bias", true]]);
  });
});

describe("stateDict and loadStateDict", () => {
  const make = (seed: number): g.nn.Sequential =>
    nn.sequential(nn.conv2d(1, 2, 3, { rng: new g.Rng(seed) }), nn.batchNorm2d(2), nn.relu(), nn.flatten(), nn.linear(8, 3, { rng: new g.Rng(seed + 1) }));
  it("names follow PyTorch: index.param, running buffers, named children", () => {
    assert.deepEqual(Object.keys(make(0).stateDict()).sort(), [
      "0.bias", "0.weight", "1.bias", "1.num_batches_tracked", "1.running_mean", "1.running_var", "1.weight", "4.bias", "4.weight",
    ]);
    const named = nn.sequential({ features: nn.sequential(nn.conv2d(1, 2, 3), nn.batchNorm2d(2)), classifier: nn.dropConnect(nn.linear(2, 2)) });
    assert.deepEqual(Object.keys(named.stateDict()).sort(), [
      "classifier.layer.bias", "classifier.layer.weight", "features.0.bias", "features.0.weight", "features.1.bias",
      "features.1.num_batches_tracked", "features.1.running_mean", "features.1.running_var", "features.1.weight",
    ]);
    assert.deepEqual([...named.namedModules()].map(([p, m]) => `${p}:${m.typeName}`), [
      ":Sequential", "features:Sequential", "features.0:Conv2d", "features.1:BatchNorm2d", "classifier:DropConnect", "classifier.layer:Linear",
    ]);
  });
  it("strict load copies every value so outputs match", () => {
    const a = make(1).eval();
    const b = make(2).eval();
    const x = g.randn([2, 1, 4, 4], { rng: new g.Rng(3) });
    assert.notDeepEqual(vals(a.forward(x)), vals(b.forward(x)));
    const report = b.loadStateDict(a.stateDict());
    assert.deepEqual(report, { missing: [], unexpected: [], mismatched: [] });
    assert.deepEqual(vals(b.forward(x)), vals(a.forward(x)));
  });
  it("strict load names missing, unexpected and wrong-shaped keys", () => {
    const sd = { ...make(1).stateDict() };
    delete sd["4.bias"];
    sd["9.weight"] = g.zeros([1]);
    sd["0.weight"] = g.zeros([2, 1, 5, 5]);
    assert.throws(() => make(2).loadStateDict(sd), (e: Error) =>
      /missing keys: 4\.bias/.test(e.message) && /unexpected keys: 9\.weight/.test(e.message) && /0\.weight: expected shape \[2,1,3,3\], got \[2,1,5,5\]/.test(e.message));
  });
  it("non-strict load reports the problems and loads the rest", () => {
    const src = make(1);
    const sd = { ...src.stateDict() };
    delete sd["4.bias"];
    sd["extra"] = g.zeros([1]);
    sd["0.weight"] = g.zeros([9]);
    const dst = make(2);
    const before0 = vals(dst.stateDict()["0.weight"]);
    const before4b = vals(dst.stateDict()["4.bias"]);
    const r = dst.loadStateDict(sd, { strict: false });
    assert.deepEqual(r.missing, ["4.bias"]);
    assert.deepEqual(r.unexpected, ["extra"]);
    assert.deepEqual(r.mismatched, [{ key: "0.weight", expected: [2, 1, 3, 3], got: [9] }]);
    assert.deepEqual(vals(dst.stateDict()["0.weight"]), before0, "wrong-shaped key left alone");
    assert.deepEqual(vals(dst.stateDict()["4.bias"]), before4b, "missing key left alone");
    assert.deepEqual(vals(dst.stateDict()["4.weight"]), vals(src.stateDict()["4.weight"]), "the rest is loaded");
  });
});

describe("module utilities", () => {
  it("train()/eval() are recursive and apply() visits every module with its path", () => {
    const m = nn.sequential({ a: nn.sequential(nn.dropout(), nn.batchNorm1d(2)), b: nn.linear(2, 2) });
    m.eval();
    assert.ok([...m.namedModules()].every(([, x]) => !x.training));
    m.train();
    assert.ok([...m.namedModules()].every(([, x]) => x.training));
    const seen: string[] = [];
    m.apply((_, p) => seen.push(p));
    assert.deepEqual(seen, ["", "a", "a.0", "a.1", "b"]);
  });
  it("layers reject a non-float parameter dtype", () => {
    assert.throws(() => nn.linear(2, 2, { dtype: "int32" }), /Linear: parameters must have a float dtype, got int32/);
  });
  it("default init is PyTorch's: U(±1/√fanIn) for Linear and Conv2d weights and biases", () => {
    const lin = nn.linear(400, 300, { rng: new g.Rng(1) });
    const conv = nn.conv2d(16, 8, 3, { rng: new g.Rng(2) });
    for (const [t, fanIn] of [[lin.weight, 400], [lin.bias!, 400], [conv.weight, 144], [conv.bias!, 144]] as const) {
      const v = vals(t);
      const bound = 1 / Math.sqrt(fanIn);
      assert.ok(v.every((x) => Math.abs(x) <= bound), "inside the bound");
      if (v.length > 1000) {
        const varc = v.reduce((a, x) => a + x * x, 0) / v.length;
        assert.ok(Math.abs(varc - bound ** 2 / 3) < 0.05 * bound ** 2, `variance of U(±b) is b²/3, got ${varc}`);
      }
    }
  });
});

describe("memory", () => {
  it("training steps through every kind of layer, and summary(), leave the live-tensor count flat", () => {
    const m = nn.sequential({
      features: nn.sequential(
        nn.conv2d(2, 4, 3, { padding: 1 }), nn.batchNorm2d(4), nn.prelu(4), nn.fractionalMaxPool2d({ outputRatio: 0.7 }),
        nn.residual(nn.sequential(nn.conv2d(4, 4, 3, { padding: 1 }), nn.stochasticDepth(0.3))), nn.maxPool2d(2), nn.layerNorm([4, 2, 2]),
      ),
      classifier: nn.sequential(nn.flatten(), nn.dropout(0.2), nn.dropConnect(nn.linear(16, 6), 0.3), nn.maxout(2), nn.gelu(), nn.linear(3, 2)),
    });
    const step = (): void => g.scope(() => {
      const x = g.randn([3, 2, 6, 6], { rng: new g.Rng(1) });
      nn.crossEntropy(m.forward(x), g.fromArray(new Int32Array([0, 1, 1]), [3], { dtype: "int32" })).backward();
      for (const p of m.parameters()) {
        p.grad?.dispose();
        p.grad = null;
      }
    });
    step();
    const before = g.memory().liveTensors;
    for (let i = 0; i < 5; i++) step();
    nn.summary(m, [2, 6, 6]);
    assert.equal(g.memory().liveTensors, before);
  });
});
