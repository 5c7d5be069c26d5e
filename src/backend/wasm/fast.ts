/**
 * The Wasm fast paths of `exec`: one entry per op that has a kernel. An entry returns false when the
 * case is not covered (dtype, layout), and the backend then runs the reference kernel.
 * Views arrive as ArrViews over linear memory: `offset * bytesPerElement` is the byte address.
 */
import { sizeOf } from "../../core/index.js";
import { REDUCE_OPS, type BinaryOp, type Conv2dAttrs, type PrimOp, type UnaryOp } from "../ops.js";
import { CMP_OPS, cast, compareFast, where } from "./kernels/compare.js";
import { convScratchBytes, prepackWeights, prepackWeightsBytes, type ConvArgs } from "./kernels/conv.js";
import { EW_BINARY, EW_UNARY, type EwBinary, type EwUnary } from "./kernels/elementwise.js";
import { GEMM_SCRATCH_BYTES, MC, prepackA, prepackedBytes } from "./kernels/gemm.js";
import { MATH_UNARY, logSoftmax, mathFast, softmax, softmaxCrossEntropy } from "./kernels/math.js";
import { batchNorm, batchNormBackward, batchNormGradSums, batchNormStats } from "./kernels/norm.js";
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward } from "./kernels/pool.js";
import { reduceFast } from "./kernels/reduce.js";
import { MR, NR } from "./module.js";
import { runRow } from "./parallel.js";
import { addr, allF32, collapse, eachRow, forRows, withTemp, type Fast, type FastContext } from "./views.js";
import { winoGeometry, winoScratchBytes, winoWeightBatch, winoWeightBatchBytes, winoWeightScratchBytes } from "./kernels/winograd-tasks.js";

export type { FastContext } from "./views.js";

/** Below this many flops a parallel dispatch (tens of microseconds) costs more than it saves. */
const PARALLEL_FLOPS = 4e6;

/** Runs `fn(scratch, stride)` with `perThread` bytes of scratch for each thread. */
function withScratch(c: FastContext, threads: number, perThread: number, fn: (scratch: number, stride: number) => void): void {
  const stride = Math.ceil(perThread / 64) * 64;
  const bytes = stride * threads;
  const s = c.scratch(bytes);
  try {
    fn(s, stride);
  } finally {
    c.release(s, bytes);
  }
}

const matmul: Fast<"matmul"> = (c, [a, b], out, { transA, transB }) => {
  if (!allF32([a, b, out])) return false;
  const [B, M, N] = out.shape;
  const K = transA ? a.shape[1] : a.shape[2];
  if (B * M * N === 0) return true;
  if (K === 0) {
    c.ex.fill_bytes(addr(out), 0, B * M * N * 4);
    return true;
  }
  const threads = 2 * B * M * N * K < PARALLEL_FLOPS ? 1 : c.pool.threads;
  const rsA = transA ? 4 : K * 4, csA = transA ? M * 4 : 4;
  // One matrix split by columns across threads (small M: a batch of activations times a weight):
  // pack A once here instead of once per column block (measured: MLP training, M = 64).
  const prepack = B === 1 && threads > 1 && M < MC * threads && N >= M;
  const preBytes = prepack ? prepackedBytes(M, K, MR) : 0;
  const apre = prepack ? c.scratch(preBytes) : 0;
  try {
    if (prepack) prepackA(c.ex, apre, addr(a), rsA, csA, M, K, MR);
    withScratch(c, threads, GEMM_SCRATCH_BYTES, (scratch, stride) => {
      c.pool.run("gemm", {
        M, N, K, A: addr(a), rsA, csA,
        B: addr(b), rsB: transB ? 4 : N * 4, csB: transB ? K * 4 : 4, C: addr(out), ldc: N * 4, accumulate: 0,
        batch: B, sA: M * K * 4, sB: K * N * 4, sC: M * N * 4, scratch, stride, apre,
      }, threads);
    });
  } finally {
    if (prepack) c.release(apre, preBytes);
  }
  return true;
};

type ConvKind = "convForward" | "convBackwardInput" | "convBackwardWeight";

function runConv(c: FastContext, kind: ConvKind, x: readonly number[], w: readonly number[], y: readonly number[], at: Conv2dAttrs, ptrs: { x: number; w: number; y: number }): void {
  const [N, C, H, W] = x, [O, , KH, KW] = w, [, , HO, WO] = y;
  const G = at.groups, Kc = (C / G) * KH * KW, P = HO * WO;
  const flops = 2 * N * O * P * Kc;
  const threads = flops < PARALLEL_FLOPS ? 1 : c.pool.threads;
  const sizes = convScratchBytes(kind === "convForward" ? "forward" : kind === "convBackwardInput" ? "backwardInput" : "backwardWeight",
    C, H, W, at.padding[0], at.padding[1], G, Kc, P, NR);
  const transposed = kind === "convBackwardInput";
  const packBytes = kind === "convBackwardWeight" ? 64 : prepackWeightsBytes(O, Kc, G, transposed, MR);
  const wpack = c.scratch(packBytes);
  try {
    if (kind !== "convBackwardWeight") prepackWeights(c.ex, wpack, ptrs.w, O, Kc, G, transposed, MR);
    withScratch(c, threads, GEMM_SCRATCH_BYTES + sizes.total, (scratch, stride) => {
      const args: ConvArgs = {
        N, C, H, W, O, KH, KW, HO, WO, sh: at.stride[0], sw: at.stride[1], ph: at.padding[0], pw: at.padding[1],
        dh: at.dilation[0], dw: at.dilation[1], G, x: ptrs.x, w: ptrs.w, y: ptrs.y, wpack, scratch, stride, xpoff: sizes.cols,
      };
      c.pool.run(kind, args, threads);
    });
  } finally {
    c.release(wpack, packBytes);
  }
}

/**
 * Winograd (kernels/winograd.ts) takes stride-1, undilated, ungrouped 3x3 and 5x5 convolutions with
 * enough channels on both sides for its 36 GEMMs to be worth their transforms (C_in = 1, LeNet's first
 * layer, stays on im2col).
 */
function winogradFits(c: FastContext, Cin: number, Cout: number, r: readonly number[], HO: number, WO: number, at: Conv2dAttrs): boolean {
  return c.winograd && at.groups === 1 && at.stride[0] === 1 && at.stride[1] === 1 && at.dilation[0] === 1 && at.dilation[1] === 1 &&
    r[0] === r[1] && (r[0] === 3 || r[0] === 5) && Cin >= 8 && Cout >= 8 && HO * WO >= 16;
}

/**
 * y [N,O,HO,WO] = conv(x [N,C,H,W], k) with padding (ph, pw), stride 1, where the r x r kernel of
 * (o, c) starts at byte k.at with byte strides k.so, k.sc, k.sh, k.sw (the backward-input pass reads
 * the flipped, transposed kernel through negative strides).
 */
function runWinograd(c: FastContext, xs: readonly number[], O: number, r: number, ph: number, pw: number, HO: number, WO: number,
  xAddr: number, yAddr: number, k: { at: number; so: number; sc: number; sh: number; sw: number }): void {
  const [N, C, H, W] = xs;
  const geo = winoGeometry(r, HO, WO);
  const ustride = prepackedBytes(O, C, MR);
  withTemp(c, 36 * O * C * 4, (u) => withTemp(c, 36 * ustride, (upack) => {
    (r === 3 ? c.ex.wino_wt_3 : c.ex.wino_wt_5)(u, k.at, O, C, k.so, k.sc, k.sh, k.sw);
    for (let xi = 0; xi < 36; xi++) prepackA(c.ex, upack + xi * ustride, u + xi * O * C * 4, C * 4, 4, O, C, MR);
    const threads = 2 * N * O * C * HO * WO * r * r < PARALLEL_FLOPS ? 1 : c.pool.threads;
    withScratch(c, threads, GEMM_SCRATCH_BYTES + winoScratchBytes(C, O, geo).total, (scratch, stride) => {
      c.pool.run("winograd", {
        m: geo.m, N, C, H, W, O, HO, WO, ph, pw, x: xAddr, y: yAddr, upack, ustride,
        th: geo.th, twp: geo.twp, rowsPer: geo.rowsPer, imgsPer: geo.imgsPer, pair: geo.pair, Hp: geo.Hp, Wp: geo.Wp, scratch, stride,
      }, threads);
    });
  }));
}

const conv2d: Fast<"conv2d"> = (c, [x, w], y, at) => {
  if (!allF32([x, w, y])) return false;
  if (sizeOf(y.shape) === 0) return true;
  const [, Cin, r] = w.shape, [, O, HO, WO] = y.shape;
  if (winogradFits(c, Cin, O, w.shape.slice(2), HO, WO, at)) {
    runWinograd(c, x.shape, O, r, at.padding[0], at.padding[1], HO, WO, addr(x), addr(y),
      { at: addr(w), so: Cin * r * r * 4, sc: r * r * 4, sh: r * 4, sw: 4 });
    return true;
  }
  runConv(c, "convForward", x.shape, w.shape, y.shape, at, { x: addr(x), w: addr(w), y: addr(y) });
  return true;
};

const conv2dBackwardInput: Fast<"conv2dBackwardInput"> = (c, [gy, w], gx, at) => {
  if (!allF32([gy, w, gx])) return false;
  if (sizeOf(gx.shape) === 0) return true;
  if (sizeOf(gy.shape) === 0) { c.ex.fill_bytes(addr(gx), 0, sizeOf(gx.shape) * 4); return true; }
  // Stride 1: dx = conv(dy, flipped kernel with in/out swapped, padding r-1-p), which is gx's shape.
  const [O, Cin, r] = w.shape, [, , H, W] = gx.shape, [ph, pw] = at.padding;
  if (ph <= r - 1 && pw <= r - 1 && winogradFits(c, O, Cin, w.shape.slice(2), H, W, at)) {
    runWinograd(c, gy.shape, Cin, r, r - 1 - ph, r - 1 - pw, H, W, addr(gy), addr(gx),
      { at: addr(w) + (r * r - 1) * 4, so: r * r * 4, sc: Cin * r * r * 4, sh: -r * 4, sw: -4 });
    return true;
  }
  runConv(c, "convBackwardInput", at.inputShape, w.shape, gy.shape, at, { x: addr(gx), w: addr(w), y: addr(gy) });
  return true;
};

/**
 * gw [O,C,r,r] of a stride-1 convolution by Winograd: for each batch of images, the transforms (units:
 * images) and then 36 GEMMs (units: ξ) accumulate Mw [36][C][O] on the pool; one pass turns it into gw.
 */
function runWinogradWeight(c: FastContext, xs: readonly number[], O: number, r: number, ph: number, pw: number, HO: number, WO: number,
  xAddr: number, gyAddr: number, gwAddr: number): void {
  const [N, C, H, W] = xs;
  const geo = winoGeometry(r, HO, WO);
  const threads = 2 * N * O * C * HO * WO * r * r < PARALLEL_FLOPS ? 1 : c.pool.threads;
  const nb = winoWeightBatch(C, O, geo, N);
  withTemp(c, 36 * C * O * 4, (mw) => withTemp(c, winoWeightBatchBytes(C, O, geo, nb).total, (vw) => {
    c.ex.fill_bytes(mw, 0, 36 * C * O * 4);
    withScratch(c, threads, GEMM_SCRATCH_BYTES + winoWeightScratchBytes(C, O, geo), (scratch, stride) => {
      const args = {
        m: geo.m, N, C, H, W, O, HO, WO, ph, pw, x: xAddr, y: 0, upack: 0, ustride: 0,
        th: geo.th, twp: geo.twp, rowsPer: geo.rowsPer, imgsPer: geo.imgsPer, pair: geo.pair, Hp: geo.Hp, Wp: geo.Wp, scratch, stride, gy: gyAddr, mw, vw,
      };
      // The batches (and so each GEMM's K and k-blocking) depend on the shapes only, not the threads.
      for (let n0 = 0; n0 < N; n0 += nb) {
        const b = Math.min(nb, N - n0);
        c.pool.run("winogradWeight", { ...args, phase: 0, n0, nb: b }, threads);
        c.pool.run("winogradWeight", { ...args, phase: 1, n0, nb: b }, threads);
      }
    });
    (r === 3 ? c.ex.wino_wgrad_3 : c.ex.wino_wgrad_5)(gwAddr, mw, O, C);
  }));
}

const conv2dBackwardWeight: Fast<"conv2dBackwardWeight"> = (c, [x, gy], gw, at) => {
  if (!allF32([x, gy, gw])) return false;
  const [O, Cin, r] = at.weightShape, [, , HO, WO] = gy.shape;
  if (sizeOf(gw.shape) > 0 && sizeOf(gy.shape) > 0 && winogradFits(c, Cin, O, at.weightShape.slice(2), HO, WO, at)) {
    runWinogradWeight(c, x.shape, O, r, at.padding[0], at.padding[1], HO, WO, addr(x), addr(gy), addr(gw));
    return true;
  }
  c.ex.fill_bytes(addr(gw), 0, sizeOf(gw.shape) * 4);
  if (sizeOf(gw.shape) === 0 || sizeOf(gy.shape) === 0) return true;
  runConv(c, "convBackwardWeight", x.shape, at.weightShape, gy.shape, at, { x: addr(x), w: addr(gw), y: addr(gy) });
  return true;
};

function binaryFast(op: EwBinary): Fast<BinaryOp> {
  return (c, [a, b], out) => {
    if (!allF32([a, b, out])) return false;
    eachRow(out.shape, [out, a, b], ([o, ia, ib], [, sa, sb], n) => runRow(c, `ew_${op}`, [ia, ib], [sa, sb], o, 4, n));
    return true;
  };
}

function unaryFast(op: EwUnary): Fast<UnaryOp> {
  return (c, [x], out) => {
    if (!allF32([x, out])) return false;
    eachRow(out.shape, [out, x], ([o, ix], [, sx], n) => runRow(c, `ew_${op}`, [ix], [sx], o, 4, n));
    return true;
  };
}

/** Same-dtype strided copy of 4-byte elements (making inputs contiguous, transposes). */
const copy: Fast<"copy"> = (c, [x], out) => {
  // NOTE: 4-byte element types only; float64 and bool take the reference path.
  if (x.dtype !== out.dtype || (x.dtype !== "float32" && x.dtype !== "int32")) return false;
  const { shape, strides: [os, xs] } = collapse(out.shape, [out.strides, x.strides]);
  const r = shape.length;
  if (r >= 2 && xs[r - 2] === 1 && xs[r - 1] !== 1) {
    // A transposition in the last two dims: 4x4 SIMD blocks instead of a strided gather per row.
    const [rows, cols] = [shape[r - 2], shape[r - 1]];
    forRows(shape, [os, xs], [out.offset, x.offset], ([o, ix]) => c.ex.transpose32(ix * 4, 4, xs[r - 1] * 4, o * 4, os[r - 2] * 4, rows, cols), 2);
    return true;
  }
  eachRow(out.shape, [out, x], ([o, ix], [, sx], n) => runRow(c, "copy32", [ix], [sx], o, 4, n));
  return true;
};

const fill: Fast<"fill"> = (c, _ins, out, { value }) => {
  if (out.dtype !== "float32" && out.dtype !== "int32") return false;
  const n = sizeOf(out.shape);
  const bits = out.dtype === "float32" ? new Int32Array(new Float32Array([value]).buffer)[0] : value | 0;
  if (bits === 0) c.ex.fill_bytes(addr(out), 0, n * 4);
  else c.ex.fill32(addr(out), bits, n);
  return true;
};

export const fastKernels: { readonly [K in PrimOp]?: Fast<K> } = {
  matmul, conv2d, conv2dBackwardInput, conv2dBackwardWeight, copy, fill,
  maxPool2d, maxPool2dBackward, avgPool2d, avgPool2dBackward, cast, where,
  batchNormStats, batchNorm, batchNormGradSums, batchNormBackward, softmax, logSoftmax, softmaxCrossEntropy,
  ...Object.fromEntries(MATH_UNARY.map((op) => [op, mathFast(op)])),
  ...Object.fromEntries(CMP_OPS.map((op) => [op, compareFast(op)])),
  ...Object.fromEntries(EW_BINARY.map((op) => [op, binaryFast(op)])),
  ...Object.fromEntries(EW_UNARY.map((op) => [op, unaryFast(op)])),
  ...Object.fromEntries(REDUCE_OPS.map((op) => [op, reduceFast(op)])),
};
