/** Activation layers (parameter-free except PReLU). */
import { ValueError } from "../../core/index.js";
import { full, type Tensor } from "../../tensor/index.js";
import * as F from "../functional/index.js";
import { Module } from "../module.js";

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
/** PReLU: one learnable slope per channel (numParameters = C) or shared (1); initialized to 0.25. */
export class PReLU extends Module {
  readonly weight: Tensor;
  constructor(numParameters = 1, initValue = 0.25) {
    super();
    if (!(Number.isInteger(numParameters) && numParameters >= 1)) throw new ValueError(`PReLU: numParameters must be an integer >= 1, got ${numParameters}`);
    this.weight = this.registerParameter("weight", full([numParameters], initValue))!;
  }
  forward(x: Tensor): Tensor { return F.prelu(x, this.weight); }
}
/** Maxout over groups of `pieces` features on axis 1 (put it after a Linear/Conv with pieces× outputs). */
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
