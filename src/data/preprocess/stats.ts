/**
 * Statistics over a training set, in float64: feature means, per-channel mean/variance and the
 * feature covariance matrix used by PCA and ZCA whitening.
 */
import type { Samples } from "./types.js";

/** Mean of each of the d features over n samples. */
export function featureMean(data: Samples, n: number, d: number): Float64Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) mean[j] += data[o + j];
  }
  for (let j = 0; j < d; j++) mean[j] /= Math.max(n, 1);
  return mean;
}

/** Per-channel mean and (population) variance of an [n, c, ...spatial] array. */
export function channelStats(data: Samples, n: number, c: number, spatial: number): { mean: Float64Array; variance: Float64Array } {
  const mean = new Float64Array(c);
  const variance = new Float64Array(c);
  const count = n * spatial;
  for (let ch = 0; ch < c; ch++) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const o = (i * c + ch) * spatial;
      for (let k = 0; k < spatial; k++) s += data[o + k];
    }
    const m = s / Math.max(count, 1);
    let v = 0;
    for (let i = 0; i < n; i++) {
      const o = (i * c + ch) * spatial;
      for (let k = 0; k < spatial; k++) {
        const x = data[o + k] - m;
        v += x * x;
      }
    }
    mean[ch] = m;
    variance[ch] = v / Math.max(count, 1);
  }
  return { mean, variance };
}

/**
 * Sample covariance (divided by n - 1) of d features over n samples, as a full symmetric d×d
 * Float64Array, and the means.
 */
export function covariance(data: Samples, n: number, d: number): { mean: Float64Array; cov: Float64Array } {
  const mean = featureMean(data, n, d);
  const cov = new Float64Array(d * d);
  if (data instanceof Uint8Array) {
    // NOTE: for bytes, accumulate the uncentered sums Σ x xᵀ skipping zero pixels (most of MNIST),
    // ~20× less work; the sums are exact integers in float64, so subtracting n μ μᵀ loses nothing.
    for (let i = 0; i < n; i++) {
      const o = i * d;
      for (let a = 0; a < d; a++) {
        const xa = data[o + a];
        if (xa === 0) continue;
        const row = a * d;
        for (let b = a; b < d; b++) cov[row + b] += xa * data[o + b];
      }
    }
    for (let a = 0; a < d; a++) for (let b = a; b < d; b++) cov[a * d + b] -= n * mean[a] * mean[b];
  } else {
    accumulateCentered(data, n, d, mean, cov);
  }
  const denom = Math.max(n - 1, 1);
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const v = cov[a * d + b] / denom;
      cov[a * d + b] = v;
      cov[b * d + a] = v;
    }
  }
  return { mean, cov };
}

/** Upper triangle of Σ (x - μ)(x - μ)ᵀ, four samples at a time (4× fewer passes over `cov`). */
function accumulateCentered(data: Samples, n: number, d: number, mean: Float64Array, cov: Float64Array): void {
  const x = new Float64Array(4 * d);
  for (let i = 0; i < n; i += 4) {
    const m = Math.min(4, n - i);
    x.fill(0);
    for (let r = 0; r < m; r++) for (let j = 0; j < d; j++) x[r * d + j] = data[(i + r) * d + j] - mean[j];
    for (let a = 0; a < d; a++) {
      const x0 = x[a], x1 = x[d + a], x2 = x[2 * d + a], x3 = x[3 * d + a];
      const row = a * d;
      for (let b = a; b < d; b++) cov[row + b] += x0 * x[b] + x1 * x[d + b] + x2 * x[2 * d + b] + x3 * x[3 * d + b];
    }
  }
}
