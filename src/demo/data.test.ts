/** The demo's digits file: round trip, and clear errors for anything else. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ImageSet } from "../data/index.js";
import { decodeDigits, encodeDigits } from "./data.js";

function set(n: number, seed: number): ImageSet {
  const images = Uint8Array.from({ length: n * 4 * 3 }, (_, i) => (i * 31 + seed) % 256);
  return { images, labels: Int32Array.from({ length: n }, (_, i) => (i + seed) % 10), shape: [n, 1, 4, 3], classes: [..."0123456789"] };
}

describe("demo digits file", () => {
  it("round-trips both sets", () => {
    const train = set(7, 1), test = set(3, 2);
    const bytes = encodeDigits(train, test);
    assert.equal(bytes.length, 24 + 10 * (1 + 12));
    const back = decodeDigits(bytes.slice().buffer);
    for (const [a, b] of [[back.train, train], [back.test, test]] as const) {
      assert.deepEqual(a.shape, b.shape);
      assert.deepEqual(a.labels, b.labels);
      assert.deepEqual(a.images, b.images);
      assert.deepEqual(a.classes, b.classes);
    }
  });

  it("rejects other files, versions and truncation", () => {
    const bytes = encodeDigits(set(2, 0), set(1, 0));
    assert.throws(() => decodeDigits(new Uint8Array([1, 2, 3]).buffer), /bad magic/);
    const v2 = bytes.slice();
    v2[4] = 2;
    assert.throws(() => decodeDigits(v2.buffer), /version 2, expected 1/);
    assert.throws(() => decodeDigits(bytes.slice(0, bytes.length - 1).buffer), /bytes, expected/);
    assert.throws(() => encodeDigits({ ...set(1, 0), images: new Float32Array(12) }, set(1, 0)), /8-bit/);
  });
});
