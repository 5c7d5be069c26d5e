/**
 * fit({ babysit: true }): the babysitter rides along a real training run — layer statistics arrive as
 * events, the train/validation gap is judged at the end — and a diverging run (LR 1e38: the first update overflows float32) is stopped by
 * the NaN guard, which names the parameter, long before the epochs are done.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion";

const { data, nn, optim, train } = g;

function loaders(): { tr: g.data.DataLoader; val: g.data.DataLoader } {
  const set = data.makeSpiral({ pointsPerClass: 80, classes: 3, rng: new g.Rng(2) });
  const idx = Array.from({ length: 240 }, (_, i) => i);
  return {
    tr: new data.DataLoader(new data.PointDataset(set), { batchSize: 30, seed: 1, indices: idx.filter((i) => i % 5 !== 0) }),
    val: new data.DataLoader(new data.PointDataset(set), { batchSize: 48, shuffle: false, indices: idx.filter((i) => i % 5 === 0) }),
  };
}

describe("fit({ babysit })", () => {
  it("emits layer statistics and returns the NaN-guard, layer-statistics and gap checks", () => {
    const rng = new g.Rng(1);
    const model = nn.sequential(nn.linear(2, 64, { rng }), nn.relu(), nn.linear(64, 3, { rng }));
    const opt = optim.adam(model.parameters(), { lr: 0.02 });
    const { tr, val } = loaders();
    const kinds = new Map<string, number>();
    const r = train.fit({ model, optimizer: opt, train: tr, val, epochs: 15, babysit: { every: 10 }, onEvent: (e) => kinds.set(e.type, (kinds.get(e.type) ?? 0) + 1) });
    assert.ok((kinds.get("layerStats") ?? 0) >= 5, `layer statistics events: ${JSON.stringify([...kinds])}`);
    const names = (r.babysit ?? []).map((c) => c.name);
    assert.equal(names.length, 3, `checks: ${names.join(", ")}`);
    assert.ok(r.babysit?.every((c) => c.status !== "fail"), JSON.stringify(r.babysit?.map((c) => [c.name, c.status, c.advice])));
    assert.ok((r.lastVal?.accuracy ?? 0) > 0.8, `val accuracy ${r.lastVal?.accuracy}`);
    model.dispose();
    opt.dispose();
  });

  it("stops a diverging run at the first non-finite step and names the parameter", () => {
    const rng = new g.Rng(1);
    const model = nn.sequential(nn.linear(2, 64, { rng }), nn.relu(), nn.linear(64, 3, { rng }));
    const opt = optim.sgd(model.parameters(), { lr: 1e38 });
    const { tr } = loaders();
    const r = train.fit({ model, optimizer: opt, train: tr, epochs: 20, babysit: true });
    assert.ok(r.position.step < 20 * tr.numBatches, `stopped at step ${r.position.step}`);
    const nan = r.babysit?.find((c) => c.status === "fail");
    assert.ok(nan, JSON.stringify(r.babysit));
    assert.match(nan.advice, /NaN|Inf|non-finite|infinite/i);
    assert.match(nan.advice, /weight|bias|\d\./);
    model.dispose();
    opt.dispose();
  });
});
