import assert from "node:assert/strict";
import { test } from "node:test";
import { mnistDigitsFromArrays } from "./mnist-digits.js";
import { loadAllMnistDigits, loadMnistDigits } from "./mnist-digits.node.js";
import { labelHistogram } from "./types.js";

test("the npm package holds 10,000 digits as 0..255 bytes", () => {
  const all = loadAllMnistDigits();
  assert.deepEqual(all.shape, [10000, 1, 28, 28]);
  assert.deepEqual(labelHistogram(all.labels, 10), [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  let max = 0;
  for (const v of all.images) if (v > max) max = v;
  assert.equal(max, 255);
});

test("default split is stratified 8,000 / 2,000, deterministic and disjoint", () => {
  const train = loadMnistDigits({ split: "train" });
  const t = loadMnistDigits({ split: "test" });
  assert.equal(train.shape[0], 8000);
  assert.equal(t.shape[0], 2000);
  const all = labelHistogram(loadAllMnistDigits().labels, 10);
  const th = labelHistogram(t.labels, 10);
  th.forEach((c, k) => assert.equal(c, Math.round(all[k] * 0.2)));
  // Classes are interleaved (not sorted), so a prefix is a fair subset.
  assert.ok(new Set(t.labels.subarray(0, 50)).size >= 8);
  const again = loadMnistDigits({ split: "test" });
  assert.deepEqual(again.labels, t.labels);
  assert.deepEqual(again.images, t.images);
  const other = loadMnistDigits({ split: "test", seed: 1 });
  assert.notDeepEqual(other.labels, t.labels);
  // Disjoint: no test image occurs in train (checked by hashing rows).
  const key = (s: Uint8Array, i: number): string => Buffer.from(s.subarray(i * 784, (i + 1) * 784)).toString("base64");
  const seen = new Set<string>();
  for (let i = 0; i < 8000; i++) seen.add(key(train.images as Uint8Array, i));
  let dup = 0;
  for (let i = 0; i < 2000; i++) if (seen.has(key(t.images as Uint8Array, i))) dup++;
  assert.ok(dup <= 2, `${dup} test images also in train`); // the source has a few exact duplicates at most
});

test("bad inputs are reported with the file", () => {
  const ten = Array.from({ length: 10 }, () => new Array<number>(784).fill(0));
  ten[3] = new Array<number>(800).fill(0);
  assert.throws(() => mnistDigitsFromArrays(ten), /mnist\/src\/digits\/3\.json: "data" holds 800 values, not a multiple of 784/);
  ten[3] = new Array<number>(784).fill(2);
  assert.throws(() => mnistDigitsFromArrays(ten), /3\.json: value 0 of "data" is 2, expected a pixel in \[0, 1\]/);
  assert.throws(() => loadMnistDigits({ split: "train", testFraction: 1.5 }), /testFraction must be in \(0, 1\), got 1\.5/);
});
