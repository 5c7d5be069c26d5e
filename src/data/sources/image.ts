/**
 * Image geometry for sources: decoded RGBA pixels → a CHW Uint8 image of a fixed size, by
 * "resize the shorter side, then center-crop" (torchvision `Resize(s)` + `CenterCrop(s)`, the usual
 * ImageNet evaluation transform) or by stretching. Resampling is separable bilinear with antialiasing:
 * when shrinking, the triangle filter widens by the scale factor so every source pixel contributes
 * (as PIL's `Image.resize(BILINEAR)` does), which avoids the aliasing of plain bilinear sampling.
 */
import { ValueError } from "../../core/index.js";

export type FitMode = "crop" | "stretch";

/** A decoded image: RGBA, 4 bytes per pixel, row-major (what pngjs and jpeg-js return). */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

interface AxisWeights {
  /** First source index of each output's taps. */
  start: Int32Array;
  /** Number of taps per output. */
  count: Int32Array;
  /** taps (max count per output), normalized. */
  weights: Float64Array;
  maxTaps: number;
}

/**
 * Filter weights mapping the source interval [lo, lo + span) (in pixels) onto `out` samples (taps
 * beyond the image edge are clamped to the edge pixel by the caller).
 */
function axisWeights(lo: number, span: number, out: number): AxisWeights {
  const scale = span / out;
  const support = Math.max(scale, 1);
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(out);
  const count = new Int32Array(out);
  const weights = new Float64Array(out * maxTaps);
  for (let o = 0; o < out; o++) {
    const center = lo + (o + 0.5) * scale;
    const first = Math.floor(center - support + 0.5);
    let total = 0;
    let n = 0;
    for (let k = first; k < first + maxTaps; k++) {
      const w = Math.max(0, 1 - Math.abs((k + 0.5 - center) / support));
      weights[o * maxTaps + n++] = w;
      total += w;
    }
    for (let t = 0; t < n; t++) weights[o * maxTaps + t] /= total;
    start[o] = first;
    count[o] = n;
  }
  return { start, count, weights, maxTaps };
}

function clampIndex(i: number, size: number): number {
  return i < 0 ? 0 : i >= size ? size - 1 : i;
}

/**
 * Resamples the window (x0, y0, ww, wh) of an RGBA image to outW × outH, writing CHW channels into
 * `out` (RGB for 3 channels; ITU-R BT.601 luma 0.299 R + 0.587 G + 0.114 B for 1, as PIL "L").
 */
export function resampleToChw(src: RgbaImage, win: { x0: number; y0: number; w: number; h: number }, outW: number, outH: number, channels: 1 | 3, out: Uint8Array): void {
  const { width: W, height: H, data } = src;
  const ax = axisWeights(win.x0, win.w, outW);
  const ay = axisWeights(win.y0, win.h, outH);
  // Horizontal pass: every source row → outW samples per RGB channel (float64).
  const tmp = new Float64Array(H * outW * 3);
  for (let y = 0; y < H; y++) {
    for (let o = 0; o < outW; o++) {
      let r = 0, g = 0, b = 0;
      for (let t = 0; t < ax.count[o]; t++) {
        const w = ax.weights[o * ax.maxTaps + t];
        if (w === 0) continue;
        const p = (y * W + clampIndex(ax.start[o] + t, W)) * 4;
        r += w * data[p]; g += w * data[p + 1]; b += w * data[p + 2];
      }
      const q = (y * outW + o) * 3;
      tmp[q] = r; tmp[q + 1] = g; tmp[q + 2] = b;
    }
  }
  // Vertical pass into CHW.
  const plane = outW * outH;
  for (let o = 0; o < outH; o++) {
    for (let x = 0; x < outW; x++) {
      let r = 0, g = 0, b = 0;
      for (let t = 0; t < ay.count[o]; t++) {
        const w = ay.weights[o * ay.maxTaps + t];
        if (w === 0) continue;
        const q = (clampIndex(ay.start[o] + t, H) * outW + x) * 3;
        r += w * tmp[q]; g += w * tmp[q + 1]; b += w * tmp[q + 2];
      }
      const i = o * outW + x;
      if (channels === 3) {
        out[i] = toByte(r); out[plane + i] = toByte(g); out[2 * plane + i] = toByte(b);
      } else {
        out[i] = toByte(0.299 * r + 0.587 * g + 0.114 * b);
      }
    }
  }
}

function toByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}

/**
 * The source window for `fit`: "crop" keeps the aspect ratio and takes the largest centered window
 * of the output's aspect ratio (= resize shorter side + center crop); "stretch" takes everything.
 */
export function fitWindow(width: number, height: number, outW: number, outH: number, fit: FitMode): { x0: number; y0: number; w: number; h: number } {
  if (fit === "stretch") return { x0: 0, y0: 0, w: width, h: height };
  if (fit !== "crop") throw new ValueError(`fitWindow: fit must be "crop" or "stretch", got ${JSON.stringify(fit)}`);
  const scale = Math.max(outW / width, outH / height);
  const w = outW / scale;
  const h = outH / scale;
  return { x0: (width - w) / 2, y0: (height - h) / 2, w, h };
}

/** Decoded RGBA → CHW Uint8 of size outH × outW. */
export function rgbaToChw(src: RgbaImage, outH: number, outW: number, channels: 1 | 3, fit: FitMode = "crop"): Uint8Array {
  const out = new Uint8Array(channels * outH * outW);
  resampleToChw(src, fitWindow(src.width, src.height, outW, outH, fit), outW, outH, channels, out);
  return out;
}
