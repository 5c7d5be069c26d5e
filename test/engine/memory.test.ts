/**
 * The memory model, proven: 2,000 training steps of a small MLP inside one scope per step leave live
 * tensors and live bytes flat; the graph and saved tensors are released after backward; dispose and
 * Symbol.dispose free storage; views share storage.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion";
import type { Tensor } from "ganglion";

function mlp(rng: g.Rng): { params: Tensor[]; step: (x: Tensor, y: Tensor, lr: number) => number } {
  const w1 = g.randn([2, 16], { rng, std: 0.5 }).keep();
  const b1 = g.zeros([16]).keep();
  const w2 = g.randn([16, 3], { rng, std: 0.5 }).keep();
  const b2 = g.zeros([3]).keep();
  const params = [w1, b1, w2, b2];
  for (const p of params) p.requiresGrad = true;
  const step = (x: Tensor, y: Tensor, lr: number): number =>
    g.scope(() => {
      const h = x.matmul(w1).add(b1).relu();
      const loss = g.softmaxCrossEntropy(h.matmul(w2).add(b2), y).mean();
      loss.backward();
      g.noGrad(() => {
        for (const p of params) {
          p.assign(p.sub(p.grad!.mul(lr)));
          p.grad!.dispose();
          p.grad = null;
        }
      });
      return loss.item();
    });
  return { params, step };
}

describe("memory", () => {
  it("live tensors and bytes stay flat over 2,000 training steps", () => {
    const rng = new g.Rng(1);
    const x = g.randn([32, 2], { rng }).keep();
    const y = g.randint(0, 3, [32], { rng }).keep();
    const { params, step } = mlp(rng);
    step(x, y, 0.1); // warm-up
    const before = g.memory();
    let first = NaN;
    let last = NaN;
    for (let i = 0; i < 2000; i++) {
      last = step(x, y, 0.1);
      if (i === 0) first = last;
      if (i === 999) {
        const mid = g.memory();
        assert.equal(mid.liveTensors, before.liveTensors, "live tensors grew by step 1000");
        assert.equal(mid.liveBytes, before.liveBytes, "live bytes grew by step 1000");
      }
    }
    const after = g.memory();
    assert.equal(after.liveTensors, before.liveTensors);
    assert.equal(after.liveBytes, before.liveBytes);
    assert.equal(after.liveBuffers, before.liveBuffers);
    assert.ok(last < first, `loss should fall: ${first} -> ${last}`);
    for (const t of [...params, x, y]) t.dispose();
  });

  it("a forward pass without backward frees its graph when its output is disposed", () => {
    const base = g.memory();
    const w = g.randn([4, 4]).keep();
    w.requiresGrad = true;
    const out = g.scope(() => w.matmul(w).tanh().sum());
    // out escapes with its graph: w, out, and the saved handles of tanh and matmul are alive.
    assert.ok(g.memory().liveTensors > base.liveTensors + 2);
    out.dispose();
    assert.equal(g.memory().liveTensors, base.liveTensors + 1);
    w.dispose();
    assert.equal(g.memory().liveTensors, base.liveTensors);
    assert.equal(g.memory().liveBytes, base.liveBytes);
  });

  it("backward releases saved tensors unless retainGraph", () => {
    const w = g.randn([3, 3]).keep();
    w.requiresGrad = true;
    g.scope(() => {
      const loss = w.mul(w).sum();
      loss.backward(undefined, { retainGraph: true });
    });
    w.grad?.dispose();
    w.grad = null;
    g.scope(() => {
      const loss = w.exp().sum();
      loss.backward(undefined, { retainGraph: true });
      loss.backward(); // second pass allowed, accumulates
      assert.throws(() => loss.backward(), /second time.*retainGraph/);
    });
    w.dispose();
  });

  it("scope returns escape to the parent; keep() escapes every scope; dispose is idempotent", () => {
    const base = g.memory().liveTensors;
    const kept = g.scope(() => {
      const inner = g.scope(() => g.ones([2]).add(1));
      assert.deepEqual(Array.from(inner.dataSync()), [2, 2]);
      g.zeros([3]).keep();
      return inner;
    });
    assert.equal(g.memory().liveTensors, base + 2);
    kept.dispose();
    kept.dispose();
    assert.equal(g.memory().liveTensors, base + 1);
  });

  it("views share storage; the buffer is freed when the last view goes", () => {
    const b0 = g.memory().liveBytes;
    const [x, v] = g.scope(() => {
      const x = g.arange(0, 12).reshape([3, 4]);
      return [x, x.T.slice([1, 0], [3, 2])];
    });
    x.dispose();
    assert.deepEqual(v.toArray(), [[1, 5], [2, 6]]);
    assert.equal(g.memory().liveBytes, b0 + 48);
    v.dispose();
    assert.equal(g.memory().liveBytes, b0);
  });

  it("supports `using` (Symbol.dispose)", () => {
    const b0 = g.memory().liveTensors;
    {
      const t = g.ones([5]);
      t[Symbol.dispose]();
    }
    assert.equal(g.memory().liveTensors, b0);
  });

  it("use after dispose names the op and the tensor", () => {
    const t = g.ones([2, 2]);
    t.dispose();
    assert.throws(() => t.add(1), /add: tensor #\d+ \[2,2\] was used after dispose\(\)/);
  });
});
