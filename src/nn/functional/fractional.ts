/**
 * Fractional max-pooling (Graham 2014, "Fractional Max-Pooling", https://arxiv.org/abs/1412.6071).
 *
 * Ordinary 2×2 max-pooling shrinks each spatial side by exactly 2. FMP shrinks it by a ratio
 * α = N_in / N_out anywhere in [1, 2] (or beyond), so many more pooling layers fit in a network.
 * The pooling regions come from an increasing integer sequence 0 = a_0 < a_1 < … < a_{N_out} = N_in
 * whose increments are ⌊α⌋ or ⌈α⌉ (1 or 2 for α ∈ (1, 2)):
 *   - "random": the increments are a random permutation of the right number of ⌊α⌋s and ⌈α⌉s;
 *   - "pseudoRandom": a_i = ⌈α(i + u)⌉ − ⌈αu⌉ for one u ~ U[0, 1) (Graham's formula, shifted to start at 0).
 * Region i covers rows [a_i, a_{i+1}) ("disjoint") or [a_i, a_{i+1}] ("overlapping", clipped to the
 * input). Rows and columns get independent sequences.
 *
 * NOTE: Graham indexes 1..N_in so disjoint regions leave the last row out; the boundaries here run 0..N_in
 * so disjoint regions tile the whole input.
 * NOTE: a new sequence is drawn per example (shared by its channels) on every training forward; at eval
 * the regions are fixed: the pseudo-random sequence with u = ½ for every example (no model averaging).
 *
 * The pooling is composed, not a kernel (DESIGN rule 2): max over a region is separable, so each axis is
 * reduced by K = (largest region) gathers and an elementwise maximum, and autograd differentiates it.
 */
import { ShapeError, ValueError, defaultRng, fmt, type Pair, type Rng } from "../../core/index.js";
import { fromArray, gather, scope, type Tensor } from "../../tensor/index.js";

export type FractionalMode = "random" | "pseudoRandom";

export interface FractionalMaxPoolOptions {
  /** Output [H, W] (or one number for both). Give this or outputRatio. */
  readonly outputSize?: number | Pair;
  /** N_out / N_in per side, in (0, 1]: N_out = ⌊N_in · ratio⌋ (at least 1). */
  readonly outputRatio?: number | Pair;
  /** How region boundaries are drawn in training (default "pseudoRandom"). */
  readonly mode?: FractionalMode;
  /** Overlapping regions [a_i, a_{i+1}] instead of disjoint [a_i, a_{i+1}) (default true, Graham's best). */
  readonly overlapping?: boolean;
  /** Random regions (training) or the fixed eval regions. */
  readonly training?: boolean;
  readonly rng?: Rng;
}

/**
 * The boundaries a_0..a_{nOut} (length nOut + 1) for one axis. `u` is the pseudo-random offset; in
 * "random" mode the rng shuffles the long and short steps.
 */
export function fractionalBoundaries(nIn: number, nOut: number, mode: FractionalMode, rngOrU: Rng | number): Int32Array {
  if (!(Number.isInteger(nIn) && Number.isInteger(nOut) && nOut >= 1 && nOut <= nIn)) {
    throw new ValueError(`fractionalMaxPool2d: output size ${nOut} must be an integer in [1, ${nIn}] (the input size)`);
  }
  const a = new Int32Array(nOut + 1);
  const q = Math.floor(nIn / nOut);
  if (mode === "random" && typeof rngOrU !== "number") {
    const long = nIn - q * nOut; // this many steps of q + 1, the rest of q
    const perm = rngOrU.permutation(nOut);
    for (let i = 0; i < nOut; i++) a[i + 1] = a[i] + (perm[i] < long ? q + 1 : q);
    return a;
  }
  const u = typeof rngOrU === "number" ? rngOrU : rngOrU.next();
  // NOTE: the small epsilon keeps ⌈·⌉ of an exact integer from rounding up through float error.
  const c = (t: number): number => Math.ceil((nIn * t) / nOut - 1e-9);
  const base = c(u);
  for (let i = 1; i < nOut; i++) a[i] = c(i + u) - base;
  a[nOut] = nIn;
  return a;
}

/** Output size per side from the options, validated against the input [N,C,H,W]. */
export function fractionalOutputSize(x: Tensor, o: FractionalMaxPoolOptions): Pair {
  if (x.rank !== 4) throw new ShapeError(`fractionalMaxPool2d: expected input [N,C,H,W], got ${fmt(x.shape)}`);
  const [H, W] = [x.shape[2], x.shape[3]];
  let out: Pair;
  if (o.outputSize !== undefined) {
    if (o.outputRatio !== undefined) throw new ValueError("fractionalMaxPool2d: give outputSize or outputRatio, not both");
    out = typeof o.outputSize === "number" ? [o.outputSize, o.outputSize] : o.outputSize;
  } else if (o.outputRatio !== undefined) {
    const r = typeof o.outputRatio === "number" ? [o.outputRatio, o.outputRatio] : o.outputRatio;
    if (!r.every((v) => v > 0 && v <= 1)) throw new ValueError(`fractionalMaxPool2d: outputRatio must be in (0, 1], got ${fmt(r)}`);
    out = [Math.max(1, Math.floor(H * r[0])), Math.max(1, Math.floor(W * r[1]))];
  } else throw new ValueError("fractionalMaxPool2d: needs outputSize or outputRatio");
  if (!(Number.isInteger(out[0]) && Number.isInteger(out[1]) && out[0] >= 1 && out[1] >= 1 && out[0] <= H && out[1] <= W)) {
    throw new ShapeError(`fractionalMaxPool2d: output ${fmt(out)} must be integers in [1, input size] for input ${fmt(x.shape)}`);
  }
  return out;
}

/**
 * Max over the regions of one axis (2 or 3). `bounds[n]` are example n's boundaries; region i spans
 * [b_i, end_i) with end_i = b_{i+1} (+1 when overlapping, clipped).
 */
function poolAxis(x: Tensor, axis: 2 | 3, bounds: readonly Int32Array[], overlapping: boolean): Tensor {
  const [N, nIn] = [x.shape[0], x.shape[axis]];
  const nOut = bounds[0].length - 1;
  const end = (b: Int32Array, i: number): number => Math.min(b[i + 1] + (overlapping ? 1 : 0), nIn);
  let K = 1;
  for (const b of bounds) for (let i = 0; i < nOut; i++) K = Math.max(K, end(b, i) - b[i]);
  const outShape = x.shape.map((d, i) => (i === axis ? nOut : d));
  const idxShape = axis === 2 ? [N, 1, nOut, 1] : [N, 1, 1, nOut];
  return scope(() => {
    let y: Tensor | null = null;
    for (let k = 0; k < K; k++) {
      const idx = new Int32Array(N * nOut);
      bounds.forEach((b, n) => {
        for (let i = 0; i < nOut; i++) idx[n * nOut + i] = Math.min(b[i] + k, end(b, i) - 1);
      });
      // Short regions repeat their last index; max(v, v) = v and the gradient split between the two
      // copies adds back up to the full gradient when gather's backward scatters it.
      const g = gather(x, axis, fromArray(idx, idxShape, { backend: x.backend }).expand(outShape));
      y = y ? y.maximum(g) : g;
    }
    return y as Tensor;
  });
}

/** Fractional max-pooling of x [N,C,H,W]; see the module comment. */
export function fractionalMaxPool2d(x: Tensor, o: FractionalMaxPoolOptions): Tensor {
  const { mode = "pseudoRandom", overlapping = true, training = true, rng = defaultRng() } = o;
  if (mode !== "random" && mode !== "pseudoRandom") throw new ValueError(`fractionalMaxPool2d: mode must be "random" or "pseudoRandom", got ${String(mode)}`);
  const [oh, ow] = fractionalOutputSize(x, o);
  const [N, , H, W] = x.shape;
  const draw = (nIn: number, nOut: number): Int32Array[] =>
    Array.from({ length: N }, () => (training ? fractionalBoundaries(nIn, nOut, mode, rng) : fractionalBoundaries(nIn, nOut, "pseudoRandom", 0.5)));
  const rows = draw(H, oh);
  const cols = draw(W, ow);
  return scope(() => poolAxis(poolAxis(x, 2, rows, overlapping), 3, cols, overlapping));
}
