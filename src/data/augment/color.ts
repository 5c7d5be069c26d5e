/**
 * Photometric augmentations: color jitter (brightness, contrast, saturation; torchvision's
 * definitions) and AlexNet's PCA lighting noise (Krizhevsky et al. 2012 §4.1). They assume RGB
 * (or gray) images in [0, 1] unless `clamp` says otherwise; saturation needs 3 channels.
 */
import { type Rng, ShapeError, ValueError, fmt } from "../../core/index.js";
import { type Augmentation, type ChwImage, checkImage, checkNonNegative, uniform } from "./types.js";

export interface ColorJitterOptions {
  /** Brightness factor drawn from [max(0, 1 - b), 1 + b] (default 0 = off). */
  brightness?: number;
  /** Contrast factor, same range rule (default 0). */
  contrast?: number;
  /** Saturation factor, same range rule (default 0); ignored on 1-channel images. */
  saturation?: number;
  /** Clamp range after each step (default [0, 1]); null for images that are already normalized. */
  clamp?: readonly [number, number] | null;
}

/** ITU-R BT.601 luma, as PIL's "L" conversion and torchvision's rgb_to_grayscale. */
function gray(d: Float32Array, plane: number, i: number): number {
  return 0.299 * d[i] + 0.587 * d[plane + i] + 0.114 * d[2 * plane + i];
}

function blend(d: Float32Array, f: number, other: (i: number) => number, plane: number, c: number, lo: number, hi: number): void {
  for (let ch = 0; ch < c; ch++) {
    const o = ch * plane;
    for (let i = 0; i < plane; i++) {
      const v = f * d[o + i] + (1 - f) * other(i);
      d[o + i] = v < lo ? lo : v > hi ? hi : v;
    }
  }
}

/**
 * Random brightness (x·f), contrast (blend with the mean gray level) and saturation (blend with the
 * per-pixel gray), applied in a random order as torchvision's ColorJitter does.
 */
export function colorJitter({ brightness = 0, contrast = 0, saturation = 0, clamp = [0, 1] }: ColorJitterOptions = {}): Augmentation {
  checkNonNegative("colorJitter", "brightness", brightness);
  checkNonNegative("colorJitter", "contrast", contrast);
  checkNonNegative("colorJitter", "saturation", saturation);
  if (clamp !== null && !(Array.isArray(clamp) && clamp.length === 2 && clamp[0] <= clamp[1])) {
    throw new ValueError(`colorJitter: clamp must be [lo, hi] with lo <= hi, or null, got ${JSON.stringify(clamp)}`);
  }
  const [lo, hi] = clamp ?? [-Infinity, Infinity];
  return (img: ChwImage, rng: Rng) => {
    const [c, h, w] = checkImage("colorJitter", img);
    if (c !== 1 && c !== 3) throw new ShapeError(`colorJitter: expected 1 or 3 channels, got image ${fmt(img.shape)}`);
    const plane = h * w;
    const d = Float32Array.from(img.data);
    const order = rng.permutation(3);
    const factors = [brightness, contrast, saturation].map((s) => uniform(rng, Math.max(0, 1 - s), 1 + s));
    for (const step of order) {
      const f = factors[step];
      if (f === 1) continue;
      if (step === 0) {
        blend(d, f, () => 0, plane, c, lo, hi);
      } else if (step === 1) {
        let m = 0;
        for (let i = 0; i < plane; i++) m += c === 3 ? gray(d, plane, i) : d[i];
        m /= plane;
        blend(d, f, () => m, plane, c, lo, hi);
      } else if (c === 3) {
        const g = new Float32Array(plane);
        for (let i = 0; i < plane; i++) g[i] = gray(d, plane, i);
        blend(d, f, (i) => g[i], plane, c, lo, hi);
      }
    }
    return { data: d, shape: [c, h, w] };
  };
}

export interface PcaLightingOptions {
  /** Eigenvalues of the RGB pixel covariance (from `fitColorPca`), in the image's units². */
  eigenvalues: readonly number[];
  /** The 3 unit RGB eigenvectors (eigenvectors[i] belongs to eigenvalues[i]). */
  eigenvectors: readonly (readonly number[])[];
  /** Std of the Gaussian α_i (default 0.1, the paper's value). */
  alphaStd?: number;
}

/**
 * AlexNet's "fancy PCA" lighting: adds Σ_i α_i λ_i v_i to every RGB pixel, α_i ~ N(0, alphaStd²),
 * one draw per image — changes intensity and color of the illumination, not the object identity.
 */
export function pcaLighting({ eigenvalues, eigenvectors, alphaStd = 0.1 }: PcaLightingOptions): Augmentation {
  checkNonNegative("pcaLighting", "alphaStd", alphaStd);
  if (eigenvalues?.length !== 3 || eigenvectors?.length !== 3 || eigenvectors.some((v) => v.length !== 3)) {
    throw new ValueError(`pcaLighting: expected 3 eigenvalues and 3 RGB eigenvectors, got ${JSON.stringify({ eigenvalues, eigenvectors })}`);
  }
  return (img: ChwImage, rng: Rng) => {
    const [c, h, w] = checkImage("pcaLighting", img);
    if (c !== 3) throw new ShapeError(`pcaLighting: expected an RGB image, got ${fmt(img.shape)}`);
    const alpha = rng.normal(3, 0, alphaStd);
    const shift = [0, 0, 0];
    for (let i = 0; i < 3; i++) for (let ch = 0; ch < 3; ch++) shift[ch] += alpha[i] * eigenvalues[i] * eigenvectors[i][ch];
    const plane = h * w;
    const d = new Float32Array(img.data.length);
    for (let ch = 0; ch < 3; ch++) for (let i = 0; i < plane; i++) d[ch * plane + i] = img.data[ch * plane + i] + shift[ch];
    return { data: d, shape: [c, h, w] };
  };
}
