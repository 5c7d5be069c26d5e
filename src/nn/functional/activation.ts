/** Activation functions, composed from primitives (DESIGN rule 2: compose before writing a kernel). */
import { ShapeError, ValueError, fmt } from "../../core/index.js";
import { scope, where, type Tensor } from "../../tensor/index.js";

export const relu = (x: Tensor): Tensor => x.relu();
export const sigmoid = (x: Tensor): Tensor => x.sigmoid();
export const tanh = (x: Tensor): Tensor => x.tanh();

/** LeakyReLU (Maas et al. 2013): x if x > 0 else slope·x. */
export function leakyRelu(x: Tensor, slope = 0.01): Tensor {
  return scope(() => where(x.gt(0), x, x.mul(slope)));
}

/** ELU (Clevert et al. 2016, https://arxiv.org/abs/1511.07289): x if x > 0 else α(eˣ − 1). */
export function elu(x: Tensor, alpha = 1): Tensor {
  return scope(() => where(x.gt(0), x, x.minimum(0).exp().sub(1).mul(alpha)));
}

/**
 * GELU (Hendrycks & Gimpel 2016, https://arxiv.org/abs/1606.08415): x·Φ(x) = ½x(1 + erf(x/√2));
 * the "tanh" approximation is ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
 */
export function gelu(x: Tensor, approximate: "none" | "tanh" = "none"): Tensor {
  return scope(() => {
    if (approximate === "tanh") {
      const inner = x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
      return x.mul(0.5).mul(inner.tanh().add(1));
    }
    if (approximate !== "none") throw new ValueError(`gelu: approximate must be "none" or "tanh", got ${String(approximate)}`);
    return x.mul(0.5).mul(x.mul(Math.SQRT1_2).erf().add(1));
  });
}

/** PReLU (He et al. 2015): x if x > 0 else a·x, with a learnable per channel (axis 1) or shared. */
export function prelu(x: Tensor, a: Tensor): Tensor {
  return scope(() => {
    const shape = x.rank >= 2 && a.size > 1 ? [1, a.size, ...Array(x.rank - 2).fill(1)] : [a.size];
    return where(x.gt(0), x, x.mul(a.reshape(shape)));
  });
}

/** Maxout (Goodfellow et al. 2013): max over `pieces` consecutive groups of axis 1. */
export function maxout(x: Tensor, pieces: number): Tensor {
  if (x.rank < 2) throw new ShapeError(`maxout: expected input [N,C,...] with C divisible by pieces=${pieces}, got ${fmt(x.shape)}`);
  const c = x.shape[1];
  if (!(Number.isInteger(pieces) && pieces >= 1 && c % pieces === 0)) {
    throw new ValueError(`maxout: input ${fmt(x.shape)} has ${c} features, not divisible into pieces=${pieces}`);
  }
  return scope(() => x.reshape([x.shape[0], c / pieces, pieces, ...x.shape.slice(2)]).max(2));
}
