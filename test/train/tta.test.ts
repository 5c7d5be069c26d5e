/** Test-time augmentation (evaluate's tta: "flip") and the flip op it uses. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion";

const { data, train } = g;

/** 6 images of 1x1x4 whose left half is bright for labels 0, the right half for label 1. */
function lrSet(): g.data.ImageSet {
  const rows = [[250, 250, 0, 0], [0, 0, 250, 250], [200, 100, 0, 0], [0, 0, 100, 200], [250, 0, 0, 0], [0, 0, 0, 250]];
  return { images: Uint8Array.from(rows.flat()), labels: Int32Array.from([0, 1, 0, 1, 0, 1]), shape: [6, 1, 1, 4], classes: ["left", "right"] };
}

/** Logits [left mass, right mass]: correct on the images, exactly wrong on their mirrors. */
function predictor(x: g.Tensor): g.Tensor {
  const d = x.dataSync(), n = x.shape[0];
  const out = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    out[i * 2] = d[i * 4] + d[i * 4 + 1];
    out[i * 2 + 1] = d[i * 4 + 2] + d[i * 4 + 3];
  }
  return g.fromArray(out, [n, 2]);
}

describe("test-time augmentation", () => {
  it("flip reverses an axis (several at once), and its gradient is the flipped upstream gradient", () => {
    const x = g.arange(0, 12, 1, { dtype: "float32" }).reshape([1, 1, 3, 4]);
    assert.deepEqual(Array.from(g.flip(x, 3).dataSync()), [3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8]);
    assert.deepEqual(Array.from(g.flip(x, [-1, 2]).dataSync()), [11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    const w = g.fromArray(Float32Array.from({ length: 12 }, (_, i) => i * i), [1, 1, 3, 4]);
    const p = g.arange(0, 12, 1, { dtype: "float32" }).reshape([1, 1, 3, 4]);
    p.requiresGrad = true;
    g.flip(p, 3).mul(w).sum().backward();
    assert.deepEqual(Array.from(p.grad!.dataSync()), Array.from(g.flip(w, 3).dataSync()));
    assert.throws(() => g.flip(x, 4), /flip/);
  });

  it('"flip" averages the logits of each image and its mirror; "none" is the plain evaluation', () => {
    const loader = new data.DataLoader(new data.ImageDataset(lrSet()), { batchSize: 4, shuffle: false });
    const plain = train.evaluate(predictor, loader);
    assert.equal(plain.accuracy, 1);
    assert.equal(train.evaluate(predictor, loader, { tta: "none" }).accuracy, 1);
    // The predictor is mirror-antisymmetric: averaging with the mirror cancels every logit to a tie.
    const tta = train.evaluate(predictor, loader, { tta: "flip" });
    assert.ok(Math.abs(tta.loss - Math.log(2)) < 1e-6, `tied logits give loss ln 2, got ${tta.loss}`);
    assert.throws(() => train.evaluate(predictor, loader, { tta: "mirror" as "flip" }), /tta must be/);
  });
});
