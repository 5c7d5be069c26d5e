/** Activation layers (parameter-free except PReLU). */
import { ShapeError, ValueError, fmt, type DType } from "../../core/index.js";
import { full, type Tensor } from "../../tensor/index.js";
import * as F from "../functional/index.js";
import { Module } from "../module.js";
import { paramDtype } from "./linear.js";

export class ReLU extends Module {
  forward(x: Tensor): Tensor { return x.relu(); }
}
export class Sigmoid extends Module {
  forward(x: Tensor): Tensor { return x.sigmoid(); }
}
export class Tanh extends Module {
  forward(x: Tensor): Tensor { return x.tanh(); }
}
export class LeakyReLU extends Module {
  constructor(readonly slope = 0.01) { super(); }
  forward(x: Tensor): Tensor { return F.leakyRelu(x, this.slope); }
}
export class ELU extends Module {
  constructor(readonly alpha = 1) { super(); }
  forward(x: Tensor): Tensor { return F.elu(x, this.alpha); }
}
export class GELU extends Module {
  constructor(readonly approximate: "none" | "tanh" = "none") { super(); }
  forward(x: Tensor): Tensor { return F.gelu(x, this.approximate); }
}
/**
 * PReLU (He et al. 2015, https://arxiv.org/abs/1502.01852): one learnable slope per channel
 * (numParameters = C) or shared (1); initialized to 0.25 as PyTorch's nn.PReLU.
 */
export class PReLU extends Module {
  readonly weight: Tensor;
  constructor(numParameters = 1, initValue = 0.25, { dtype }: { dtype?: DType } = {}) {
    super();
    if (!(Number.isInteger(numParameters) && numParameters >= 1)) throw new ValueError(`PReLU: numParameters must be an integer >= 1, got ${numParameters}`);
    this.weight = this.registerParameter("weight", full([numParameters], initValue, { dtype: paramDtype("PReLU", dtype) }))!;
  }
  forward(x: Tensor): Tensor {
    const n = this.weight.size;
    if (n > 1 && (x.rank < 2 || x.shape[1] !== n)) throw new ShapeError(`expected input [N,${n},...], got ${fmt(x.shape)}`);
    return F.prelu(x, this.weight);
  }
}
/**
 * Maxout (Goodfellow et al. 2013, https://arxiv.org/abs/1302.4389): the max over groups of `pieces`
 * consecutive features on axis 1, so put it after a Linear/Conv with pieces× outputs; [N, C·k, ...] →
 * [N, C, ...]. Parameter-free: the k affine pieces are the preceding layer's.
 */
export class Maxout extends Module {
  constructor(readonly pieces: number) { super(); }
  forward(x: Tensor): Tensor { return F.maxout(x, this.pieces); }
}
export class Softmax extends Module {
  constructor(readonly axis = -1) { super(); }
  forward(x: Tensor): Tensor { return x.softmax(this.axis); }
}
export class Identity extends Module {
  forward(x: Tensor): Tensor { return x.reshape(x.shape); }
}
export class Flatten extends Module {
  constructor(readonly start = 1, readonly end = -1) { super(); }
  forward(x: Tensor): Tensor { return x.flatten(this.start, this.end); }
}
