/** DataLoader: coverage, seeded per-epoch order, deterministic resume, drop-last, subsets, splits. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion";

const { data } = g;

function toySet(n: number): g.data.ImageSet {
  const images = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) images.fill(i % 256, i * 4, i * 4 + 4);
  return { images, labels: Int32Array.from({ length: n }, (_, i) => i % 3), shape: [n, 1, 2, 2], classes: ["a", "b", "c"] };
}

describe("DataLoader", () => {
  const ds = new data.ImageDataset(toySet(50), { scale: 1 });
  it("visits every sample exactly once per epoch, in a new seeded order each epoch", () => {
    const dl = new data.DataLoader(ds, { batchSize: 8, seed: 3 });
    assert.equal(dl.numBatches, 7);
    const o0 = Array.from(dl.order(0));
    const o1 = Array.from(dl.order(1));
    assert.deepEqual([...o0].sort((a, b) => a - b), [...Array(50).keys()]);
    assert.notDeepEqual(o0, o1);
    assert.deepEqual(Array.from(new data.DataLoader(ds, { batchSize: 8, seed: 3 }).order(1)), o1);
    const seen: number[] = [];
    for (const { x, y } of dl.batches(0)) {
      const v = x.dataSync();
      for (let k = 0; k < y.shape[0]; k++) seen.push(v[k * 4]);
      x.dispose();
      y.dispose();
    }
    assert.deepEqual(seen, o0);
  });
  it("resumes from (epoch, batch) with identical batches", () => {
    const dl = new data.DataLoader(ds, { batchSize: 8, seed: 9 });
    const all = [...dl.batches(2)].map((b) => { const v = Array.from(b.x.dataSync()); b.x.dispose(); b.y.dispose(); return v; });
    const tail = [...dl.batches(2, 4)].map((b) => { const v = Array.from(b.x.dataSync()); b.x.dispose(); b.y.dispose(); return v; });
    assert.deepEqual(tail, all.slice(4));
  });
  it("drops the last partial batch when asked; subsets restrict the samples", () => {
    assert.equal(new data.DataLoader(ds, { batchSize: 8, dropLast: true }).numBatches, 6);
    const sub = new data.DataLoader(ds, { batchSize: 4, indices: [5, 6, 7], shuffle: false });
    assert.deepEqual(Array.from(sub.hostBatch(0, 0).y), [2, 0, 1]);
    assert.throws(() => new data.DataLoader(ds, { batchSize: 0 }), /batchSize must be an integer >= 1, got 0/);
    assert.throws(() => new data.DataLoader(ds, { batchSize: 2, indices: [99] }), /index 99 is outside the dataset \[0, 50\)/);
  });
  it("normalizes with per-channel mean/std", () => {
    const d2 = new data.ImageDataset(toySet(2), { scale: 1, mean: [1], std: [2] });
    const out = new Float32Array(4);
    d2.read(1, out, 0, new g.Rng(0));
    assert.deepEqual(Array.from(out), [0, 0, 0, 0]);
  });
  it("splits train/validation stratified by label", () => {
    const labels = Int32Array.from({ length: 300 }, (_, i) => i % 3);
    const { train, val } = data.trainValSplit(labels, 0.2, { seed: 1 });
    assert.equal(train.length + val.length, 300);
    assert.equal(new Set([...train, ...val]).size, 300);
    for (let k = 0; k < 3; k++) assert.equal(Array.from(val).filter((i) => labels[i] === k).length, 20);
  });
});
