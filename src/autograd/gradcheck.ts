/**
 * Numerical gradient check (CS231n "gradient checks"): central differences (f(x+h) - f(x-h)) / 2h
 * computed in float64, compared with the analytic gradient by the relative error
 * |a - n| / max(|a|, |n|). Rules of thumb from the course: > 1e-2 is wrong; < 1e-4 is fine for
 * objectives with kinks; < 1e-7 is the analytic gradient being right. Non-scalar outputs are reduced
 * with a fixed random projection L = sum(out * R), which checks the vector-Jacobian product.
 */
import { Rng, fmt, isFloat } from "../core/index.js";
import * as T from "../tensor/index.js";
import type { Tensor } from "../tensor/index.js";

export interface GradcheckOptions {
  /** Finite-difference step (in float64). */
  readonly eps?: number;
  /** Pass when relErr <= rtol or |a - n| <= atol for every checked element. */
  readonly rtol?: number;
  readonly atol?: number;
  /** Check at most this many elements per input (chosen at random, seeded); default all. */
  readonly maxPerInput?: number;
  readonly seed?: number;
}

export interface GradcheckWorst {
  readonly input: number;
  readonly index: readonly number[];
  readonly analytic: number;
  readonly numeric: number;
  readonly relError: number;
}

export interface GradcheckReport {
  readonly ok: boolean;
  readonly maxRelError: number;
  readonly checked: number;
  readonly worst: GradcheckWorst | null;
  /** Human-readable verdict naming the worst element. */
  readonly message: string;
}

function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}

/** Checks d fn(...inputs) / d inputs[k] for every float input k. */
export function gradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[], o: GradcheckOptions = {}): GradcheckReport {
  const { eps = 1e-6, rtol = 1e-5, atol = 1e-8, maxPerInput = Infinity, seed = 0 } = o;
  const rng = new Rng(seed);
  const hosts = inputs.map((t) => (isFloat(t.dtype) ? Float64Array.from(t.dataSync()) : null));
  const make = (k: number, data: Float64Array | null, grad: boolean): Tensor =>
    data ? T.fromArray(data, inputs[k].shape, { dtype: "float64", requiresGrad: grad, backend: inputs[k].backend }) : inputs[k];
  let R: Float64Array | null = null;
  const loss = (xs: Tensor[]): Tensor => {
    const out = fn(...xs);
    const o64 = out.cast("float64");
    if (!R) R = Float64Array.from(rng.normal(out.size));
    return o64.mul(T.fromArray(R, out.shape, { dtype: "float64", backend: out.backend })).sum();
  };
  // Analytic gradients.
  const analytic = T.scope(() => {
    const xs = hosts.map((h, k) => make(k, h, h !== null));
    loss(xs).backward();
    return xs.map((x) => (x.grad ? Float64Array.from(x.grad.dataSync()) : null));
  });
  const evalAt = (k: number, i: number, v: number): number =>
    T.scope(() =>
      T.noGrad(() => {
        const h = Float64Array.from(hosts[k]!);
        h[i] = v;
        return loss(hosts.map((hh, j) => make(j, j === k ? h : hh, false))).item();
      }),
    );
  let worst: GradcheckWorst | null = null;
  let checked = 0;
  let ok = true;
  hosts.forEach((h, k) => {
    if (!h) return;
    const n = h.length;
    const picks = n <= maxPerInput ? [...Array(n).keys()] : Array.from(rng.permutation(n).subarray(0, maxPerInput));
    for (const i of picks) {
      const num = (evalAt(k, i, h[i] + eps) - evalAt(k, i, h[i] - eps)) / (2 * eps);
      const ana = analytic[k]?.[i] ?? 0;
      const diff = Math.abs(ana - num);
      const rel = diff === 0 ? 0 : diff / Math.max(Math.abs(ana), Math.abs(num));
      checked++;
      if (!(diff <= atol || rel <= rtol)) ok = false;
      if (!worst || rel > worst.relError || Number.isNaN(rel)) worst = { input: k, index: unravel(i, inputs[k].shape), analytic: ana, numeric: num, relError: rel };
    }
  });
  const w = worst as GradcheckWorst | null;
  const where = w ? `input ${w.input} ${fmt(inputs[w.input].shape)} at ${fmt(w.index)}: analytic ${w.analytic.toExponential(6)}, numeric ${w.numeric.toExponential(6)}, relative error ${w.relError.toExponential(2)}` : "no float inputs";
  const message = `${ok ? "gradcheck passed" : "gradcheck FAILED"} (${checked} elements, eps ${eps}); worst: ${where}`;
  return { ok, maxRelError: w?.relError ?? 0, checked, worst: w, message };
}


