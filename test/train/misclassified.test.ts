/** Misclassified samples: the most confident mistakes, their dataset indices and 8-bit pixels, and fit's event. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion";

const { data, train } = g;

/** 12 images of 1×2×2 whose pixels encode their index; labels cycle 0, 1, 2. */
function tinySet(float = false): g.data.ImageSet {
  const n = 12;
  const images = float ? new Float32Array(n * 4) : new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) images.set([i, 10 + i, 20 + i, 200 + i], i * 4);
  return { images, labels: Int32Array.from({ length: n }, (_, i) => i % 3), shape: [n, 1, 2, 2], classes: ["a", "b", "c"] };
}

/** Predicts class (pixel0 % 3) + 1 for odd-indexed images (wrong), the label for even ones, with confidence rising with the index. */
function predictor(x: g.Tensor): g.Tensor {
  const d = x.dataSync();
  const n = x.shape[0];
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const idx = Math.round(d[i * 4] * 255); // ImageDataset scales bytes by 1/255
    const label = idx % 3;
    const pred = idx % 2 === 1 ? (label + 1) % 3 : label;
    out[i * 3 + pred] = 1 + idx / 4;
  }
  return g.fromArray(out, [n, 3]);
}

describe("misclassified samples", () => {
  it("keeps the most confident mistakes with their dataset index, labels and raw bytes", () => {
    const ds = new data.ImageDataset(tinySet());
    const loader = new data.DataLoader(ds, { batchSize: 5, shuffle: false, indices: [11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0] });
    const r = train.evaluate(predictor, loader, { misclassified: 4 });
    assert.ok(r.misclassified);
    assert.deepEqual(r.misclassified.shape, [1, 2, 2]);
    const s = r.misclassified.samples;
    assert.deepEqual(s.map((q) => q.index), [11, 9, 7, 5]);
    for (const q of s) {
      assert.equal(q.label, q.index % 3);
      assert.equal(q.predicted, (q.index % 3 + 1) % 3);
      assert.deepEqual([...q.pixels], [q.index, 10 + q.index, 20 + q.index, 200 + q.index]);
    }
    for (let i = 1; i < s.length; i++) assert.ok(s[i - 1].confidence >= s[i].confidence);
    // Softmax of (1 + 11/4, 0, 0): e^3.75 / (e^3.75 + 2).
    assert.ok(Math.abs(s[0].confidence - Math.exp(3.75) / (Math.exp(3.75) + 2)) < 1e-6);
    assert.equal(r.accuracy, 6 / 12);
  });

  it("float images: pixels are the input rescaled to 0…255", () => {
    const ds = new data.ImageDataset(tinySet(true), { scale: 1 / 255 });
    const loader = new data.DataLoader(ds, { batchSize: 12, shuffle: false });
    const r = train.evaluate(predictor, loader, { misclassified: 2 });
    const s = r.misclassified!.samples;
    assert.deepEqual(s.map((q) => q.index), [11, 9]);
    // (11, 21, 31, 211) over 11…211 → 0, 12.75, 25.5, 255 (±1 for float rounding)
    [0, 12.75, 25.5, 255].forEach((want, k) => assert.ok(Math.abs(s[0].pixels[k] - want) <= 1, `${s[0].pixels[k]} vs ${want}`));
  });

  it("nothing is kept by default or for non-image samples", () => {
    const loader = new data.DataLoader(new data.ImageDataset(tinySet()), { batchSize: 4, shuffle: false });
    assert.equal(train.evaluate(predictor, loader).misclassified, undefined);
    const pts = new data.DataLoader(new data.PointDataset(data.makeSpiral({ pointsPerClass: 5, classes: 3, rng: new g.Rng(0) })), { batchSize: 5 });
    assert.equal(train.evaluate((x) => g.zeros([x.shape[0], 3]), pts, { misclassified: 3 }).misclassified, undefined);
  });

  it("the event round-trips pixels through base64", () => {
    const bytes = Uint8Array.from({ length: 70000 }, (_, i) => (i * 7) % 256);
    assert.deepEqual(train.base64ToBytes(train.bytesToBase64(bytes)), bytes);
    const e = train.misclassifiedEvent([{ index: 3, label: 1, predicted: 2, confidence: 0.9, pixels: Uint8Array.from([1, 2, 3, 4]) }], [1, 2, 2], { split: "test", step: 7, total: 5, classes: ["a", "b", "c"] });
    assert.equal(e.type, "misclassified");
    assert.deepEqual(e.shape, [1, 2, 2]);
    assert.equal(e.images[0].pixels, "AQIDBA==");
    assert.deepEqual(JSON.parse(JSON.stringify(e)), e);
  });

  it("fit emits a misclassified event after each validation pass", () => {
    const rng = new g.Rng(0);
    const set = tinySet();
    const model = g.nn.sequential(g.nn.flatten(), g.nn.linear(4, 3, { rng }));
    const opt = g.optim.sgd(model.parameters(), { lr: 0.01 });
    const trainLoader = new data.DataLoader(new data.ImageDataset(set), { batchSize: 6, seed: 1 });
    const val = new data.DataLoader(new data.ImageDataset(set), { batchSize: 6, shuffle: false });
    const events: g.train.TrainEvent[] = [];
    train.fit({ model, optimizer: opt, train: trainLoader, val, epochs: 2, misclassified: 3, onEvent: (e) => events.push(e) });
    const mis = events.filter((e): e is g.train.MisclassifiedEvent => e.type === "misclassified");
    assert.equal(mis.length, 2);
    const ev = events.filter((e): e is g.train.EpochEvent => e.type === "epoch");
    mis.forEach((m, i) => {
      assert.equal(m.split, "val");
      assert.equal(m.epoch, i);
      assert.deepEqual(m.classes, ["a", "b", "c"]);
      assert.equal(m.total, Math.round(12 * (1 - ev[i].valAccuracy!)));
      assert.equal(m.images.length, Math.min(3, m.total));
      for (const im of m.images) {
        assert.notEqual(im.label, im.predicted);
        assert.equal(train.base64ToBytes(im.pixels)[0], im.index);
      }
    });
    opt.dispose();
    model.dispose();
  });
});
