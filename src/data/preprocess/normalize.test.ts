import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/index.js";
import { fitChannelMean, fitChannelNormalize, fitMeanImage, scale } from "./normalize.js";
import { chain, preprocessorFromJSON } from "./serialize.js";
import { channelMoments } from "./stats.js";

const shape = [50, 3, 4, 5];
const rng = new Rng(11);
const bytes = Uint8Array.from(rng.randint(50 * 60, 0, 256));
const floats = rng.normal(50 * 60, 3, 2);

function roundTrip<T extends { toJSON(): unknown }>(p: T) {
  return preprocessorFromJSON(JSON.parse(JSON.stringify(p.toJSON())));
}

test("scale maps bytes to [0, 1] and inverts", () => {
  const s = scale(1 / 255);
  const y = s.apply(bytes, shape);
  assert.ok(y.data.every((v) => v >= 0 && v <= 1));
  assert.ok(Math.abs(y.data[7] - bytes[7] / 255) < 1e-7);
  const back = s.invert(y.data, shape);
  assert.ok(Math.abs(back.data[7] - bytes[7]) < 1e-4);
  assert.throws(() => scale(Number.NaN), /scale and offset must be finite, got NaN/);
});

test("mean image: training mean becomes 0 per pixel; JSON round trip gives the same output", () => {
  const m = fitMeanImage(bytes, shape);
  const y = m.apply(bytes, shape);
  for (const j of [0, 17, 59]) {
    let s = 0;
    for (let i = 0; i < 50; i++) s += y.data[i * 60 + j];
    assert.ok(Math.abs(s / 50) < 1e-4);
  }
  assert.deepEqual(roundTrip(m).apply(bytes, shape).data, y.data);
  assert.throws(() => m.apply(bytes.subarray(0, 120), [2, 3, 5, 4]), /meanImage\.apply: fitted on samples of shape \[3,4,5\], got batch \[2,3,5,4\]/);
  assert.throws(() => m.apply(bytes, [50, 3, 4, 4]), /data holds 3000 values but shape \[50,3,4,4\] needs 2400/);
});

test("per-channel mean (VGG) and mean/std: statistics become 0 / 1, any image size works", () => {
  const cm = fitChannelMean(floats, shape);
  assert.equal(cm.kind, "channelMean");
  const n = fitChannelNormalize(floats, shape);
  const y = n.apply(floats, shape);
  const st = channelMoments(y.data, 50, 3, 20);
  for (let c = 0; c < 3; c++) {
    assert.ok(Math.abs(st.mean[c]) < 1e-5);
    assert.ok(Math.abs(st.variance[c] - 1) < 1e-4);
  }
  // Applies to a different spatial size (a crop): only the channel count must match.
  assert.equal(n.apply(floats.subarray(0, 2 * 3 * 9), [2, 3, 3, 3]).data.length, 54);
  assert.throws(() => n.apply(floats.subarray(0, 40), [2, 2, 2, 5]), /fitted on 3 channels, got batch \[2,2,2,5\] with 2/);
  assert.deepEqual(roundTrip(n).apply(floats, shape).data, y.data);
  assert.deepEqual(Array.from(n.invert(y.data, shape).data.slice(0, 5), (v) => v.toFixed(4)), Array.from(floats.slice(0, 5), (v) => v.toFixed(4)));
});

test("chain: scale then per-channel normalize, serialized as one object", () => {
  const s = scale(1 / 255);
  const norm = fitChannelNormalize(s.apply(bytes, shape).data, shape);
  const c = chain([s, norm]);
  const y = c.apply(bytes, shape);
  const st = channelMoments(y.data, 50, 3, 20);
  assert.ok(Math.abs(st.mean[1]) < 1e-5);
  const back = roundTrip(c);
  assert.equal(back.kind, "chain");
  assert.deepEqual(back.apply(bytes, shape).data, y.data);
});

test("fromJSON rejects bad objects with the field and value", () => {
  assert.throws(() => preprocessorFromJSON({ kind: "nope" }), /unknown kind "nope"/);
  assert.throws(() => preprocessorFromJSON({ kind: "channelNormalize", mean: [0, 1], std: [1] }), /"std" must have 2 numbers, got 1/);
  assert.throws(() => preprocessorFromJSON({ kind: "channelNormalize", mean: [0], std: [0] }), /every std must be > 0, got \[0\]/);
  assert.throws(() => preprocessorFromJSON({ kind: "meanImage", sampleShape: [2], mean: [1, "x"] }), /"mean" must be an array of finite numbers/);
  assert.throws(() => preprocessorFromJSON(42), /expected an object with a "kind", got 42/);
  assert.throws(() => fitChannelNormalize(floats, shape, { epsilon: -1 }), /epsilon must be a finite number >= 0, got -1/);
});
