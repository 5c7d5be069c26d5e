/** Per-parameter gradient histograms in the layer statistics: fixed symmetric-log edges, exact counts. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion";
import * as B from "../../src/train/babysit/index.js";

const { nn, train } = g;

/** Reference count of `v` over `edges` (end bins take what lies outside). */
function histogram(v: ArrayLike<number>, edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length - 1).fill(0);
  for (let i = 0; i < v.length; i++) {
    let b = edges.findIndex((e, k) => k > 0 && v[i] < e) - 1;
    if (b < 0) b = v[i] <= edges[0] ? 0 : edges.length - 2;
    counts[b]++;
  }
  return counts;
}

describe("layer statistics: gradient histograms", () => {
  it("GRAD_EDGES are symmetric decades-and-halves around 0", () => {
    const e = B.GRAD_EDGES;
    assert.equal(e.length, 31);
    assert.equal(e[15], 0);
    assert.equal(e[0], -1);
    assert.equal(e[30], 1);
    for (let i = 1; i < e.length; i++) assert.ok(e[i] > e[i - 1], `edges increase at ${i}`);
    for (let i = 0; i < 15; i++) assert.ok(Math.abs(e[i] + e[30 - i]) < 1e-15, "symmetric");
    assert.ok(Math.abs(e[16] - 1e-7) < 1e-20);
  });

  it("counts every gradient element of each parameter on due steps", () => {
    const rng = new g.Rng(3);
    const model = nn.sequential(nn.linear(4, 8, { rng }), nn.relu(), nn.linear(8, 3, { rng }));
    const events: g.train.LayerStatsEvent[] = [];
    const mon = B.layerStatsMonitor(model, { every: 2, emit: (e) => events.push(e) });
    try {
      const x = g.randn([16, 4], { rng });
      const y = g.fromArray(Int32Array.from({ length: 16 }, (_, i) => i % 3), [16]);
      const grads: Float32Array[] = [];
      g.scope(() => {
        nn.crossEntropy(model.forward(x), y).mul(100).backward();
        for (const p of model.parameters()) grads.push(Float32Array.from(p.grad!.dataSync()));
      });
      mon.onStep({ epoch: 0, batch: 1, step: 1 }, 0);
      assert.equal(events.length, 1);
      const params = events[0].layers.filter((l) => l.gradHistogram);
      assert.deepEqual(params.map((l) => l.name), ["0.weight", "0.bias", "2.weight", "2.bias"]);
      params.forEach((l, i) => {
        assert.deepEqual(l.gradHistogram!.edges, [...B.GRAD_EDGES]);
        assert.deepEqual(l.gradHistogram!.counts, histogram(grads[i], B.GRAD_EDGES), l.name);
        assert.equal(l.gradHistogram!.counts.reduce((a, b) => a + b, 0), grads[i].length);
      });
      // Activation entries keep their own (linear) histograms and carry no gradient histogram.
      const act = events[0].layers.find((l) => l.name === "1 (ReLU)");
      assert.ok(act?.histogram && !act.gradHistogram);
      for (const p of model.parameters()) {
        p.grad?.dispose();
        p.grad = null;
      }
      x.dispose();
      y.dispose();
    } finally {
      mon.dispose();
      model.dispose();
    }
  });

  it("fit + monitor: histograms only on due steps, parameter grads summed over accumulated batches", () => {
    const rng = new g.Rng(1);
    const set = g.data.makeSpiral({ pointsPerClass: 20, classes: 3, rng: new g.Rng(2) });
    const loader = new g.data.DataLoader(new g.data.PointDataset(set), { batchSize: 10, seed: 1 });
    const model = nn.sequential(nn.linear(2, 16, { rng }), nn.tanh(), nn.linear(16, 3, { rng }));
    const opt = g.optim.sgd(model.parameters(), { lr: 0.1 });
    const events: g.train.LayerStatsEvent[] = [];
    const mon = B.layerStatsMonitor(model, { every: 3, emit: (e) => events.push(e) });
    try {
      train.fit({ model, optimizer: opt, train: loader, epochs: 2, accumulate: 2, onStep: mon.onStep });
    } finally {
      mon.dispose();
      opt.dispose();
    }
    assert.deepEqual(events.map((e) => e.step), [1, 3, 6]);
    for (const e of events) {
      const w = e.layers.find((l) => l.name === "0.weight")!;
      assert.equal(w.gradHistogram!.counts.reduce((a, b) => a + b, 0), 32);
      assert.ok(w.gradNorm! > 0);
    }
    model.dispose();
  });
});
