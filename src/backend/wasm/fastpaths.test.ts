/**
 * The Wasm fast paths added for training (reductions, pooling) against the reference kernels, on the
 * shapes the models use and on awkward ones: bit-exact, with ties, NaN and signed zeros mixed in.
 */
import { after, describe, it } from "node:test";
import { Rng, sizeOf } from "../../core/index.js";
import type { OpAttrs, PrimOp, Pool2dAttrs } from "../ops.js";
import { ReferenceBackend } from "../reference/index.js";
import { WasmBackend } from "./index.js";
import assert from "node:assert/strict";
import { broadcast, compareOp, operand, permuted, randn, run, type Operand } from "./testing.js";

const rng = new Rng(11);
const wasm = new WasmBackend({ threads: 2 });
const ref = new ReferenceBackend();
after(() => wasm.dispose());

function check<K extends PrimOp>(op: K, ins: readonly Operand[], outShape: readonly number[], attrs: OpAttrs[K], exact = true): void {
  compareOp(wasm, ref, op, ins, outShape, "float32", attrs, exact);
}

/**
 * Exact except that +0 and -0 compare equal: max/min of a tie between them is +0 or -0 depending on
 * the order the kernel meets them (the reference keeps the first; SIMD lanes see another order).
 */
function checkUpToZeroSign<K extends PrimOp>(op: K, ins: readonly Operand[], outShape: readonly number[], attrs: OpAttrs[K]): void {
  const want = run(ref, op, ins, outShape, "float32", attrs);
  const got = run(wasm, op, ins, outShape, "float32", attrs);
  assert.equal(got.length, want.length);
  for (let i = 0; i < got.length; i++) {
    if (!(Object.is(got[i], want[i]) || (got[i] === 0 && want[i] === 0))) assert.fail(`${op} element ${i}: ${got[i]}, reference ${want[i]}`);
  }
}

/** ReLU-like data: about half exact zeros (ties in every pooling window), some -0, NaN and Inf. */
function reluLike(shape: readonly number[], specials = true): Operand {
  const d = rng.normal(sizeOf(shape));
  for (let i = 0; i < d.length; i++) d[i] = d[i] > 0 ? d[i] : 0;
  if (specials) {
    const sp = [NaN, -0, Infinity, -Infinity, 0];
    for (let i = 3; i < d.length; i += 37) d[i] = sp[(i / 37 | 0) % sp.length];
  }
  return operand("float32", shape, d);
}

describe("wasm fast paths vs reference", () => {
  it("sum/max/min over BatchNorm's axes [0,2,3], bias axes [0], all axes, no axes", () => {
    for (const op of ["sum", "max", "min"] as const) {
      check(op, [randn(rng, [5, 6, 7, 9])], [1, 6, 1, 1], { axes: [0, 2, 3] });
      check(op, [randn(rng, [64, 8, 14, 14])], [8], { axes: [0, 2, 3] });
      check(op, [randn(rng, [37, 13])], [13], { axes: [0] });
      check(op, [randn(rng, [2, 37, 13])], [2, 13], { axes: [1] });
      check(op, [randn(rng, [1031])], [], { axes: [0] });
      check(op, [randn(rng, [3, 4, 5])], [3, 4, 5], { axes: [] });
      check(op, [permuted(randn(rng, [6, 5, 4, 3]), [3, 1, 0, 2])], [5, 6], { axes: [0, 3] });
      check(op, [permuted(randn(rng, [9, 10]), [1, 0])], [10], { axes: [1] });
      checkUpToZeroSign(op, [reluLike([4, 3, 5, 6])], [3], { axes: [0, 2, 3] });
    }
    check("sum", [randn(rng, [0, 4])], [4], { axes: [0] });
  });

  it("max pooling 2x2 stride 2 (SIMD) with ties, NaN and signed zeros, odd sizes", () => {
    const a: Pool2dAttrs = { kernel: [2, 2], stride: [2, 2], padding: [0, 0], countIncludePad: true };
    for (const [N, C, H, W] of [[2, 3, 28, 28], [3, 5, 14, 14], [1, 2, 7, 7], [2, 2, 9, 13], [1, 1, 2, 2], [4, 6, 10, 22]]) {
      const ys = [N, C, Math.floor(H / 2), Math.floor(W / 2)];
      const x = reluLike([N, C, H, W]);
      check("maxPool2d", [x], ys, a);
      check("maxPool2dBackward", [randn(rng, ys), x], [N, C, H, W], a);
    }
    // A -0 upstream gradient lands as +0, as in the reference's `gx[i] += g`.
    const x = operand("float32", [1, 1, 2, 2], new Float32Array([1, 2, 3, 4]));
    check("maxPool2dBackward", [operand("float32", [1, 1, 1, 1], new Float32Array([-0])), x], [1, 1, 2, 2], a);
  });

  it("max and avg pooling, generic windows: overlapping, padded, strided", () => {
    const cases: { x: number[]; a: Pool2dAttrs }[] = [
      { x: [2, 3, 9, 8], a: { kernel: [3, 3], stride: [2, 2], padding: [1, 1], countIncludePad: false } },
      { x: [1, 4, 7, 7], a: { kernel: [3, 3], stride: [1, 1], padding: [1, 1], countIncludePad: true } },
      { x: [2, 2, 11, 6], a: { kernel: [2, 3], stride: [3, 1], padding: [1, 0], countIncludePad: false } },
      { x: [3, 2, 8, 8], a: { kernel: [2, 2], stride: [2, 2], padding: [1, 1], countIncludePad: true } },
      { x: [2, 3, 6, 6], a: { kernel: [2, 2], stride: [1, 1], padding: [0, 0], countIncludePad: true } },
    ];
    for (const { x: xs, a } of cases) {
      const HO = Math.floor((xs[2] + 2 * a.padding[0] - a.kernel[0]) / a.stride[0]) + 1;
      const WO = Math.floor((xs[3] + 2 * a.padding[1] - a.kernel[1]) / a.stride[1]) + 1;
      const ys = [xs[0], xs[1], HO, WO];
      const x = reluLike(xs);
      check("maxPool2d", [x], ys, a);
      check("maxPool2dBackward", [randn(rng, ys), x], xs, a);
      check("avgPool2d", [randn(rng, xs)], ys, a);
      check("avgPool2dBackward", [randn(rng, ys)], xs, { ...a, inputShape: xs });
    }
  });

  it("copies of transposed views (4x4 SIMD blocks with scalar edges), float32 and int32", () => {
    const cases: [number[], number[]][] = [[[37, 53], [1, 0]], [[3, 9, 14], [0, 2, 1]], [[8, 8], [1, 0]], [[5, 3, 6, 7], [0, 1, 3, 2]], [[2, 513], [1, 0]]];
    for (const [shape, perm] of cases) {
      const x = randn(rng, shape);
      compareOp(wasm, ref, "copy", [permuted(x, perm)], perm.map((p) => shape[p]), "float32", {}, true);
      const xi = operand("int32", shape, rng.randint(sizeOf(shape), -1000, 1000));
      compareOp(wasm, ref, "copy", [permuted(xi, perm)], perm.map((p) => shape[p]), "int32", {}, true);
    }
  });

  it("long rows, big pools and batch-norm passes split across threads match the reference", () => {
    const big = [3, 5, 97, 101];
    const a = randn(rng, big), b = randn(rng, big);
    compareOp(wasm, ref, "mul", [a, b], big, "float32", {}, true);
    compareOp(wasm, ref, "add", [a, broadcast(operand("float32", [1], Float32Array.of(0.5)), big)], big, "float32", {}, true);
    compareOp(wasm, ref, "gt", [a, broadcast(operand("float32", [1], Float32Array.of(0)), big)], big, "bool", {}, true);
    compareOp(wasm, ref, "relu", [a], big, "float32", {}, true);
    compareOp(wasm, ref, "cast", [operand("bool", big, Uint8Array.from(rng.randint(sizeOf(big), 0, 2)))], big, "float32", { dtype: "float32" }, true);
    const pool: Pool2dAttrs = { kernel: [2, 2], stride: [2, 2], padding: [0, 0], countIncludePad: true };
    const x = reluLike([16, 32, 28, 28], false), ys = [16, 32, 14, 14];
    compareOp(wasm, ref, "maxPool2d", [x], ys, "float32", pool, true);
    compareOp(wasm, ref, "maxPool2dBackward", [randn(rng, ys), x], [16, 32, 28, 28], "float32", pool, true);
    const xs = [32, 8, 17, 17], C = 8;
    const st = operand("float32", [2, C], Float32Array.from({ length: 2 * C }, (_, i) => (i < C ? 0.1 * i : 1 + 0.1 * i)));
    compareOp(wasm, ref, "batchNorm", [randn(rng, xs), st, randn(rng, [C]), randn(rng, [C])], xs, "float32", { eps: 1e-5 }, false);
    compareOp(wasm, ref, "batchNormBackward", [randn(rng, xs), randn(rng, xs), st, randn(rng, [C]), randn(rng, [2, C])], xs, "float32", { eps: 1e-5 }, false);
  });

  it("comparisons to bool, casts between float32/int32/bool, where: contiguous, broadcast, strided", () => {
    const sp = (shape: readonly number[]): Operand => {
      const o = randn(rng, shape, 3);
      const v = [NaN, 0, -0, Infinity, -Infinity, 1.5, -2.5, 3e9, -3e9, 2147483520];
      for (let i = 0; i < o.data.length; i += 3) o.data[i] = v[(i / 3) % v.length];
      return o;
    };
    const bools = (shape: readonly number[]): Operand => operand("bool", shape, Uint8Array.from(rng.randint(sizeOf(shape), 0, 2)));
    const ints = (shape: readonly number[]): Operand => operand("int32", shape, rng.randint(sizeOf(shape), -(2 ** 30), 2 ** 30));
    for (const op of ["eq", "ne", "lt", "le", "gt", "ge"] as const) {
      const a = sp([5, 7, 9]);
      const b = { ...a, data: a.data.map((v, i) => (i % 2 ? v : -v)) };
      compareOp(wasm, ref, op, [a, b], [5, 7, 9], "bool", {}, true);
      compareOp(wasm, ref, op, [sp([4, 33]), broadcast(operand("float32", [1], new Float32Array([0])), [4, 33])], [4, 33], "bool", {}, true);
      compareOp(wasm, ref, op, [permuted(sp([6, 5]), [1, 0]), sp([5, 6])], [5, 6], "bool", {}, true);
    }
    // Finite values only for float -> int32 (out-of-range values take the reference path; tested below).
    const finite = randn(rng, [3, 41], 1e4);
    compareOp(wasm, ref, "cast", [finite], [3, 41], "int32", { dtype: "int32" }, true);
    compareOp(wasm, ref, "cast", [sp([3, 41])], [3, 41], "int32", { dtype: "int32" }, true);
    compareOp(wasm, ref, "cast", [permuted(randn(rng, [7, 6], 50), [1, 0])], [6, 7], "int32", { dtype: "int32" }, true);
    for (const [x, to] of [[sp([3, 41]), "bool"], [bools([5, 19]), "float32"], [ints([5, 19]), "float32"], [bools([5, 19]), "int32"], [ints([5, 19]), "bool"]] as const) {
      compareOp(wasm, ref, "cast", [x], [...x.shape], to, { dtype: to }, true);
      compareOp(wasm, ref, "cast", [permuted(x, [1, 0])], [x.shape[1], x.shape[0]], to, { dtype: to }, true);
    }
    compareOp(wasm, ref, "where", [bools([6, 35]), sp([6, 35]), sp([6, 35])], [6, 35], "float32", {}, true);
    compareOp(wasm, ref, "where", [broadcast(bools([6, 1]), [6, 35]), sp([6, 35]), broadcast(operand("float32", [1], new Float32Array([-0])), [6, 35])], [6, 35], "float32", {}, true);
    compareOp(wasm, ref, "where", [permuted(bools([5, 9]), [1, 0]), ints([9, 5]), broadcast(ints([5]), [9, 5])], [9, 5], "int32", {}, true);
  });

  it("exp, log, tanh, sigmoid, erf: within 4 ulp of the reference (specials exact), contiguous and strided", () => {
    const sweep = (lo: number, hi: number, n: number): number[] => Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
    const specials = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 1e-40, 1e-30, -1e-30, 1e-8, -1e-8, 1, -1, 0.5, -0.5, 3e38, -3e38];
    const logs = Array.from({ length: 600 }, (_, i) => 10 ** (-45 + (83 * i) / 599));
    const inputs: Record<string, number[]> = {
      exp: [...sweep(-110, 95, 4001), ...specials],
      log: [...logs, ...sweep(0.5, 2, 1001), ...specials, -2, -1e-20],
      tanh: [...sweep(-12, 12, 4001), ...sweep(-0.6, 0.6, 1001), ...specials],
      sigmoid: [...sweep(-110, 110, 4001), ...specials],
      erf: [...sweep(-5, 5, 4001), ...sweep(-1.1, 1.1, 1001), ...specials],
    };
    for (const [op, xs] of Object.entries(inputs) as [MathOp, number[]][]) {
      const x = operand("float32", [xs.length], Float32Array.from(xs));
      // The same values every other element of a buffer twice as long: a stride-2 view.
      const wide = operand("float32", [2 * xs.length], Float32Array.from({ length: 2 * xs.length }, (_, i) => (i % 2 ? xs[i >> 1] : 7)));
      const strided: Operand = { ...wide, view: { shape: [xs.length], strides: [2], offset: 1 } };
      for (const input of [x, strided]) {
        const shape = input.view?.shape ?? input.shape;
        const want = run(ref, op, [input], shape, "float32", {});
        const got = run(wasm, op, [input], shape, "float32", {});
        let worst = 0, at = 0;
        for (let i = 0; i < got.length; i++) {
          const d = ulpDiff(got[i], want[i]);
          if (d > worst) { worst = d; at = i; }
        }
        assert.ok(worst <= 4, `${op}(${xs[at]}): ${got[at]}, reference ${want[at]} (${worst} ulp)`);
      }
    }
  });

  it("softmax, logSoftmax and softmax cross-entropy along the last axis", () => {
    for (const [rows, n] of [[6, 10], [3, 1], [4, 37], [64, 10], [2, 1000]]) {
      const x = randn(rng, [rows, n], 6);
      x.data[0] = -Infinity;
      compareOp(wasm, ref, "softmax", [x], [rows, n], "float32", { axis: 1 }, false);
      compareOp(wasm, ref, "logSoftmax", [x], [rows, n], "float32", { axis: 1 }, false);
      const labels = operand("int32", [rows], rng.randint(rows, 0, n));
      compareOp(wasm, ref, "softmaxCrossEntropy", [randn(rng, [rows, n], 6), labels], [rows], "float32", {}, false);
    }
    compareOp(wasm, ref, "softmax", [randn(rng, [2, 3, 5], 3)], [2, 3, 5], "float32", { axis: 2 }, false);
    // A label out of range still raises the reference's error.
    assert.throws(() => run(wasm, "softmaxCrossEntropy", [randn(rng, [2, 3]), operand("int32", [2], Int32Array.of(0, 3))], [2], "float32", {}), /out of range/);
  });
});

type MathOp = "exp" | "log" | "tanh" | "sigmoid" | "erf";

/** Distance in float32 units in the last place (0 for equal values, ±0 included; NaN only matches NaN). */
function ulpDiff(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (a === b) return 0;
  const key = (v: number): number => {
    const i = new Int32Array(Float32Array.of(v).buffer)[0];
    return i >= 0 ? i : -2147483648 - i;
  };
  return Math.abs(key(a) - key(b));
}
