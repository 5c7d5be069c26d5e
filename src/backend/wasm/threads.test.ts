/**
 * Threads on and off give the same results: every parallel kernel splits work so that each output
 * element is computed by one thread with the same arithmetic, so results are bit-identical.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../core/index.js";
import type { Conv2dAttrs } from "../ops.js";
import { WasmBackend, canBlockThread } from "./index.js";
import { assertExact, randn, run } from "./testing.js";

const one = new WasmBackend({ threads: 1 });
const two = new WasmBackend({ threads: 2 });
const three = new WasmBackend({ threads: 3 });
after(() => { two.dispose(); three.dispose(); });
const rng = new Rng(3);

describe("wasm threads", () => {
  it("start, or fall back to one thread", () => {
    assert.equal(one.threads, 1);
    assert.ok(two.threads === 2 || (two.threads === 1 && !two.sharedMemory));
  });

  it("whenReady resolves with the thread count once the workers started (1 for a single thread); Node may block", async () => {
    assert.equal(canBlockThread(), true);
    assert.equal(await one.whenReady(), 1);
    assert.equal(await three.whenReady(), three.threads);
  });

  it("matmul is bit-identical on 1, 2 and 3 threads (row split, column split, batch split)", () => {
    for (const [B, M, K, N] of [[1, 400, 300, 350], [1, 40, 333, 700], [5, 70, 90, 110], [1, 1000, 64, 10]]) {
      const a = randn(rng, [B, M, K]), b = randn(rng, [B, N, K]);
      const attrs = { transA: false, transB: true };
      const r1 = run(one, "matmul", [a, b], [B, M, N], "float32", attrs);
      assertExact("2 threads", run(two, "matmul", [a, b], [B, M, N], "float32", attrs), r1);
      assertExact("3 threads", run(three, "matmul", [a, b], [B, M, N], "float32", attrs), r1);
    }
  });

  it("without shared memory: one thread, correct across memory growth; dispose falls back to one thread", () => {
    const solo = new WasmBackend({ threads: 2, sharedMemory: false });
    assert.equal(solo.threads, 1);
    assert.equal(solo.sharedMemory, false);
    const a = randn(rng, [1, 64, 80]), b = randn(rng, [1, 80, 90]);
    const want = run(one, "matmul", [a, b], [1, 64, 90], "float32", { transA: false, transB: false });
    const big = solo.alloc("float32", 8 << 20); // grows (and detaches) the non-shared buffer
    assertExact("non-shared", run(solo, "matmul", [a, b], [1, 64, 90], "float32", { transA: false, transB: false }), want);
    solo.free(big);
    const tmp = new WasmBackend({ threads: 2 });
    tmp.dispose();
    assert.equal(tmp.threads, 1);
    assertExact("after dispose", run(tmp, "matmul", [a, b], [1, 64, 90], "float32", { transA: false, transB: false }), want);
  });

  it("conv2d forward and backward are bit-identical on 1, 2 and 3 threads, large and single-image batches", () => {
    const a: Conv2dAttrs = { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 1 };
    for (const xs of [[6, 16, 20, 20], [1, 16, 40, 40]]) {
      const ws = [32, 16, 3, 3], ys = [xs[0], 32, xs[2], xs[3]];
      const x = randn(rng, xs), w = randn(rng, ws), gy = randn(rng, ys);
      for (const [op, ins, shape, attrs] of [
        ["conv2d", [x, w], ys, a],
        ["conv2dBackwardInput", [gy, w], xs, { ...a, inputShape: xs }],
        ["conv2dBackwardWeight", [x, gy], ws, { ...a, weightShape: ws }],
      ] as const) {
        const r1 = run(one, op, ins, shape, "float32", attrs);
        assertExact(`${op} 2 threads`, run(two, op, ins, shape, "float32", attrs), r1);
        assertExact(`${op} 3 threads`, run(three, op, ins, shape, "float32", attrs), r1);
      }
    }
  });
});
