/** Reference reductions: sum/max/min over any set of axes of a strided view; argmax/argmin over one axis. */
import { sizeOf } from "../../core/index.js";
import type { ReduceOp } from "../ops.js";
import { forEachRow, type ArrView } from "./strided.js";

/**
 * Reduces `x` over `axes` into contiguous `out` (shape of x with those axes removed or set to 1).
 * The view is permuted so kept axes come first; each output element then reduces a sub-view.
 */
export function reduce(op: ReduceOp, x: ArrView, axes: readonly number[], out: ArrView): void {
  const rank = x.shape.length;
  const red = new Set(axes);
  const keptDims = [...Array(rank).keys()].filter((d) => !red.has(d));
  const redDims = [...axes];
  const keptShape = keptDims.map((d) => x.shape[d]);
  const keptStrides = keptDims.map((d) => x.strides[d]);
  const redShape = redDims.map((d) => x.shape[d]);
  const redStrides = redDims.map((d) => x.strides[d]);
  const inner = redShape.length ? redStrides[redStrides.length - 1] : 1;
  const o = out.data;
  const xd = x.data;
  const nRed = sizeOf(redShape);
  forEachRow(keptShape.length ? keptShape : [], [keptStrides], [x.offset], (p, [start], len) => {
    const ks = keptStrides.length ? keptStrides[keptStrides.length - 1] : 0;
    for (let j = 0; j < len; j++) {
      let acc = op === "sum" ? 0 : op === "max" ? -Infinity : Infinity;
      let nan = false;
      if (nRed > 0) {
        forEachRow(redShape, [redStrides], [start + j * ks], (_q, [i], n) => {
          for (let t = 0; t < n; t++) {
            const v = xd[i + t * inner];
            if (op === "sum") acc += v;
            else if (v !== v) nan = true;
            else if (op === "max" ? v > acc : v < acc) acc = v;
          }
        });
      }
      o[out.offset + p + j] = nan ? NaN : acc;
    }
  });
}

/** Index of the first max (min) along `axis` of contiguous `x`; NaN counts as the extreme, as in PyTorch. */
export function argReduce(kind: "argmax" | "argmin", x: ArrView, axis: number, out: ArrView): void {
  const outer = sizeOf(x.shape.slice(0, axis));
  const n = x.shape[axis];
  const inner = sizeOf(x.shape.slice(axis + 1));
  const xd = x.data;
  const better = kind === "argmax" ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = x.offset + o * n * inner + i;
      let best = xd[base];
      let bi = 0;
      if (best === best) {
        for (let k = 1; k < n; k++) {
          const v = xd[base + k * inner];
          if (v !== v) { bi = k; break; }
          if (better(v, best)) { best = v; bi = k; }
        }
      }
      out.data[out.offset + o * inner + i] = bi;
    }
  }
}
