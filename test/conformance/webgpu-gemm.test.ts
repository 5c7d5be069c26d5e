/**
 * WebGPU matmul and convolutions (the tiled implicit GEMM of src/backend/webgpu/kernels/gemm.ts)
 * against the reference backend on odd shapes: sizes that are not multiples of any tile, transposed
 * operands, batches, groups, strides, dilation, padding, views with offsets, K = 0, every tile
 * configuration and the split-K path. Calls Backend.exec directly so offsets and attrs are exact.
 */
import { after, describe, it } from "node:test";
import * as g from "ganglion/node";
import type { Backend, OpAttrs, View } from "ganglion";
import { gemmTuning, TILES, type TileName } from "../../src/backend/webgpu/kernels/gemm.js";
import { assertClose } from "../helpers.js";

type Op = "matmul" | "conv2d" | "conv2dBackwardInput" | "conv2dBackwardWeight";

const strides = (s: readonly number[]): number[] => s.map((_, i) => s.slice(i + 1).reduce((a, b) => a * b, 1));
const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Runs `op` on backend `b` with inputs placed at `offset` elements into larger buffers. */
async function run<K extends Op>(b: Backend, op: K, inputs: readonly { shape: number[]; data: Float32Array }[], outShape: number[], attrs: OpAttrs[K], offset: number): Promise<Float32Array> {
  const bufs: View[] = inputs.map(({ shape, data }) => {
    const buf = b.alloc("float32", data.length + offset);
    const padded = new Float32Array(data.length + offset).fill(Number.NaN);
    padded.set(data, offset);
    b.write(buf, padded);
    return { buf, dtype: "float32", shape, strides: strides(shape), offset };
  });
  const obuf = b.alloc("float32", size(outShape) + offset);
  b.write(obuf, new Float32Array(size(outShape) + offset).fill(-7));
  const out: View = { buf: obuf, dtype: "float32", shape: outShape, strides: strides(outShape), offset };
  b.exec(op, bufs, out, attrs);
  const all = await b.read({ ...out, shape: [size(outShape) + offset], strides: [1], offset: 0 });
  for (const v of [...bufs, out]) b.free(v.buf);
  const head = Array.from(all.subarray(0, offset));
  if (head.some((v) => v !== -7)) throw new Error(`${op}: wrote before its output offset`);
  return Float32Array.from(all.subarray(offset));
}

async function compare<K extends Op>(gpu: Backend, op: K, shapes: number[][], outShape: number[], attrs: OpAttrs[K], K: number, seed: number, offset = 0): Promise<void> {
  const rng = new g.Rng(seed);
  const inputs = shapes.map((shape) => ({ shape, data: Float32Array.from(rng.normal(size(shape))) }));
  const want = await run(g.getBackendByName("reference"), op, inputs, outShape, attrs, offset);
  const got = await run(gpu, op, inputs, outShape, attrs, offset);
  // Sums of K products of unit normals: error grows like sqrt(K) ulps of the terms.
  const tol = 2e-6 * Math.sqrt(Math.max(K, 1)) * 8;
  assertClose(got, want, { atol: tol, rtol: 1e-4 }, `${op} ${JSON.stringify(shapes)} ${JSON.stringify(attrs)}`);
}

const outSize = (x: number, k: number, s: number, p: number, d: number): number => Math.floor((x + 2 * p - d * (k - 1) - 1) / s) + 1;

interface ConvCase { n: number; c: number; h: number; w: number; o: number; kh: number; kw: number; s: [number, number]; p: [number, number]; d: [number, number]; groups: number }

async function convAll(gpu: Backend, cc: ConvCase, seed: number, offset = 0): Promise<void> {
  const ho = outSize(cc.h, cc.kh, cc.s[0], cc.p[0], cc.d[0]), wo = outSize(cc.w, cc.kw, cc.s[1], cc.p[1], cc.d[1]);
  const x = [cc.n, cc.c, cc.h, cc.w], w = [cc.o, cc.c / cc.groups, cc.kh, cc.kw], y = [cc.n, cc.o, ho, wo];
  const a = { stride: cc.s, padding: cc.p, dilation: cc.d, groups: cc.groups };
  await compare(gpu, "conv2d", [x, w], y, a, (cc.c / cc.groups) * cc.kh * cc.kw, seed, offset);
  await compare(gpu, "conv2dBackwardInput", [y, w], x, { ...a, inputShape: x }, (cc.o / cc.groups) * cc.kh * cc.kw, seed + 1, offset);
  await compare(gpu, "conv2dBackwardWeight", [x, y], w, { ...a, weightShape: w }, cc.n * ho * wo, seed + 2, offset);
}

const backend = await g.initWebGPU();
if (!backend) {
  describe("webgpu gemm", () => {
    const why = "no WebGPU adapter found (install Mesa's lavapipe, as .ci/run does)";
    if (process.env.GANGLION_REQUIRE_WEBGPU === "1") it("has an adapter", () => { throw new Error(why); });
    else it(`SKIPPED: ${why}`, { skip: why }, () => {});
  });
} else {
  const gpu: Backend = backend;
  after(() => backend.destroy());

  describe("webgpu matmul vs reference", () => {
    // [B, M, N, K, transA, transB, offset]
    const cases: Array<[number, number, number, number, boolean, boolean, number]> = [
      [1, 1, 1, 1, false, false, 0],
      [3, 17, 33, 9, false, false, 5],
      [2, 130, 67, 129, true, false, 0],
      [2, 67, 130, 40, false, true, 3],
      [1, 45, 71, 33, true, true, 1],
      [1, 5, 300, 7, false, false, 0],
      [1, 300, 5, 70, false, true, 0],
      [5, 3, 2, 1, true, true, 2],
      [1, 40, 24, 3000, false, false, 0], // split-K
      [2, 20, 30, 1100, true, true, 7], // split-K, transposed, batched
      [1, 257, 255, 31, false, false, 0],
      [1, 2, 2 ** 21 + 5, 3, false, false, 0], // indices past the fast-division range: exact u32 division
      [70000, 1, 2, 3, false, true, 1], // more workgroups than one grid dimension holds
    ];
    for (const [B, M, N, K, tA, tB, off] of cases) {
      it(`[${B},${M},${K}]x[${B},${K},${N}] transA=${tA} transB=${tB} offset ${off}`, async () => {
        const a = tA ? [B, K, M] : [B, M, K], b = tB ? [B, N, K] : [B, K, N];
        await compare(gpu, "matmul", [a, b], [B, M, N], { transA: tA, transB: tB }, K, B * 1000 + M + N + K, off);
      });
    }
    it("K = 0 gives zeros", async () => {
      const got = await run(gpu, "matmul", [{ shape: [1, 3, 0], data: new Float32Array(0) }, { shape: [1, 0, 4], data: new Float32Array(0) }], [1, 3, 4], { transA: false, transB: false }, 0);
      assertClose(got, new Float32Array(12), { atol: 0, rtol: 0 }, "K=0");
    });
    for (const name of Object.keys(TILES) as TileName[]) {
      it(`tile ${name} (forced), with and without split-K`, async () => {
        gemmTuning.tile = name;
        try {
          await compare(gpu, "matmul", [[2, 37, 301], [2, 301, 53]], [2, 37, 53], { transA: false, transB: false }, 301, 11);
          gemmTuning.splits = 3;
          await compare(gpu, "matmul", [[2, 301, 37], [2, 53, 301]], [2, 37, 53], { transA: true, transB: true }, 301, 12);
        } finally {
          gemmTuning.tile = undefined;
          gemmTuning.splits = undefined;
        }
      });
    }
  });

  describe("webgpu conv2d family vs reference", () => {
    const cases: ConvCase[] = [
      { n: 2, c: 3, h: 7, w: 9, o: 5, kh: 3, kw: 3, s: [1, 1], p: [1, 1], d: [1, 1], groups: 1 },
      { n: 3, c: 6, h: 11, w: 9, o: 9, kh: 3, kw: 3, s: [2, 2], p: [2, 2], d: [2, 2], groups: 3 },
      { n: 1, c: 4, h: 10, w: 13, o: 6, kh: 2, kw: 5, s: [3, 2], p: [0, 2], d: [1, 2], groups: 2 },
      { n: 2, c: 8, h: 6, w: 6, o: 8, kh: 1, kw: 1, s: [1, 1], p: [0, 0], d: [1, 1], groups: 8 },
      { n: 5, c: 16, h: 12, w: 12, o: 20, kh: 5, kw: 5, s: [1, 1], p: [2, 2], d: [1, 1], groups: 1 },
      { n: 2, c: 3, h: 5, w: 5, o: 4, kh: 5, kw: 5, s: [1, 1], p: [0, 0], d: [1, 1], groups: 1 },
      { n: 2, c: 2, h: 9, w: 8, o: 3, kh: 3, kw: 2, s: [2, 3], p: [1, 0], d: [3, 1], groups: 1 },
      { n: 16, c: 8, h: 16, w: 16, o: 16, kh: 3, kw: 3, s: [1, 1], p: [1, 1], d: [1, 1], groups: 1 }, // long K in the weight gradient: split-K
    ];
    cases.forEach((cc, i) => {
      it(`x [${cc.n},${cc.c},${cc.h},${cc.w}] w [${cc.o},${cc.c / cc.groups},${cc.kh},${cc.kw}] stride ${cc.s} pad ${cc.p} dil ${cc.d} groups ${cc.groups}`, async () => {
        await convAll(gpu, cc, 100 + i * 10, i % 2 === 0 ? 0 : 3);
      });
    });
  });
}
