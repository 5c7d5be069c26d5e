/**
 * Reference 2-D pooling on [N,C,H,W]. Max pooling's backward recomputes the argmax from the saved input
 * (the first maximum in scan order, as PyTorch's CPU kernel), so no index tensor is kept.
 * Padding positions never win a max; avg pooling divides by KH*KW when countIncludePad, else by the
 * number of in-bounds elements.
 */
import type { TypedArray } from "../../core/index.js";
import type { Pool2dAttrs } from "../ops.js";

interface PoolGeom { NC: number; H: number; W: number; HO: number; WO: number }

function geom(xShape: readonly number[], yShape: readonly number[]): PoolGeom {
  return { NC: xShape[0] * xShape[1], H: xShape[2], W: xShape[3], HO: yShape[2], WO: yShape[3] };
}

/** Calls fn(outIndex, inputIndexOfMax) for every output element. */
function maxScan(x: TypedArray, xo: number, g: PoolGeom, a: Pool2dAttrs, fn: (o: number, i: number, v: number) => void): void {
  const [KH, KW] = a.kernel, [sh, sw] = a.stride, [ph, pw] = a.padding;
  for (let p = 0; p < g.NC; p++) {
    const xb = xo + p * g.H * g.W;
    for (let oh = 0; oh < g.HO; oh++) {
      for (let ow = 0; ow < g.WO; ow++) {
        let best = -Infinity, bi = -1;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - ph + kh;
          if (ih < 0 || ih >= g.H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw - pw + kw;
            if (iw < 0 || iw >= g.W) continue;
            const v = x[xb + ih * g.W + iw];
            if (v > best || v !== v || bi < 0) {
              best = v; bi = xb + ih * g.W + iw;
              if (v !== v) break;
            }
          }
          if (best !== best) break;
        }
        fn((p * g.HO + oh) * g.WO + ow, bi, best);
      }
    }
  }
}

export function maxPool2d(x: TypedArray, xo: number, xShape: readonly number[], y: TypedArray, yo: number, yShape: readonly number[], a: Pool2dAttrs): void {
  maxScan(x, xo, geom(xShape, yShape), a, (o, _i, v) => { y[yo + o] = v; });
}

export function maxPool2dBackward(gy: TypedArray, gyo: number, x: TypedArray, xo: number, xShape: readonly number[], gx: TypedArray, gxo: number, yShape: readonly number[], a: Pool2dAttrs): void {
  const g = geom(xShape, yShape);
  gx.fill(0, gxo, gxo + g.NC * g.H * g.W);
  maxScan(x, xo, g, a, (o, i) => { if (i >= 0) gx[gxo + (i - xo)] += gy[gyo + o]; });
}

/** Visits every (output, input) pair of avg pooling with the divisor for that output. */
function avgScan(g: PoolGeom, a: Pool2dAttrs, fn: (o: number, i: number, inv: number) => void): void {
  const [KH, KW] = a.kernel, [sh, sw] = a.stride, [ph, pw] = a.padding;
  for (let p = 0; p < g.NC; p++) {
    for (let oh = 0; oh < g.HO; oh++) {
      const h0 = oh * sh - ph, hs = Math.max(h0, 0), he = Math.min(h0 + KH, g.H);
      for (let ow = 0; ow < g.WO; ow++) {
        const w0 = ow * sw - pw, ws = Math.max(w0, 0), we = Math.min(w0 + KW, g.W);
        const count = a.countIncludePad ? KH * KW : (he - hs) * (we - ws);
        const inv = 1 / count;
        const o = (p * g.HO + oh) * g.WO + ow;
        for (let ih = hs; ih < he; ih++) for (let iw = ws; iw < we; iw++) fn(o, p * g.H * g.W + ih * g.W + iw, inv);
      }
    }
  }
}

export function avgPool2d(x: TypedArray, xo: number, xShape: readonly number[], y: TypedArray, yo: number, yShape: readonly number[], a: Pool2dAttrs): void {
  const g = geom(xShape, yShape);
  const acc = new Float64Array(g.NC * g.HO * g.WO);
  const invs = new Float64Array(acc.length);
  avgScan(g, a, (o, i, inv) => { acc[o] += x[xo + i]; invs[o] = inv; });
  for (let o = 0; o < acc.length; o++) y[yo + o] = acc[o] * invs[o];
}

export function avgPool2dBackward(gy: TypedArray, gyo: number, gx: TypedArray, gxo: number, xShape: readonly number[], yShape: readonly number[], a: Pool2dAttrs): void {
  const g = geom(xShape, yShape);
  gx.fill(0, gxo, gxo + g.NC * g.H * g.W);
  avgScan(g, a, (o, i, inv) => { gx[gxo + i] += gy[gyo + o] * inv; });
}
