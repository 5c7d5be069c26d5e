/**
 * Winograd convolutions (kernels/winograd.ts) against the reference backend and against im2col + GEMM:
 * F(4x4,3x3) and F(2x2,5x5), forward, backward input and backward weight, with padding 0..r-1, sizes that leave partial
 * tiles and partial tile groups, bands of several tile rows, a single image on several threads.
 * Error bound: the transforms add rounding of a few units in the last place of the largest output
 * (measured ~1e-6 x max|y| for these sizes); 2e-5 x max|y| leaves margin and still catches any
 * wrong coefficient, index or clipping (those give errors of order max|y|).
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../core/index.js";
import type { Conv2dAttrs } from "../ops.js";
import { ReferenceBackend } from "../reference/index.js";
import { winogradMatrices } from "./kernels/winograd-math.js";
import { WasmBackend } from "./index.js";
import { assertExact, randn, run } from "./testing.js";

const wino = new WasmBackend({ threads: 2 });
const wino1 = new WasmBackend({ threads: 1 });
const direct = new WasmBackend({ threads: 1, winograd: false });
const reference = new ReferenceBackend();
after(() => wino.dispose());
const rng = new Rng(11);

function assertNear(label: string, got: ArrayLike<number>, want: ArrayLike<number>): void {
  let scale = 0, worst = 0, at = -1;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    const e = Math.abs(got[i] - want[i]);
    if (!(e <= worst)) { worst = e; at = i; }
  }
  assert.ok(worst <= 2e-5 * scale, `${label}: |winograd - reference| = ${worst} at ${at} (got ${got[at]}, want ${want[at]}), max |y| = ${scale}`);
}

// [N, C, H, W, O, r, pad]
const CASES: readonly (readonly number[])[] = [
  [2, 8, 14, 14, 8, 5, 2], [3, 16, 13, 9, 12, 3, 1], [2, 9, 7, 7, 11, 3, 0], [1, 8, 32, 32, 16, 3, 1],
  [4, 20, 11, 17, 8, 5, 1], [2, 8, 5, 5, 8, 3, 2], [1, 12, 30, 6, 9, 5, 4], [3, 8, 19, 23, 8, 3, 2], [2, 10, 9, 9, 8, 5, 0],
  // Small maps: several images per band; 3x3 on maps two tiles wide take 2 x 2 tile groups (odd tile
  // rows padded to even: 20 rows = 5 tile rows).
  [7, 8, 7, 7, 10, 3, 1], [19, 8, 7, 7, 10, 3, 1], [3, 8, 20, 6, 9, 3, 1], [2, 8, 6, 6, 8, 3, 0],
];

describe("wasm winograd convolution", () => {
  it("the Toom-Cook matrices compute 1-D correlations exactly (F(4,3), F(2,5), F(2,3))", () => {
    for (const [m, r] of [[4, 3], [2, 5], [2, 3]]) {
      const { AT, G, BT, alpha } = winogradMatrices(m, r, m + r - 1 === 6 ? undefined : [0, 1, -1]);
      const g = Array.from({ length: r }, (_, k) => k + 1), d = Array.from({ length: alpha }, (_, k) => (k * 7) % 5 - 2);
      const u = G.map((row) => row.reduce((s, c, k) => s + c * g[k], 0)), v = BT.map((row) => row.reduce((s, c, k) => s + c * d[k], 0));
      const y = AT.map((row) => row.reduce((s, c, k) => s + c * u[k] * v[k], 0));
      const want = Array.from({ length: m }, (_, i) => g.reduce((s, gk, k) => s + gk * d[i + k], 0));
      y.forEach((yi, i) => assert.ok(Math.abs(yi - want[i]) < 1e-9, `F(${m},${r}) output ${i}: ${yi} vs ${want[i]}`));
    }
  });

  it("forward and backward input match the reference backend and im2col, bit-identical on 1 and 2 threads", () => {
    let routed = 0;
    for (const [N, C, H, W, O, r, p] of CASES) {
      const HO = H + 2 * p - r + 1, WO = W + 2 * p - r + 1;
      const at: Conv2dAttrs = { stride: [1, 1], padding: [p, p], dilation: [1, 1], groups: 1 };
      const x = randn(rng, [N, C, H, W]), w = randn(rng, [O, C, r, r], 0.3), gy = randn(rng, [N, O, HO, WO]);
      const label = `N${N} C${C} ${H}x${W} O${O} ${r}x${r} pad ${p}`;
      const fwd = run(wino, "conv2d", [x, w], [N, O, HO, WO], "float32", at);
      assertNear(`${label} forward vs reference`, fwd, run(reference, "conv2d", [x, w], [N, O, HO, WO], "float32", at));
      const im2col = run(direct, "conv2d", [x, w], [N, O, HO, WO], "float32", at);
      assertNear(`${label} forward vs im2col`, fwd, im2col);
      // Rounding differs from im2col's wherever Winograd ran: proof that the case took that path.
      if (fwd.some((v, i) => v !== im2col[i])) routed++;
      assertExact(`${label} forward 1 vs 2 threads`, run(wino1, "conv2d", [x, w], [N, O, HO, WO], "float32", at), fwd);
      const bat = { ...at, inputShape: [N, C, H, W] };
      const bwd = run(wino, "conv2dBackwardInput", [gy, w], [N, C, H, W], "float32", bat);
      assertNear(`${label} backward input vs reference`, bwd, run(reference, "conv2dBackwardInput", [gy, w], [N, C, H, W], "float32", bat));
      assertExact(`${label} backward input 1 vs 2 threads`, run(wino1, "conv2dBackwardInput", [gy, w], [N, C, H, W], "float32", bat), bwd);
    }
    assert.equal(routed, CASES.length, "every case should have run through Winograd");
  });

  it("backward weight matches the reference backend, bit-identical on 1 and 2 threads", () => {
    for (const [N, C, H, W, O, r, p] of CASES) {
      const HO = H + 2 * p - r + 1, WO = W + 2 * p - r + 1;
      const at = { stride: [1, 1], padding: [p, p], dilation: [1, 1], groups: 1, weightShape: [O, C, r, r] } as const;
      const x = randn(rng, [N, C, H, W]), gy = randn(rng, [N, O, HO, WO]);
      const label = `N${N} C${C} ${H}x${W} O${O} ${r}x${r} pad ${p}`;
      const gw = run(wino, "conv2dBackwardWeight", [x, gy], [O, C, r, r], "float32", at);
      assertNear(`${label} backward weight vs reference`, gw, run(reference, "conv2dBackwardWeight", [x, gy], [O, C, r, r], "float32", at));
      assertExact(`${label} backward weight 1 vs 2 threads`, run(wino1, "conv2dBackwardWeight", [x, gy], [O, C, r, r], "float32", at), gw);
    }
  });

  it("leaves ineligible convolutions (stride 2, dilation, groups, 1 input channel, 7x7) on im2col: identical to winograd: false", () => {
    const shapes: [number[], number[], Conv2dAttrs][] = [
      [[2, 8, 12, 12], [8, 8, 3, 3], { stride: [2, 2], padding: [1, 1], dilation: [1, 1], groups: 1 }],
      [[2, 8, 12, 12], [8, 8, 3, 3], { stride: [1, 1], padding: [2, 2], dilation: [2, 2], groups: 1 }],
      [[2, 16, 12, 12], [16, 8, 3, 3], { stride: [1, 1], padding: [1, 1], dilation: [1, 1], groups: 2 }],
      [[2, 1, 12, 12], [16, 1, 5, 5], { stride: [1, 1], padding: [2, 2], dilation: [1, 1], groups: 1 }],
      [[2, 8, 12, 12], [8, 8, 7, 7], { stride: [1, 1], padding: [3, 3], dilation: [1, 1], groups: 1 }],
    ];
    for (const [xs, ws, at] of shapes) {
      const HO = Math.floor((xs[2] + 2 * at.padding[0] - at.dilation[0] * (ws[2] - 1) - 1) / at.stride[0]) + 1;
      const ys = [xs[0], ws[0], HO, HO];
      const x = randn(rng, xs), w = randn(rng, ws);
      assertExact(`${JSON.stringify(at)} ${ws}`, run(wino1, "conv2d", [x, w], ys, "float32", at), run(direct, "conv2d", [x, w], ys, "float32", at));
    }
  });
});
