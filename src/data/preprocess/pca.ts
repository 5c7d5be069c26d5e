/**
 * PCA and ZCA whitening over flattened features, fitted on a training set (CS231n "Data
 * Preprocessing"; Bell & Sejnowski 1997 and Krizhevsky 2009 §1.3 for ZCA on images).
 *
 * With the training covariance Σ = Vᵀ Λ V (eigenvectors as rows of V, from `symmetricEigen`):
 * - PCA keeps the top k rows V_k: y = V_k (x - μ), optionally whitened y_i /= sqrt(λ_i + ε).
 *   `explainedVarianceRatio[i]` = λ_i / Σ_j λ_j (sorted descending, summing to ≤ 1).
 * - ZCA: y = W (x - μ) with W = Vᵀ diag(1 / sqrt(λ + ε)) V — whitened like PCA, then rotated back
 *   so the result still looks like an image (edges enhanced). ε keeps near-zero-variance directions
 *   from exploding; with ε = 0 the whitened training data has identity covariance.
 *
 * Cost: the covariance is O(n d²) and the Jacobi eigensolver O(d³) per sweep: fine for d ≤ ~1000
 * (28×28 takes seconds); for 32×32×3 = 3072 use patches or downsampled images.
 */
import { ShapeError, ValueError, fmt } from "../../core/index.js";
import { symmetricEigen } from "./eig.js";
import { type CovarianceOptions, covariance } from "./stats.js";
import { type FeatureBatch, type Preprocessor, type Samples, checkEpsilon, checkSampleShape, checkSamples, numberArray, positiveIntArray } from "./types.js";

export interface PcaState {
  kind: "pca";
  sampleShape: number[];
  mean: number[];
  /** k×d row-major: row i is the i-th principal axis. */
  components: number[];
  eigenvalues: number[];
  explainedVarianceRatio: number[];
  whiten: boolean;
  epsilon: number;
}

export interface ZcaState {
  kind: "zca";
  sampleShape: number[];
  mean: number[];
  /** d×d row-major whitening matrix W. */
  matrix: number[];
  epsilon: number;
}

/** A fitted PCA projection onto the top `k` principal axes: [n, ...sample] → [n, k]. */
export class Pca implements Preprocessor<PcaState> {
  readonly kind = "pca";
  readonly k: number;
  constructor(
    readonly sampleShape: readonly number[],
    readonly mean: Float64Array,
    readonly components: Float64Array,
    readonly eigenvalues: Float64Array,
    readonly explainedVarianceRatio: Float64Array,
    readonly whiten: boolean,
    readonly epsilon: number,
  ) {
    const d = mean.length;
    this.k = eigenvalues.length;
    if (components.length !== this.k * d) throw new ShapeError(`pca: components hold ${components.length} values, expected ${this.k}×${d}`);
    if (explainedVarianceRatio.length !== this.k) throw new ShapeError(`pca: ${explainedVarianceRatio.length} explained-variance ratios for ${this.k} components`);
  }
  apply(data: Samples, shape: readonly number[]): FeatureBatch {
    const [n, d] = checkSamples("pca.apply", data, shape);
    checkSampleShape("pca.apply", shape, this.sampleShape);
    const out = new Float32Array(n * this.k);
    const x = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) x[j] = data[i * d + j] - this.mean[j];
      for (let c = 0; c < this.k; c++) {
        let s = 0;
        const row = c * d;
        for (let j = 0; j < d; j++) s += this.components[row + j] * x[j];
        out[i * this.k + c] = this.whiten ? s / Math.sqrt(this.eigenvalues[c] + this.epsilon) : s;
      }
    }
    return { data: out, shape: [n, this.k] };
  }
  /** Maps [n, k] projections back to [n, ...sampleShape] (the rank-k reconstruction). */
  invert(data: Float32Array, shape: readonly number[]): FeatureBatch {
    const [n, k] = checkSamples("pca.invert", data, shape);
    if (k !== this.k || shape.length !== 2) throw new ShapeError(`pca.invert: expected [n, ${this.k}], got ${fmt(shape)}`);
    const d = this.mean.length;
    const out = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        let s = this.mean[j];
        for (let c = 0; c < k; c++) {
          const y = data[i * k + c] * (this.whiten ? Math.sqrt(this.eigenvalues[c] + this.epsilon) : 1);
          s += this.components[c * d + j] * y;
        }
        out[i * d + j] = s;
      }
    }
    return { data: out, shape: [n, ...this.sampleShape] };
  }
  toJSON(): PcaState {
    return {
      kind: "pca", sampleShape: [...this.sampleShape], mean: Array.from(this.mean), components: Array.from(this.components),
      eigenvalues: Array.from(this.eigenvalues), explainedVarianceRatio: Array.from(this.explainedVarianceRatio),
      whiten: this.whiten, epsilon: this.epsilon,
    };
  }
  static fromJSON(s: PcaState): Pca {
    const op = "pca.fromJSON";
    const sampleShape = positiveIntArray(op, "sampleShape", s.sampleShape);
    const mean = numberArray(op, "mean", s.mean, sampleShape.reduce((a, b) => a * b, 1));
    const eig = numberArray(op, "eigenvalues", s.eigenvalues);
    return new Pca(sampleShape, mean, numberArray(op, "components", s.components, eig.length * mean.length), eig,
      numberArray(op, "explainedVarianceRatio", s.explainedVarianceRatio, eig.length), s.whiten === true, checkEpsilon(op, s.epsilon));
  }
}

/** A fitted ZCA whitening: [n, ...sample] → same shape. */
export class Zca implements Preprocessor<ZcaState> {
  readonly kind = "zca";
  constructor(readonly sampleShape: readonly number[], readonly mean: Float64Array, readonly matrix: Float64Array, readonly epsilon: number) {
    const d = mean.length;
    if (matrix.length !== d * d) throw new ShapeError(`zca: matrix holds ${matrix.length} values, expected ${d}×${d}`);
  }
  apply(data: Samples, shape: readonly number[]): FeatureBatch {
    const [n, d] = checkSamples("zca.apply", data, shape);
    checkSampleShape("zca.apply", shape, this.sampleShape);
    const out = new Float32Array(n * d);
    const x = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) x[j] = data[i * d + j] - this.mean[j];
      for (let r = 0; r < d; r++) {
        let s = 0;
        const row = r * d;
        for (let j = 0; j < d; j++) s += this.matrix[row + j] * x[j];
        out[i * d + r] = s;
      }
    }
    return { data: out, shape: [...shape] };
  }
  toJSON(): ZcaState {
    return { kind: "zca", sampleShape: [...this.sampleShape], mean: Array.from(this.mean), matrix: Array.from(this.matrix), epsilon: this.epsilon };
  }
  static fromJSON(s: ZcaState): Zca {
    const op = "zca.fromJSON";
    const sampleShape = positiveIntArray(op, "sampleShape", s.sampleShape);
    const d = sampleShape.reduce((a, b) => a * b, 1);
    return new Zca(sampleShape, numberArray(op, "mean", s.mean, d), numberArray(op, "matrix", s.matrix, d * d), checkEpsilon(op, s.epsilon));
  }
}

function eigenOfData(op: string, data: Samples, shape: readonly number[], opts: CovarianceOptions): { mean: Float64Array; values: Float64Array; vectors: Float64Array; d: number } {
  const [n, d] = checkSamples(op, data, shape);
  if (n < 2) throw new ValueError(`${op}: need at least 2 samples to estimate a covariance, got ${n}`);
  const { mean, cov } = covariance(data, n, d, opts);
  const { values, vectors } = symmetricEigen(cov, d);
  // NOTE: a covariance is positive semi-definite; rounding can leave eigenvalues at -1e-13.
  for (let i = 0; i < d; i++) values[i] = Math.max(values[i], 0);
  return { mean, values, vectors, d };
}

export interface PcaOptions extends CovarianceOptions {
  /** Number of principal axes kept (default: all d). */
  components?: number;
  /** Divide each projection by sqrt(λ + ε) (PCA whitening). Default false. */
  whiten?: boolean;
  epsilon?: number;
}

/** Fits PCA on training samples [n, ...sample] (features = the flattened sample). */
export function fitPca(data: Samples, shape: readonly number[], { components, whiten = false, epsilon = 1e-5, maxSamples }: PcaOptions = {}): Pca {
  checkEpsilon("fitPca", epsilon);
  const { mean, values, vectors, d } = eigenOfData("fitPca", data, shape, { maxSamples });
  const k = components ?? d;
  if (!(Number.isInteger(k) && k >= 1 && k <= d)) throw new ValueError(`fitPca: components must be an integer in [1, ${d}], got ${components}`);
  const total = values.reduce((a, b) => a + b, 0);
  const ratio = values.slice(0, k).map((v) => (total > 0 ? v / total : 0));
  return new Pca(shape.slice(1), mean, vectors.slice(0, k * d), values.slice(0, k), ratio, whiten, epsilon);
}

export interface ZcaOptions extends CovarianceOptions {
  /** Added to every eigenvalue before 1/sqrt (default 1e-5; Coates & Ng use ~0.1 for [0, 1] pixels). */
  epsilon?: number;
}

/** Fits ZCA whitening W = Vᵀ diag(1/sqrt(λ + ε)) V on training samples [n, ...sample]. */
export function fitZca(data: Samples, shape: readonly number[], { epsilon = 1e-5, maxSamples }: ZcaOptions = {}): Zca {
  checkEpsilon("fitZca", epsilon);
  const { mean, values, vectors, d } = eigenOfData("fitZca", data, shape, { maxSamples });
  if (epsilon === 0 && values[d - 1] <= 0) {
    throw new ValueError(`fitZca: the covariance is singular (smallest eigenvalue ${values[d - 1]}); pass epsilon > 0`);
  }
  const w = new Float64Array(d * d);
  for (let k = 0; k < d; k++) {
    const f = 1 / Math.sqrt(values[k] + epsilon);
    const vk = k * d;
    for (let i = 0; i < d; i++) {
      const a = vectors[vk + i] * f;
      if (a === 0) continue;
      for (let j = 0; j < d; j++) w[i * d + j] += a * vectors[vk + j];
    }
  }
  return new Zca(shape.slice(1), mean, w, epsilon);
}
