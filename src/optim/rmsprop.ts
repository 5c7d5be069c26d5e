/**
 * RMSProp (Tieleman & Hinton 2012, Coursera "Neural Networks for Machine Learning", lecture 6e,
 * https://www.cs.toronto.edu/~tijmen/csc321/slides/lecture_slides_lec6.pdf), with the centered variant of
 * Graves 2013 (https://arxiv.org/abs/1308.0850), matching torch.optim.RMSprop.
 *
 * g ← ∇θ + λθ;  v ← α·v + (1−α)·g²;  centered: ḡ ← α·ḡ + (1−α)·g, d = √(v − ḡ²) + ε, else d = √v + ε;
 * momentum μ > 0: b ← μ·b + g/d, θ ← θ − lr·b;  else θ ← θ − lr·g/d.
 * AdaGrad's sum of squares becomes a leaky average, so old gradients are forgotten; centering divides by
 * an estimate of the gradient's standard deviation instead of its root mean square.
 */
import type { Tensor } from "../tensor/index.js";
import { Optimizer, bool, nonNegative, unitClosed, type ParamGroupSpec, type ParamState } from "./optimizer.js";

export interface RmspropOptions {
  lr: number;
  /** Smoothing constant α of the squared-gradient average. */
  alpha: number;
  eps: number;
  /** Coupled L2 weight decay λ (added to the gradient). */
  weightDecay: number;
  momentum: number;
  centered: boolean;
}

export class RMSprop extends Optimizer<RmspropOptions> {
  constructor(params: Iterable<Tensor> | ReadonlyArray<ParamGroupSpec<RmspropOptions>>, o: Partial<RmspropOptions> = {}) {
    super("rmsprop", params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false },
      { lr: nonNegative, alpha: unitClosed, eps: nonNegative, weightDecay: nonNegative, momentum: nonNegative, centered: bool }, o);
  }
  protected update(p: Tensor, grad: Tensor, st: ParamState, o: RmspropOptions): void {
    st.step = ((st.step as number | undefined) ?? 0) + 1;
    const g = o.weightDecay ? grad.add(p.mul(o.weightDecay)) : grad;
    const a = o.alpha;
    const v0 = st.squareAvg as Tensor | undefined;
    const v = this.setState(st, "squareAvg", v0 ? v0.mul(a).add(g.square().mul(1 - a)) : g.square().mul(1 - a));
    let d: Tensor;
    if (o.centered) {
      const m0 = st.gradAvg as Tensor | undefined;
      const m = this.setState(st, "gradAvg", m0 ? m0.mul(a).add(g.mul(1 - a)) : g.mul(1 - a));
      d = v.sub(m.square()).sqrt().add(o.eps);
    } else d = v.sqrt().add(o.eps);
    if (o.momentum > 0) {
      const b0 = st.momentumBuffer as Tensor | undefined;
      const b = this.setState(st, "momentumBuffer", b0 ? b0.mul(o.momentum).add(g.div(d)) : g.div(d));
      p.assign(p.sub(b.mul(o.lr)));
    } else p.assign(p.sub(g.div(d).mul(o.lr)));
  }
}

export const rmsprop = (params: Iterable<Tensor> | ReadonlyArray<ParamGroupSpec<RmspropOptions>>, o?: Partial<RmspropOptions>): RMSprop => new RMSprop(params, o);
