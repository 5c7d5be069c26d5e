/** Reference softmax family: numerically stable (max-shifted), computed in float64, along any axis. */
import { ValueError, sizeOf } from "../../core/index.js";
import type { ArrView } from "./strided.js";

function softmaxImpl(x: ArrView, out: ArrView, axis: number, log: boolean): void {
  const outer = sizeOf(x.shape.slice(0, axis));
  const n = x.shape[axis];
  const inner = sizeOf(x.shape.slice(axis + 1));
  const xd = x.data, od = out.data;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const b = o * n * inner + i;
      let m = -Infinity;
      for (let k = 0; k < n; k++) m = Math.max(m, xd[x.offset + b + k * inner]);
      let s = 0;
      for (let k = 0; k < n; k++) s += Math.exp(xd[x.offset + b + k * inner] - m);
      const ls = Math.log(s);
      for (let k = 0; k < n; k++) {
        const z = xd[x.offset + b + k * inner] - m;
        od[out.offset + b + k * inner] = log ? z - ls : Math.exp(z) / s;
      }
    }
  }
}

export function softmax(x: ArrView, out: ArrView, axis: number): void {
  softmaxImpl(x, out, axis, false);
}
export function logSoftmax(x: ArrView, out: ArrView, axis: number): void {
  softmaxImpl(x, out, axis, true);
}

/** loss[i] = logsumexp(z[i,:]) - z[i, y[i]]. */
export function softmaxCrossEntropy(z: ArrView, y: ArrView, out: ArrView): void {
  const [N, C] = z.shape;
  for (let i = 0; i < N; i++) {
    const b = z.offset + i * C;
    const label = y.data[y.offset + i];
    if (!(label >= 0 && label < C)) {
      throw new ValueError(`softmaxCrossEntropy: label ${label} of example ${i} is out of range [0, ${C}) for logits [${N},${C}]`);
    }
    let m = -Infinity;
    for (let k = 0; k < C; k++) m = Math.max(m, z.data[b + k]);
    let s = 0;
    for (let k = 0; k < C; k++) s += Math.exp(z.data[b + k] - m);
    out.data[out.offset + i] = Math.log(s) + m - z.data[b + label];
  }
}
