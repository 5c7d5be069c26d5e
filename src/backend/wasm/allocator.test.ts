/** The linear-memory allocator and the backend's byte accounting. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ALIGN, LinearAllocator, sizeClass } from "./allocator.js";
import { WasmBackend } from "./index.js";

function memory(pages = 1): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: pages, maximum: 1024 });
}

describe("sizeClass", () => {
  it("rounds up to aligned classes with at most 25% waste", () => {
    for (const n of [0, 1, 63, 64, 65, 100, 1000, 4097, 65536, 1e6 + 3, 3e7]) {
      const c = sizeClass(n);
      assert.ok(c >= n && c >= ALIGN, `class ${c} of ${n}`);
      assert.equal(c % ALIGN, 0);
      if (n > 256) assert.ok(c <= n * 1.25 + ALIGN, `class ${c} of ${n} wastes more than 25%`);
    }
  });
});

describe("LinearAllocator", () => {
  it("hands out aligned, disjoint blocks and reuses freed ones of the same class", () => {
    let grows = 0;
    const a = new LinearAllocator(memory(), 100, () => grows++);
    const p = a.alloc(1000), q = a.alloc(1000), r = a.alloc(10);
    for (const x of [p, q, r]) assert.equal(x % ALIGN, 0);
    assert.ok(q >= p + 1000 && r >= q + 1000);
    a.free(q, 1000);
    assert.equal(a.pooledBytes, sizeClass(1000));
    assert.equal(a.alloc(990), q, "same class is reused");
    assert.equal(a.pooledBytes, 0);
  });

  it("grows the memory when full, and addresses stay valid", () => {
    const mem = memory(1);
    let grows = 0;
    const a = new LinearAllocator(mem, 64, () => grows++);
    const p = a.alloc(1000);
    new Float32Array(mem.buffer, p, 4).set([1, 2, 3, 4]);
    const big = a.alloc(3 * 65536);
    assert.ok(grows >= 1 && mem.buffer.byteLength >= big + 3 * 65536);
    assert.deepEqual([...new Float32Array(mem.buffer, p, 4)], [1, 2, 3, 4]);
  });

  it("flush merges pooled blocks so another class can use the space", () => {
    const a = new LinearAllocator(memory(4), 64, () => {});
    const blocks = [a.alloc(4096), a.alloc(4096), a.alloc(4096)];
    const top = a.top;
    for (const b of blocks) a.free(b, 4096);
    a.flush();
    assert.equal(a.pooledBytes, 0);
    assert.ok(a.top < top, "freed blocks at the top lower the bump pointer");
    assert.equal(a.alloc(3 * 4096), blocks[0], "merged extent serves a bigger class");
  });

  it("throws RangeError when the maximum is reached", () => {
    const a = new LinearAllocator(new WebAssembly.Memory({ initial: 1, maximum: 2 }), 64, () => {});
    assert.throws(() => a.alloc(5 * 65536), RangeError);
  });
});

describe("WasmBackend memory accounting", () => {
  it("liveBytes returns to 0, buffers are reused, double free is an error", () => {
    const be = new WasmBackend({ threads: 1 });
    const bufs = [be.alloc("float32", 1000), be.alloc("int32", 7), be.alloc("bool", 13), be.alloc("float32", 0)];
    const m = be.memory();
    assert.equal(m.liveBytes, 4000 + 28 + 13);
    assert.equal(m.liveBuffers, 4);
    for (const b of bufs) be.free(b);
    assert.equal(be.memory().liveBytes, 0);
    assert.equal(be.memory().liveBuffers, 0);
    assert.ok(be.memory().pooledBytes > 0);
    assert.equal(be.memory().peakBytes, 4041);
    assert.throws(() => be.free(bufs[0]), /already freed/);
    be.flushPool();
    assert.equal(be.memory().pooledBytes, 0);
    be.resetPeak();
    assert.equal(be.memory().peakBytes, 0);
  });

  it("data survives memory growth; new buffers are zeroed even when reused", () => {
    const be = new WasmBackend({ threads: 1 });
    const a = be.alloc("float32", 4);
    be.write(a, Float32Array.of(1, 2, 3, 4));
    const big = be.alloc("float32", 8 << 20); // 32 MiB forces memory.grow
    const view = { buf: a, dtype: "float32" as const, shape: [4], strides: [1], offset: 0 };
    assert.deepEqual([...be.readSync(view)], [1, 2, 3, 4]);
    be.write(big, new Float32Array(16).fill(9));
    be.free(big);
    const again = be.alloc("float32", 8 << 20);
    const head = be.readSync({ buf: again, dtype: "float32", shape: [16], strides: [1], offset: 0 });
    assert.deepEqual([...head], new Array<number>(16).fill(0));
    be.free(again);
    be.free(a);
    assert.equal(be.memory().liveBytes, 0);
  });

  it("write rejects data that does not fit, naming the sizes", () => {
    const be = new WasmBackend({ threads: 1 });
    const b = be.alloc("float32", 3);
    assert.throws(() => be.write(b, new Float32Array(4)), /4 elements at offset 0 do not fit a buffer of 3 x float32/);
    be.free(b);
  });
});
