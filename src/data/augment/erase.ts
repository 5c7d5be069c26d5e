/**
 * Occlusion augmentations: cutout (DeVries & Taylor 2017, "Improved Regularization of Convolutional
 * Neural Networks with Cutout", https://arxiv.org/abs/1708.04552) and random erasing (Zhong et al.
 * 2017, "Random Erasing Data Augmentation", https://arxiv.org/abs/1708.04896). Both hide a rectangle
 * so the network cannot rely on one discriminative part.
 */
import { type Rng, ValueError } from "../../core/index.js";
import { type Augmentation, type ChwImage, checkImage, checkInterval, checkProbability, randInt, uniform } from "./types.js";

/** Fills rows [y0, y1) × columns [x0, x1) of every channel with `value(i)` (i counts filled pixels). */
function fillRect(img: ChwImage, y0: number, y1: number, x0: number, x1: number, value: (i: number) => number): ChwImage {
  const [c, h, w] = checkImage("fillRect", img);
  const d = Float32Array.from(img.data);
  let i = 0;
  for (let ch = 0; ch < c; ch++) for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) d[(ch * h + y) * w + x] = value(i++);
  return { data: d, shape: [c, h, w] };
}

export interface CutoutOptions {
  /** Side of the square mask in pixels (the paper: 16 on CIFAR-10, 8 on CIFAR-100). */
  size: number;
  /** Probability of applying (default 1, as in the paper). */
  p?: number;
  fill?: number;
}

/**
 * Cutout: a size×size square centered at a uniformly random pixel is set to `fill`; as in the
 * paper, the center may lie near the border, so the square may be partly outside the image.
 */
export function cutout({ size, p = 1, fill = 0 }: CutoutOptions): Augmentation {
  if (!(Number.isInteger(size) && size >= 1)) throw new ValueError(`cutout: size must be an integer >= 1, got ${size}`);
  checkProbability("cutout", "p", p);
  return (img: ChwImage, rng: Rng) => {
    const [, h, w] = checkImage("cutout", img);
    if (p < 1 && rng.next() >= p) return img;
    const cy = randInt(rng, 0, h - 1), cx = randInt(rng, 0, w - 1);
    const y0 = Math.max(0, cy - Math.floor(size / 2)), y1 = Math.min(h, cy - Math.floor(size / 2) + size);
    const x0 = Math.max(0, cx - Math.floor(size / 2)), x1 = Math.min(w, cx - Math.floor(size / 2) + size);
    return fillRect(img, y0, y1, x0, x1, () => fill);
  };
}

export interface RandomErasingOptions {
  /** Probability of erasing (default 0.5, the paper's value). */
  p?: number;
  /** Erased area as a fraction of the image (default [0.02, 0.4], the paper's s_l, s_h). */
  scale?: readonly [number, number];
  /** Aspect ratio h/w of the rectangle, log-uniform (default [0.3, 1/0.3], the paper's r_1). */
  ratio?: readonly [number, number];
  /** Fill value, or "random" for N(0, 1) noise per pixel (default 0). */
  value?: number | "random";
}

/**
 * Random erasing: with probability p, a rectangle of random area and aspect ratio lying wholly
 * inside the image is filled with `value` (up to 10 tries to fit it; else the image is unchanged).
 */
export function randomErasing({ p = 0.5, scale = [0.02, 0.4], ratio = [0.3, 1 / 0.3], value = 0 }: RandomErasingOptions = {}): Augmentation {
  checkProbability("randomErasing", "p", p);
  const [s0, s1] = checkInterval("randomErasing", "scale", scale, 0, 1);
  const [r0, r1] = checkInterval("randomErasing", "ratio", ratio, Number.MIN_VALUE);
  if (value !== "random" && !Number.isFinite(value)) throw new ValueError(`randomErasing: value must be a finite number or "random", got ${JSON.stringify(value)}`);
  return (img: ChwImage, rng: Rng) => {
    const [c, h, w] = checkImage("randomErasing", img);
    if (rng.next() >= p) return img;
    for (let attempt = 0; attempt < 10; attempt++) {
      const area = h * w * uniform(rng, s0, s1);
      const aspect = Math.exp(uniform(rng, Math.log(r0), Math.log(r1)));
      const eh = Math.round(Math.sqrt(area * aspect));
      const ew = Math.round(Math.sqrt(area / aspect));
      if (eh < 1 || ew < 1 || eh >= h || ew >= w) continue;
      const y0 = randInt(rng, 0, h - eh), x0 = randInt(rng, 0, w - ew);
      const noise = value === "random" ? rng.normal(c * eh * ew) : undefined;
      return fillRect(img, y0, y0 + eh, x0, x0 + ew, noise ? (i) => noise[i] : () => value as number);
    }
    return img;
  };
}
