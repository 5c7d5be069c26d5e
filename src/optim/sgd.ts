/**
 * SGD with momentum (Polyak's heavy ball, 1964, https://doi.org/10.1016/0041-5553(64)90137-5), dampening,
 * Nesterov momentum (Sutskever et al. 2013, https://proceedings.mlr.press/v28/sutskever13.html) and coupled
 * L2 weight decay — torch.optim.SGD's update (the first step sets v ← g, without dampening).
 */
import { ValueError } from "../core/index.js";
import { fusedAssign, fusedMap, type FusedValue, type Tensor } from "../tensor/index.js";
import { useFused } from "./fused.js";
import { Optimizer, bool, nonNegative, type ParamGroupSpec, type ParamState } from "./optimizer.js";

export interface SgdOptions {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
}

/**
 * v ← μ·v + (1−dampening)·(g + λθ);  θ ← θ − lr·(nesterov ? g + μ·v : v).
 * Nesterov (Sutskever et al. 2013) looks ahead along the velocity.
 */
export class SGD extends Optimizer<SgdOptions> {
  constructor(params: Iterable<Tensor> | ReadonlyArray<ParamGroupSpec<SgdOptions>>, o: Partial<SgdOptions> = {}) {
    super("sgd", params, { lr: 0.01, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 },
      { lr: nonNegative, momentum: nonNegative, dampening: nonNegative, nesterov: bool, weightDecay: nonNegative }, o);
    for (const g of this.groups) {
      if (g.options.nesterov && (g.options.momentum <= 0 || g.options.dampening !== 0)) {
        throw new ValueError(`sgd: nesterov needs momentum > 0 and dampening 0, got momentum ${g.options.momentum}, dampening ${g.options.dampening}`);
      }
    }
  }
  protected update(p: Tensor, grad: Tensor, st: ParamState, o: SgdOptions): void {
    if (useFused(p)) return this.#fused(p, grad, st, o);
    let d = o.weightDecay ? grad.add(p.mul(o.weightDecay)) : grad;
    if (o.momentum) {
      const v0 = st.momentumBuffer as Tensor | undefined;
      const v = this.setState(st, "momentumBuffer", v0 ? v0.mul(o.momentum).add(d.mul(1 - o.dampening)) : d.clone());
      d = o.nesterov ? d.add(v.mul(o.momentum)) : v;
    }
    p.assign(p.sub(d.mul(o.lr)));
  }

  /** The same update as fused programs: velocity in one kernel, parameter in another. */
  #fused(p: Tensor, grad: Tensor, st: ParamState, o: SgdOptions): void {
    const { lr, momentum: mu, dampening, nesterov, weightDecay: wd } = o;
    const d = (p: FusedValue, g: FusedValue): FusedValue => (wd ? g.add(p.mul(wd)) : g);
    if (!mu) {
      fusedAssign(p, [p, grad], (p, g) => p.sub(d(p, g).mul(lr)));
      return;
    }
    const v0 = st.momentumBuffer as Tensor | undefined;
    const v = this.setState(st, "momentumBuffer", v0 ? fusedMap([v0, p, grad], (v, p, g) => v.mul(mu).add(d(p, g).mul(1 - dampening))) : fusedMap([p, grad], d));
    fusedAssign(p, [p, grad, v], (p, g, v) => p.sub((nesterov ? d(p, g).add(v.mul(mu)) : v).mul(lr)));
  }
}

export const sgd = (params: Iterable<Tensor> | ReadonlyArray<ParamGroupSpec<SgdOptions>>, o?: Partial<SgdOptions>): SGD => new SGD(params, o);
