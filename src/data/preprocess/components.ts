/**
 * Plot-ready views of a fitted PCA for the dashboard: the top principal axes reshaped to the sample
 * shape and mapped to 0..255 (the "eigenimages" of CS231n / Turk & Pentland 1991's eigenfaces), and
 * the RGB color PCA of Krizhevsky et al. 2012 §4.1, which feeds the `pcaLighting` augmentation.
 */
import { ValueError, fmt } from "../../core/index.js";
import { symmetricEigen } from "./eig.js";
import type { Pca } from "./pca.js";
import { type Samples, checkSamples } from "./types.js";

export interface ComponentImage {
  index: number;
  eigenvalue: number;
  explainedVarianceRatio: number;
  /** Sample-shaped (e.g. CHW) values in 0..255: 128 = 0, 0/255 = ∓ the largest magnitude. */
  pixels: number[];
}

/** A JSON-able dump for the dashboard: the mean image and the top components, all 0..255. */
export interface PrincipalComponentDump {
  sampleShape: number[];
  mean: number[];
  components: ComponentImage[];
  cumulativeExplainedVariance: number[];
}

/** The top `count` principal axes of `pca` as images (sample shape, CHW for images). */
export function principalComponentImages(pca: Pca, { count = 16 }: { count?: number } = {}): PrincipalComponentDump {
  if (!(Number.isInteger(count) && count >= 1)) throw new ValueError(`principalComponentImages: count must be an integer >= 1, got ${count}`);
  const d = pca.mean.length;
  const k = Math.min(count, pca.k);
  const components: ComponentImage[] = [];
  const cumulative: number[] = [];
  let acc = 0;
  for (let c = 0; c < k; c++) {
    const v = pca.components.subarray(c * d, (c + 1) * d);
    let big = 0;
    for (const x of v) big = Math.max(big, Math.abs(x));
    const pixels = Array.from(v, (x) => Math.round(127.5 + (big > 0 ? (127.5 * x) / big : 0)));
    acc += pca.explainedVarianceRatio[c];
    cumulative.push(acc);
    components.push({ index: c, eigenvalue: pca.eigenvalues[c], explainedVarianceRatio: pca.explainedVarianceRatio[c], pixels });
  }
  let lo = Infinity, hi = -Infinity;
  for (const m of pca.mean) { lo = Math.min(lo, m); hi = Math.max(hi, m); }
  const mean = Array.from(pca.mean, (m) => (hi > lo ? Math.round((255 * (m - lo)) / (hi - lo)) : 128));
  return { sampleShape: [...pca.sampleShape], mean, components, cumulativeExplainedVariance: cumulative };
}

export interface ColorPca {
  /** Eigenvalues of the 3×3 RGB covariance, descending. */
  eigenvalues: [number, number, number];
  /** eigenvectors[i] is the i-th RGB axis (unit length). */
  eigenvectors: [[number, number, number], [number, number, number], [number, number, number]];
}

/**
 * PCA of RGB pixel values over a training set [n, 3, h, w] (Krizhevsky et al. 2012 §4.1, "altering
 * the intensities of the RGB channels"): pass the result to `pcaLighting`. Uses the pixels of at most
 * `maxImages` images (evenly spaced), in the units of `data` (scale bytes by 1/255 first if the
 * augmentation runs on [0, 1] images).
 */
export function fitColorPca(data: Samples, shape: readonly number[], { maxImages = 10000 }: { maxImages?: number } = {}): ColorPca {
  const [n, d] = checkSamples("fitColorPca", data, shape);
  if (shape[1] !== 3) throw new ValueError(`fitColorPca: expected [n, 3, h, w] RGB images, got ${fmt(shape)}`);
  if (!(Number.isInteger(maxImages) && maxImages >= 1)) throw new ValueError(`fitColorPca: maxImages must be an integer >= 1, got ${maxImages}`);
  const plane = d / 3;
  const step = Math.max(1, Math.floor(n / maxImages));
  const s = new Float64Array(3);
  const ss = new Float64Array(9);
  let count = 0;
  for (let i = 0; i < n; i += step) {
    const o = i * d;
    for (let p = 0; p < plane; p++) {
      const rgb = [data[o + p], data[o + plane + p], data[o + 2 * plane + p]];
      for (let a = 0; a < 3; a++) {
        s[a] += rgb[a];
        for (let b = 0; b < 3; b++) ss[a * 3 + b] += rgb[a] * rgb[b];
      }
    }
    count += plane;
  }
  const cov = new Float64Array(9);
  for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) cov[a * 3 + b] = (ss[a * 3 + b] - (s[a] * s[b]) / count) / Math.max(count - 1, 1);
  const { values, vectors } = symmetricEigen(cov, 3);
  const row = (i: number): [number, number, number] => [vectors[i * 3], vectors[i * 3 + 1], vectors[i * 3 + 2]];
  return {
    eigenvalues: [Math.max(values[0], 0), Math.max(values[1], 0), Math.max(values[2], 0)],
    eigenvectors: [row(0), row(1), row(2)],
  };
}
