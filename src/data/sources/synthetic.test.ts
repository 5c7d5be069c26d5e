import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/index.js";
import { makeBlobs, makeCircles, makeSpiral, makeXor } from "./synthetic.js";
import { labelHistogram } from "./types.js";

test("spiral: CS231n layout, radius linspace(0,1), seeded", () => {
  const s = makeSpiral({ rng: new Rng(1) });
  assert.deepEqual(s.shape, [300, 2]);
  assert.deepEqual(labelHistogram(s.labels, 3), [100, 100, 100]);
  // Radius of point i in class j is i / 99 exactly (noise only moves the angle).
  for (const ix of [0, 57, 199, 299]) {
    const r = Math.hypot(s.points[2 * ix], s.points[2 * ix + 1]);
    assert.ok(Math.abs(r - (ix % 100) / 99) < 1e-6);
  }
  assert.deepEqual(makeSpiral({ rng: new Rng(1) }).points, s.points);
  assert.notDeepEqual(makeSpiral({ rng: new Rng(2) }).points, s.points);
  assert.throws(() => makeSpiral({ classes: 0, rng: new Rng(0) }), /makeSpiral: classes must be an integer >= 1, got 0/);
  assert.throws(() => makeSpiral({ noise: -1, rng: new Rng(0) }), /noise must be a finite number >= 0, got -1/);
});

test("blobs: points sit around their centers", () => {
  const b = makeBlobs({ centers: [[0, 0, 0], [10, 10, 10]], std: 0.5, pointsPerClass: 200, rng: new Rng(3) });
  assert.deepEqual(b.shape, [400, 3]);
  let m1 = 0;
  for (let i = 200; i < 400; i++) m1 += b.points[i * 3 + 1];
  assert.ok(Math.abs(m1 / 200 - 10) < 0.15);
  assert.throws(() => makeBlobs({ centers: [[0, 0], [1]], rng: new Rng(0) }), /equal-length points/);
});

test("xor and circles: labels follow the geometry", () => {
  const x = makeXor({ points: 500, rng: new Rng(4) });
  for (let i = 0; i < 500; i++) assert.equal(x.labels[i], x.points[2 * i] * x.points[2 * i + 1] < 0 ? 1 : 0);
  const c = makeCircles({ noise: 0, factor: 0.3, rng: new Rng(5) });
  for (let i = 0; i < 200; i++) {
    const r = Math.hypot(c.points[2 * i], c.points[2 * i + 1]);
    assert.ok(Math.abs(r - (c.labels[i] === 0 ? 1 : 0.3)) < 1e-5);
  }
});
