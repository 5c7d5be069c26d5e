import { test } from "node:test";
import assert from "node:assert/strict";
import { ValueError } from "../../core/index.js";
import {
  ReduceOnPlateau, compose, constant, cosine, cosineWarmRestarts, exponential, linearRamp, linearWarmup,
  multiStep, oneCycle, oneCycleMomentum, polynomial, sequential, stepDecay,
} from "./index.js";

function throwsValue(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => e instanceof ValueError && e.message === message, message);
}

test("options are validated: the message names the schedule, the option and the value", () => {
  throwsValue(() => oneCycle(0.1, 100, { pctStart: 1.5 }), "oneCycle: pctStart must be in (0, 1), got 1.5");
  throwsValue(() => oneCycle(-1, 100), "oneCycle: maxLr must be a finite number > 0, got -1");
  throwsValue(() => oneCycle(0.1, 100, { pctStart: 0.005 }), "oneCycle: pctStart must be > 1/totalSteps (0.01) so the warm-up phase has a step, got 0.005");
  assert.throws(() => oneCycle(0.1, 100, { pctStart: 0.6, threePhase: true }), /oneCycle: pctStart must be < \(totalSteps \+ 1\)/);
  throwsValue(() => stepDecay(0.1, 0), "stepDecay: stepSize must be an integer >= 1, got 0");
  throwsValue(() => stepDecay(0.1, 2.5), "stepDecay: stepSize must be an integer >= 1, got 2.5");
  throwsValue(() => multiStep(0.1, [30, 10]), "multiStep: milestones must be non-decreasing integers >= 0, got [30, 10]");
  throwsValue(() => exponential(0.1, 0), "exponential: gamma must be a finite number > 0, got 0");
  throwsValue(() => cosine(0.1, 100, 0.2), "cosine: floor must be <= base (0.1), got 0.2");
  throwsValue(() => cosineWarmRestarts(0.1, 10, 1.5), "cosineWarmRestarts: tMult must be an integer >= 1, got 1.5");
  throwsValue(() => polynomial(NaN, 10), "polynomial: base must be a finite number >= 0, got NaN");
  throwsValue(() => linearWarmup(5, constant(1), 2), "linearWarmup: startFactor must be in [0, 1], got 2");
  throwsValue(() => sequential([constant(1), constant(2)], []), "sequential: milestones must be one fewer than the schedules (1), got []");
  throwsValue(() => sequential([constant(1), constant(2), constant(3)], [5, 5]), "sequential: milestones must be increasing integers >= 1, got [5, 5]");
  throwsValue(() => new ReduceOnPlateau(0.1, { factor: 1 }), "ReduceOnPlateau: factor must be in (0, 1), got 1");
  throwsValue(() => new ReduceOnPlateau(0.1, { patience: -1 }), "ReduceOnPlateau: patience must be an integer >= 0, got -1");
  assert.throws(() => oneCycle(0.1, 100, { anneal: "cubic" as "cos" }), /oneCycle: anneal must be "cos" or "linear", got "cubic"/);
  throwsValue(() => cosine(0.1, 10)(-1), "cosine: step must be a finite number >= 0, got -1");
});

test("closed forms at hand-checked points", () => {
  assert.equal(constant(0.3)(1000), 0.3);
  assert.equal(stepDecay(1, 10, 0.5)(9), 1);
  assert.equal(stepDecay(1, 10, 0.5)(10), 0.5);
  assert.equal(multiStep(1, [2, 4], 0.1)(4), 1 * 0.1 * 0.1);
  assert.equal(cosine(1, 10)(5), 0.5);
  assert.equal(cosine(1, 10, 0.1)(10), 0.1);
  assert.equal(cosine(1, 10, 0.1)(25), 0.1, "holds the floor after total");
  assert.equal(polynomial(1, 4)(2), 0.5);
  assert.equal(polynomial(1, 4, { floor: 0.2 })(10), 0.2);
  assert.equal(exponential(1, 2)(3), 8);
});

test("cosineWarmRestarts restarts at t0, t0(1 + m), t0(1 + m + m²), … and takes fractional epochs", () => {
  const s = cosineWarmRestarts(1, 2, 3);
  for (const restart of [0, 2, 8, 26, 80, 242]) assert.equal(s(restart), 1, `restart at ${restart}`);
  assert.ok(Math.abs(s(8 + 9) - 0.5) < 1e-12, "middle of the 18-step cycle");
  const f = cosineWarmRestarts(1, 4);
  assert.ok(Math.abs(f(2.5) - 0.5 * (1 + Math.cos((Math.PI * 2.5) / 4))) < 1e-15);
  assert.ok(Math.abs(f(6.5) - f(2.5)) < 1e-15);
});

test("oneCycle starts at maxLr/divFactor, peaks at maxLr, ends at the minimum and holds it", () => {
  const s = oneCycle(1, 100, { divFactor: 20, finalDivFactor: 50 });
  assert.ok(Math.abs(s(0) - 0.05) < 1e-15);
  assert.equal(s(29), 1); // pctStart·N − 1
  assert.ok(Math.abs(s(99) - 0.001) < 1e-15);
  assert.equal(s(150), s(99));
  const m = oneCycleMomentum(100);
  assert.equal(m(0), 0.95);
  assert.equal(m(29), 0.85);
  assert.ok(Math.abs(m(99) - 0.95) < 1e-15);
});

test("linearWarmup ramps from startFactor·schedule(0) and then runs the schedule on its own clock", () => {
  const base = stepDecay(0.4, 3, 0.5);
  const s = linearWarmup(4, base, 0.25);
  [0.1, 0.175, 0.25, 0.325].forEach((v, t) => assert.ok(Math.abs(s(t) - v) < 1e-15, `step ${t}`));
  assert.deepEqual([4, 6, 7, 10].map(s), [0.4, 0.4, 0.2, 0.1]);
  const z = linearWarmup(2, constant(1), 0);
  assert.deepEqual([0, 1, 2].map(z), [0, 0.5, 1], "startFactor 0 is fine in the closed form");
});

test("sequential and compose", () => {
  const s = sequential([constant(1), exponential(2, 0.5), constant(7)], [2, 5]);
  assert.deepEqual([0, 1, 2, 3, 4, 5, 100].map(s), [1, 1, 2, 1, 0.5, 7, 7]);
  const c = compose(constant(2), linearRamp(0, 1, 4), constant(0.5));
  assert.deepEqual([0, 2, 4, 9].map(c), [0, 0.5, 1, 1]);
});

test("ReduceOnPlateau: patience, cooldown and minLr", () => {
  const p = new ReduceOnPlateau(1, { patience: 1, factor: 0.5, cooldown: 1, minLr: 0.2, threshold: 0 });
  const lrs = [5, 4, 4, 4, 4, 4, 4, 4, 4, 4].map((m) => p.step(m));
  // bad steps: 4@2 (1), 4@3 (2 > patience → 0.5, cooldown 1), 4@4 (cooldown), 4@5 (1), 4@6 → 0.25 …
  assert.deepEqual(lrs, [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.2]);
  assert.equal(p.best, 4);
});

test("ReduceOnPlateau restored from stateDict (through JSON) continues the same sequence", () => {
  const metrics = Array.from({ length: 80 }, (_, t) => 1 / (1 + 0.2 * t) + 0.05 * Math.sin(t));
  const opts = { mode: "min", factor: 0.5, patience: 2, cooldown: 2, threshold: 1e-3 } as const;
  const full = new ReduceOnPlateau(0.1, opts);
  const expected = metrics.map((m) => full.step(m));
  for (const cut of [0, 1, 17, 40, 79]) {
    const a = new ReduceOnPlateau(0.1, opts);
    metrics.slice(0, cut).forEach((m) => a.step(m));
    const saved = JSON.parse(JSON.stringify(a.stateDict())) as ReturnType<ReduceOnPlateau["stateDict"]>;
    const b = new ReduceOnPlateau(0.1, opts);
    b.loadStateDict(saved);
    assert.equal(b.lr, cut === 0 ? 0.1 : expected[cut - 1]);
    assert.deepEqual(metrics.slice(cut).map((m) => b.step(m)), expected.slice(cut), `resumed at ${cut}`);
  }
  assert.ok(new Set(expected).size >= 3, "the sequence actually reduces the lr");
  const bad = { ...full.stateDict(), numBadSteps: -1 };
  throwsValue(() => new ReduceOnPlateau(0.1).loadStateDict(bad), "ReduceOnPlateau.loadStateDict: numBadSteps must be an integer >= 0, got -1");
});
