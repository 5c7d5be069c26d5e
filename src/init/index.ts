/**
 * Weight initializers (L4). Each fills a tensor in place under noGrad from an explicit seeded RNG.
 *
 * Why not zeros: if every weight of a layer starts equal, every unit computes the same output and
 * receives the same gradient, so they stay identical forever — symmetry is never broken (CS231n
 * lecture 6). Biases may start at zero; weights need small random values scaled to the fan-in.
 */
import { ValueError, defaultRng, fmt, type Rng } from "../core/index.js";
import { fromArray, noGrad, type Tensor } from "../tensor/index.js";

/** fan-in/fan-out of a weight: [out, in] for Linear, [out, in/groups, kh, kw] for Conv2d. */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) throw new ValueError(`init: fan-in/fan-out need a weight of rank >= 2, got ${fmt(shape)}`);
  const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1] * receptive, fanOut: shape[0] * receptive };
}

export type Nonlinearity = "linear" | "sigmoid" | "tanh" | "relu" | "leakyRelu" | "selu";

/** Recommended gain for a nonlinearity (PyTorch's calculate_gain): relu √2, tanh 5/3, leakyRelu √(2/(1+a²)). */
export function gain(nonlinearity: Nonlinearity, slope = 0.01): number {
  switch (nonlinearity) {
    case "linear":
    case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leakyRelu":
      return Math.sqrt(2 / (1 + slope * slope));
    case "selu":
      return 0.75;
    default:
      throw new ValueError(`init.gain: unknown nonlinearity ${nonlinearity satisfies never}`);
  }
}

function write(t: Tensor, values: Float32Array): Tensor {
  noGrad(() => {
    const src = fromArray(values, t.shape, { backend: t.backend, dtype: t.dtype });
    t.assign(src);
    src.dispose();
  });
  return t;
}

export const constant = (t: Tensor, value: number): Tensor => write(t, new Float32Array(t.size).fill(value));
export const zeros = (t: Tensor): Tensor => constant(t, 0);
export const ones = (t: Tensor): Tensor => constant(t, 1);
/** "Small random numbers" (CS231n): N(0, std²), e.g. std = 0.01 — fine for small nets, vanishes in deep ones. */
export const normal = (t: Tensor, { mean = 0, std = 1, rng = defaultRng() }: { mean?: number; std?: number; rng?: Rng } = {}): Tensor =>
  write(t, rng.normal(t.size, mean, std));
export const uniform = (t: Tensor, { low = 0, high = 1, rng = defaultRng() }: { low?: number; high?: number; rng?: Rng } = {}): Tensor =>
  write(t, rng.uniform(t.size, low, high));

export interface FanOptions {
  readonly mode?: "fanIn" | "fanOut";
  readonly nonlinearity?: Nonlinearity;
  /** Negative slope for leakyRelu gain (PyTorch's `a`). */
  readonly slope?: number;
  readonly rng?: Rng;
}

/** Xavier/Glorot uniform (Glorot & Bengio 2010): U(±gain·√(6/(fanIn+fanOut))). */
export function xavierUniform(t: Tensor, { gain: g = 1, rng = defaultRng() }: { gain?: number; rng?: Rng } = {}): Tensor {
  const { fanIn, fanOut } = fans(t.shape);
  const bound = g * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, { low: -bound, high: bound, rng });
}
/** Xavier/Glorot normal: N(0, gain²·2/(fanIn+fanOut)). */
export function xavierNormal(t: Tensor, { gain: g = 1, rng = defaultRng() }: { gain?: number; rng?: Rng } = {}): Tensor {
  const { fanIn, fanOut } = fans(t.shape);
  return normal(t, { std: g * Math.sqrt(2 / (fanIn + fanOut)), rng });
}

/** Kaiming/He uniform (He et al. 2015, https://arxiv.org/abs/1502.01852): bound = gain·√(3/fan). */
export function kaimingUniform(t: Tensor, { mode = "fanIn", nonlinearity = "leakyRelu", slope = 0, rng = defaultRng() }: FanOptions = {}): Tensor {
  const f = fans(t.shape)[mode];
  const bound = gain(nonlinearity, slope) * Math.sqrt(3 / f);
  return uniform(t, { low: -bound, high: bound, rng });
}
/** Kaiming/He normal: std = gain/√fan (gain √2 for ReLU). */
export function kaimingNormal(t: Tensor, { mode = "fanIn", nonlinearity = "leakyRelu", slope = 0, rng = defaultRng() }: FanOptions = {}): Tensor {
  const f = fans(t.shape)[mode];
  return normal(t, { std: gain(nonlinearity, slope) / Math.sqrt(f), rng });
}

/**
 * Orthogonal init (Saxe et al. 2014, https://arxiv.org/abs/1312.6120): the weight, flattened to
 * [rows, cols], gets orthonormal rows (or columns), from the QR decomposition of a Gaussian matrix
 * with the signs of R's diagonal folded in so the distribution is uniform (Haar).
 */
export function orthogonal(t: Tensor, { gain: g = 1, rng = defaultRng() }: { gain?: number; rng?: Rng } = {}): Tensor {
  if (t.rank < 2) throw new ValueError(`init.orthogonal: need a tensor of rank >= 2, got ${fmt(t.shape)}`);
  const rows = t.shape[0];
  const cols = t.size / rows;
  const [m, n] = rows < cols ? [cols, rows] : [rows, cols]; // QR of the tall orientation
  const a = Float64Array.from(rng.normal(m * n)); // column-major m x n
  // Modified Gram–Schmidt on the columns (n <= m); Q overwrites a, sign(R_jj) folded in.
  for (let j = 0; j < n; j++) {
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < m; i++) dot += a[k * m + i] * a[j * m + i];
      for (let i = 0; i < m; i++) a[j * m + i] -= dot * a[k * m + i];
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += a[j * m + i] ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < m; i++) a[j * m + i] /= norm;
  }
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      // tall case: W = Q (rows=m, cols=n); wide case: W = Q^T.
      out[r * cols + c] = g * (rows >= cols ? a[c * m + r] : a[r * m + c]);
    }
  }
  return write(t, out);
}
