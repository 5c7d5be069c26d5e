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
