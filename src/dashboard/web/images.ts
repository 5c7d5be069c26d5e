/**
 * Pictures of a run: the first conv layer's filters (each filter min–max normalised; RGB when it has 3
 * input channels, else its first channel in grey) and the confusion matrix of an evaluation (cells
 * shaded by the fraction of the true class's examples).
 */
import type { EvalEvent, FilterData } from "../types.js";
import { clear, h } from "./dom.js";
import { num, pct } from "./fmt.js";

/** Draws one filter into a canvas of its own size (CSS scales it up with pixelated rendering). */
export function filterCanvas(f: FilterData, index: number, scale: number): HTMLCanvasElement {
  const [, cin, kh, kw] = f.shape;
  const canvas = h("canvas", { class: "filter", title: `filter ${index}` });
  canvas.width = kw;
  canvas.height = kh;
  canvas.style.width = `${kw * scale}px`;
  canvas.style.height = `${kh * scale}px`;
  const ctx = canvas.getContext("2d");
  if (!ctx) return canvas;
  const rgb = cin === 3;
  const plane = kh * kw;
  const base = index * cin * plane;
  let lo = Infinity, hi = -Infinity;
  for (let c = 0; c < (rgb ? 3 : 1); c++) {
    for (let i = 0; i < plane; i++) {
      const v = f.values[base + c * plane + i];
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const span = hi > lo ? hi - lo : 1;
  const img = ctx.createImageData(kw, kh);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      const v = f.values[base + (rgb ? c : 0) * plane + i];
      img.data[4 * i + c] = Math.round((255 * (v - lo)) / span);
    }
    img.data[4 * i + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return canvas;
}

/** The filter grid into `el` (replacing what was there). */
export function renderFilters(el: HTMLElement, f: FilterData): void {
  clear(el);
  const [out, cin, kh, kw] = f.shape;
  const scale = Math.max(2, Math.min(12, Math.floor(64 / Math.max(kh, kw))));
  const grid = h("div", { class: "filters", data: { count: String(out) } });
  for (let o = 0; o < out; o++) grid.appendChild(filterCanvas(f, o, scale));
  const note = cin === 3 ? "RGB" : cin === 1 ? "grey" : `input channel 0 of ${cin}`;
  el.append(h("p", { class: "muted" }, `${f.tensor}: ${out} filters of ${cin}×${kh}×${kw} (${f.dtype}, ${note}; each scaled to its own min…max)`), grid);
}

/** Class labels: config.classes when it is a list of strings of the right length, else 0…k−1. */
export function classLabels(k: number, config: unknown): string[] {
  if (typeof config === "object" && config !== null && !Array.isArray(config)) {
    const c = (config as Record<string, unknown>).classes;
    if (Array.isArray(c) && c.length === k && c.every((x) => typeof x === "string")) return c as string[];
  }
  return Array.from({ length: k }, (_, i) => String(i));
}

/** The confusion matrix of `ev` as a table: rows = true class, columns = predicted class. */
export function confusionTable(ev: EvalEvent, labels: readonly string[]): HTMLElement {
  const k = ev.confusion.length;
  const head = h("tr", {}, h("th", { class: "corner" }, "true \\ predicted"), ...labels.map((l) => h("th", {}, l)), h("th", {}, "accuracy"));
  const rows = ev.confusion.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    return h("tr", {},
      h("th", {}, labels[i] ?? String(i)),
      ...row.map((n, j) => {
        const frac = n / total;
        const td = h("td", { class: i === j ? "diag" : "", title: `true ${labels[i]}, predicted ${labels[j]}: ${n} (${pct(frac)})` }, String(n));
        td.style.backgroundColor = i === j ? `rgba(0, 158, 115, ${0.1 + 0.8 * frac})` : `rgba(213, 94, 0, ${Math.min(0.9, 2 * frac)})`;
        if (frac > 0.55) td.style.color = "#fff";
        return td;
      }),
      h("td", { class: "acc" }, pct(ev.perClassAccuracy[i] ?? row[i] / total)));
  });
  return h("div", { class: "confusion" },
    h("p", {}, `${ev.split}: accuracy ${pct(ev.accuracy)}`, ev.top5 !== undefined ? `, top-5 ${pct(ev.top5)}` : "", `, loss ${num(ev.loss)} (${k} classes)`),
    h("table", { class: "matrix", data: { classes: String(k) } }, h("thead", {}, head), h("tbody", {}, ...rows)));
}
