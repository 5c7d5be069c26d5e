/** Tensor semantics: creation, dtypes, views, RNG reproducibility, grad accumulation, noGrad, detach. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion";

describe("creation and dtypes", () => {
  it("tensor() infers shapes; arange/full/zeros; int and bool dtypes", () => {
    g.scope(() => {
      assert.deepEqual(g.tensor([[1, 2, 3], [4, 5, 6]]).shape, [2, 3]);
      assert.equal(g.arange(5).dtype, "int32");
      assert.deepEqual(Array.from(g.arange(0, 1, 0.25).dataSync()), [0, 0.25, 0.5, 0.75]);
      assert.deepEqual(g.full([2], 7, { dtype: "int32" }).toArray(), [7, 7]);
      assert.equal(g.tensor([1, 2]).gt(1).dtype, "bool");
      assert.deepEqual(g.tensor([1, 2]).gt(1).toArray(), [0, 1]);
      assert.equal(g.arange(4).div(2).dtype, "float32");
      assert.equal(g.arange(4).add(1).dtype, "int32");
      assert.equal(g.arange(4).add(0.5).dtype, "float32");
      assert.equal(g.scalar(3).item(), 3);
    });
  });
  it("data() resolves to the values on every backend", async () => {
    const t = g.tensor([1.5, -2]);
    assert.deepEqual(Array.from(await t.data()), [1.5, -2]);
    t.dispose();
  });
});

describe("seeded RNG", () => {
  it("is reproducible and independent per stream", () => {
    const a = new g.Rng(42).normal(1000);
    const b = new g.Rng(42).normal(1000);
    assert.deepEqual(a, b);
    const c = new g.Rng(43).normal(1000);
    assert.notDeepEqual(a, c);
    const r = new g.Rng(5);
    r.uniform(10);
    const resumed = g.Rng.fromState(r.state);
    assert.deepEqual(resumed.uniform(10), r.uniform(10));
  });
  it("has the right moments", () => {
    const x = new g.Rng(7).normal(100000);
    const mean = x.reduce((s, v) => s + v, 0) / x.length;
    const v = x.reduce((s, y) => s + (y - mean) ** 2, 0) / x.length;
    assert.ok(Math.abs(mean) < 0.02 && Math.abs(v - 1) < 0.02, `mean ${mean} var ${v}`);
    const u = new g.Rng(7).uniform(100000);
    assert.ok(Math.min(...u) >= 0 && Math.max(...u) < 1);
    const p = new g.Rng(1).permutation(50);
    assert.deepEqual([...p].sort((a, b) => a - b), [...Array(50).keys()]);
  });
  it("randn with the same rng seed gives the same tensor", () => {
    g.scope(() => {
      const a = g.randn([3, 3], { rng: new g.Rng(9) }).dataSync();
      const b = g.randn([3, 3], { rng: new g.Rng(9) }).dataSync();
      assert.deepEqual(a, b);
    });
  });
});

describe("autograd semantics", () => {
  it("accumulates into .grad across backward calls, like PyTorch", () => {
    const w = g.tensor([1, 2, 3], { requiresGrad: true });
    g.scope(() => w.mul(w).sum().backward());
    g.scope(() => w.mul(3).sum().backward());
    assert.deepEqual(w.grad!.toArray(), [5, 7, 9]);
    w.dispose();
  });
  it("noGrad records nothing; detach cuts the graph", () => {
    const w = g.tensor([1, 2], { requiresGrad: true });
    g.scope(() => {
      const y = g.noGrad(() => w.mul(2));
      assert.equal(y.requiresGrad, false);
      const z = w.detach().mul(2);
      assert.equal(z.requiresGrad, false);
      assert.equal(w.mul(2).requiresGrad, true);
    });
    w.dispose();
  });
  it("a tensor used twice gets both gradient paths", () => {
    const x = g.tensor([2], { requiresGrad: true });
    g.scope(() => {
      const y = x.mul(x).add(x.exp()); // dy/dx = 2x + e^x
      y.sum().backward();
    });
    assert.ok(Math.abs(x.grad!.item() - (4 + Math.exp(2))) < 1e-4);
    x.dispose();
  });
  it("views of a leaf route gradients back through slice/permute/expand", () => {
    const x = g.tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
    g.scope(() => x.T.slice([1, 0], [3, 2]).expand([4, 2, 2]).sum().backward());
    assert.deepEqual(x.grad!.toArray(), [[0, 4, 4], [0, 4, 4]]);
    x.dispose();
  });
});
