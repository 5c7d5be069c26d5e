/** Every differentiable op passes a float64 numerical gradient check (CS231n criterion). */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion";
import type { Tensor } from "ganglion";

const rng = new g.Rng(123);
const r = (shape: number[], lo = -1, hi = 1): Tensor => g.rand(shape, { low: lo, high: hi, dtype: "float64", rng });
const pos = (shape: number[]): Tensor => r(shape, 0.5, 2);
/** Distinct values (no ties) so max/min/pool gradients are well defined. */
const distinct = (shape: number[]): Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  const p = rng.permutation(n);
  return g.fromArray(Float64Array.from(p, (v) => v / n - 0.5 + 0.001 * (v % 3)), shape, { dtype: "float64" });
};
/** Values away from the kinks at 0 (relu, abs). */
const noKink = (shape: number[]): Tensor => r(shape).add(r(shape).sign().mul(0.2));

/** name, function, inputs, and the finite-difference step where the default 1e-6 drowns in rounding. */
type Case = [string, (...xs: Tensor[]) => Tensor, () => Tensor[], number?];

const cases: Case[] = [
  ["neg", (x) => x.neg(), () => [r([3, 4])]],
  ["abs", (x) => x.abs(), () => [noKink([3, 4])]],
  ["exp", (x) => x.exp(), () => [r([3, 4])]],
  ["log", (x) => x.log(), () => [pos([3, 4])]],
  ["sqrt", (x) => x.sqrt(), () => [pos([3, 4])]],
  ["rsqrt", (x) => x.rsqrt(), () => [pos([3, 4])]],
  ["reciprocal", (x) => x.reciprocal(), () => [pos([3, 4])]],
  ["square", (x) => x.square(), () => [r([3, 4])]],
  ["tanh", (x) => x.tanh(), () => [r([3, 4])]],
  ["sigmoid", (x) => x.sigmoid(), () => [r([3, 4])]],
  ["relu", (x) => x.relu(), () => [noKink([3, 4])]],
  ["erf", (x) => x.erf(), () => [r([3, 4])]],
  ["sin", (x) => x.sin(), () => [r([3, 4])]],
  ["cos", (x) => x.cos(), () => [r([3, 4])]],
  ["add broadcast", (a, b) => a.add(b), () => [r([2, 3, 4]), r([3, 1])]],
  ["sub broadcast", (a, b) => a.sub(b), () => [r([3, 4]), r([4])]],
  ["mul broadcast", (a, b) => a.mul(b), () => [r([2, 1, 4]), r([3, 1])]],
  ["div broadcast", (a, b) => a.div(b), () => [r([3, 4]), pos([4])]],
  ["pow", (a, b) => a.pow(b), () => [pos([3, 4]), r([3, 4])]],
  ["maximum", (a, b) => a.maximum(b), () => [distinct([3, 4]), r([3, 4], 2, 3).neg().add(distinct([3, 4]).mul(4))]],
  ["minimum", (a, b) => a.minimum(b), () => [distinct([3, 4]), r([3, 4], 0.3, 0.6)]],
  ["where", (a, b) => g.where(g.fromArray([1, 0, 1, 0], [4], { dtype: "int32" }), a, b), () => [r([3, 4]), r([4])]],
  ["sum axes", (x) => x.sum([0, 2]), () => [r([2, 3, 4])]],
  ["mean keepDims", (x) => x.mean(1, { keepDims: true }), () => [r([2, 3, 4])]],
  ["max axis", (x) => x.max(1), () => [distinct([2, 5, 3])]],
  ["min all", (x) => x.min(), () => [distinct([4, 5])]],
  ["var", (x) => x.var(1), () => [r([3, 5])]],
  ["logsumexp", (x) => x.logsumexp(-1), () => [r([3, 5])]],
  ["copy/clone", (x) => x.clone(), () => [r([3, 4])]],
  ["matmul", (a, b) => a.matmul(b), () => [r([3, 4]), r([4, 5])]],
  ["matmul batch broadcast", (a, b) => a.matmul(b), () => [r([2, 1, 3, 4]), r([3, 4, 2])]],
  ["matmul vector", (a, b) => a.matmul(b), () => [r([4]), r([4, 3])]],
  ["conv2d stride/pad/dilation/groups", (x, w) => g.conv2d(x, w, { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 }), () => [r([2, 4, 6, 7]), r([4, 2, 3, 3])]],
  ["maxPool2d", (x) => g.maxPool2d(x, 3, { stride: 2, padding: 1 }), () => [distinct([1, 2, 6, 5])]],
  ["avgPool2d exclude pad", (x) => g.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false }), () => [r([1, 2, 6, 5])]],
  ["gather", (x) => g.gather(x, 1, g.fromArray([0, 2, 2, 1, 0, 0], [3, 2], { dtype: "int32" })), () => [r([3, 4])]],
  ["scatterAdd", (b, s) => g.scatterAdd(b, 0, g.fromArray([1, 0, 1, 1], [2, 2], { dtype: "int32" }), s), () => [r([3, 2]), r([2, 2])]],
  ["scatterAdd index smaller than base off the axis, src larger", (b, s) => g.scatterAdd(b, 1, g.fromArray([3, 0, 3, 1], [2, 2, 1], { dtype: "int32" }), s), () => [r([3, 4, 2]), r([2, 3, 2])]],
  ["concat", (a, b) => g.concat([a, b], 1), () => [r([2, 3]), r([2, 2])]],
  ["pad", (x) => g.pad(x, [[1, 0], [0, 2]], 0.5), () => [r([2, 3])]],
  ["softmax", (x) => x.softmax(0), () => [r([3, 4])]],
  ["logSoftmax", (x) => x.logSoftmax(), () => [r([3, 4])]],
  ["softmaxCrossEntropy", (z) => g.softmaxCrossEntropy(z, g.fromArray([2, 0, 1], [3], { dtype: "int32" })), () => [r([3, 4])]],
  // NOTE: step 1e-5: normalized outputs sum to a constant per channel, so the probe loss cancels and
  // a 1e-6 step leaves ~1e-6 relative rounding noise in the numeric gradient (the composition too).
  ["batchNorm (fused, through the batch statistics)", (x, w, b) => g.batchNormTrain(x, g.batchNormStats(x), w, b, 1e-5), () => [r([3, 2, 4, 5]), r([2]), r([2])], 1e-5],
  ["batchNorm [N,C]", (x, w, b) => g.batchNormTrain(x, g.batchNormStats(x), w, b, 1e-3), () => [r([5, 3]), r([3]), r([3])]],
  ["reshape", (x) => x.reshape([4, -1]), () => [r([2, 3, 2])]],
  ["permute", (x) => x.permute([2, 0, 1]), () => [r([2, 3, 4])]],
  ["expand", (x) => x.expand([2, 3, 4]), () => [r([3, 1])]],
  ["slice", (x) => x.slice([1, 0], [3, -1]), () => [r([4, 5])]],
  ["reshape of non-contiguous", (x) => x.T.reshape([-1]), () => [r([3, 4])]],
];

describe("gradcheck (float64 central differences)", () => {
  for (const [name, fn, inputs, eps] of cases) {
    it(name, () => {
      g.scope(() => {
        const rep = g.gradcheck(fn, inputs(), { rtol: 1e-6, atol: 1e-9, ...(eps ? { eps } : {}) });
        assert.ok(rep.ok, rep.message);
        assert.ok(rep.checked > 0);
      });
    });
  }
});

describe("gradcheck itself", () => {
  it("catches a wrong gradient and names the worst element", () => {
    g.scope(() => {
      // A deliberately wrong "function": its analytic gradient (via detach) ignores one factor.
      const rep = g.gradcheck((x) => x.mul(x.detach()), [r([2, 3])]);
      assert.equal(rep.ok, false);
      assert.match(rep.message, /FAILED.*input 0 \[2,3\] at \[\d,\d\].*relative error/);
    });
  });
});

describe("backward rules table", () => {
  it("has a rule for every differentiable primitive and view op", async () => {
    const { backwardRules } = g;
    const nonDiff = new Set<string>(g.NON_DIFF_OPS);
    const prim = Object.keys(g.OP_INFO);
    for (const op of [...prim.filter((o) => !nonDiff.has(o)), ...g.VIEW_OPS]) {
      assert.equal(typeof (backwardRules as Record<string, unknown>)[op], "function", `missing backward rule for ${op}`);
    }
  });
});
