/**
 * WebGPU index kernels (gather, scatterAdd, oneHot, concat, pad) vs the reference backend on random
 * ranks, axes and odd sizes, int32 and bool payloads, inputs at an offset, more than 8 concat inputs,
 * empty tensors; scatterAdd's deterministic (gather-form) path must be bit-identical to the reference,
 * its atomic path (large J) close. Out-of-range indices make the next read throw like the reference
 * (see webgpu-index-errors.test.ts).
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import * as g from "ganglion/node";
import type { DType, Tensor } from "ganglion";
import { assertClose } from "../helpers.js";
import { scatterAddJs, size } from "./scatter-ref.js";

type Backend = ReturnType<typeof g.getBackendByName>;
type Arr = Float32Array | Int32Array;
interface In { data: Arr; shape: number[]; dtype?: DType }

function assertSame(got: ArrayLike<number>, want: ArrayLike<number>, label: string): void {
  assert.equal(got.length, want.length, `${label}: length`);
  for (let i = 0; i < got.length; i++) {
    if (!Object.is(got[i], want[i])) assert.fail(`${label}: element ${i} is ${got[i]}, reference ${want[i]}`);
  }
}
function randShape(rng: g.Rng, rank: number, max = 6): number[] {
  return Array.from(rng.randint(rank, 1, max + 1));
}

const gpu = await g.initWebGPU();
if (!gpu) {
  describe("webgpu index kernels", () => it("SKIPPED: no WebGPU adapter", { skip: "no WebGPU adapter" }, () => {}));
} else {
  after(() => gpu.destroy());
  const ref = g.getBackendByName("reference");
  const web = g.getBackendByName("webgpu");

  const read = async (y: Tensor): Promise<number[]> => {
    try {
      return Array.from(await y.data());
    } finally {
      y.dispose();
    }
  };
  /** Runs `f` on `b` with tensors made from `ins` (each built at an offset when `offset`: a narrowed larger tensor). */
  async function on(b: Backend, ins: In[], f: (xs: Tensor[]) => Tensor, offset = false): Promise<number[]> {
    return read(g.scope(() => f(ins.map(({ data, shape, dtype }) => {
      const buf = offset ? (data instanceof Int32Array ? new Int32Array(data.length + 3) : new Float32Array(data.length + 3)) : data;
      if (offset) buf.set(data, 3);
      const t = g.fromArray(buf, offset ? [buf.length] : shape, { backend: b, dtype: dtype ?? (data instanceof Int32Array ? "int32" : "float32") });
      return offset ? t.narrow(0, 3, data.length).reshape(shape) : t;
    }))));
  }
  async function same(ins: In[], f: (xs: Tensor[]) => Tensor, label: string, offset = false): Promise<void> {
    assertSame(await on(web, ins, f, offset), await on(ref, ins, f, offset), label);
  }

  describe("webgpu gather vs reference", () => {
    for (let s = 0; s < 24; s++) {
      const rng = new g.Rng(s);
      const rank = 1 + (s % 4);
      const shape = randShape(rng, rank);
      const axis = rng.randint(1, 0, rank)[0];
      const ishape = shape.map((d, i) => (i === axis ? rng.randint(1, 1, 9)[0] : d));
      const dtype: DType = (["float32", "int32", "bool"] as const)[s % 3];
      it(`[${shape}] axis ${axis} index [${ishape}] ${dtype}`, async () => {
        const x = dtype === "float32" ? rng.normal(size(shape)) : rng.randint(size(shape), dtype === "bool" ? 0 : -50, dtype === "bool" ? 2 : 50);
        const idx = rng.randint(size(ishape), 0, shape[axis]);
        await same([{ data: x, shape, dtype }, { data: idx, shape: ishape }], ([t, i]) => g.gather(t, axis, i), "gather", s % 2 === 1);
      });
    }
    it("out-of-range indices throw at the read", async () => {
      const x = Float32Array.from([1, 2, 3, 4, 5, 6]);
      await assert.rejects(on(web, [{ data: x, shape: [2, 3] }, { data: Int32Array.from([0, 3, -1, 2]), shape: [2, 2] }], ([t, i]) => g.gather(t, 1, i)), /gather: index (3|-1) at flat position [12] of index tensor \[2,2\] is out of range \[0, 3\)/);
    });
  });

  describe("webgpu scatterAdd vs reference", () => {
    for (let s = 0; s < 24; s++) {
      const rng = new g.Rng(100 + s);
      const rank = 1 + (s % 4);
      const shape = randShape(rng, rank);
      const axis = rng.randint(1, 0, rank)[0];
      // Index matches base off the axis (the layout gather's backward uses); few targets, many collisions.
      const ishape = shape.map((d, i) => (i === axis ? rng.randint(1, 1, 13)[0] : d));
      const dtype: DType = s % 3 === 2 ? "int32" : "float32";
      it(`[${shape}] axis ${axis} index [${ishape}] ${dtype}`, async () => {
        const mk = (n: number): Arr => (dtype === "float32" ? rng.normal(n) : rng.randint(n, -100, 100));
        const ins: In[] = [{ data: mk(size(shape)), shape }, { data: rng.randint(size(ishape), 0, Math.min(shape[axis], 3)), shape: ishape }, { data: mk(size(ishape)), shape: ishape }];
        await same(ins, ([b, i, src]) => g.scatterAdd(b, axis, i, src), "scatterAdd", s % 2 === 1);
      });
    }
    it("index smaller than base and src larger than index (several off-axis dims)", async () => {
      const rng = new g.Rng(7);
      const bs = [4, 5, 6, 3], is = [3, 4, 7, 2], ss = [3, 6, 7, 3], axis = 2;
      const base = rng.normal(size(bs)), src = rng.normal(size(ss));
      const idx = rng.randint(size(is), 0, bs[axis]);
      const got = await on(web, [{ data: base, shape: bs }, { data: idx, shape: is }, { data: src, shape: ss }], ([b, i, x]) => g.scatterAdd(b, axis, i, x));
      assertSame(got, scatterAddJs(base, bs, idx, is, src, ss, axis), "scatterAdd general");
    });
    it("large J (atomic path): float32 close, int32 exact", async () => {
      const rng = new g.Rng(8);
      const bs = [700, 250], is = [300, 250], axis = 0;
      const idx = rng.randint(size(is), 0, 700);
      for (const dtype of ["float32", "int32"] as const) {
        const mk = (n: number): Arr => (dtype === "float32" ? rng.normal(n) : rng.randint(n, -1000, 1000));
        const ins: In[] = [{ data: mk(size(bs)), shape: bs }, { data: idx, shape: is }, { data: mk(size(is)), shape: is }];
        const f = ([b, i, x]: Tensor[]): Tensor => g.scatterAdd(b, axis, i, x);
        const [w, r] = [await on(web, ins, f), await on(ref, ins, f)];
        if (dtype === "float32") assertClose(w, r, { atol: 1e-5, rtol: 1e-5 }, "scatterAdd atomic f32");
        else assertSame(w, r, "scatterAdd atomic i32");
      }
    });
    it("out-of-range indices throw at the read", async () => {
      await assert.rejects(on(web, [{ data: new Float32Array(4), shape: [4] }, { data: Int32Array.from([1, 4, -1, 1]), shape: [4] }, { data: Float32Array.from([1, 2, 3, 4]), shape: [4] }], ([b, i, x]) => g.scatterAdd(b, 0, i, x)), /scatterAdd: index (4|-1) at flat position [12] of index tensor \[4\] is out of range \[0, 4\)/);
    });
  });

  describe("webgpu oneHot vs reference", () => {
    for (const [shape, C] of [[[7], 10], [[3, 5], 4], [[2, 3, 4], 1], [[1000], 37], [[0, 3], 5]] as const) {
      it(`[${shape}] classes ${C}`, async () => {
        const idx = new g.Rng(C).randint(size(shape), 0, C);
        await same([{ data: idx, shape: [...shape] }], ([i]) => g.oneHot(i, C), "oneHot", C % 2 === 1);
      });
    }
    it("an out-of-range index throws at the read", async () => {
      await assert.rejects(on(web, [{ data: Int32Array.from([2, 3, -1]), shape: [3] }], ([i]) => g.oneHot(i, 3)), /oneHot: index (3|-1) at flat position [12] of index tensor \[3\] is out of range \[0, 3\)/);
    });
  });

  describe("webgpu concat vs reference", () => {
    for (let s = 0; s < 16; s++) {
      const rng = new g.Rng(200 + s);
      const rank = 1 + (s % 4);
      const shape = randShape(rng, rank);
      const axis = rng.randint(1, 0, rank)[0];
      const count = [2, 3, 9, 11][s % 4];
      const dtype: DType = (["float32", "int32", "bool", "float32"] as const)[s % 4];
      const shapes = Array.from({ length: count }, (_, k) => shape.map((d, i) => (i === axis ? (k === 1 ? 0 : rng.randint(1, 1, 5)[0]) : d)));
      it(`${count} x [${shape}] (axis ${axis} sizes ${shapes.map((t) => t[axis])}) ${dtype}`, async () => {
        const ins: In[] = shapes.map((sh) => ({ data: dtype === "float32" ? rng.normal(size(sh)) : rng.randint(size(sh), 0, dtype === "bool" ? 2 : 99), shape: sh, dtype }));
        await same(ins, (xs) => g.concat(xs, axis), "concat", s % 2 === 0);
      });
    }
  });

  describe("webgpu pad vs reference", () => {
    for (let s = 0; s < 20; s++) {
      const rng = new g.Rng(300 + s);
      const rank = 1 + (s % 5);
      const shape = randShape(rng, rank).map((d, i) => (s === 7 && i === 0 ? 0 : d));
      const pads = shape.map(() => [rng.randint(1, 0, 4)[0], rng.randint(1, 0, 3)[0]] as [number, number]);
      const dtype: DType = (["float32", "int32", "bool", "float32"] as const)[s % 4];
      const value = [0, -7, 1, 2.5][s % 4];
      it(`[${shape}] pads ${JSON.stringify(pads)} value ${value} ${dtype}`, async () => {
        const x = dtype === "float32" ? rng.normal(size(shape)) : rng.randint(size(shape), 0, dtype === "bool" ? 2 : 99);
        await same([{ data: x, shape, dtype }], ([t]) => g.pad(t, pads, value), "pad", s % 2 === 1);
      });
    }
  });
}
