/**
 * Every primitive op on the wasm backend against the reference backend, on random inputs with awkward
 * shapes and layouts. Exact where the math is exact (elementwise, layout, index ops, and everything
 * that falls back to the reference kernels), within float32 tolerance for GEMM and convolution.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Rng, sizeOf, type DType } from "../../core/index.js";
import { BOOL_RESULT_BINARY, BOOL_RESULT_UNARY } from "../elementwise.js";
import { BINARY_OPS, PRIM_OPS, REDUCE_OPS, UNARY_OPS, type Conv2dAttrs, type OpAttrs, type PrimOp, type Pool2dAttrs } from "../ops.js";
import { ReferenceBackend } from "../reference/index.js";
import { WasmBackend } from "./index.js";
import { broadcast, compareOp, operand, permuted, randn, type Operand } from "./testing.js";

const rng = new Rng(7);
const wasm = new WasmBackend({ threads: 2 });
const ref = new ReferenceBackend();
const covered = new Set<PrimOp>();
after(() => wasm.dispose());

/** Float32 ops computed in float32 by the wasm kernels (a few ulp from the reference; fastpaths.test.ts bounds it). */
const APPROX: ReadonlySet<PrimOp> = new Set(["exp", "log", "tanh", "sigmoid", "erf", "softmax", "logSoftmax", "softmaxCrossEntropy"]);

/**
 * Convolutions may run by Winograd (kernels/winograd.ts), whose transforms round at ~1e-5 of the
 * largest output, not of each element: bounded relative to the scale (winograd.test.ts tests it).
 */
const CONV_TOL = { atol: 2e-5, rtol: 1e-4 };

function check<K extends PrimOp>(op: K, ins: readonly Operand[], outShape: readonly number[], outDtype: DType, attrs: OpAttrs[K], exact = true): void {
  covered.add(op);
  const approx = APPROX.has(op) && ins[0]?.dtype === "float32" && outDtype === "float32";
  compareOp(wasm, ref, op, ins, outShape, outDtype, attrs, exact && !approx, op.startsWith("conv2d") ? CONV_TOL : undefined);
}

/** Normal samples with special values mixed in (NaN, +-0, +-Inf, large, exact halves). */
function special(shape: readonly number[]): Operand {
  const o = randn(rng, shape, 3);
  const sp = [NaN, 0, -0, Infinity, -Infinity, 1e30, -2.5, 0.5, 1.5];
  for (let i = 0; i < o.data.length; i += 5) o.data[i] = sp[(i / 5) % sp.length];
  return o;
}
const ints = (shape: readonly number[], lo = -9, hi = 10): Operand => operand("int32", shape, rng.randint(sizeOf(shape), lo, hi));
const bools = (shape: readonly number[]): Operand => operand("bool", shape, Uint8Array.from(rng.randint(sizeOf(shape), 0, 2)));

describe("wasm backend ops vs reference", () => {
  it("unary ops, contiguous and permuted, float32 and int32", () => {
    for (const op of UNARY_OPS) {
      const out: DType = BOOL_RESULT_UNARY.has(op) ? "bool" : "float32";
      check(op, [special([5, 7, 3])], [5, 7, 3], out, {});
      check(op, [permuted(special([5, 7, 3]), [2, 0, 1])], [3, 5, 7], out, {});
      check(op, [special([1037])], [1037], out, {});
      check(op, [ints([4, 9])], [4, 9], BOOL_RESULT_UNARY.has(op) ? "bool" : "int32", {});
    }
  });

  it("binary ops with broadcasting, float32, int32 and bool", () => {
    for (const op of BINARY_OPS) {
      const out: DType = BOOL_RESULT_BINARY.has(op) ? "bool" : "float32";
      check(op, [special([4, 3, 6]), special([4, 3, 6])], [4, 3, 6], out, {});
      check(op, [broadcast(special([4, 1, 6]), [4, 3, 6]), broadcast(special([3, 1]), [4, 3, 6])], [4, 3, 6], out, {});
      check(op, [special([2, 8, 5]), broadcast(special([1, 8, 1]), [2, 8, 5])], [2, 8, 5], out, {}); // bias-like
      check(op, [broadcast(special([1]), [1031]), special([1031])], [1031], out, {}); // scalar - tensor
      check(op, [permuted(special([6, 5]), [1, 0]), special([5, 6])], [5, 6], out, {});
      const iout: DType = BOOL_RESULT_BINARY.has(op) ? "bool" : "int32";
      check(op, [ints([3, 4], 1, 9), ints([3, 4], 1, 5)], [3, 4], iout, {});
      if (BOOL_RESULT_BINARY.has(op)) check(op, [bools([7]), bools([7])], [7], "bool", {});
    }
  });

  it("reductions over axes of strided views", () => {
    for (const op of REDUCE_OPS) {
      check(op, [special([4, 5, 6])], [4, 6], "float32", { axes: [1] });
      check(op, [permuted(randn(rng, [4, 5, 6]), [2, 0, 1])], [5], "float32", { axes: [0, 1] });
      check(op, [randn(rng, [3, 7])], [], "float32", { axes: [0, 1] });
    }
    check("argmax", [special([4, 5, 3])], [4, 3], "int32", { axis: 1 });
    check("argmin", [randn(rng, [4, 5, 3])], [5, 3], "int32", { axis: 0 });
  });

  it("where, cast, copy, fill", () => {
    check("where", [broadcast(bools([4, 1]), [4, 5]), special([4, 5]), broadcast(special([5]), [4, 5])], [4, 5], "float32", {});
    // p·0.9 − m/(√v + 1e-8)·0.01 over a broadcast v (the fused-update shape of Adam)
    const program = { steps: [{ op: "mul", args: [0, { c: 0 }] }, { op: "sqrt", args: [2] }, { op: "add", args: [4, { c: 1 }] }, { op: "div", args: [1, 5] }, { op: "mul", args: [6, { c: 2 }] }, { op: "sub", args: [3, 7] }], consts: [0.9, 1e-8, 0.01] } as const;
    check("fused", [randn(rng, [4, 5]), randn(rng, [4, 5]), broadcast(operand("float32", [5], Float32Array.from([0.5, 1, 2, 3, 4])), [4, 5])], [4, 5], "float32", { program });
    check("cast", [special([3, 5])], [3, 5], "int32", { dtype: "int32" });
    check("cast", [ints([3, 5])], [3, 5], "float32", { dtype: "float32" });
    check("cast", [special([3, 5])], [3, 5], "bool", { dtype: "bool" });
    check("copy", [permuted(special([3, 4, 5]), [2, 0, 1])], [5, 3, 4], "float32", {});
    check("copy", [permuted(ints([3, 9]), [1, 0])], [9, 3], "int32", {});
    check("copy", [permuted(bools([3, 9]), [1, 0])], [9, 3], "bool", {});
    check("copy", [broadcast(special([1, 5]), [4, 5])], [4, 5], "float32", {});
    for (const [dtype, value] of [["float32", -0], ["float32", 2.5], ["float32", 0], ["int32", 7], ["bool", 1]] as const) {
      check("fill", [], [3, 7], dtype, { value });
    }
  });

  it("matmul: every transpose combination, batches, odd sizes", () => {
    const cases = [[1, 1, 1, 1], [1, 5, 7, 9], [3, 37, 300, 29], [2, 130, 65, 500], [1, 200, 513, 300], [4, 13, 0, 11], [2, 300, 17, 4]];
    for (const [B, M, K, N] of cases) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          const a = randn(rng, transA ? [B, K, M] : [B, M, K]);
          const b = randn(rng, transB ? [B, N, K] : [B, K, N]);
          check("matmul", [a, b], [B, M, N], "float32", { transA, transB }, false);
        }
      }
    }
  });

  it("conv2d forward and both backward passes: stride, padding, dilation, groups, batch", () => {
    const cases: { x: number[]; O: number; k: [number, number]; a: Conv2dAttrs }[] = [
      { x: [2, 3, 9, 11], O: 5, k: [3, 2], a: { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 1 } },
      { x: [3, 4, 8, 7], O: 6, k: [3, 3], a: { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 2 } },
      { x: [4, 16, 14, 14], O: 24, k: [5, 5], a: { stride: [1, 1], padding: [2, 2], dilation: [1, 1], groups: 1 } },
      { x: [1, 3, 17, 13], O: 8, k: [3, 3], a: { stride: [2, 2], padding: [0, 1], dilation: [1, 1], groups: 1 } },
      { x: [5, 1, 12, 12], O: 7, k: [5, 5], a: { stride: [1, 1], padding: [2, 2], dilation: [1, 1], groups: 1 } },
      { x: [2, 6, 10, 9], O: 6, k: [3, 3], a: { stride: [3, 2], padding: [2, 0], dilation: [2, 1], groups: 6 } },
      { x: [1, 2, 5, 5], O: 3, k: [1, 1], a: { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 } },
      { x: [2, 3, 11, 10], O: 4, k: [3, 3], a: { stride: [1, 1], padding: [2, 1], dilation: [2, 2], groups: 1 } },
      { x: [3, 2, 6, 30], O: 13, k: [2, 4], a: { stride: [1, 1], padding: [0, 3], dilation: [1, 1], groups: 1 } },
      // C/G*KH*KW = 2250: more gW columns than one packed-B panel block (NC = 2040).
      { x: [2, 90, 6, 7], O: 5, k: [5, 5], a: { stride: [1, 1], padding: [2, 2], dilation: [1, 1], groups: 1 } },
    ];
    for (const c of cases) {
      const [N, C, H, W] = c.x, [KH, KW] = c.k, a = c.a;
      const HO = Math.floor((H + 2 * a.padding[0] - a.dilation[0] * (KH - 1) - 1) / a.stride[0]) + 1;
      const WO = Math.floor((W + 2 * a.padding[1] - a.dilation[1] * (KW - 1) - 1) / a.stride[1]) + 1;
      const ws = [c.O, C / a.groups, KH, KW], ys = [N, c.O, HO, WO];
      const x = randn(rng, c.x), w = randn(rng, ws), gy = randn(rng, ys);
      check("conv2d", [x, w], ys, "float32", a, false);
      check("conv2dBackwardInput", [gy, w], c.x, "float32", { ...a, inputShape: c.x }, false);
      check("conv2dBackwardWeight", [x, gy], ws, "float32", { ...a, weightShape: ws }, false);
    }
  });

  it("pooling forward and backward", () => {
    const a: Pool2dAttrs = { kernel: [3, 2], stride: [2, 2], padding: [1, 1], countIncludePad: false };
    const x = special([2, 3, 7, 8]);
    const ys = [2, 3, 4, 5];
    check("maxPool2d", [x], ys, "float32", a);
    check("maxPool2dBackward", [randn(rng, ys), x], [2, 3, 7, 8], "float32", a);
    check("avgPool2d", [randn(rng, [2, 3, 7, 8])], ys, "float32", a);
    check("avgPool2d", [randn(rng, [2, 3, 7, 8])], ys, "float32", { ...a, countIncludePad: true });
    check("avgPool2dBackward", [randn(rng, ys)], [2, 3, 7, 8], "float32", { ...a, inputShape: [2, 3, 7, 8] });
  });

  it("index ops: gather, scatterAdd, oneHot, concat, pad", () => {
    check("gather", [randn(rng, [4, 6, 3]), ints([4, 2, 3], 0, 6)], [4, 2, 3], "float32", { axis: 1 });
    check("scatterAdd", [randn(rng, [4, 6]), ints([4, 9], 0, 6), randn(rng, [4, 9])], [4, 6], "float32", { axis: 1 });
    check("oneHot", [ints([5], 0, 4)], [5, 4], "float32", { numClasses: 4 });
    check("concat", [randn(rng, [2, 3, 4]), randn(rng, [2, 1, 4]), randn(rng, [2, 2, 4])], [2, 6, 4], "float32", { axis: 1 });
    check("pad", [randn(rng, [2, 3, 4])], [2, 6, 5], "float32", { pads: [[0, 0], [2, 1], [1, 0]], value: -1.5 });
  });

  it("softmax family", () => {
    check("softmax", [randn(rng, [3, 5, 4], 4)], [3, 5, 4], "float32", { axis: 1 });
    check("logSoftmax", [randn(rng, [6, 10], 4)], [6, 10], "float32", { axis: 1 });
    check("softmaxCrossEntropy", [randn(rng, [6, 10], 4), ints([6], 0, 10)], [6], "float32", {});
  });

  it("batch norm family (within float32 tolerance: the wasm sums run in float32 lanes)", () => {
    const stats = (C: number): Operand => operand("float32", [2, C], Float32Array.from({ length: 2 * C }, (_, i) => (i < C ? rng.normal(1)[0] : 0.5 + rng.uniform(1)[0])));
    for (const xs of [[4, 3, 5, 6], [6, 5], [2, 7, 3], [3, 2, 9, 9]]) {
      const C = xs[1];
      const x = randn(rng, xs, 3);
      const w = randn(rng, [C]), b = randn(rng, [C]), gy = randn(rng, xs), st = stats(C), sums = randn(rng, [2, C], 4);
      check("batchNormStats", [x], [2, C], "float32", {}, false);
      check("batchNorm", [x, st, w, b], xs, "float32", { eps: 1e-5 }, false);
      check("batchNormGradSums", [gy, x, st], [2, C], "float32", { eps: 1e-5 }, false);
      check("batchNormBackward", [gy, x, st, w, sums], xs, "float32", { eps: 1e-3 }, false);
    }
  });

  it("covers every primitive op", () => {
    assert.deepEqual(PRIM_OPS.filter((op) => !covered.has(op)), []);
  });
});
