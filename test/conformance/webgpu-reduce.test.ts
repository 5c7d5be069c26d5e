/**
 * WebGPU reductions, softmax family and fused batch norm against the reference backend on shapes the
 * golden cases do not reach: odd extents (not multiples of the workgroup sizes), long rows and
 * columns that take the chunked two-pass paths, strided/broadcast/permuted views, NaN and -inf, ties,
 * int32, empty axes; plus the batch-norm and cross-entropy PyTorch goldens of the nn group.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion/node";
import type { Tensor } from "ganglion";
import { assertClose, type Tol } from "../helpers.js";
import { goldenSuite } from "./suite.js";

type Backend = ReturnType<typeof g.getBackendByName>;
type Build = (b: Backend) => Tensor | Tensor[];

/** Deterministic host data (a small LCG), so both backends get identical inputs. */
function data(n: number, seed: number, { scale = 1, shift = 0, ints = 0 } = {}): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 2 ** 32;
    out[i] = ints > 0 ? Math.floor(u * ints) : (u * 2 - 1) * scale + shift;
  }
  return out;
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const mk = (b: Backend, shape: number[], seed: number, o: Parameters<typeof data>[2] = {}): Tensor => g.fromArray(data(size(shape), seed, o), shape, { backend: b });

const backend = await g.initWebGPU();
if (!backend) {
  describe("webgpu reductions, softmax, batch norm", () => {
    const why = "no WebGPU adapter found (install Mesa's lavapipe from bookworm-backports, as .ci/run does)";
    if (process.env.GANGLION_REQUIRE_WEBGPU === "1") it("has an adapter", () => { throw new Error(why); });
    else it(`SKIPPED: ${why}`, { skip: why }, () => {});
  });
} else {
  const ref = g.getBackendByName("reference");
  const gpu = g.getBackendByName("webgpu");
  after(() => backend.destroy());

  /** Runs `build` on both backends and compares every returned tensor (int32 exactly). */
  async function compare(name: string, build: Build, tol: Tol = { atol: 1e-5, rtol: 1e-4 }): Promise<void> {
    const run = async (b: Backend): Promise<{ vals: Float64Array[]; dtypes: string[] }> => {
      const ys = g.scope(() => {
        const r = build(b);
        return Array.isArray(r) ? r : [r];
      });
      try {
        return { vals: await Promise.all(ys.map(async (y) => Float64Array.from(await y.data()))), dtypes: ys.map((y) => y.dtype) };
      } finally {
        for (const y of ys) y.dispose();
      }
    };
    const [got, want] = [await run(gpu), await run(ref)];
    want.vals.forEach((w, i) => {
      if (want.dtypes[i] === "int32") assert.deepEqual(Array.from(got.vals[i]), Array.from(w), `${name} output ${i}`);
      else {
        // assertClose sees inf - inf = NaN: equal entries (infinities included) are zeroed on both sides.
        const a = got.vals[i].map((v, j) => (v === w[j] ? 0 : v));
        assertClose(a, w.map((v, j) => (v === got.vals[i][j] ? 0 : v)), tol, `${name} output ${i}`);
      }
    });
  }

  const cases = (group: string, list: Array<[string, Build, Tol?]>): void => {
    describe(`webgpu ${group} vs reference`, () => {
      for (const [name, build, tol] of list) it(name, () => compare(name, build, tol));
    });
  };

  // Sums of many uniform values: compare with a tolerance relative to the sum of |x| (float32 order differs).
  const big: Tol = { atol: 2e-3, rtol: 1e-4 };
  cases("sum/max/min", [
    ["sum last axis [37,1000] (rows)", (b) => mk(b, [37, 1000], 1).sum(1)],
    ["sum first axis [1000,37] (columns)", (b) => mk(b, [1000, 37], 2).sum(0)],
    ["sum all of [3,100003] (chunked rows, two passes)", (b) => mk(b, [3, 100003], 3).sum(), big],
    ["sum axis 0 of [100003,3] (chunked columns)", (b) => mk(b, [100003, 3], 4).sum(0), big],
    ["sum axis 1 of [5,70001] (chunked rows)", (b) => mk(b, [5, 70001], 5).sum(1), big],
    ["sum [0,2,3] of [17,6,13,11] (conv bias gradient)", (b) => mk(b, [17, 6, 13, 11], 6).sum([0, 2, 3])],
    ["sum [0,2] of permuted [7,9,11]", (b) => mk(b, [7, 9, 11], 7).permute([2, 0, 1]).sum([0, 2])],
    ["sum [1] of transposed [129,67]", (b) => mk(b, [129, 67], 8).transpose().sum(1)],
    ["sum of sliced view", (b) => mk(b, [40, 50], 9).slice([3, 5], [37, 48]).sum([0])],
    ["sum of broadcast (stride 0) view", (b) => mk(b, [1, 301], 10).expand([77, 301]).sum([0])],
    ["sum [0,2,3] of a sliced view (three reduced dims, generic rows)", (b) => mk(b, [6, 5, 40, 30], 24).slice([0, 0, 0, 0], [6, 5, 40, 25]).sum([0, 2, 3])],
    ["sum [0,2] of [2,3,20000] (few outer rows, long inner)", (b) => mk(b, [2, 3, 20000], 25).sum([0, 2]), big],
    ["sum [1,2] of permuted slice (generic columns)", (b) => mk(b, [30, 21, 7], 26).slice([0, 0, 0], [30, 20, 7]).permute([2, 1, 0]).sum([1, 2])],
    ["short rows share a workgroup: [301,49], [1001,10], [77,100] last axis", (b) => [mk(b, [301, 49], 27).max(1), mk(b, [1001, 10], 28).sum(1), mk(b, [77, 100], 29).min(1)]],
    ["global average pool shape: sum [2,3] of [13,37,7,7]", (b) => mk(b, [13, 37, 7, 7], 30).sum([2, 3])],
    ["sum [0,2] of [50,7,9] (nested, short inner)", (b) => mk(b, [50, 7, 9], 31).sum([0, 2])],
    ["sum keepDims [3,4,5] axis 1", (b) => mk(b, [3, 4, 5], 11).sum(1, { keepDims: true })],
    ["max/min last axis [33,515]", (b) => [mk(b, [33, 515], 12).max(1), mk(b, [33, 515], 12).min(1)]],
    ["max/min axis 0 [515,33]", (b) => [mk(b, [515, 33], 13).max(0), mk(b, [515, 33], 13).min(0)]],
    ["max/min of everything [250000] (chunked)", (b) => [mk(b, [250000], 14).max(), mk(b, [250000], 14).min()]],
    ["max/min axes [0,2] of [9,10,300]", (b) => [mk(b, [9, 10, 300], 15).max([0, 2]), mk(b, [9, 10, 300], 15).min([0, 2])]],
    ["max/min propagate NaN", (b) => {
      const x = mk(b, [6, 300], 16).log(); // about half the entries are NaN
      const y = mk(b, [6, 300], 17, { shift: 2 }).log(); // none NaN
      return [x.max(1), x.min(1), x.max(0), y.max(1), y.min(0)];
    }],
    ["max/min of -inf rows", (b) => mk(b, [4, 100], 18, { shift: -2 }).log().max(1)],
    ["int32 sum/max/min", (b) => {
      const x = g.fromArray(Int32Array.from(data(20 * 700, 19, { ints: 2001 }), (v) => v - 1000), [20, 700], { dtype: "int32", backend: b });
      return [x.sum(1), x.sum(0), x.max(1), x.min(0), x.sum()];
    }],
    ["sum over an empty axis is 0", (b) => g.zeros([3, 0, 4], { backend: b }).sum(1)],
  ]);

  cases("argmax/argmin", [
    ["argmax/argmin rows [9,1000] (workgroup per row, ties)", (b) => {
      const x = mk(b, [9, 1000], 20, { ints: 50 });
      return [x.argmax(1), x.argmin(1)];
    }],
    ["argmax/argmin inner axis [5,300,7] (ties)", (b) => {
      const x = mk(b, [5, 300, 7], 21, { ints: 20 });
      return [x.argmax(1), x.argmin(1), x.argmax(0), x.argmin(2)];
    }],
    ["argmax/argmin with NaN", (b) => {
      const x = mk(b, [8, 400], 22, { shift: 0.5 }).log();
      return [x.argmax(1), x.argmin(1), x.argmax(0)];
    }],
    ["argmax of everything [70001]", (b) => mk(b, [70001], 23).argmax()],
  ]);

  cases("softmax family", [
    ["softmax/logSoftmax last axis [33,1000] (rows)", (b) => [mk(b, [33, 1000], 30, { scale: 8 }).softmax(1), mk(b, [33, 1000], 30, { scale: 8 }).logSoftmax(1)]],
    ["softmax/logSoftmax last axis [513,10] (threads)", (b) => [mk(b, [513, 10], 31, { scale: 5 }).softmax(1), mk(b, [513, 10], 31, { scale: 5 }).logSoftmax(1)]],
    ["softmax/logSoftmax middle axis [4,70,5]", (b) => [mk(b, [4, 70, 5], 32, { scale: 5 }).softmax(1), mk(b, [4, 70, 5], 32, { scale: 5 }).logSoftmax(1)]],
    ["softmax large values and -inf", (b) => {
      const x = mk(b, [6, 200], 33, { scale: 1e4 });
      const m = mk(b, [6, 200], 34).lt(-0.5); // a quarter of the entries to -inf
      const y = g.where(m, -Infinity, x);
      return [y.softmax(1), y.logSoftmax(1), y.slice([0, 0], [6, 40]).softmax(1)];
    }],
    ["softmax of a NaN row and a -inf row", (b) => {
      const x = g.fromArray(Float32Array.from([1, NaN, 2, -Infinity, -Infinity, -Infinity]), [2, 3], { backend: b });
      return [x.softmax(1), x.logSoftmax(1)];
    }],
    ["logSoftmax [3,5000]", (b) => mk(b, [3, 5000], 35, { scale: 3 }).logSoftmax(1)],
  ]);

  const ce = (b: Backend, n: number, c: number, seed: number): Tensor => {
    const y = g.fromArray(Int32Array.from(data(n, seed + 1, { ints: c })), [n], { dtype: "int32", backend: b });
    return g.softmaxCrossEntropy(mk(b, [n, c], seed, { scale: 6 }), y);
  };
  cases("softmaxCrossEntropy", [
    ["[37,10] (threads)", (b) => ce(b, 37, 10, 40)],
    ["[9,1000] (rows)", (b) => ce(b, 9, 1000, 41)],
    ["[300,65]", (b) => ce(b, 300, 65, 42)],
  ]);

  describe("webgpu softmaxCrossEntropy out-of-range label", () => {
    it("throws at the read like the reference (see webgpu-index-errors.test.ts)", async () => {
      const [z, y] = [mk(gpu, [3, 4], 43), g.fromArray(Int32Array.from([0, 7, -1]), [3], { dtype: "int32", backend: gpu })];
      const l = g.softmaxCrossEntropy(z, y);
      await assert.rejects(l.data(), /softmaxCrossEntropy: label (7 of example 1|-1 of example 2) is out of range \[0, 4\) for logits \[3,4\]/);
      for (const t of [z, y, l]) t.dispose();
    });
  });

  /** Forward, statistics and every gradient of the fused batch norm. */
  const bn = (shape: number[], seed: number, shift = 0): Build => (b) => {
    const C = shape[1];
    const x = mk(b, shape, seed, { scale: 2, shift });
    x.requiresGrad = true;
    const w = mk(b, [C], seed + 1);
    w.requiresGrad = true;
    const bias = mk(b, [C], seed + 2);
    bias.requiresGrad = true;
    const st = g.batchNormStats(x);
    const y = g.batchNormTrain(x, st, w, bias, 1e-5);
    y.backward(mk(b, shape, seed + 3));
    // Copies: the gradients are disposed with their leaves at the end of the scope.
    return [st, y, ...[x, w, bias].map((t) => t.grad!.mul(1))];
  };
  const bnTol: Tol = { atol: 2e-4, rtol: 1e-3 };
  cases("batch norm", [
    ["[4,3,5,6]", bn([4, 3, 5, 6], 50)],
    ["[300,7] (BatchNorm1d, narrow)", bn([300, 7], 51), bnTol],
    ["[8,5,3,3] (S = 9, narrow)", bn([8, 5, 3, 3], 52)],
    ["[3,4,1000] (wide, long rows)", bn([3, 4, 1000], 53), bnTol],
    ["[33,6,17,19] mean 100 (cancellation)", bn([33, 6, 17, 19], 54, 100), bnTol],
    ["[2000,3,2,2] (many chunks, narrow)", bn([2000, 3, 2, 2], 55), bnTol],
    ["[64,16,32,32] mean 50 (a training-size layer)", bn([64, 16, 32, 32], 56, 50), { atol: 1e-3, rtol: 2e-3 }],
  ]);

  // Contiguous inputs that start inside their buffer (narrow along dim 0): offsets reach every kernel.
  cases("views with offsets", [
    ["batch norm on narrow(0,1,3) of [5,6,8,8] (vec4 at offset 384)", (b) => {
      const x = mk(b, [5, 6, 8, 8], 70).narrow(0, 1, 3);
      const st = g.batchNormStats(x);
      return [st, g.batchNormTrain(x, st, mk(b, [6], 71), mk(b, [6], 72), 1e-5)];
    }],
    ["batch norm on narrow(0,1,3) of [5,6,7,9] (scalar, odd offset)", (b) => {
      const x = mk(b, [5, 6, 7, 9], 73).narrow(0, 1, 3);
      const st = g.batchNormStats(x);
      return [st, g.batchNormTrain(x, st, mk(b, [6], 74), mk(b, [6], 75), 1e-5)];
    }],
    ["softmax/argmax/cross-entropy on narrowed rows", (b) => {
      const z = mk(b, [40, 300], 76, { scale: 4 }).narrow(0, 3, 30);
      const y = g.fromArray(Int32Array.from(data(40, 77, { ints: 300 })), [40], { dtype: "int32", backend: b }).narrow(0, 5, 30);
      return [z.softmax(1), z.logSoftmax(1), z.argmax(1), g.softmaxCrossEntropy(z, y), z.sum(1)];
    }],
  ]);

  describe("webgpu batchNormStats precision", () => {
    it("variance 0.25 at mean 1000 over 262144 elements per channel", async () => {
      const x = mk(gpu, [256, 2, 32, 32], 60, { scale: Math.sqrt(3) * 0.5, shift: 1000 });
      const st = g.batchNormStats(x);
      const [s, xs] = [await st.data(), await x.data()];
      for (let c = 0; c < 2; c++) {
        let m = 0, v = 0, n = 0;
        for (let i = 0; i < 256; i++) for (let k = 0; k < 1024; k++) { m += xs[(i * 2 + c) * 1024 + k]; n++; }
        m /= n;
        for (let i = 0; i < 256; i++) for (let k = 0; k < 1024; k++) v += (xs[(i * 2 + c) * 1024 + k] - m) ** 2;
        v /= n;
        assertClose([s[c], s[2 + c]], [m, v], { atol: 1e-4, rtol: 1e-3 }, `channel ${c}`);
      }
      x.dispose();
      st.dispose();
    });
  });

  // PyTorch goldens of the nn group that run on these kernels.
  const F = g.nn.functional;
  goldenSuite("webgpu", ["norm", "softmax"], {
    batchNorm: ([x, w, b], a) => F.batchNorm(x, null, null, w, b, { training: a.training as boolean, eps: a.eps as number }),
    crossEntropy: ([z, t], a) => F.crossEntropy(z, t, { reduction: a.reduction as g.nn.Reduction, labelSmoothing: a.labelSmoothing as number }),
  }, new Set(["layerNorm", "softmax", "logSoftmax", "nllLoss", "mseLoss", "bceWithLogits", "svmLoss"]));
}
