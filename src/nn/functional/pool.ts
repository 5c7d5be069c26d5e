/** Pooling beyond the primitives: adaptive average pooling, dropout-style stochastic ops. */
import { ShapeError, ValueError, defaultRng, fmt, type Pair, type Rng } from "../../core/index.js";
import { avgPool2d, concat, fromArray, scope, type Tensor } from "../../tensor/index.js";

/**
 * Adaptive average pooling to [oh, ow]: cell i averages rows floor(i·H/oh) .. ceil((i+1)·H/oh)
 * (PyTorch's split). When H, W divide evenly this is one avgPool2d with kernel = stride = H/oh.
 */
export function adaptiveAvgPool2d(x: Tensor, outputSize: number | Pair): Tensor {
  if (x.rank !== 4) throw new ShapeError(`adaptiveAvgPool2d: input must be [N,C,H,W], got ${fmt(x.shape)}`);
  const [oh, ow] = typeof outputSize === "number" ? [outputSize, outputSize] : outputSize;
  const [, , H, W] = x.shape;
  if (H % oh === 0 && W % ow === 0) return avgPool2d(x, [H / oh, W / ow]);
  return scope(() => {
    const rows: Tensor[] = [];
    for (let i = 0; i < oh; i++) {
      const h0 = Math.floor((i * H) / oh), h1 = Math.ceil(((i + 1) * H) / oh);
      const cols: Tensor[] = [];
      for (let j = 0; j < ow; j++) {
        const w0 = Math.floor((j * W) / ow), w1 = Math.ceil(((j + 1) * W) / ow);
        cols.push(x.slice([0, 0, h0, w0], [x.shape[0], x.shape[1], h1, w1]).mean([2, 3], { keepDims: true }));
      }
      rows.push(concat(cols, 3));
    }
    return concat(rows, 2);
  });
}

/**
 * Inverted dropout (Srivastava et al. 2014): in training, zero each element with probability p and
 * scale the survivors by 1/(1−p), so nothing changes at test time.
 */
export function dropout(x: Tensor, p: number, training: boolean, rng: Rng = defaultRng()): Tensor {
  if (!(p >= 0 && p < 1)) throw new ValueError(`dropout: p must be in [0, 1), got ${p}`);
  if (!training || p === 0) return x.mul(1);
  const u = rng.uniform(x.size);
  const mask = new Float32Array(x.size);
  const scale = 1 / (1 - p);
  for (let i = 0; i < mask.length; i++) mask[i] = u[i] >= p ? scale : 0;
  return scope(() => x.mul(fromArray(mask, x.shape, { backend: x.backend, dtype: x.dtype })));
}

/**
 * Stochastic depth (Huang et al. 2016, "Deep Networks with Stochastic Depth",
 * https://arxiv.org/abs/1603.09382), torchvision's `stochastic_depth`: in training, zero the whole
 * input of an example ("row": one draw per example) or of the batch ("batch": one draw) with
 * probability p, and scale survivors by 1/(1−p); eval is the identity. Applied to a residual branch
 * f(x) so that y = x + mask·f(x)/(1−p): a dropped block becomes the identity.
 *
 * NOTE: Huang et al. multiply by the survival probability at test time instead; the inverted scaling
 * here (as torchvision) gives the same expectation and leaves eval untouched.
 */
export function stochasticDepth(x: Tensor, p: number, mode: "row" | "batch", training: boolean, rng: Rng = defaultRng()): Tensor {
  if (!(p >= 0 && p <= 1)) throw new ValueError(`stochasticDepth: p (drop probability) must be in [0, 1], got ${p}`);
  if (mode !== "row" && mode !== "batch") throw new ValueError(`stochasticDepth: mode must be "row" or "batch", got ${String(mode)}`);
  if (!training || p === 0) return x.mul(1);
  if (mode === "row" && x.rank < 1) throw new ShapeError(`stochasticDepth: "row" mode needs a batch axis, got ${fmt(x.shape)}`);
  const shape = mode === "row" ? [x.shape[0], ...Array<number>(x.rank - 1).fill(1)] : Array<number>(x.rank).fill(1);
  const n = mode === "row" ? x.shape[0] : 1;
  const u = rng.uniform(n);
  const survival = 1 - p;
  const mask = new Float32Array(n);
  for (let i = 0; i < n; i++) mask[i] = u[i] < survival ? 1 / survival : 0;
  return scope(() => x.mul(fromArray(mask, shape, { backend: x.backend, dtype: x.dtype })));
}

/**
 * Huang et al.'s linear decay rule: block l of L (1-based) survives with p_l = 1 − (l/L)(1 − p_L), so
 * early blocks are nearly always kept; returns the drop probability (l/L)(1 − p_L) that StochasticDepth takes.
 */
export function linearDecayDropProb(l: number, L: number, finalSurvival = 0.5): number {
  if (!(Number.isInteger(l) && Number.isInteger(L) && l >= 1 && l <= L)) throw new ValueError(`linearDecayDropProb: need integers 1 <= l <= L, got l=${l} L=${L}`);
  if (!(finalSurvival >= 0 && finalSurvival <= 1)) throw new ValueError(`linearDecayDropProb: finalSurvival must be in [0, 1], got ${finalSurvival}`);
  return (l / L) * (1 - finalSurvival);
}
