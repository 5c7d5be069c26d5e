/**
 * Gaussian-process regression with a Matérn-5/2 ARD kernel, the surrogate model of Bayesian optimization
 * as in Snoek, Larochelle & Adams 2012, "Practical Bayesian Optimization of Machine Learning Algorithms"
 * (https://arxiv.org/abs/1206.2944), and Rasmussen & Williams 2006, "Gaussian Processes for Machine
 * Learning", ch. 2 and 5 (http://gaussianprocess.org/gpml/).
 *
 *   k(x, x') = s² (1 + √5 r + 5r²/3) exp(−√5 r),   r² = Σ_k (x_k − x'_k)² / ℓ_k²
 *   K = k(X, X) + σ²I,   L = chol(K),   α = K⁻¹y
 *   mean(x) = k(x, X) α,   var(x) = s² − ‖L⁻¹ k(X, x)‖²
 *   log p(y | X, θ) = −½ yᵀα − Σ_i log L_ii − (n/2) log 2π
 *   ∂/∂θ_j log p = ½ tr((ααᵀ − K⁻¹) ∂K/∂θ_j)                                  (GPML eq. 5.9)
 *
 * Inputs live in the unit cube, outputs are standardized by the caller. θ = (log ℓ_1…log ℓ_d, log s², log σ²)
 * is fitted by maximizing the log marginal likelihood plus a weak Gamma(3, 6) prior on each lengthscale
 * (mode 1/3; the default of BoTorch's unit-cube models), which keeps ℓ sane with few points, by projected
 * Adam ascent from several starts. Snoek et al. integrate θ out by slice sampling; a point estimate is the
 * cheaper variant they compare against.
 */
import type { Rng } from "../../core/index.js";
import { cholInverse, cholSolve, cholesky, solveLower } from "./linalg.js";

const SQRT5 = Math.sqrt(5);
const LOG_2PI = Math.log(2 * Math.PI);
/** Added to the noise variance for numerical stability of the Cholesky factorization. */
const JITTER = 1e-8;

/** Box constraints on θ (natural logs): lengthscales, signal variance s², noise variance σ². */
export const BOUNDS = {
  logLengthscale: [Math.log(0.01), Math.log(10)],
  logSignal: [Math.log(0.05), Math.log(20)],
  logNoise: [Math.log(1e-6), Math.log(1)],
} as const;
const PRIOR_SHAPE = 3;
const PRIOR_RATE = 6;

/** Training inputs with their per-dimension squared differences precomputed (they do not depend on θ). */
export class GpData {
  readonly n: number;
  readonly d: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
  /** sq[k][a·n + b] = (x_ak − x_bk)². */
  readonly sq: Float64Array[];

  constructor(x: readonly (readonly number[])[], y: ArrayLike<number>) {
    this.n = x.length;
    this.d = x.length > 0 ? x[0].length : 0;
    this.x = Float64Array.from(x.flat());
    this.y = Float64Array.from(y);
    const { n, d } = this;
    this.sq = Array.from({ length: d }, (_, k) => {
      const m = new Float64Array(n * n);
      for (let a = 0; a < n; a++) {
        for (let b = 0; b < a; b++) {
          const diff = this.x[a * d + k] - this.x[b * d + k];
          m[a * n + b] = m[b * n + a] = diff * diff;
        }
      }
      return m;
    });
  }
}

/** Matérn-5/2 correlation at distance r (without the signal variance). */
export function matern52(r: number): number {
  return (1 + SQRT5 * r + (5 / 3) * r * r) * Math.exp(-SQRT5 * r);
}

/** Builds K and, for the gradient, G_ab = s² (5/3)(1 + √5 r) exp(−√5 r) (so ∂K_ab/∂log ℓ_k = G_ab · sq_k/ℓ_k²). */
function kernelMatrix(data: GpData, theta: Float64Array): { k: Float64Array; g: Float64Array } {
  const { n, d, sq } = data;
  const inv2 = Array.from({ length: d }, (_, k) => Math.exp(-2 * theta[k]));
  const s2 = Math.exp(theta[d]);
  const noise = Math.exp(theta[d + 1]) + JITTER;
  const k = new Float64Array(n * n);
  const g = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    k[a * n + a] = s2 + noise;
    for (let b = 0; b < a; b++) {
      let r2 = 0;
      for (let j = 0; j < d; j++) r2 += sq[j][a * n + b] * inv2[j];
      const r = Math.sqrt(r2);
      const e = Math.exp(-SQRT5 * r);
      k[a * n + b] = k[b * n + a] = s2 * (1 + SQRT5 * r + (5 / 3) * r2) * e;
      g[a * n + b] = g[b * n + a] = s2 * (5 / 3) * (1 + SQRT5 * r) * e;
    }
  }
  return { k, g };
}

/** Log marginal likelihood + log prior at θ and its gradient; −Infinity when K is not positive definite. */
export function logPosterior(data: GpData, theta: Float64Array): { value: number; grad: Float64Array } {
  const { n, d, y, sq } = data;
  const grad = new Float64Array(d + 2);
  const { k, g } = kernelMatrix(data, theta);
  const l = cholesky(k, n);
  if (!l) return { value: -Infinity, grad };
  const alpha = cholSolve(l, n, y);
  let value = -0.5 * n * LOG_2PI;
  for (let i = 0; i < n; i++) value -= 0.5 * y[i] * alpha[i] + Math.log(l[i * n + i]);
  const kinv = cholInverse(l, n);
  const s2 = Math.exp(theta[d]);
  const noise = Math.exp(theta[d + 1]);
  for (let a = 0; a < n; a++) {
    const waa = alpha[a] * alpha[a] - kinv[a * n + a];
    grad[d] += 0.5 * waa * s2;
    grad[d + 1] += 0.5 * waa * noise;
    for (let b = 0; b < a; b++) {
      const w = alpha[a] * alpha[b] - kinv[a * n + b]; // W is symmetric: off-diagonal pairs count twice, ½·2 = 1
      grad[d] += w * (k[a * n + b]);
      const wg = w * g[a * n + b];
      for (let j = 0; j < d; j++) grad[j] += wg * sq[j][a * n + b];
    }
  }
  for (let j = 0; j < d; j++) {
    const ell = Math.exp(theta[j]);
    grad[j] /= ell * ell;
    // Gamma(α, β) prior on ℓ, written in θ = log ℓ (Jacobian included): α θ − β e^θ.
    value += PRIOR_SHAPE * theta[j] - PRIOR_RATE * ell;
    grad[j] += PRIOR_SHAPE - PRIOR_RATE * ell;
  }
  return { value, grad };
}

function clampTheta(theta: Float64Array, d: number): void {
  for (let j = 0; j < d + 2; j++) {
    const [lo, hi] = j < d ? BOUNDS.logLengthscale : j === d ? BOUNDS.logSignal : BOUNDS.logNoise;
    theta[j] = Math.min(hi, Math.max(lo, theta[j]));
  }
}

export interface FitOptions {
  /** Random restarts besides the default start (default 2). */
  restarts?: number;
  /** Adam steps per start (default 60). */
  iterations?: number;
  /** Adam step size in log space (default 0.1). */
  stepSize?: number;
}

/**
 * Maximizes `logPosterior` by projected Adam ascent (Kingma & Ba 2015) from the default start
 * (ℓ = 0.3, s² = 1, σ² = 1e-3) and `restarts` random starts; returns the best θ seen.
 */
export function fitHyperparameters(data: GpData, rng: Rng, { restarts = 2, iterations = 60, stepSize = 0.1 }: FitOptions = {}): Float64Array {
  const d = data.d;
  const starts: Float64Array[] = [Float64Array.from([...new Array<number>(d).fill(Math.log(0.3)), 0, Math.log(1e-3)])];
  for (let r = 0; r < restarts; r++) {
    const u = rng.uniform(d + 2);
    const t = new Float64Array(d + 2);
    for (let j = 0; j < d; j++) t[j] = Math.log(0.05) + u[j] * (Math.log(2) - Math.log(0.05));
    t[d] = Math.log(0.2) + u[d] * (Math.log(5) - Math.log(0.2));
    t[d + 1] = Math.log(1e-6) + u[d + 1] * (Math.log(0.1) - Math.log(1e-6));
    starts.push(t);
  }
  let best = starts[0];
  let bestValue = -Infinity;
  for (const start of starts) {
    const theta = Float64Array.from(start);
    const m = new Float64Array(d + 2);
    const v = new Float64Array(d + 2);
    for (let it = 1; it <= iterations; it++) {
      const { value, grad } = logPosterior(data, theta);
      if (value > bestValue) {
        bestValue = value;
        best = Float64Array.from(theta);
      }
      if (!Number.isFinite(value)) break;
      for (let j = 0; j < d + 2; j++) {
        m[j] = 0.9 * m[j] + 0.1 * grad[j];
        v[j] = 0.999 * v[j] + 0.001 * grad[j] * grad[j];
        const mh = m[j] / (1 - 0.9 ** it);
        const vh = v[j] / (1 - 0.999 ** it);
        theta[j] += (stepSize * mh) / (Math.sqrt(vh) + 1e-8);
      }
      clampTheta(theta, d);
    }
  }
  return best;
}

/** A GP conditioned on data at fixed θ: posterior mean and variance of the latent function. */
export class GaussianProcess {
  readonly data: GpData;
  readonly theta: Float64Array;
  readonly #l: Float64Array;
  readonly #alpha: Float64Array;
  readonly #inv2: Float64Array;
  readonly #s2: number;
  // Scratch buffers for predict(), which runs thousands of times per suggestion.
  readonly #ks: Float64Array;
  readonly #v: Float64Array;

  constructor(data: GpData, theta: Float64Array) {
    this.data = data;
    this.theta = theta;
    const d = data.d;
    this.#inv2 = Float64Array.from({ length: d }, (_, k) => Math.exp(-2 * theta[k]));
    this.#s2 = Math.exp(theta[d]);
    const { k } = kernelMatrix(data, theta);
    // Escalate the jitter if K is numerically singular (duplicate points with tiny noise).
    let l = cholesky(k, data.n);
    for (let jitter = 1e-8; !l; jitter *= 10) {
      if (jitter > 1) throw new Error("GaussianProcess: kernel matrix is not positive definite even with jitter 1");
      for (let i = 0; i < data.n; i++) k[i * data.n + i] += jitter;
      l = cholesky(k, data.n);
    }
    this.#l = l;
    this.#alpha = cholSolve(l, data.n, data.y);
    this.#ks = new Float64Array(data.n);
    this.#v = new Float64Array(data.n);
  }

  /** Posterior mean and variance (of f, without observation noise) at unit point x. */
  predict(x: ArrayLike<number>): { mean: number; variance: number } {
    const { n, d, x: xs } = this.data;
    const ks = this.#ks;
    let mean = 0;
    for (let a = 0; a < n; a++) {
      let r2 = 0;
      for (let j = 0; j < d; j++) {
        const diff = x[j] - xs[a * d + j];
        r2 += diff * diff * this.#inv2[j];
      }
      ks[a] = this.#s2 * matern52(Math.sqrt(r2));
      mean += ks[a] * this.#alpha[a];
    }
    const v = solveLower(this.#l, n, ks, this.#v);
    let vv = 0;
    for (let a = 0; a < n; a++) vv += v[a] * v[a];
    return { mean, variance: Math.max(this.#s2 - vv, 1e-12) };
  }
}
