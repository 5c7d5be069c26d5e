/**
 * Regularizers that drop structure rather than activations: DropConnect (weights) and StochasticDepth
 * (whole residual branches). Both are the identity transformation of the wrapped computation at eval.
 */
import { ValueError, defaultRng, type Rng } from "../../core/index.js";
import { scope, type Tensor } from "../../tensor/index.js";
import * as F from "../functional/index.js";
import { LayerError, Module } from "../module.js";
import type { Conv2d, Linear } from "./linear.js";

/**
 * DropConnect (Wan et al. 2013, "Regularization of Neural Networks using DropConnect",
 * http://proceedings.mlr.press/v28/wan13.html): wraps a Linear or Conv2d and, in training, zeroes each
 * weight with probability p, scaling the kept ones by 1/(1−p) (inverted, so eval is the plain layer).
 * The bias is not dropped. Parameters live in the wrapped layer: state-dict names are `layer.weight`,
 * `layer.bias`.
 *
 * NOTE: one mask per forward pass, shared by the mini-batch (Wan et al. draw one per example, which
 * costs a weight copy per example); their moment-matching Gaussian inference is replaced by the
 * mean-field eval that inverted scaling gives.
 */
export class DropConnect extends Module {
  readonly layer: Linear | Conv2d;
  readonly p: number;
  /** The mask generator; public so a test can re-seed it. */
  rng: Rng;
  constructor(layer: Linear | Conv2d, p = 0.5, { rng = defaultRng() }: { rng?: Rng } = {}) {
    super();
    if (!(p >= 0 && p < 1)) throw new ValueError(`DropConnect: p must be in [0, 1), got ${p}`);
    this.layer = this.registerModule("layer", layer);
    this.p = p;
    this.rng = rng;
  }
  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return this.runChild("layer", this.layer, x);
    return scope(() => {
      // Inverted dropout applied to the weight is exactly the DropConnect mask; autograd reaches W through it.
      const w = F.dropout(this.layer.weight, this.p, true, this.rng);
      try {
        return this.layer.forwardWithWeight(x, w);
      } catch (e) {
        if (e instanceof Error) throw new LayerError(["layer"], this.layer.typeName, e);
        throw e;
      }
    });
  }
}

export interface StochasticDepthOptions {
  /** "row": one draw per example (default, as torchvision); "batch": one draw for the whole batch. */
  readonly mode?: "row" | "batch";
  readonly rng?: Rng;
}

/**
 * Stochastic depth (Huang et al. 2016, https://arxiv.org/abs/1603.09382), torchvision's
 * StochasticDepth: put it last in a residual body, `new Residual(new Sequential(conv, bn, relu, conv,
 * bn, new StochasticDepth(0.2)))`, and in training each example's branch is dropped with probability
 * `p` (survival 1 − p) and survivors are scaled by 1/(1 − p); eval is the identity. For a network of L
 * blocks, Huang et al.'s linear rule is `functional.linearDecayDropProb(l, L, 0.5)`.
 */
export class StochasticDepth extends Module {
  readonly p: number;
  readonly mode: "row" | "batch";
  /** The draw generator; public so a test can re-seed it. */
  rng: Rng;
  constructor(p: number, { mode = "row", rng = defaultRng() }: StochasticDepthOptions = {}) {
    super();
    if (!(p >= 0 && p <= 1)) throw new ValueError(`StochasticDepth: p (drop probability) must be in [0, 1], got ${p}`);
    if (mode !== "row" && mode !== "batch") throw new ValueError(`StochasticDepth: mode must be "row" or "batch", got ${String(mode)}`);
    this.p = p;
    this.mode = mode;
    this.rng = rng;
  }
  forward(x: Tensor): Tensor {
    return F.stochasticDepth(x, this.p, this.mode, this.training, this.rng);
  }
}
