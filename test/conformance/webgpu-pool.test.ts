/**
 * WebGPU pooling vs the reference backend on odd shapes, overlapping and gapped windows, padding,
 * batch > 1, inputs at an offset, ties and NaN. Max pooling (forward and backward) must be
 * bit-identical: both pick the first maximum in scan order and sum gradients in the same order.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import * as g from "ganglion/node";
import type { Tensor } from "ganglion";
import { assertClose } from "../helpers.js";

type Backend = ReturnType<typeof g.getBackendByName>;
type Pool2dAttrs = Parameters<typeof g.maxPool2dBackward>[2];
type Fill = "normal" | "ties" | "nan";

/** Asserts bitwise equality (NaN == NaN, -0 != +0), reporting the first mismatch. */
function assertSame(got: ArrayLike<number>, want: ArrayLike<number>, label: string): void {
  assert.equal(got.length, want.length, `${label}: length`);
  for (let i = 0; i < got.length; i++) {
    if (!Object.is(got[i], want[i])) assert.fail(`${label}: element ${i} is ${got[i]}, reference ${want[i]}`);
  }
}

/** Input values: normal, heavy ties (few distinct values, -inf included), or normal with NaNs. */
function values(n: number, fill: Fill, rng: g.Rng): Float32Array {
  if (fill === "normal") return rng.normal(n);
  const out = fill === "ties" ? Float32Array.from(rng.randint(n, -2, 2), (v) => (v === -2 ? -Infinity : v)) : rng.normal(n);
  if (fill === "nan") for (const i of rng.randint(Math.max(1, n >> 5), 0, n)) out[i] = NaN;
  return out;
}

const gpu = await g.initWebGPU();
if (!gpu) {
  describe("webgpu pooling", () => it("SKIPPED: no WebGPU adapter", { skip: "no WebGPU adapter" }, () => {}));
} else {
  after(() => gpu.destroy());
  const ref = g.getBackendByName("reference");
  const web = g.getBackendByName("webgpu");

  /** Runs `f` on both backends with the same host inputs; returns [webgpu, reference] outputs. */
  async function both(data: Float32Array[], shapes: number[][], f: (xs: Tensor[]) => Tensor): Promise<[Float32Array, Float32Array]> {
    const run = async (b: Backend): Promise<Float32Array> => {
      const y = g.scope(() => f(data.map((d, i) => g.fromArray(d, shapes[i], { backend: b }))));
      try {
        return Float32Array.from(await y.data());
      } finally {
        y.dispose();
      }
    };
    return [await run(web), await run(ref)];
  }

  interface Case { x: number[]; k: [number, number]; s: [number, number]; p: [number, number] }
  const cases: Case[] = [
    { x: [3, 5, 13, 11], k: [3, 3], s: [2, 2], p: [1, 1] },
    { x: [2, 3, 9, 8], k: [3, 3], s: [1, 1], p: [1, 1] },
    { x: [2, 4, 7, 9], k: [2, 2], s: [2, 2], p: [0, 0] },
    { x: [1, 2, 10, 7], k: [2, 3], s: [1, 2], p: [1, 1] },
    { x: [2, 2, 11, 12], k: [4, 4], s: [3, 3], p: [2, 2] },
    { x: [2, 3, 8, 8], k: [3, 3], s: [3, 3], p: [1, 1] },
    { x: [2, 2, 9, 10], k: [2, 2], s: [3, 3], p: [0, 0] },
    { x: [3, 1, 5, 6], k: [1, 1], s: [1, 1], p: [0, 0] },
    { x: [1, 1, 4, 17], k: [4, 5], s: [1, 4], p: [2, 1] },
    { x: [4, 16, 32, 32], k: [2, 2], s: [2, 2], p: [0, 0] },
    { x: [2, 8, 31, 33], k: [3, 3], s: [2, 2], p: [1, 1] },
  ];
  const name = (c: Case): string => `[${c.x}] k${c.k.join("x")} s${c.s.join("x")} p${c.p.join("x")}`;

  describe("webgpu maxPool2d vs reference (bit-identical)", () => {
    let seed = 1;
    for (const c of cases) {
      for (const fill of ["normal", "ties", "nan"] as const) {
        it(`${name(c)} ${fill}`, async () => {
          const rng = new g.Rng(seed++);
          const o = { stride: c.s, padding: c.p };
          const x = values(c.x.reduce((a, b) => a * b, 1), fill, rng);
          const [yw, yr] = await both([x], [c.x], ([t]) => g.maxPool2d(t, c.k, o));
          assertSame(yw, yr, "forward");
          const ys = [c.x[0], c.x[1], ...[0, 1].map((d) => Math.floor((c.x[2 + d] + 2 * c.p[d] - c.k[d]) / c.s[d]) + 1)];
          const gy = rng.normal(ys.reduce((a, b) => a * b, 1));
          const attrs: Pool2dAttrs = { kernel: c.k, stride: c.s, padding: c.p, countIncludePad: true };
          const [gw, gr] = await both([gy, x], [ys, c.x], ([tg, tx]) => g.maxPool2dBackward(tg, tx, attrs));
          assertSame(gw, gr, "backward");
        });
      }
    }
    it("inputs at an offset (narrowed batch) and autograd through the op", async () => {
      const rng = new g.Rng(99);
      const shape = [5, 3, 9, 7];
      const x = values(5 * 3 * 9 * 7, "ties", rng);
      const gy = rng.normal(5 * 3 * 5 * 4);
      const f = ([tx, tg]: Tensor[]): Tensor => {
        const xs = tx.narrow(0, 2, 3).detach();
        xs.requiresGrad = true;
        const y = g.maxPool2d(xs, 3, { stride: 2, padding: 1 });
        y.backward(tg.narrow(0, 1, 3));
        return g.concat([y.reshape([-1]), xs.grad!.reshape([-1])]);
      };
      const [w, r] = await both([x, gy], [shape, [5, 3, 5, 4]], f);
      assertSame(w, r, "forward and gradient");
    });
  });

  describe("webgpu avgPool2d vs reference", () => {
    let seed = 100;
    for (const c of cases) {
      for (const countIncludePad of [true, false]) {
        it(`${name(c)} countIncludePad=${countIncludePad}`, async () => {
          const rng = new g.Rng(seed++);
          const o = { stride: c.s, padding: c.p, countIncludePad };
          const x = rng.normal(c.x.reduce((a, b) => a * b, 1));
          const [yw, yr] = await both([x], [c.x], ([t]) => g.avgPool2d(t, c.k, o));
          assertClose(yw, yr, { atol: 1e-6, rtol: 1e-5 }, "forward");
          const ys = [c.x[0], c.x[1], ...[0, 1].map((d) => Math.floor((c.x[2 + d] + 2 * c.p[d] - c.k[d]) / c.s[d]) + 1)];
          const gy = rng.normal(ys.reduce((a, b) => a * b, 1));
          const attrs: Pool2dAttrs = { kernel: c.k, stride: c.s, padding: c.p, countIncludePad };
          const [gw, gr] = await both([gy], [ys], ([tg]) => g.avgPool2dBackward(tg, attrs, c.x));
          assertClose(gw, gr, { atol: 1e-6, rtol: 1e-5 }, "backward");
        });
      }
    }
  });
}
