/**
 * Regularization and gradient hygiene around an optimizer step:
 * - loss terms: `l1Penalty` (lasso, Tibshirani 1996) and `elasticNet` (Zou & Hastie 2005) over chosen
 *   parameters, to add to the loss before backward();
 * - `paramGroupsNoDecay`: the usual "no weight decay on biases and norm parameters" as two groups;
 * - clipping of gradients by global norm (PyTorch's clip_grad_norm_) and by value;
 * - `checkFiniteGrads`: a NaN/Inf guard that names the first offending parameter.
 *
 * Coupled L2 decay lives in the optimizers (`weightDecay` of SGD/Adam/AdaGrad/RMSProp: g ← g + λθ) and
 * decoupled decay in AdamW (θ ← θ − lr·λ·θ).
 */
import { GanglionError, ValueError, fmt } from "../core/index.js";
import { concat, fullLike, noGrad, scope, type Tensor } from "../tensor/index.js";
import type { Module } from "../nn/index.js";
import { fmtValue } from "./optimizer.js";

function checkCoef(fn: string, name: string, v: number): void {
  if (!(typeof v === "number" && v >= 0 && Number.isFinite(v))) throw new ValueError(`${fn}: invalid ${name} ${fmtValue(v)}: must be a finite number >= 0`);
}

function sumOver(fn: string, params: Iterable<Tensor>, term: (p: Tensor) => Tensor): Tensor {
  const list = [...params];
  if (list.length === 0) throw new ValueError(`${fn}: no parameters given`);
  return scope(() => list.map((p) => term(p).sum()).reduce((a, b) => a.add(b)));
}

/** λ·Σ|θ| over `params`, a differentiable scalar to add to the loss (its gradient is λ·sign(θ)). */
export function l1Penalty(params: Iterable<Tensor>, lambda: number): Tensor {
  checkCoef("l1Penalty", "lambda", lambda);
  return sumOver("l1Penalty", params, (p) => p.abs()).mul(lambda);
}

/**
 * Elastic net: l1·Σ|θ| + (l2/2)·Σθ² over `params`, a scalar to add to the loss. With the ½, the L2 part's
 * gradient is l2·θ: `elasticNet(ps, 0, λ)` gives the same gradient as the optimizers' weightDecay λ.
 */
export function elasticNet(params: Iterable<Tensor>, l1: number, l2: number): Tensor {
  checkCoef("elasticNet", "l1", l1);
  checkCoef("elasticNet", "l2", l2);
  return sumOver("elasticNet", params, (p) => p.abs().mul(l1).add(p.square().mul(l2 / 2)));
}

/**
 * Two parameter groups: weights (rank ≥ 2) with `weightDecay`, and every parameter of rank ≤ 1 (biases,
 * BatchNorm/LayerNorm scales and shifts) with none, since shrinking those towards 0 does not regularize
 * the function and can hurt. Empty groups are left out.
 * ```ts
 * const opt = optim.adamw(paramGroupsNoDecay(model, 0.05), { lr: 1e-3 });
 * ```
 */
export function paramGroupsNoDecay(model: Module, weightDecay: number): Array<{ params: Tensor[]; options: { weightDecay: number } }> {
  checkCoef("paramGroupsNoDecay", "weightDecay", weightDecay);
  const params = model.parameters();
  const groups = [
    { params: params.filter((p) => p.rank >= 2), options: { weightDecay } },
    { params: params.filter((p) => p.rank <= 1), options: { weightDecay: 0 } },
  ];
  return groups.filter((g) => g.params.length > 0);
}

/**
 * Scales all gradients so that their global p-norm is at most `maxNorm` (Pascanu et al. 2013,
 * https://arxiv.org/abs/1211.5063), as torch.nn.utils.clip_grad_norm_:
 * total = ‖(‖g₁‖ₚ, …, ‖gₙ‖ₚ)‖ₚ (max |g| for p = Infinity);  every g ← g·min(1, maxNorm/(total + 1e−6)).
 * Returns the total norm before clipping (read back as a number: a synchronous backend is needed).
 * Parameters without a gradient are skipped; with none at all the norm is 0.
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, normType = 2): number {
  checkCoef("clipGradNorm", "maxNorm", maxNorm);
  if (!(typeof normType === "number" && normType > 0)) throw new ValueError(`clipGradNorm: invalid normType ${fmtValue(normType)}: must be a number > 0 or Infinity`);
  const grads = [...params].flatMap((p) => (p.grad ? [p.grad] : []));
  if (grads.length === 0) return 0;
  return noGrad(() =>
    scope(() => {
      const norm = (g: Tensor): Tensor =>
        normType === Infinity ? g.abs().max() : normType === 1 ? g.abs().sum() : normType === 2 ? g.square().sum().sqrt() : g.abs().pow(normType).sum().pow(1 / normType);
      const norms = grads.map(norm);
      // NOTE: the norm of the per-tensor norms, as torch (the same number up to rounding as one flat norm).
      const total = norm(concat(norms.map((n) => n.reshape([1]))));
      const coef = fullLike(total, maxNorm).div(total.add(1e-6)).clamp(undefined, 1);
      for (const g of grads) g.assign(g.mul(coef));
      return total.item();
    }),
  );
}

/** Clamps every gradient elementwise to [−clipValue, clipValue] (torch.nn.utils.clip_grad_value_). */
export function clipGradValue(params: Iterable<Tensor>, clipValue: number): void {
  checkCoef("clipGradValue", "clipValue", clipValue);
  noGrad(() =>
    scope(() => {
      for (const p of params) if (p.grad) p.grad.assign(p.grad.clamp(-clipValue, clipValue));
    }),
  );
}

/** A gradient with NaN or ±Inf values; `param` is the parameter's dotted name. */
export class NonFiniteGradError extends GanglionError {
  override name = "NonFiniteGradError";
  constructor(readonly param: string, readonly nan: number, readonly inf: number, readonly total: number, shape: readonly number[]) {
    super(`checkFiniteGrads: gradient of '${param}' ${fmt(shape)} has ${nan} NaN and ${inf} infinite values (of ${total})`);
  }
}

/**
 * Throws NonFiniteGradError naming the first parameter (in iteration order, e.g. model.namedParameters())
 * whose gradient holds NaN or ±Inf. One reduction per parameter (Σ 0·g is NaN iff some g is not finite);
 * the counts are taken only for the offending one.
 */
export function checkFiniteGrads(namedParams: Iterable<readonly [string, Tensor]>): void {
  for (const [name, p] of namedParams) {
    const g = p.grad;
    if (!g) continue;
    const probe = noGrad(() => scope(() => g.mul(0).sum().item()));
    if (!Number.isNaN(probe)) continue;
    const v = g.dataSync();
    let nan = 0;
    let inf = 0;
    for (let i = 0; i < v.length; i++) {
      if (Number.isNaN(v[i])) nan++;
      else if (!Number.isFinite(v[i])) inf++;
    }
    throw new NonFiniteGradError(name, nan, inf, v.length, g.shape);
  }
}
