/**
 * AdaGrad (Duchi, Hazan & Singer 2011, "Adaptive Subgradient Methods for Online Learning and Stochastic
 * Optimization", https://jmlr.org/papers/v12/duchi11a.html), matching torch.optim.Adagrad.
 *
 * g ← ∇θ + λθ (coupled L2 weight decay);  s ← s + g²  (s starts at initialAccumulatorValue);
 * θ ← θ − lrₜ·g/(√s + ε),  lrₜ = lr/(1 + (t−1)·lrDecay),  t = 1, 2, … the parameter's step count.
 * Every coordinate gets its own step size, shrinking with the sum of its squared gradients: rare features
 * keep large steps, frequent ones small (the sum never forgets, which RMSProp fixes).
 */
import type { Tensor } from "../tensor/index.js";
import { fullLike } from "../tensor/index.js";
import { Optimizer, nonNegative, type ParamGroupSpec, type ParamState } from "./optimizer.js";

export interface AdagradOptions {
  lr: number;
  /** Learning-rate decay per step: lrₜ = lr/(1 + (t−1)·lrDecay). */
  lrDecay: number;
  /** Coupled L2 weight decay λ (added to the gradient). */
  weightDecay: number;
  /** Starting value of the squared-gradient sum s. */
  initialAccumulatorValue: number;
  eps: number;
}

export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: Iterable<Tensor> | ReadonlyArray<ParamGroupSpec<AdagradOptions>>, o: Partial<AdagradOptions> = {}) {
    super("adagrad", params, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 },
      { lr: nonNegative, lrDecay: nonNegative, weightDecay: nonNegative, initialAccumulatorValue: nonNegative, eps: nonNegative }, o);
  }
  protected update(p: Tensor, grad: Tensor, st: ParamState, o: AdagradOptions): void {
    const t = ((st.step as number | undefined) ?? 0) + 1;
    st.step = t;
    const g = o.weightDecay ? grad.add(p.mul(o.weightDecay)) : grad;
    const s0 = (st.sum as Tensor | undefined) ?? fullLike(p, o.initialAccumulatorValue);
    const s = this.setState(st, "sum", s0.add(g.square()));
    const clr = o.lr / (1 + (t - 1) * o.lrDecay);
    p.assign(p.sub(g.div(s.sqrt().add(o.eps)).mul(clr)));
  }
}

export const adagrad = (params: Iterable<Tensor> | ReadonlyArray<ParamGroupSpec<AdagradOptions>>, o?: Partial<AdagradOptions>): Adagrad => new Adagrad(params, o);
