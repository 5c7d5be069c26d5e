import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../core/index.js";
import { runSearch } from "../benchmarks.js";
import { SearchSpace, categorical, int, logUniform, uniform } from "../space.js";
import { BayesSampler, erfc, expectedImprovement } from "./bayes.js";
import { GaussianProcess, GpData, logPosterior } from "./gp.js";
import { cholInverse, cholSolve, cholesky } from "./linalg.js";
import type { Trial } from "./types.js";

test("Cholesky, solve and inverse on a random SPD matrix; null when not positive definite", () => {
  const n = 7;
  const rng = new Rng(1);
  const b = Array.from(rng.normal(n * n));
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    for (let k = 0; k < n; k++) a[i * n + j] += b[i * n + k] * b[j * n + k];
    if (i === j) a[i * n + j] += 0.1;
  }
  const l = cholesky(a, n)!;
  const inv = cholInverse(l, n);
  const rhs = Array.from(rng.normal(n));
  const x = cholSolve(l, n, rhs);
  for (let i = 0; i < n; i++) {
    let ax = 0;
    for (let j = 0; j < n; j++) {
      ax += a[i * n + j] * x[j];
      let e = 0;
      for (let k = 0; k < n; k++) e += a[i * n + k] * inv[k * n + j];
      assert.ok(Math.abs(e - (i === j ? 1 : 0)) < 1e-9);
    }
    assert.ok(Math.abs(ax - rhs[i]) < 1e-9);
  }
  assert.equal(cholesky(Float64Array.from([1, 2, 2, 1]), 2), null);
});

test("erfc and expected improvement", () => {
  // erfc(0.5), erfc(1), erfc(2), erfc(-1) to 10 digits.
  for (const [x, v] of [[0, 1], [0.5, 0.4795001222], [1, 0.1572992071], [2, 0.004677734981], [-1, 1.842700793]]) {
    assert.ok(Math.abs(erfc(x) - v) < 1.2e-7 * v + 1e-12, `erfc(${x}) = ${erfc(x)}`);
  }
  // At mean = best: EI = σ φ(0) = σ / √(2π).
  assert.ok(Math.abs(expectedImprovement(0, 4, 0) - 2 / Math.sqrt(2 * Math.PI)) < 1e-7);
  assert.equal(expectedImprovement(1, 0, 3), 2, "no uncertainty: the improvement itself");
  assert.ok(expectedImprovement(0, 1, 1) > expectedImprovement(0, 1, 0.5), "better incumbent gap, more EI");
  assert.ok(expectedImprovement(0, 4, 0) > expectedImprovement(0, 1, 0), "more uncertainty, more EI");
  assert.ok(expectedImprovement(10, 1, 0) >= 0 && expectedImprovement(10, 1, 0) < 1e-20);
});

test("GP log marginal likelihood gradient matches central differences", () => {
  const rng = new Rng(2);
  const xs = Array.from({ length: 12 }, () => Array.from(rng.uniform(3)));
  const ys = xs.map((x) => Math.sin(6 * x[0]) + x[1] * x[1] - 0.2 * x[2]);
  const data = new GpData(xs, ys);
  const theta = Float64Array.from([Math.log(0.4), Math.log(0.7), Math.log(1.3), Math.log(0.8), Math.log(0.01)]);
  const { grad } = logPosterior(data, theta);
  for (let j = 0; j < theta.length; j++) {
    const h = 1e-5;
    const up = Float64Array.from(theta);
    const dn = Float64Array.from(theta);
    up[j] += h;
    dn[j] -= h;
    const fd = (logPosterior(data, up).value - logPosterior(data, dn).value) / (2 * h);
    assert.ok(Math.abs(fd - grad[j]) < 1e-5 * Math.max(1, Math.abs(fd)), `θ${j}: analytic ${grad[j]}, numeric ${fd}`);
  }
});

test("GP interpolates its data (small noise) and is uncertain far from it", () => {
  const xs = [[0.1], [0.4], [0.5], [0.9]];
  const ys = [1, -0.5, 0.2, 0.8];
  const gp = new GaussianProcess(new GpData(xs, ys), Float64Array.from([Math.log(0.2), 0, Math.log(1e-6)]));
  xs.forEach((x, i) => {
    const p = gp.predict(x);
    assert.ok(Math.abs(p.mean - ys[i]) < 1e-3 && p.variance < 1e-4, `at ${x}: ${JSON.stringify(p)}`);
  });
  assert.ok(gp.predict([0.7]).variance > 0.05);
});

test("BO is deterministic, handles int/categorical/conditional parameters, maximize, and running trials", () => {
  const space = new SearchSpace({
    lr: logUniform(1e-4, 1),
    width: int(8, 256, { log: true }),
    act: categorical(["relu", "tanh"]),
    slope: uniform(0, 0.3, { when: { act: "relu" } }),
  });
  const score = (c: Record<string, unknown>): number => // an accuracy to maximize
    -((Math.log10(c.lr as number) + 2) ** 2) - (Math.log2(c.width as number) - 6) ** 2 / 4 + (c.act === "relu" ? 0.5 - (c.slope as number) : 0);
  const run = (): Trial[] => runSearch(new BayesSampler(space, { seed: 9, direction: "maximize", nInitial: 6 }), score, 16, "maximize").trials;
  const a = run();
  assert.deepEqual(a, run());
  for (const trial of a) space.validate(trial.config);
  const best = Math.max(...a.map((x) => x.value!));
  assert.ok(best > Math.max(...a.slice(0, 6).map((x) => x.value!)), "the model improves on the random start");
  const s = new BayesSampler(space, { seed: 9, direction: "maximize", nInitial: 6 });
  const next = s.suggest(a);
  const withRunning = s.suggest([...a, { config: next, state: "running" }]);
  assert.notDeepEqual(withRunning, next, "a running trial's point is not suggested again");
});
