/**
 * Every layer's forward and backward pass against central differences in float64: the input gradient
 * and every trainable parameter's gradient (test/nn/helpers.ts), in training and eval mode where they
 * differ. Stochastic layers are re-seeded before each evaluation so every call draws the same mask.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion";
import { assertModuleGrads, randn64 } from "./helpers.js";

const nn = g.nn;
const F = g.nn.functional;
const f64 = { dtype: "float64" as const, rng: new g.Rng(3) };
type Case = [string, () => g.nn.Module, number[]];

/** Runs fn with `backend` as the default (parameters and inputs are created there). */
function onBackend<T>(backend: g.BackendName, fn: () => T): T {
  const prev = g.setBackend(backend);
  try {
    return fn();
  } finally {
    if (prev) g.setBackend(prev);
  }
}

/** Checks the layer on every registered backend. */
function check(name: string, make: () => g.nn.Module, shape: number[], mode: "train" | "eval" = "train", reset?: (m: g.nn.Module) => void): void {
  for (const backend of g.listBackends()) {
    it(`${name} (${mode}, ${backend})`, () => onBackend(backend, () => {
      const m = make();
      m.train(mode === "train");
      assertModuleGrads(m, randn64(shape, 1), { reset: reset ? () => reset(m) : undefined });
    }));
  }
}

describe("gradcheck: parameterized layers (float64)", () => {
  const cases: Case[] = [
    ["Linear 5->4", () => nn.linear(5, 4, f64), [3, 5]],
    ["Linear on [2,3,5]", () => nn.linear(5, 2, f64), [2, 3, 5]],
    ["Linear no bias", () => nn.linear(4, 3, { ...f64, bias: false }), [2, 4]],
    ["Conv2d 3->4 k3 p1", () => nn.conv2d(3, 4, 3, { ...f64, padding: 1 }), [2, 3, 5, 5]],
    ["Conv2d s2 d2 p2 groups2", () => nn.conv2d(4, 6, 3, { ...f64, stride: 2, dilation: 2, padding: 2, groups: 2 }), [2, 4, 7, 7]],
    ["Conv2d same, no bias, 2x3 kernel", () => nn.conv2d(2, 3, [3, 5], { ...f64, padding: "same", bias: false }), [1, 2, 4, 6]],
    ["PReLU per channel", () => nn.prelu(3, 0.25, { dtype: "float64" }), [2, 3, 4]],
    ["PReLU shared", () => nn.prelu(1, 0.1, { dtype: "float64" }), [4, 5]],
    ["LayerNorm [4]", () => nn.layerNorm(4, { dtype: "float64" }), [3, 4]],
    ["LayerNorm [3,4]", () => nn.layerNorm([3, 4], { dtype: "float64" }), [2, 3, 4]],
  ];
  for (const [name, make, shape] of cases) check(name, make, shape);
});

describe("gradcheck: batch norm (float64), train and eval", () => {
  const bn1 = (): g.nn.Module => nn.batchNorm1d(3, { dtype: "float64" });
  const bn2 = (): g.nn.Module => nn.batchNorm2d(3, { dtype: "float64" });
  for (const mode of ["train", "eval"] as const) {
    check("BatchNorm1d [N,C]", bn1, [6, 3], mode);
    check("BatchNorm1d [N,C,L]", bn1, [4, 3, 5], mode);
    check("BatchNorm2d", bn2, [3, 3, 4, 4], mode);
    check("BatchNorm2d no affine", () => nn.batchNorm2d(2, { dtype: "float64", affine: false }), [3, 2, 3, 3], mode);
  }
  check("BatchNorm2d without running stats (eval uses batch stats)", () => nn.batchNorm2d(2, { dtype: "float64", trackRunningStats: false }), [3, 2, 3, 3], "eval");
});

describe("gradcheck: parameter-free layers (float64)", () => {
  const cases: Case[] = [
    ["ReLU", () => nn.relu(), [3, 7]],
    ["Sigmoid", () => nn.sigmoid(), [3, 7]],
    ["Tanh", () => nn.tanh(), [3, 7]],
    ["LeakyReLU 0.1", () => nn.leakyRelu(0.1), [3, 7]],
    ["ELU 1.5", () => nn.elu(1.5), [3, 7]],
    ["GELU exact", () => nn.gelu(), [3, 7]],
    ["GELU tanh", () => nn.gelu("tanh"), [3, 7]],
    ["Maxout 3 pieces [N,C]", () => nn.maxout(3), [4, 6]],
    ["Maxout 2 pieces [N,C,H,W]", () => nn.maxout(2), [2, 4, 3, 3]],
    ["Softmax axis 1", () => nn.softmax(1), [3, 5]],
    ["Identity", () => nn.identity(), [2, 3]],
    ["Flatten", () => nn.flatten(), [2, 3, 2, 2]],
    ["MaxPool2d 2", () => nn.maxPool2d(2), [2, 2, 6, 6]],
    ["MaxPool2d 3 s2 p1", () => nn.maxPool2d(3, { stride: 2, padding: 1 }), [1, 2, 7, 7]],
    ["AvgPool2d 2", () => nn.avgPool2d(2), [2, 2, 4, 6]],
    ["AvgPool2d 3 s2 p1 no pad count", () => nn.avgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }), [1, 2, 7, 7]],
    ["AdaptiveAvgPool2d 1 (global)", () => nn.adaptiveAvgPool2d(1), [2, 3, 4, 4]],
    ["AdaptiveAvgPool2d [3,2] uneven", () => nn.adaptiveAvgPool2d([3, 2]), [1, 2, 5, 5]],
    
  ];
  for (const [name, make, shape] of cases) check(name, make, shape);
  check("Dropout (identity)", () => nn.dropout(0.5), [3, 4], "eval");
});

describe("gradcheck: stochastic layers with a fixed draw (float64)", () => {
  it("dropout (functional, train)", () => {
    const r = g.gradcheck((x) => F.dropout(x, 0.4, true, new g.Rng(9)), [randn64([4, 5], 2)]);
    assert.ok(r.ok, r.message);
  });
  for (const mode of ["random", "pseudoRandom"] as const) {
    for (const overlapping of [false, true]) {
      const make = (): g.nn.Module => nn.fractionalMaxPool2d({ outputSize: [4, 5], mode, overlapping });
      const reseed = (m: g.nn.Module): void => { (m as g.nn.FractionalMaxPool2d).rng = new g.Rng(4); };
      check(`FractionalMaxPool2d ${mode} ${overlapping ? "overlapping" : "disjoint"}`, make, [2, 2, 7, 9], "train", reseed);
    }
  }
  check("FractionalMaxPool2d ratio 0.5", () => nn.fractionalMaxPool2d({ outputRatio: 0.5 }), [1, 2, 8, 8], "eval");
  const dcReseed = (m: g.nn.Module): void => { (m as g.nn.DropConnect).rng = new g.Rng(5); };
  check("DropConnect(Linear)", () => nn.dropConnect(nn.linear(5, 4, f64), 0.5), [3, 5], "train", dcReseed);
  check("DropConnect(Conv2d)", () => nn.dropConnect(nn.conv2d(2, 3, 3, f64), 0.3), [2, 2, 4, 4], "train", dcReseed);
  check("DropConnect(Linear)", () => nn.dropConnect(nn.linear(5, 4, f64), 0.5), [3, 5], "eval");
  const sdReseed = (m: g.nn.Module): void => { (m as g.nn.StochasticDepth).rng = new g.Rng(6); };
  check("StochasticDepth row", () => nn.stochasticDepth(0.5), [6, 2, 3], "train", sdReseed);
  check("StochasticDepth batch", () => nn.stochasticDepth(0.3, { mode: "batch" }), [3, 2], "train", sdReseed);
});

describe("gradcheck: containers (float64)", () => {
  check("Sequential conv-bn-relu-pool-flatten-linear", () =>
    nn.sequential(nn.conv2d(2, 3, 3, { ...f64, padding: 1 }), nn.batchNorm2d(3, { dtype: "float64" }), nn.relu(), nn.maxPool2d(2), nn.flatten(), nn.linear(12, 2, f64)),
  [2, 2, 4, 4]);
  check("Residual identity shortcut", () => nn.residual(nn.sequential(nn.conv2d(2, 2, 3, { ...f64, padding: 1 }), nn.tanh())), [2, 2, 4, 4]);
  check("Residual projection shortcut (stride 2)", () =>
    nn.residual(nn.conv2d(2, 4, 3, { ...f64, padding: 1, stride: 2 }), nn.conv2d(2, 4, 1, { ...f64, stride: 2 })),
  [1, 2, 5, 5]);
  it("Residual with StochasticDepth body (train)", () => {
    const sd = nn.stochasticDepth(0.5);
    const m = nn.residual(nn.sequential(nn.linear(3, 3, f64), sd));
    assertModuleGrads(m, randn64([5, 3], 1), { reset: () => { sd.rng = new g.Rng(1); } });
  });
});

describe("gradcheck: losses (float64)", () => {
  const labels = g.fromArray(new Int32Array([0, 2, 1, 2]), [4], { dtype: "int32" });
  const cases: Array<[string, (z: g.Tensor) => g.Tensor]> = [
    ["crossEntropy", (z) => F.crossEntropy(z, labels)],
    ["crossEntropy label smoothing 0.1, sum", (z) => F.crossEntropy(z, labels, { labelSmoothing: 0.1, reduction: "sum" })],
    ["crossEntropy ignoreIndex 2", (z) => F.crossEntropy(z, labels, { ignoreIndex: 2 })],
    ["nllLoss of logSoftmax", (z) => F.nllLoss(z.logSoftmax(1), labels)],
    ["svmLoss", (z) => F.svmLoss(z, labels)],
    ["mseLoss", (z) => F.mseLoss(z, g.fullLike(z, 0.3))],
    ["bceWithLogits", (z) => F.bceWithLogits(z, g.fullLike(z, 0.7))],
  ];
  for (const [name, fn] of cases) {
    it(name, () => {
      const r = g.gradcheck(fn, [randn64([4, 3], 8)]);
      assert.ok(r.ok, r.message);
    });
  }
});
