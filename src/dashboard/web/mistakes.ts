/**
 * The grid of misclassified images from a MisclassifiedEvent: each image drawn from its 8-bit CHW
 * bytes (RGB when it has 3 channels, else its first channel in grey), captioned "true → predicted"
 * with the model's confidence. Labels are inserted as text.
 */
import type { MisclassifiedEvent } from "../types.js";
import { h } from "./dom.js";
import { pct } from "./fmt.js";

/** Bytes of a base64 string; an empty array for a malformed one. */
export function decodeBase64(s: string): Uint8Array {
  try {
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return new Uint8Array(0);
  }
}

/** One image as a canvas of its own size, scaled up by CSS with pixelated rendering. */
export function imageCanvas(pixels: Uint8Array, shape: readonly [number, number, number], scale: number): HTMLCanvasElement {
  const [c, hgt, w] = shape;
  const canvas = h("canvas", { class: "mistake-img" });
  canvas.width = w;
  canvas.height = hgt;
  canvas.style.width = `${w * scale}px`;
  canvas.style.height = `${hgt * scale}px`;
  const ctx = canvas.getContext("2d");
  if (!ctx || pixels.length < c * hgt * w) return canvas;
  const img = ctx.createImageData(w, hgt);
  const plane = hgt * w;
  for (let i = 0; i < plane; i++) {
    for (let k = 0; k < 3; k++) img.data[4 * i + k] = pixels[(c === 3 ? k : 0) * plane + i];
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}

/** The grid of `ev`'s images with their true and predicted labels. */
export function mistakesGrid(ev: MisclassifiedEvent, labels: readonly string[]): HTMLElement {
  const [, hgt, w] = ev.shape;
  const scale = Math.max(1, Math.min(4, Math.floor(96 / Math.max(hgt, w, 1))));
  const name = (k: number): string => labels[k] ?? ev.classes?.[k] ?? String(k);
  const grid = h("div", { class: "mistakes", data: { count: String(ev.images.length) } },
    ...ev.images.map((im) => h("figure", { class: "mistake", title: `sample ${im.index}: true ${name(im.label)}, predicted ${name(im.predicted)} (${pct(im.confidence)})` },
      imageCanvas(decodeBase64(im.pixels), ev.shape, scale),
      h("figcaption", {}, h("span", { class: "true" }, name(im.label)), " → ", h("span", { class: "pred" }, name(im.predicted)), h("br", {}), h("span", { class: "muted" }, pct(im.confidence))))));
  const where = ev.epoch !== undefined ? `epoch ${ev.epoch + 1}, step ${ev.step}` : `step ${ev.step}`;
  return h("div", {},
    h("p", { class: "muted" }, `${ev.split}: ${ev.total} misclassified (${where}); the ${ev.images.length} most confident mistakes, true → predicted, with the model's confidence`),
    grid);
}
