/**
 * Per-layer views from layerStats events: activation histograms and parameter-gradient histograms over
 * time (one heatmap per layer, the columns are the logged steps, brighter = more values in that bin)
 * with the histogram at a chosen step beside it — the lecture's weight-initialisation figures, live —
 * and charts of activation std, update/weight ratio, gradient norm and dead-ReLU / saturated fractions.
 * Gradient bins are symmetric-log (±1 … ±1e-7 and 0), drawn equally wide.
 */
import type { LayerStatsEvent } from "../types.js";

type Histogram = NonNullable<LayerStatsEvent["layers"][number]["histogram"]>;
import { LineChart, alignSeries } from "./chart.js";
import { rampRgb, seriesColor } from "./colors.js";
import { card, clear, h } from "./dom.js";
import { num } from "./fmt.js";
import type { RunModel } from "./run-model.js";

type Layer = LayerStatsEvent["layers"][number];
const W = 300, H = 120;

/** Heatmap of one layer's histograms over time; returns the canvas. */
export function histogramHeatmap(columns: readonly { step: number; counts: readonly number[] }[], edges: readonly number[], selected: number): HTMLCanvasElement {
  const canvas = h("canvas", { class: "heatmap" });
  canvas.width = W;
  canvas.height = H;
  const ctx = canvas.getContext("2d");
  if (!ctx || columns.length === 0) return canvas;
  const bins = edges.length - 1;
  const img = ctx.createImageData(W, H);
  for (let px = 0; px < W; px++) {
    const col = columns[Math.min(columns.length - 1, Math.floor((px * columns.length) / W))];
    const max = Math.max(1, ...col.counts);
    for (let py = 0; py < H; py++) {
      const bin = Math.min(bins - 1, Math.floor(((H - 1 - py) * bins) / H));
      const [r, g, b] = rampRgb(Math.sqrt((col.counts[bin] ?? 0) / max));
      const o = 4 * (py * W + px);
      img.data[o] = r;
      img.data[o + 1] = g;
      img.data[o + 2] = b;
      img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
  if (selected >= 0 && selected < columns.length) {
    const x = ((selected + 0.5) * W) / columns.length;
    ctx.strokeStyle = "rgba(255,255,255,0.8)";
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    ctx.moveTo(x, 0);
    ctx.lineTo(x, H);
    ctx.stroke();
  }
  return canvas;
}

/**
 * Where 0 falls along equally wide bins, as a fraction of the width (interpolated within its bin);
 * undefined when 0 is outside the edges.
 */
export function zeroPosition(edges: readonly number[]): number | undefined {
  const bins = edges.length - 1;
  for (let i = 0; i < bins; i++) {
    const a = edges[i], b = edges[i + 1];
    if (a <= 0 && 0 <= b) return (i + (b > a ? -a / (b - a) : 0)) / bins;
  }
  return undefined;
}

/** Bars of one histogram with its edge labels. */
export function histogramBars(counts: readonly number[], edges: readonly number[]): HTMLCanvasElement {
  const canvas = h("canvas", { class: "bars" });
  canvas.width = 200;
  canvas.height = H;
  const ctx = canvas.getContext("2d");
  if (!ctx || counts.length === 0) return canvas;
  const max = Math.max(1, ...counts);
  const bw = 200 / counts.length;
  ctx.fillStyle = "#0072b2";
  counts.forEach((c, i) => {
    const bh = ((H - 16) * c) / max;
    ctx.fillRect(i * bw + 1, H - 14 - bh, Math.max(1, bw - 2), bh);
  });
  ctx.fillStyle = "#555";
  ctx.font = "10px sans-serif";
  ctx.textAlign = "left";
  ctx.fillText(num(edges[0]), 0, H - 2);
  ctx.textAlign = "right";
  ctx.fillText(num(edges[edges.length - 1]), 200, H - 2);
  const zero = zeroPosition(edges);
  if (zero !== undefined) {
    ctx.textAlign = "center";
    ctx.fillText("0", 200 * zero, H - 2);
  }
  return canvas;
}

export class LayersView {
  readonly root: HTMLElement;
  private readonly histEl = h("div", { class: "hists" });
  private readonly gradEl = h("div", { class: "hists grad-hists" });
  private readonly slider = h("input", { type: "range" });
  private readonly sliderLabel = h("span", { class: "muted" });
  private follow = true;
  private readonly charts: { chart: LineChart; names: (m: RunModel) => string[]; pick: (l: Layer) => number | undefined }[];

  constructor(private readonly model: RunModel) {
    this.slider.min = "0";
    this.slider.addEventListener("input", () => {
      this.follow = Number(this.slider.value) >= this.model.layerStats.length - 1;
      this.renderHistograms();
    });
    const isParam = (l: Layer): boolean => l.updateRatio !== undefined || l.gradNorm !== undefined;
    this.charts = [
      { chart: new LineChart({ title: "Activation std per layer", id: "act-std", xLabel: "step", yLabel: "std", logToggle: true }), names: (m) => m.layerNames((l) => !isParam(l)), pick: (l) => l.std },
      { chart: new LineChart({ title: "Update / weight ratio per parameter (healthy ≈ 1e-3)", id: "update-ratio", xLabel: "step", yLabel: "‖Δθ‖/‖θ‖", log: true }), names: (m) => m.layerNames((l) => l.updateRatio !== undefined), pick: (l) => l.updateRatio },
      { chart: new LineChart({ title: "Gradient norm per parameter", id: "grad-norm", xLabel: "step", yLabel: "‖g‖", log: true }), names: (m) => m.layerNames((l) => l.gradNorm !== undefined), pick: (l) => l.gradNorm },
      { chart: new LineChart({ title: "Dead ReLU fraction", id: "dead", xLabel: "step", yLabel: "fraction of units", yRange: [0, 1], logToggle: false }), names: (m) => m.layerNames((l) => l.deadFraction !== undefined), pick: (l) => l.deadFraction },
      { chart: new LineChart({ title: "Saturated fraction (tanh / sigmoid)", id: "saturated", xLabel: "step", yLabel: "fraction", yRange: [0, 1], logToggle: false }), names: (m) => m.layerNames((l) => l.saturatedFraction !== undefined), pick: (l) => l.saturatedFraction },
    ];
    this.root = h("div", { class: "layers" },
      card("Activation histograms over time", h("div", { class: "tools" }, "step ", this.slider, " ", this.sliderLabel), this.histEl),
      card("Gradient histograms over time (per parameter, symmetric-log bins)", this.gradEl),
      h("div", { class: "charts" }, ...this.charts.map((c) => c.chart.root)));
  }

  render(): void {
    const n = this.model.layerStats.length;
    this.slider.max = String(Math.max(0, n - 1));
    if (this.follow) this.slider.value = String(Math.max(0, n - 1));
    this.renderHistograms();
    for (const c of this.charts) {
      const names = c.names(this.model);
      const hidden = names.length === 0;
      c.chart.root.hidden = hidden;
      if (hidden) continue;
      c.chart.set(names.map((label, i) => ({ label, color: seriesColor(i) })), alignSeries(this.model.layerSeries(names, c.pick)));
    }
  }

  private renderHistograms(): void {
    const events = this.model.layerStats;
    const sel = Math.min(events.length - 1, Number(this.slider.value));
    this.sliderLabel.textContent = events.length ? `${events[sel]?.step ?? ""} (${sel + 1} of ${events.length})` : "";
    const actStats = (l: Layer): string => `mean ${num(l.mean)}, std ${num(l.std)}${l.deadFraction !== undefined ? `, dead ${num(l.deadFraction)}` : ""}`;
    fillHistograms(this.histEl, events, sel, (l) => l.histogram, actStats, "no layer histograms yet (train with layer statistics on)");
    fillHistograms(this.gradEl, events, sel, (l) => l.gradHistogram, (l) => (l.gradNorm !== undefined ? `‖g‖ ${num(l.gradNorm)}` : ""), "no gradient histograms yet (train with layer statistics on)");
  }

  dispose(): void {
    for (const c of this.charts) c.chart.dispose();
  }
}

/** One figure per layer that has a histogram (`pick`): heatmap over the logged steps and bars at step index `sel`. */
function fillHistograms(el: HTMLElement, events: readonly LayerStatsEvent[], sel: number, pick: (l: Layer) => Histogram | undefined, stats: (l: Layer) => string, empty: string): void {
  clear(el);
  const names: string[] = [];
  for (const e of events) for (const l of e.layers) if (pick(l) && !names.includes(l.name)) names.push(l.name);
  el.dataset.layers = String(names.length);
  if (names.length === 0) {
    el.appendChild(h("p", { class: "muted" }, empty));
    return;
  }
  for (const name of names) {
    const cols: { step: number; counts: readonly number[]; layer: Layer; index: number }[] = [];
    let edges: readonly number[] = [];
    events.forEach((e, index) => {
      const l = e.layers.find((q: Layer) => q.name === name);
      const hist = l ? pick(l) : undefined;
      if (l && hist) {
        cols.push({ step: e.step, counts: hist.counts, layer: l, index });
        edges = hist.edges;
      }
    });
    let at = cols.findIndex((c) => c.index === sel);
    if (at < 0) at = cols.length - 1;
    const cur = cols[at];
    el.appendChild(h("figure", { class: "hist" },
      h("figcaption", {}, h("strong", {}, name), " ", h("span", { class: "muted" }, cur ? stats(cur.layer) : "")),
      h("div", { class: "hist-row" }, histogramHeatmap(cols, edges, at), histogramBars(cur?.counts ?? [], edges)),
      h("div", { class: "axis muted" }, `steps ${cols[0]?.step ?? ""} → ${cols[cols.length - 1]?.step ?? ""}; bins ${num(edges[0])} … ${num(edges[edges.length - 1])} (bottom → top)`)));
  }
}
