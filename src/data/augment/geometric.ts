/**
 * Geometric augmentations: flips, crops with zero padding, random resized crops and small affine
 * warps (rotation, translation) with bilinear resampling. All keep the label.
 */
import { type Rng, ShapeError, ValueError, fmt } from "../../core/index.js";
import {
  type Augmentation, type ChwImage, checkImage, checkInterval, checkNonNegative, checkProbability, checkSize, randInt, uniform,
} from "./types.js";

/** Mirrors the image left–right (deterministic). */
export function flipHorizontal(img: ChwImage): ChwImage {
  const [c, h, w] = checkImage("flipHorizontal", img);
  const src = img.data;
  const out = new Float32Array(src.length);
  for (let r = 0; r < c * h; r++) {
    const o = r * w;
    for (let x = 0; x < w; x++) out[o + x] = src[o + w - 1 - x];
  }
  return { data: out, shape: [c, h, w] };
}

/** Mirrors left–right with probability `p` (default 0.5); AlexNet's horizontal reflections. */
export function randomHorizontalFlip({ p = 0.5 }: { p?: number } = {}): Augmentation {
  checkProbability("randomHorizontalFlip", "p", p);
  return (img, rng) => (rng.next() < p ? flipHorizontal(img) : img);
}

/** Copies the h×w window at (y0, x0) of `img` padded by `pad` pixels of `fill` on every side. */
export function cropPadded(img: ChwImage, y0: number, x0: number, h: number, w: number, pad: number, fill = 0): ChwImage {
  const [c, H, W] = checkImage("crop", img);
  const out = new Float32Array(c * h * w);
  const src = img.data;
  // Columns x in [xa, xb) read source columns x0 + x - pad inside [0, W); the rest are fill.
  const xa = Math.min(w, Math.max(0, pad - x0));
  const xb = Math.max(xa, Math.min(w, W + pad - x0));
  for (let ch = 0; ch < c; ch++) {
    for (let y = 0; y < h; y++) {
      const sy = y0 + y - pad;
      const o = (ch * h + y) * w;
      if (sy < 0 || sy >= H) { out.fill(fill, o, o + w); continue; }
      if (fill !== 0) { out.fill(fill, o, o + xa); out.fill(fill, o + xb, o + w); }
      const s = (ch * H + sy) * W + x0 - pad;
      for (let x = xa; x < xb; x++) out[o + x] = src[s + x];
    }
  }
  return { data: out, shape: [c, h, w] };
}

export interface RandomCropOptions {
  /** Output size (default: the input size). */
  size?: number | readonly [number, number];
  /** Zero padding added on every side before cropping (default 0; 4 is the CIFAR-10 ResNet recipe). */
  padding?: number;
  fill?: number;
}

/**
 * Random crop after zero padding (Krizhevsky et al. 2012 took random 224² crops of 256² images;
 * He et al. 2016 pad CIFAR-10 by 4 and crop 32²): translations without losing the image size.
 */
export function randomCrop({ size, padding = 0, fill = 0 }: RandomCropOptions = {}): Augmentation {
  const fixed = size === undefined ? undefined : checkSize("randomCrop", size);
  if (!(Number.isInteger(padding) && padding >= 0)) throw new ShapeError(`randomCrop: padding must be an integer >= 0, got ${padding}`);
  return (img, rng) => {
    const [, H, W] = checkImage("randomCrop", img);
    const [h, w] = fixed ?? [H, W];
    if (h > H + 2 * padding || w > W + 2 * padding) {
      throw new ShapeError(`randomCrop: crop ${fmt([h, w])} is larger than the padded image ${fmt([H + 2 * padding, W + 2 * padding])} (input ${fmt(img.shape)}, padding ${padding})`);
    }
    const y0 = randInt(rng, 0, H + 2 * padding - h);
    const x0 = randInt(rng, 0, W + 2 * padding - w);
    return cropPadded(img, y0, x0, h, w, padding, fill);
  };
}

/** Center crop to `size` (deterministic; the evaluation counterpart of randomCrop). */
export function centerCrop(img: ChwImage, size: number | readonly [number, number]): ChwImage {
  const [, H, W] = checkImage("centerCrop", img);
  const [h, w] = checkSize("centerCrop", size);
  const pad = Math.max(0, Math.ceil((h - H) / 2), Math.ceil((w - W) / 2));
  return cropPadded(img, Math.floor((H + 2 * pad - h) / 2), Math.floor((W + 2 * pad - w) / 2), h, w, pad);
}

/**
 * Bilinearly resamples the window (y0, x0, wh, ww) of `img` (continuous pixel units, pixel centers at
 * i + 0.5) to h×w; source coordinates are clamped to the image (edge pixels repeat).
 */
export function resizeWindow(img: ChwImage, y0: number, x0: number, wh: number, ww: number, h: number, w: number): ChwImage {
  const [c, H, W] = checkImage("resize", img);
  const out = new Float32Array(c * h * w);
  const sy = wh / h, sx = ww / w;
  for (let y = 0; y < h; y++) {
    const fy = Math.min(Math.max(y0 + (y + 0.5) * sy - 0.5, 0), H - 1);
    const iy = Math.min(Math.floor(fy), H - 2 < 0 ? 0 : H - 2);
    const ty = H > 1 ? fy - iy : 0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(Math.max(x0 + (x + 0.5) * sx - 0.5, 0), W - 1);
      const ix = Math.min(Math.floor(fx), W - 2 < 0 ? 0 : W - 2);
      const tx = W > 1 ? fx - ix : 0;
      const iy1 = Math.min(iy + 1, H - 1), ix1 = Math.min(ix + 1, W - 1);
      for (let ch = 0; ch < c; ch++) {
        const p = ch * H * W;
        const a = img.data[p + iy * W + ix], b = img.data[p + iy * W + ix1];
        const d = img.data[p + iy1 * W + ix], e = img.data[p + iy1 * W + ix1];
        out[(ch * h + y) * w + x] = (1 - ty) * ((1 - tx) * a + tx * b) + ty * ((1 - tx) * d + tx * e);
      }
    }
  }
  return { data: out, shape: [c, h, w] };
}

export interface RandomResizedCropOptions {
  /** Output size (default: the input size). */
  size?: number | readonly [number, number];
  /** Range of the crop area as a fraction of the image (default [0.08, 1]). */
  scale?: readonly [number, number];
  /** Range of the crop aspect ratio w/h, sampled log-uniformly (default [3/4, 4/3]). */
  ratio?: readonly [number, number];
}

/**
 * Random resized crop (Szegedy et al. 2015, "Going Deeper with Convolutions", §6; torchvision's
 * algorithm): a random area and aspect ratio, up to 10 tries, else the central crop; resized
 * bilinearly to `size`.
 */
export function randomResizedCrop({ size, scale = [0.08, 1], ratio = [3 / 4, 4 / 3] }: RandomResizedCropOptions = {}): Augmentation {
  const fixed = size === undefined ? undefined : checkSize("randomResizedCrop", size);
  const [s0, s1] = checkInterval("randomResizedCrop", "scale", scale, 0, 1);
  const [r0, r1] = checkInterval("randomResizedCrop", "ratio", ratio, Number.MIN_VALUE);
  return (img, rng) => {
    const [, H, W] = checkImage("randomResizedCrop", img);
    const [h, w] = fixed ?? [H, W];
    const area = H * W;
    for (let attempt = 0; attempt < 10; attempt++) {
      const target = area * uniform(rng, s0, s1);
      const aspect = Math.exp(uniform(rng, Math.log(r0), Math.log(r1)));
      const cw = Math.round(Math.sqrt(target * aspect));
      const ch = Math.round(Math.sqrt(target / aspect));
      if (cw > 0 && ch > 0 && cw <= W && ch <= H) {
        return resizeWindow(img, randInt(rng, 0, H - ch), randInt(rng, 0, W - cw), ch, cw, h, w);
      }
    }
    // Fallback: the largest central crop whose aspect ratio lies in [r0, r1].
    let cw = W, ch = H;
    if (W / H < r0) ch = Math.round(W / r0);
    else if (W / H > r1) cw = Math.round(H * r1);
    return resizeWindow(img, Math.floor((H - ch) / 2), Math.floor((W - cw) / 2), ch, cw, h, w);
  };
}

/**
 * Rotates by `degrees` (counter-clockwise) about the image center and shifts by (tx, ty) pixels,
 * bilinear, `fill` outside the source. Deterministic building block of randomAffine.
 */
export function affine(img: ChwImage, degrees: number, tx: number, ty: number, fill = 0): ChwImage {
  const [c, H, W] = checkImage("affine", img);
  const out = new Float32Array(c * H * W);
  const src = img.data;
  const th = (degrees * Math.PI) / 180;
  const cos = Math.cos(th), sin = Math.sin(th);
  const cx = W / 2, cy = H / 2;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      // Inverse map: output pixel center → source point (y axis points down, so CCW on screen).
      const dx = x + 0.5 - cx - tx, dy = y + 0.5 - cy - ty;
      const sx = cos * dx - sin * dy + cx - 0.5;
      const sy = sin * dx + cos * dy + cy - 0.5;
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      const fx = sx - x0, fy = sy - y0;
      const w00 = (1 - fy) * (1 - fx), w01 = (1 - fy) * fx, w10 = fy * (1 - fx), w11 = fy * fx;
      const inside = x0 >= 0 && y0 >= 0 && x0 + 1 < W && y0 + 1 < H;
      for (let ch = 0; ch < c; ch++) {
        const p = ch * H * W;
        const o = (ch * H + y) * W + x;
        if (inside) {
          const q = p + y0 * W + x0;
          out[o] = w00 * src[q] + w01 * src[q + 1] + w10 * src[q + W] + w11 * src[q + W + 1];
        } else {
          out[o] = w00 * tap(src, p, H, W, y0, x0, fill) + w01 * tap(src, p, H, W, y0, x0 + 1, fill) +
            w10 * tap(src, p, H, W, y0 + 1, x0, fill) + w11 * tap(src, p, H, W, y0 + 1, x0 + 1, fill);
        }
      }
    }
  }
  return { data: out, shape: [c, H, W] };
}

/** Pixel (y, x) of the plane at `p`, or `fill` outside the image. */
function tap(src: Float32Array, p: number, H: number, W: number, y: number, x: number, fill: number): number {
  return y >= 0 && y < H && x >= 0 && x < W ? src[p + y * W + x] : fill;
}

export interface RandomAffineOptions {
  /** Rotation angle drawn uniformly from [-degrees, degrees] (default 0). */
  degrees?: number;
  /** Maximum shift as fractions [of the width, of the height] (torchvision order; default [0, 0]). */
  translate?: readonly [number, number];
  fill?: number;
}

/** Small random rotation and translation (bilinear; Simard et al. 2003 for distortions on MNIST). */
export function randomAffine({ degrees = 0, translate = [0, 0], fill = 0 }: RandomAffineOptions = {}): Augmentation {
  checkNonNegative("randomAffine", "degrees", degrees);
  const [fx, fy] = checkFractions("randomAffine", "translate", translate);
  return (img: ChwImage, rng: Rng) => {
    const [, H, W] = checkImage("randomAffine", img);
    const angle = uniform(rng, -degrees, degrees);
    const tx = uniform(rng, -fx * W, fx * W);
    const ty = uniform(rng, -fy * H, fy * H);
    return affine(img, angle, tx, ty, fill);
  };
}

function checkFractions(op: string, name: string, v: readonly [number, number]): [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || !(v[0] >= 0 && v[0] <= 1 && v[1] >= 0 && v[1] <= 1)) {
    throw new ValueError(`${op}: ${name} must be two fractions in [0, 1], got ${JSON.stringify(v)}`);
  }
  return [v[0], v[1]];
}

/** Random rotation in [-degrees, degrees]. */
export function randomRotation({ degrees, fill = 0 }: { degrees: number; fill?: number }): Augmentation {
  return randomAffine({ degrees, fill });
}

/** Random shift of up to `fraction` of each side (one number, or [of the width, of the height]). */
export function randomTranslation({ fraction, fill = 0 }: { fraction: number | readonly [number, number]; fill?: number }): Augmentation {
  const t: readonly [number, number] = typeof fraction === "number" ? [fraction, fraction] : fraction;
  return randomAffine({ translate: t, fill });
}
