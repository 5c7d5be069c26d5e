/**
 * Statistics over a training set, in float64: feature means, per-channel mean/variance and the
 * feature covariance matrix used by PCA and ZCA whitening.
 */
import { ValueError } from "../../core/index.js";
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
export function channelMoments(data: Samples, n: number, c: number, spatial: number): { mean: Float64Array; variance: Float64Array } {
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

export interface CovarianceOptions {
  /**
   * Use at most this many samples, evenly spaced (default: all). The cost is O(n d²): 60,000
   * Fashion-MNIST images (d = 784) take tens of seconds, 10,000 a few.
   */
  maxSamples?: number;
}

/**
 * Sample covariance (divided by m - 1, m = samples used) of d features, as a full symmetric d×d
 * Float64Array, and the means of the samples used.
 */
export function covariance(data: Samples, n: number, d: number, { maxSamples = Infinity }: CovarianceOptions = {}): { mean: Float64Array; cov: Float64Array } {
  if (!(maxSamples >= 2)) throw new ValueError(`covariance: maxSamples must be >= 2, got ${maxSamples}`);
  const step = n > maxSamples ? n / maxSamples : 1;
  const rows: number[] = [];
  for (let r = 0; Math.floor(r) < n && rows.length < maxSamples; r += step) rows.push(Math.floor(r));
  const m = rows.length;
  const mean = new Float64Array(d);
  for (const i of rows) for (let j = 0; j < d; j++) mean[j] += data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= Math.max(m, 1);
  const cov = new Float64Array(d * d);
  // NOTE: bytes are accumulated uncentered (Σ x xᵀ, then minus m μ μᵀ): the sums are exact integers
  // in float64, so nothing is lost, and zero pixels (most of MNIST) can be skipped. Floats are
  // centered first, which avoids cancellation when the mean is large next to the spread.
  const center = !(data instanceof Uint8Array);
  accumulate(data, rows, d, center ? mean : new Float64Array(d), cov);
  if (!center) for (let a = 0; a < d; a++) for (let b = a; b < d; b++) cov[a * d + b] -= m * mean[a] * mean[b];
  const denom = Math.max(m - 1, 1);
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const v = cov[a * d + b] / denom;
      cov[a * d + b] = v;
      cov[b * d + a] = v;
    }
  }
  return { mean, cov };
}

/** Upper triangle of Σ (x - μ)(x - μ)ᵀ over `rows`, four samples per pass over `cov`. */
function accumulate(data: Samples, rows: readonly number[], d: number, mean: Float64Array, cov: Float64Array): void {
  const x = new Float64Array(4 * d);
  for (let r0 = 0; r0 < rows.length; r0 += 4) {
    const m = Math.min(4, rows.length - r0);
    x.fill(0);
    for (let r = 0; r < m; r++) {
      const o = rows[r0 + r] * d;
      for (let j = 0; j < d; j++) x[r * d + j] = data[o + j] - mean[j];
    }
    for (let a = 0; a < d; a++) {
      const x0 = x[a], x1 = x[d + a], x2 = x[2 * d + a], x3 = x[3 * d + a];
      if (x0 === 0 && x1 === 0 && x2 === 0 && x3 === 0) continue;
      const row = a * d;
      for (let b = a; b < d; b++) cov[row + b] += x0 * x[b] + x1 * x[d + b] + x2 * x[2 * d + b] + x3 * x[3 * d + b];
    }
  }
}
