/**
 * Check 7 — gradient check of the user's model (CS231n, "Gradient checks",
 * https://cs231n.github.io/neural-networks-3/#gradcheck): compare the autograd gradient of the loss on a
 * few examples with centered differences (L(θ + h·d) − L(θ − h·d)) / 2h.
 *
 * NOTE: parameters are float32 and modules cannot be re-typed, so the check runs in float32 (documented
 * choice; no float64 copy of an arbitrary model can be built). A single element's finite difference drowns
 * in float32 rounding (a loss of 2.3 has an ulp of 2.4e-7, more than h·∂L/∂θᵢ for a typical weight), so
 * each parameter tensor is checked along one unit direction d = normalize(ĝ + r), r random — a
 * directional derivative, numeric vs gᵀd, whose signal is ~‖g‖ rather than one element's.
 * Step size: ReLU/max-pool kinks crossed by the perturbation bias the difference (CS231n's "kinks in the
 * objective"), more so the larger h; rounding grows as 1/h. So h = `epsRel`·max(‖θ‖, 1) is tried and then
 * 10× and 100× smaller, keeping the best agreement: a kink crossed at one step is rarely crossed at a
 * 10× smaller one, while a wrong gradient disagrees at every step. Float32 thresholds: relative error
 * < 2e-2 passes, < 2e-1 warns, above fails (CS231n's float64 "1e-7 is good" cannot be reached here).
 * Dropout-like layers are switched off (their masks would change between evaluations).
 */
import { Rng } from "../../core/index.js";
import { fromArray, noGrad, scope, type Tensor } from "../../tensor/index.js";
import { crossEntropy, type Module } from "../../nn/index.js";
import type { DataLoader } from "../../data/index.js";
import { onScratchModel, takeBatch } from "./state.js";
import type { CheckResult, CheckStatus, LossFn } from "./types.js";

export interface ModelGradcheckOptions {
  /** Examples in the batch (default 4). */
  readonly examples?: number;
  /** Check at most this many parameter tensors (a seeded random subset; default 16). */
  readonly maxParams?: number;
  /** Largest perturbation, relative to max(‖θ‖, 1) (default 1e-2). */
  readonly epsRel?: number;
  /** Step sizes tried, each 10× smaller than the last, keeping the best agreement (default 3). */
  readonly steps?: number;
  readonly loss?: LossFn;
  readonly seed?: number;
  /** Relative errors below this pass (default 2e-2), below `failAbove` warn (default 2e-1), above fail. */
  readonly passBelow?: number;
  readonly failAbove?: number;
}

export interface ParamGradcheck {
  readonly name: string;
  readonly analytic: number;
  readonly numeric: number;
  readonly relError: number;
  /** |analytic − numeric| is below the float32 noise floor of the loss: counts as agreement. */
  readonly withinNoise: boolean;
  /** The perturbation (relative to max(‖θ‖, 1)) that gave the best agreement. */
  readonly step: number;
}

export interface ModelGradcheckResult extends CheckResult {
  /** Every checked parameter, worst first. */
  readonly params: readonly ParamGradcheck[];
}

/** The error that counts: 0 when the disagreement is within float32 rounding of the loss. */
const score = (p: ParamGradcheck): number => (p.withinNoise ? 0 : p.relError);

export function gradcheckModel(model: Module, loader: DataLoader, o: ModelGradcheckOptions = {}): ModelGradcheckResult {
  const { examples = 4, maxParams = 16, epsRel = 1e-2, steps = 3, seed = 0, passBelow = 2e-2, failAbove = 2e-1 } = o;
  const lossFn = o.loss ?? ((z: Tensor, y: Tensor) => crossEntropy(z, y));
  const rng = new Rng(seed, 0x67c4);
  const { x, y } = takeBatch(loader, examples);
  const named = [...model.namedParameters()].filter(([, p]) => p.requiresGrad);
  const pick = named.length <= maxParams ? named : Array.from(rng.permutation(named.length).subarray(0, maxParams)).sort((a, b) => a - b).map((i) => named[i]);
  const results = onScratchModel(model, () => {
    const lossAt = (): number => noGrad(() => scope(() => lossFn(model.forward(x), y).item()));
    const grads = scope(() => {
      lossFn(model.forward(x), y).backward();
      return new Map(pick.map(([n, p]) => [n, p.grad ? Float64Array.from(p.grad.dataSync()) : new Float64Array(p.size)]));
    });
    const base = lossAt();
    const out: ParamGradcheck[] = [];
    for (const [name, p] of pick) {
      const theta = Float64Array.from(p.dataSync());
      const g = grads.get(name)!;
      // d = normalize(ĝ + r): a random unit direction tilted towards the gradient, so the signal gᵀd is
      // ~‖g‖/√2 instead of ~‖g‖/√n, while a wrong gradient still disagrees along r.
      const r = rng.normal(p.size);
      let gn = 0, rn = 0, tn = 0;
      for (let i = 0; i < r.length; i++) { gn += g[i] * g[i]; rn += r[i] * r[i]; tn += theta[i] * theta[i]; }
      gn = Math.sqrt(gn) || 1;
      rn = Math.sqrt(rn) || 1;
      const dir = new Float64Array(p.size);
      let dn = 0;
      for (let i = 0; i < dir.length; i++) { dir[i] = g[i] / gn + r[i] / rn; dn += dir[i] * dir[i]; }
      dn = Math.sqrt(dn);
      const scale = Math.max(Math.sqrt(tn), 1);
      let analytic = 0;
      for (let i = 0; i < dir.length; i++) { dir[i] /= dn; analytic += g[i] * dir[i]; }
      const at = (h: number): number => {
        const v = new Float32Array(theta.length);
        for (let i = 0; i < v.length; i++) v[i] = theta[i] + h * dir[i];
        noGrad(() => scope(() => p.assign(fromArray(v, p.shape))));
        return lossAt();
      };
      let best: ParamGradcheck | undefined;
      for (let k = 0; k < steps; k++) {
        const h = (epsRel / 10 ** k) * scale;
        const numeric = (at(h) - at(-h)) / (2 * h);
        const diff = Math.abs(analytic - numeric);
        const rel = diff === 0 ? 0 : diff / Math.max(Math.abs(analytic), Math.abs(numeric));
        // Float32 rounding floor: two ulps of the loss over 2h cannot be told apart from agreement.
        const withinNoise = diff <= (2 * Math.max(Math.abs(base), 1e-30) * 1.19e-7) / (2 * h);
        const cand: ParamGradcheck = { name, analytic, numeric, relError: Number.isNaN(rel) ? Infinity : rel, withinNoise, step: epsRel / 10 ** k };
        if (!best || score(cand) < score(best)) best = cand;
        if (score(best) < passBelow / 10) break;
      }
      noGrad(() => scope(() => p.assign(fromArray(Float32Array.from(theta), p.shape))));
      out.push(best!);
    }
    return out;
  });
  x.dispose();
  y.dispose();
  results.sort((a, b) => score(b) - score(a) || b.relError - a.relError);
  const worst = results[0];
  const numbers: Record<string, number> = { checked: results.length, examples: y.shape[0], maxRelError: worst ? score(worst) : 0 };
  if (worst) {
    numbers.worstAnalytic = worst.analytic;
    numbers.worstNumeric = worst.numeric;
  }
  let status: CheckStatus = "pass";
  let advice: string;
  if (!worst) advice = "The model has no trainable parameters to check.";
  else if (score(worst) < passBelow) {
    advice = `Autograd gradients match centered differences for ${results.length} parameter tensors (worst ${worst.name}: relative error ${worst.relError.toExponential(1)}, float32).`;
  } else {
    status = score(worst) < failAbove ? "warn" : "fail";
    advice = `The gradient of ${worst.name} disagrees with the numerical gradient: analytic ${worst.analytic.toExponential(3)}, numeric ${worst.numeric.toExponential(3)}, relative error ${worst.relError.toExponential(1)}. `
      + (status === "fail"
        ? "A backward pass is wrong: a custom layer's backward, a detach() that cuts the graph, or an in-place change of a value autograd saved."
        : "Borderline for float32: kinks (ReLU, max-pool) crossed by the perturbation can cause this; re-run with another seed or fewer examples before suspecting the layer.");
  }
  return { name: "gradcheck", status, numbers, advice, params: results };
}
