/**
 * WebGPU index errors (the "sticky flag" of context.ts): a kernel that meets an out-of-range int32
 * index or label records it, and the next read (`await t.data()`) throws a ValueError with the
 * reference backend's wording (op, bad value, valid range); the flag is cleared then, so the next
 * valid op reads normally.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import * as g from "ganglion/node";
import type { Tensor } from "ganglion";

const gpu = await g.initWebGPU();
if (!gpu) {
  describe("webgpu index errors", () => it("SKIPPED: no WebGPU adapter", { skip: "no WebGPU adapter" }, () => {}));
} else {
  after(() => gpu.destroy());
  const web = g.getBackendByName("webgpu");
  const f32 = (data: number[], shape: number[]): Tensor => g.fromArray(Float32Array.from(data), shape, { backend: web });
  const i32 = (data: number[], shape: number[]): Tensor => g.fromArray(Int32Array.from(data), shape, { backend: web, dtype: "int32" });

  /** `make()` must reject at the read with a ValueError matching `message`; a valid gather afterwards reads normally. */
  async function rejects(make: () => Tensor, message: RegExp): Promise<void> {
    const y = g.scope(make);
    try {
      await assert.rejects(y.data(), (e: unknown) => {
        assert.ok(e instanceof g.ValueError, `expected a ValueError, got ${String(e)}`);
        assert.match((e as Error).message, message);
        return true;
      });
    } finally {
      y.dispose();
    }
    const ok = g.scope(() => g.gather(f32([1, 2, 3, 4, 5, 6], [2, 3]), 1, i32([2, 0, 1, 1], [2, 2])));
    try {
      assert.deepEqual(Array.from(await ok.data()), [3, 1, 5, 5]);
    } finally {
      ok.dispose();
    }
  }

  describe("webgpu gather out of range", () => {
    it("index = size", () => rejects(() => g.gather(f32([1, 2, 3, 4, 5, 6], [2, 3]), 1, i32([0, 1, 2, 3], [2, 2])), /^gather: index 3 at flat position 3 of index tensor \[2,2\] is out of range \[0, 3\)/));
    it("index = -1", () => rejects(() => g.gather(f32([1, 2, 3, 4, 5, 6], [2, 3]), 0, i32([0, -1, 1], [1, 3])), /^gather: index -1 at flat position 1 of index tensor \[1,3\] is out of range \[0, 2\)/));
    it("reported at a later read of another tensor, after more ops", async () => {
      await rejects(() => {
        const bad = g.gather(f32([1, 2, 3], [3]), 0, i32([5], [1]));
        return bad.mul(bad).add(f32([1], [1]));
      }, /gather: index 5 at flat position 0 of index tensor \[1\] is out of range \[0, 3\)/);
    });
    it("embedding-style lookup (a large index) names the first bad value", async () => {
      const idx = Array.from({ length: 1000 }, (_, i) => i % 10);
      idx[777] = 10;
      await rejects(() => g.gather(f32(Array.from({ length: 10 }, (_, i) => i), [10]), 0, i32(idx, [1000])), /gather: index 10 at flat position 777 of index tensor \[1000\] is out of range \[0, 10\)/);
    });
  });

  describe("webgpu scatterAdd out of range", () => {
    it("index = size (gather form)", () => rejects(() => g.scatterAdd(f32([0, 0, 0, 0], [4]), 0, i32([1, 4, 1], [3]), f32([1, 2, 3], [3])), /^scatterAdd: index 4 at flat position 1 of index tensor \[3\] is out of range \[0, 4\)/));
    it("index = -1 on axis 1 (gather form)", () => rejects(() => g.scatterAdd(f32([0, 0, 0, 0, 0, 0], [2, 3]), 1, i32([0, 1, 2, -1], [2, 2]), f32([1, 2, 3, 4], [2, 2])), /^scatterAdd: index -1 at flat position 3 of index tensor \[2,2\] is out of range \[0, 3\)/));
    it("index = size (atomic form, large J)", () => {
      const N = 5000, base = new Array<number>(N).fill(0);
      const idx = Array.from({ length: N }, (_, i) => i % N);
      idx[4321] = N;
      return rejects(() => g.scatterAdd(f32(base, [N]), 0, i32(idx, [N]), f32(new Array<number>(N).fill(1), [N])), new RegExp(`^scatterAdd: index ${N} at flat position 4321 of index tensor \\[${N}\\] is out of range \\[0, ${N}\\)`));
    });
  });

  describe("webgpu oneHot out of range", () => {
    it("index = classes", () => rejects(() => g.oneHot(i32([0, 3], [2]), 3), /^oneHot: index 3 at flat position 1 of index tensor \[2\] is out of range \[0, 3\)/));
  });

  describe("webgpu softmaxCrossEntropy / crossEntropy label out of range", () => {
    it("softmaxCrossEntropy, label = classes (few classes: thread kernel)", () =>
      rejects(() => g.softmaxCrossEntropy(f32([1, 2, 3, 4, 5, 6], [2, 3]), i32([0, 3], [2])), /^softmaxCrossEntropy: label 3 of example 1 is out of range \[0, 3\) for logits \[2,3\]/));
    it("softmaxCrossEntropy, label = classes (many classes: row kernel)", () => {
      const C = 100;
      return rejects(() => g.softmaxCrossEntropy(f32(Array.from({ length: 3 * C }, (_, i) => i / 50), [3, C]), i32([0, C, 5], [3])), new RegExp(`^softmaxCrossEntropy: label ${C} of example 1 is out of range \\[0, ${C}\\) for logits \\[3,${C}\\]`));
    });
    it("softmaxCrossEntropy, label = -1", () =>
      rejects(() => g.softmaxCrossEntropy(f32([1, 2, 3, 4], [2, 2]), i32([-1, 0], [2])), /^softmaxCrossEntropy: label -1 of example 0 is out of range \[0, 2\) for logits \[2,2\]/));
    it("nn.crossEntropy, label = classes", () =>
      rejects(() => g.nn.crossEntropy(f32([1, 2, 3, 4, 5, 6, 7, 8], [2, 4]), i32([4, 1], [2])), /label 4 of example 0 is out of range \[0, 4\)|index 4 .* is out of range \[0, 4\)/));
    it("a valid loss after an error reads normally", async () => {
      await rejects(() => g.softmaxCrossEntropy(f32([0, 0], [1, 2]), i32([2], [1])), /label 2 of example 0/);
      const l = g.scope(() => g.softmaxCrossEntropy(f32([0, 0], [1, 2]), i32([1], [1])));
      try {
        const [v] = await l.data();
        assert.ok(Math.abs(v - Math.log(2)) < 1e-6, `loss ${v}`);
      } finally {
        l.dispose();
      }
    });
  });
}
