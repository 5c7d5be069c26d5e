import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/index.js";
import { symmetricEigen } from "./eig.js";

/** max |A v_k - λ_k v_k| and max |V Vᵀ - I|. */
function residuals(a: Float64Array, n: number, values: Float64Array, vectors: Float64Array): { eq: number; orth: number } {
  let eq = 0, orth = 0;
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) {
      let av = 0;
      for (let j = 0; j < n; j++) av += a[i * n + j] * vectors[k * n + j];
      eq = Math.max(eq, Math.abs(av - values[k] * vectors[k * n + i]));
    }
    for (let l = 0; l < n; l++) {
      let d = 0;
      for (let j = 0; j < n; j++) d += vectors[k * n + j] * vectors[l * n + j];
      orth = Math.max(orth, Math.abs(d - (k === l ? 1 : 0)));
    }
  }
  return { eq, orth };
}

test("diagonal matrix: eigenvalues are the diagonal, sorted; eigenvectors are unit vectors", () => {
  const a = Float64Array.from([2, 0, 0, 0, -1, 0, 0, 0, 5]);
  const { values, vectors, sweeps } = symmetricEigen(a, 3);
  assert.deepEqual([...values], [5, 2, -1]);
  assert.deepEqual([...vectors], [0, 0, 1, 1, 0, 0, 0, 1, 0]);
  assert.equal(sweeps, 0);
});

test("2×2 rotation: R diag(4, 1) Rᵀ gives back 4, 1 and the rotated axes", () => {
  const th = 0.3;
  const c = Math.cos(th), s = Math.sin(th);
  // Columns of R are (c, s) and (-s, c).
  const a = Float64Array.from([4 * c * c + s * s, 3 * c * s, 3 * c * s, 4 * s * s + c * c]);
  const { values, vectors } = symmetricEigen(a, 2);
  assert.ok(Math.abs(values[0] - 4) < 1e-14 && Math.abs(values[1] - 1) < 1e-14);
  assert.ok(Math.abs(vectors[0] - c) < 1e-14 && Math.abs(vectors[1] - s) < 1e-14);
  assert.ok(Math.abs(Math.abs(vectors[2]) - s) < 1e-14 && Math.abs(Math.abs(vectors[3]) - c) < 1e-14);
});

test("random SPD matrix (BᵀB + I, n = 40): A·V = V·Λ, V orthonormal, trace kept", () => {
  const n = 40;
  const b = new Rng(7).normal(n * n);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? 1 : 0;
      for (let k = 0; k < n; k++) s += b[k * n + i] * b[k * n + j];
      a[i * n + j] = s;
    }
  }
  const { values, vectors, sweeps } = symmetricEigen(a, n);
  const { eq, orth } = residuals(a, n, values, vectors);
  assert.ok(eq < 1e-10, `residual ${eq}`);
  assert.ok(orth < 1e-13, `orthogonality ${orth}`);
  assert.ok(values.every((v, i) => v >= 1 - 1e-9 && (i === 0 || v <= values[i - 1])));
  let trace = 0;
  for (let i = 0; i < n; i++) trace += a[i * n + i];
  assert.ok(Math.abs(values.reduce((s, v) => s + v, 0) - trace) < 1e-9 * trace);
  assert.ok(sweeps <= 12, `${sweeps} sweeps`);
});

test("rank-deficient and repeated eigenvalues", () => {
  // All-ones 4×4: eigenvalues 4, 0, 0, 0.
  const { values, vectors } = symmetricEigen(new Float64Array(16).fill(1), 4);
  assert.ok(Math.abs(values[0] - 4) < 1e-14);
  for (let k = 1; k < 4; k++) assert.ok(Math.abs(values[k]) < 1e-14);
  assert.ok(residuals(new Float64Array(16).fill(1), 4, values, vectors).orth < 1e-14);
});

test("input errors print the bad value", () => {
  assert.throws(() => symmetricEigen([1, 2, 3], 2), /matrix has 3 entries, expected 2×2 = 4/);
  assert.throws(() => symmetricEigen([1, 2, 3, 4], 2), /not symmetric: a\[0\]\[1\] = 2 but a\[1\]\[0\] = 3/);
  assert.throws(() => symmetricEigen([1], 1, { maxSweeps: 0 }), /maxSweeps must be an integer >= 1, got 0/);
});
