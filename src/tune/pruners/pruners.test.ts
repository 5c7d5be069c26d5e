import { test } from "node:test";
import assert from "node:assert/strict";
import { ValueError } from "../../core/index.js";
import type { Trial } from "../samplers/types.js";
import { anyPruner, ashaPruner, checkDivergence, divergencePruner, median, medianPruner, successiveHalvingPlan } from "./index.js";

const done = (intermediate: number[]): Trial => ({ config: {}, state: "complete", value: intermediate.at(-1), intermediate });
const running = (intermediate: number[]): Trial => ({ config: {}, state: "running", intermediate });

// Five completed loss curves. At step 1 the values are 0.8, 0.9, 0.7, 1.0, 0.85: median 0.85.
// At step 2: 0.6, 0.7, 0.5, 0.9, 0.65: median 0.65.
const completed = [
  done([1.0, 0.8, 0.6, 0.5]),
  done([1.1, 0.9, 0.7, 0.6]),
  done([0.9, 0.7, 0.5, 0.4]),
  done([1.2, 1.0, 0.9, 0.8]),
  done([1.0, 0.85, 0.65, 0.55]),
];

test("median: prune when worse than the median of completed trials at the same step", () => {
  const p = medianPruner();
  for (const [curve, prune] of [[[1.0, 0.86], true], [[1.0, 0.85], false], [[1.5, 0.84], false], [[1.0, 0.8, 0.66], true], [[2, 2, 0.64], false]] as const) {
    const t = running([...curve]);
    const d = p.decide(t, [...completed, t]);
    assert.equal(d.prune, prune, `${JSON.stringify(curve)}: ${d.reason}`);
  }
  const d = p.decide(running([1.0, 0.86]), completed);
  assert.equal(d.reason, "step 1: 0.86 is worse than the median 0.85 of 5 completed trials");
});

test("median: warm-up, minimum number of trials, and which trials count", () => {
  assert.equal(medianPruner({ warmupSteps: 2 }).decide(running([1, 2]), completed).prune, false, "step 1 is in warm-up");
  assert.equal(medianPruner({ warmupSteps: 2 }).decide(running([1, 2, 3]), completed).prune, true, "step 2 is not");
  assert.equal(medianPruner({ warmupSteps: 5 }).decide(running([1, NaN]), completed).prune, true, "NaN prunes even in warm-up");
  const d = medianPruner({ minTrials: 6 }).decide(running([1.0, 5]), completed);
  assert.deepEqual(d, { prune: false, reason: "step 1: only 5 completed trials reached this step (need 6)" });
  // Running and pruned trials do not count, nor completed trials too short to have reached step t.
  const noise: Trial[] = [running([0, 0.1]), { config: {}, state: "pruned", intermediate: [0, 0.1] }, done([0.1])];
  assert.equal(medianPruner().decide(running([1.0, 0.84]), [...completed, ...noise]).prune, false);
  assert.equal(medianPruner({ minTrials: 1 }).decide(running([0.2, 0.3]), [done([0.1])]).prune, false, "nobody else at step 1");
});

test("median: maximize direction (accuracy curves)", () => {
  const acc = [done([0.2, 0.5]), done([0.3, 0.6]), done([0.1, 0.4])];
  const p = medianPruner({ direction: "maximize", minTrials: 3 });
  assert.equal(p.decide(running([0.2, 0.45]), acc).prune, true);
  assert.equal(p.decide(running([0.2, 0.55]), acc).prune, false);
  assert.equal(median([3, 1, 2, 10]), 2.5);
});

// Nine trials have reported one step: with η = 3 the best ⌊10/3⌋ = 3 of ten (a newcomer included) go on.
const rung0 = [0.9, 0.5, 0.7, 0.3, 0.8, 0.6, 0.4, 1.0, 0.2].map((v) => running([v]));

test("ASHA: a trial continues past a rung only among the best 1/η there", () => {
  const p = ashaPruner({ reductionFactor: 3, minResource: 1 });
  assert.deepEqual(p.rungs(4), [1, 3, 9, 27]);
  const good = p.decide(running([0.35]), rung0);
  assert.deepEqual(good, { prune: false, reason: "rung 0 (1 steps): 0.35 ranks 3 of 10, the best 3 continue" });
  assert.equal(p.decide(running([0.45]), rung0).prune, true);
  assert.equal(p.decide(running([0.3]), rung0).prune, false, "a tie with the 3rd best continues");
  assert.equal(p.decide(running([0.45, 0.1]), rung0).prune, false, "2 steps: between rungs");
  assert.equal(p.decide(running([5]), []).prune, false, "the first trial has nobody to lose to");
  assert.equal(p.decide(running([5]), [running([1])]).prune, true, "n = 2 < η: only the best continues");
});

test("ASHA: rung 1 compares only trials that reached it; maximize; maxResource; minEarlyStoppingRate", () => {
  const p = ashaPruner();
  const history = [running([0.9, 0.5, 0.4]), running([0.5, 0.4, 0.3]), running([0.6, 0.5, 0.45]), ...rung0];
  // Three trials reached 3 steps (0.4, 0.3, 0.45): with the newcomer n = 4, so ⌊4/3⌋ = 1 continues.
  assert.deepEqual(p.decide(running([0.1, 0.1, 0.35]), history), { prune: true, reason: "rung 1 (3 steps): 0.35 ranks 2 of 4, the best 1 continue" });
  assert.equal(p.decide(running([0.1, 0.1, 0.29]), history).prune, false);
  assert.equal(p.decide(running([0.1, 0.1, 0.31]), history).prune, true);
  const acc = ashaPruner({ direction: "maximize" });
  assert.equal(acc.decide(running([0.95]), rung0).prune, false);
  assert.equal(acc.decide(running([0.75]), rung0).prune, true);
  assert.deepEqual(ashaPruner({ maxResource: 9 }).rungs(), [1, 3]);
  assert.equal(ashaPruner({ maxResource: 9 }).decide(running(new Array<number>(9).fill(9)), rung0).prune, false);
  assert.deepEqual(ashaPruner({ minResource: 2, minEarlyStoppingRate: 1 }).rungs(3), [6, 18, 54]);
  assert.equal(ashaPruner().decide(running([NaN]), []).prune, true);
  assert.throws(() => ashaPruner({ reductionFactor: 1 }), (e: unknown) => e instanceof ValueError && e.message === "asha: reductionFactor must be an integer >= 2, got 1");
});

test("ASHA on a synthetic study never stops the best trial and stops most of the others", () => {
  // 27 trials of quality q (lower is better) report loss q + 1/(t + 1) for 27 steps, arriving one by one.
  const qualities = [13, 2, 25, 7, 19, 0, 22, 4, 16, 10, 26, 1, 8, 20, 5, 14, 23, 11, 3, 17, 24, 6, 12, 21, 9, 18, 15];
  const p = ashaPruner({ maxResource: 27 });
  const history: Trial[] = [];
  const stoppedAt: number[] = [];
  for (const q of qualities) {
    const curve: number[] = [];
    let t = 0;
    for (; t < 27; t++) {
      curve.push(q + 1 / (t + 1));
      if (p.decide(running(curve), history).prune) break;
    }
    stoppedAt.push(t);
    history.push({ config: { q }, state: t < 27 ? "pruned" : "complete", intermediate: curve });
  }
  assert.equal(stoppedAt[qualities.indexOf(0)], 27, "the best trial runs to the end");
  const totalSteps = stoppedAt.reduce((a, b) => a + Math.min(b + 1, 27), 0);
  assert.ok(totalSteps < 0.35 * 27 * 27, `ASHA used ${totalSteps} of ${27 * 27} steps`);
});

test("successive halving plan", () => {
  assert.deepEqual(successiveHalvingPlan(27), [{ trials: 27, steps: 1 }, { trials: 9, steps: 3 }, { trials: 3, steps: 9 }, { trials: 1, steps: 27 }]);
  assert.deepEqual(successiveHalvingPlan(81, { minResource: 2, maxResource: 18 }), [{ trials: 81, steps: 2 }, { trials: 27, steps: 6 }, { trials: 9, steps: 18 }]);
  assert.deepEqual(successiveHalvingPlan(10, { reductionFactor: 2 }), [{ trials: 10, steps: 1 }, { trials: 5, steps: 2 }, { trials: 2, steps: 4 }, { trials: 1, steps: 8 }]);
});

test("divergence: NaN, or loss > 3× initial loss, stops the trial", () => {
  assert.deepEqual(checkDivergence([2.3, 2.0, 7.0]), { prune: true, reason: "step 2: loss 7 > 3 × initial loss 2.3" });
  assert.equal(checkDivergence([2.3, 6.8]).prune, false);
  assert.deepEqual(checkDivergence([2.3, NaN, 1]), { prune: true, reason: "step 1: loss is NaN" });
  assert.equal(checkDivergence([2.3, Infinity]).prune, true);
  assert.equal(checkDivergence([2.3, 4.7], { factor: 2 }).prune, true);
  assert.equal(checkDivergence([-1, 5]).prune, false, "the ratio test needs a positive initial loss");
  assert.throws(() => divergencePruner({ factor: 1 }), /divergence: factor must be a finite number > 1, got 1/);
  const both = anyPruner(divergencePruner(), medianPruner({ minTrials: 1 }));
  assert.deepEqual(both.decide(running([1, 4]), [done([1, 0.5])]), { prune: true, reason: "divergence: step 1: loss 4 > 3 × initial loss 1" });
  assert.equal(both.decide(running([1, 0.9]), [done([1, 0.5])]).reason, "median: step 1: 0.9 is worse than the median 0.5 of 1 completed trials");
  assert.equal(both.decide(running([1, 0.4]), [done([1, 0.5])]).prune, false);
});
