/**
 * Reference batch normalization kernels (Ioffe & Szegedy 2015, https://arxiv.org/abs/1502.03167) on
 * contiguous [N,C,...] views, in float64: statistics over every axis but 1, M = N * (product of the
 * trailing dims) elements per channel. The backward formula is the standard one for batch statistics
 * (the paper's section 3, simplified): with xhat = (x - mean) * invstd,
 *   dbias = sum(gy), dweight = sum(gy * xhat), gx = weight * invstd * (gy - dbias/M - xhat * dweight/M).
 */
import type { ArrView } from "./strided.js";

interface Layout { N: number; C: number; S: number }

function layout(x: ArrView): Layout {
  const S = x.shape.slice(2).reduce((a, b) => a * b, 1);
  return { N: x.shape[0], C: x.shape[1], S };
}

/** Calls fn(c, i) for every element i (offset from the view's start) of channel c, in memory order. */
function eachInChannel({ N, C, S }: Layout, c: number, fn: (i: number) => void): void {
  for (let n = 0; n < N; n++) {
    const base = (n * C + c) * S;
    for (let s = 0; s < S; s++) fn(base + s);
  }
}

const mean = (stats: ArrView, c: number): number => stats.data[stats.offset + c];
const invstd = (stats: ArrView, C: number, c: number, eps: number): number => 1 / Math.sqrt(stats.data[stats.offset + C + c] + eps);

/** out [2,C]: mean, then biased variance (two passes, so no cancellation). */
export function batchNormStats(x: ArrView, out: ArrView): void {
  const g = layout(x);
  const M = g.N * g.S;
  const xd = x.data;
  for (let c = 0; c < g.C; c++) {
    let s = 0;
    eachInChannel(g, c, (i) => { s += xd[x.offset + i]; });
    const m = s / M;
    let v = 0;
    eachInChannel(g, c, (i) => { const d = xd[x.offset + i] - m; v += d * d; });
    out.data[out.offset + c] = m;
    out.data[out.offset + g.C + c] = v / M;
  }
}

export function batchNorm(x: ArrView, stats: ArrView, w: ArrView, b: ArrView, out: ArrView, eps: number): void {
  const g = layout(x);
  for (let c = 0; c < g.C; c++) {
    const m = mean(stats, c), r = invstd(stats, g.C, c, eps);
    const wc = w.data[w.offset + c], bc = b.data[b.offset + c];
    eachInChannel(g, c, (i) => { out.data[out.offset + i] = (x.data[x.offset + i] - m) * r * wc + bc; });
  }
}

/** out [2,C]: sum(gy), sum(gy * xhat). */
export function batchNormGradSums(gy: ArrView, x: ArrView, stats: ArrView, out: ArrView, eps: number): void {
  const g = layout(x);
  for (let c = 0; c < g.C; c++) {
    const m = mean(stats, c), r = invstd(stats, g.C, c, eps);
    let sg = 0, sgx = 0;
    eachInChannel(g, c, (i) => {
      const v = gy.data[gy.offset + i];
      sg += v;
      sgx += v * (x.data[x.offset + i] - m) * r;
    });
    out.data[out.offset + c] = sg;
    out.data[out.offset + g.C + c] = sgx;
  }
}

export function batchNormBackward(gy: ArrView, x: ArrView, stats: ArrView, w: ArrView, sums: ArrView, out: ArrView, eps: number): void {
  const g = layout(x);
  const M = g.N * g.S;
  for (let c = 0; c < g.C; c++) {
    const m = mean(stats, c), r = invstd(stats, g.C, c, eps);
    const k = w.data[w.offset + c] * r;
    const sg = sums.data[sums.offset + c] / M, sgx = sums.data[sums.offset + g.C + c] / M;
    eachInChannel(g, c, (i) => {
      const xhat = (x.data[x.offset + i] - m) * r;
      out.data[out.offset + i] = k * (gy.data[gy.offset + i] - sg - xhat * sgx);
    });
  }
}
