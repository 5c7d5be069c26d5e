import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/index.js";
import { loadMnistDigits } from "../sources/mnist-digits.node.js";
import { fitColorPca, principalComponentImages } from "./components.js";
import { fitPca, fitZca } from "./pca.js";
import { preprocessorFromJSON } from "./serialize.js";
import { covariance } from "./stats.js";

/** n samples of d correlated Gaussian features: x = A z + b. */
function correlated(n: number, d: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const a = rng.normal(d * d);
  const z = rng.normal(n * d);
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < d; r++) {
      let s = 10 + r;
      for (let c = 0; c < d; c++) s += a[r * d + c] * z[i * d + c] * (c + 1);
      x[i * d + r] = s;
    }
  }
  return x;
}

test("ZCA-whitened training data has identity covariance", () => {
  const n = 3000, d = 6;
  const x = correlated(n, d, 1);
  const zca = fitZca(x, [n, d], { epsilon: 0 });
  const y = zca.apply(x, [n, d]);
  const { mean, cov } = covariance(y.data, n, d);
  for (let i = 0; i < d; i++) {
    assert.ok(Math.abs(mean[i]) < 1e-5, `mean ${mean[i]}`);
    for (let j = 0; j < d; j++) assert.ok(Math.abs(cov[i * d + j] - (i === j ? 1 : 0)) < 1e-4, `cov[${i}][${j}] = ${cov[i * d + j]}`);
  }
  // W is symmetric; the JSON round trip reproduces the transform.
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) assert.ok(Math.abs(zca.matrix[i * d + j] - zca.matrix[j * d + i]) < 1e-12);
  const back = preprocessorFromJSON(JSON.parse(JSON.stringify(zca.toJSON())));
  assert.deepEqual(back.apply(x, [n, d]).data, y.data);
  assert.throws(() => fitZca(new Float32Array(20), [10, 2], { epsilon: 0 }), /covariance is singular .* pass epsilon > 0/);
});

test("PCA: explained variance sorted, sums to ≤ 1, top axis found, full-rank reconstruction exact", () => {
  const n = 2000, d = 5;
  const rng = new Rng(2);
  const z = rng.normal(n * d);
  // Axis-aligned variances 25, 9, 4, 1, 0.25 then rotated by 45° in the (0, 1) plane.
  const sd = [5, 3, 2, 1, 0.5];
  const x = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const v = sd.map((s, j) => s * z[i * d + j]);
    x[i * d] = (v[0] - v[1]) / Math.SQRT2;
    x[i * d + 1] = (v[0] + v[1]) / Math.SQRT2;
    for (let j = 2; j < d; j++) x[i * d + j] = v[j];
  }
  const pca = fitPca(x, [n, d]);
  const r = Array.from(pca.explainedVarianceRatio);
  assert.ok(r.every((v, i) => v >= 0 && (i === 0 || v <= r[i - 1])));
  const sum = r.reduce((a, b) => a + b, 0);
  assert.ok(sum <= 1 + 1e-12 && sum > 1 - 1e-9);
  assert.ok(Math.abs(r[0] - 25 / 39.25) < 0.03, `ratio ${r[0]}`);
  assert.ok(Math.abs(Math.abs(pca.components[0]) - Math.SQRT1_2) < 0.02 && Math.abs(Math.abs(pca.components[1]) - Math.SQRT1_2) < 0.02);
  const y = pca.apply(x, [n, d]);
  assert.deepEqual(y.shape, [n, d]);
  const back = pca.invert(y.data, y.shape);
  for (let i = 0; i < 50; i++) assert.ok(Math.abs(back.data[i] - x[i]) < 1e-3);
  const top2 = fitPca(x, [n, d], { components: 2, whiten: true, epsilon: 0 });
  const y2 = top2.apply(x, [n, d]);
  assert.deepEqual(y2.shape, [n, 2]);
  const c2 = covariance(y2.data, n, 2).cov;
  assert.ok(Math.abs(c2[0] - 1) < 1e-4 && Math.abs(c2[3] - 1) < 1e-4 && Math.abs(c2[1]) < 1e-4);
  assert.throws(() => fitPca(x, [n, d], { components: 6 }), /components must be an integer in \[1, 5\], got 6/);
  assert.throws(() => fitPca(x.subarray(0, 5), [1, 5]), /need at least 2 samples/);
});

test("real images: PCA/ZCA on 14×14 MNIST digits; component dump is plot-ready", () => {
  const set = loadMnistDigits({ split: "train" });
  const n = 2000;
  // 2×2 average pooling → 14×14 (196 features), scaled to [0, 1].
  const x = new Float32Array(n * 196);
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < 14; y++) {
      for (let xx = 0; xx < 14; xx++) {
        const o = i * 784 + 2 * y * 28 + 2 * xx;
        x[i * 196 + y * 14 + xx] = (set.images[o] + set.images[o + 1] + set.images[o + 28] + set.images[o + 29]) / (4 * 255);
      }
    }
  }
  const shape = [n, 1, 14, 14];
  const pca = fitPca(x, shape, { components: 40 });
  const r = pca.explainedVarianceRatio;
  assert.ok(r[0] > 0.05 && r.reduce((a, b) => a + b, 0) < 1);
  const dump = principalComponentImages(pca, { count: 8 });
  assert.equal(dump.components.length, 8);
  assert.deepEqual(dump.sampleShape, [1, 14, 14]);
  assert.ok(dump.components.every((c) => c.pixels.length === 196 && c.pixels.every((p) => Number.isInteger(p) && p >= 0 && p <= 255)));
  assert.ok(dump.cumulativeExplainedVariance[7] > dump.cumulativeExplainedVariance[0]);
  assert.doesNotThrow(() => JSON.stringify(dump));
  // ZCA with ε: in the eigenbasis the whitened covariance is λ / (λ + ε) — 1 for strong directions.
  const eps = 1e-2;
  const zca = fitZca(x, shape, { epsilon: eps });
  const y = zca.apply(x, shape);
  const full = fitPca(x, shape);
  const cy = covariance(y.data, n, 196).cov;
  for (const k of [0, 5, 30]) {
    const v = full.components.subarray(k * 196, (k + 1) * 196);
    let q = 0;
    for (let i = 0; i < 196; i++) for (let j = 0; j < 196; j++) q += v[i] * cy[i * 196 + j] * v[j];
    const lam = full.eigenvalues[k];
    assert.ok(Math.abs(q - lam / (lam + eps)) < 1e-3, `direction ${k}: ${q} vs ${lam / (lam + eps)}`);
  }
});

test("color PCA of RGB pixels: 3 sorted eigenvalues, orthonormal axes", () => {
  const rng = new Rng(5);
  const n = 20, plane = 64;
  const data = new Float32Array(n * 3 * plane);
  for (let i = 0; i < n; i++) {
    const g = rng.normal(plane);
    for (let p = 0; p < plane; p++) {
      data[(i * 3) * plane + p] = g[p];
      data[(i * 3 + 1) * plane + p] = g[p] * 0.9;
      data[(i * 3 + 2) * plane + p] = g[p] * 0.8;
    }
  }
  const c = fitColorPca(data, [n, 3, 8, 8]);
  assert.ok(c.eigenvalues[0] > 1 && c.eigenvalues[1] < 1e-9);
  const v = c.eigenvectors[0];
  const norm = Math.hypot(...v);
  assert.ok(Math.abs(norm - 1) < 1e-12 && Math.abs(v[1] / v[0] - 0.9) < 1e-9);
  assert.throws(() => fitColorPca(data, [n * 3, 1, 8, 8]), /expected \[n, 3, h, w\] RGB images/);
});
