/**
 * `#/demo`: trains the default CNN on the embedded MNIST digits in this browser. Training runs in a
 * module Web Worker (/demo/demo-worker.js, on the library bundle /demo/ganglion.js and its Wasm
 * backend: threads when the page is cross-origin isolated, which the dashboard's COOP/COEP headers
 * make it); the page only draws what the worker posts — the same training events a run's log holds,
 * so the loss curve, accuracy, layer histograms, filters and misclassified grid reuse the run views.
 *
 * Settings come from the page's query string (also the form): ?train=2000&test=500&epochs=3&width=8
 * &batch=32&lr=0.003&threads=2&backend=webgpu&auto=1 (auto starts at once; webgpu falls back to Wasm
 * when the browser has no adapter).
 */
import type { DemoConfig, DemoInfo, FromWorker, ToWorker } from "../../demo/protocol.js";
import { LineChart, alignSeries } from "./chart.js";
import { PALETTE } from "./colors.js";
import { card, clear, h } from "./dom.js";
import { num, pct } from "./fmt.js";
import { renderFilters } from "./images.js";
import { LayersView } from "./layers-view.js";
import { mistakesGrid } from "./mistakes.js";
import { RunModel, smooth } from "./run-model.js";

const DEFAULTS: DemoConfig = { trainSize: 2000, testSize: 500, epochs: 3, batchSize: 32, lr: 3e-3, width: 8, seed: 0, statsEvery: 10 };

/** The demo's settings from a query string, each clamped to a sane range. */
export function demoConfig(search: string): DemoConfig & { readonly auto: boolean } {
  const q = new URLSearchParams(search);
  const get = (k: string, lo: number, hi: number, d: number, int = true): number => {
    const v = Number(q.get(k));
    if (!q.has(k) || !Number.isFinite(v)) return d;
    return Math.min(hi, Math.max(lo, int ? Math.round(v) : v));
  };
  const threads = q.has("threads") ? get("threads", 1, 64, 1) : undefined;
  const backend = q.get("backend") === "webgpu" ? { backend: "webgpu" as const } : {};
  return {
    trainSize: get("train", 64, 8000, DEFAULTS.trainSize), testSize: get("test", 50, 2000, DEFAULTS.testSize),
    epochs: get("epochs", 1, 50, DEFAULTS.epochs), batchSize: get("batch", 1, 512, DEFAULTS.batchSize),
    lr: get("lr", 1e-5, 1, DEFAULTS.lr, false), width: get("width", 1, 64, DEFAULTS.width), seed: get("seed", 0, 2 ** 31, 0),
    statsEvery: get("stats", 1, 10000, DEFAULTS.statsEvery), ...(threads !== undefined ? { threads } : {}), ...backend, auto: q.get("auto") === "1",
  };
}

function infoText(i: DemoInfo): string {
  const iso = i.crossOriginIsolated ? "cross-origin isolated" : "not cross-origin isolated (no SharedArrayBuffer: one thread)";
  const note = i.note ? ` (${i.note})` : "";
  if (i.backend !== "wasm") return `backend ${i.backend}${note} · ${i.parameters.toLocaleString("en")} parameters · ${i.trainSize.toLocaleString("en")} training / ${i.testSize.toLocaleString("en")} test digits`;
  return `backend ${i.backend}${note} · ${i.threads} thread${i.threads === 1 ? "" : "s"} · ${iso} · ${i.relaxedSimd ? "relaxed SIMD" : "SIMD"} · ${i.parameters.toLocaleString("en")} parameters · ${i.trainSize.toLocaleString("en")} training / ${i.testSize.toLocaleString("en")} test digits`;
}

/** Builds the demo into `app`; returns a function that stops the worker. */
export function demoView(app: HTMLElement): () => void {
  const cfg = demoConfig(location.search);
  const model = new RunModel();
  let worker: Worker | undefined;
  const info = h("p", { class: "muted demo-info" }, "not started");
  const tiles = h("div", { class: "tiles" });
  const start = h("button", { class: "btn", id: "demo-start" }, "Train");
  const stop = h("button", { class: "btn", id: "demo-stop" }, "Stop");
  stop.disabled = true;
  const lossChart = new LineChart({ title: "Loss", id: "demo-loss", xLabel: "step", yLabel: "loss" });
  const accChart = new LineChart({ title: "Accuracy per epoch", id: "demo-accuracy", xLabel: "epoch", yLabel: "accuracy", logToggle: false, yRange: [0, 1], xIntegers: true });
  const layers = new LayersView(model);
  const filtersEl = h("div", { class: "filters-box" }, h("p", { class: "muted" }, "filters appear when training starts"));
  const mistakesEl = h("div", {}, h("p", { class: "muted" }, "misclassified test digits appear after the first epoch"));
  const errorEl = h("pre", { class: "error" });
  let shownMistakes: unknown;
  let t0 = 0;

  const setState = (s: string): void => {
    app.dataset.state = s;
    start.disabled = s === "loading" || s === "running";
    stop.disabled = !start.disabled;
  };

  const render = (): void => {
    const last = model.loss.length - 1;
    const ep = model.epochs[model.epochs.length - 1];
    clear(tiles);
    const tile = (label: string, value: string): HTMLElement => h("div", { class: "tile" }, h("div", { class: "tile-value" }, value), h("div", { class: "tile-label" }, label));
    tiles.append(
      tile("step", last >= 0 ? String(model.stepX[last]) : "–"), tile("loss", last >= 0 ? num(model.loss[last]) : "–"),
      tile("epoch", ep ? `${ep.epoch + 1} of ${cfg.epochs}` : "–"), tile("test accuracy", ep?.valAccuracy !== undefined ? pct(ep.valAccuracy) : "–"),
      tile("images/s", last >= 0 ? num(model.imagesPerSecond[last]) : "–"), tile("seconds", t0 ? ((performance.now() - t0) / 1000).toFixed(1) : "–"));
    lossChart.set([{ label: "loss", color: "rgba(0,114,178,0.3)", width: 1 }, { label: "smoothed", color: PALETTE[0], width: 2 }],
      alignSeries([{ x: model.stepX, y: model.loss }, { x: model.stepX, y: smooth(model.loss, 0.9) }]));
    const epochs = model.epochs.map((e) => e.epoch + 1);
    accChart.set([{ label: "train", color: PALETTE[0], width: 2 }, { label: "test", color: PALETTE[3], width: 2 }],
      alignSeries([{ x: epochs, y: model.epochs.map((e) => e.trainAccuracy) }, { x: epochs, y: model.epochs.map((e) => e.valAccuracy ?? null) }]));
    layers.render();
    const wrong = model.misclassified[model.misclassified.length - 1];
    if (wrong && wrong !== shownMistakes) {
      shownMistakes = wrong;
      clear(mistakesEl);
      mistakesEl.appendChild(mistakesGrid(wrong, wrong.classes ?? []));
    }
    app.dataset.steps = String(model.stepX.length);
    const mean = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
    if (last >= 0) {
      app.dataset.lossFirst = String(mean(model.loss.slice(0, 10)));
      app.dataset.lossLast = String(mean(model.loss.slice(-10)));
    }
    if (ep?.valAccuracy !== undefined) app.dataset.accuracy = String(ep.valAccuracy);
  };

  let pending: number | undefined;
  const schedule = (): void => {
    pending ??= window.setTimeout(() => {
      pending = undefined;
      render();
    }, 100);
  };

  const onMessage = (m: FromWorker): void => {
    if (m.type === "info") {
      info.textContent = infoText(m.info);
      app.dataset.threads = String(m.info.threads);
      app.dataset.isolated = String(m.info.crossOriginIsolated);
      setState("running");
    } else if (m.type === "events") {
      for (const e of m.events) model.add(e);
      model.version++;
      schedule();
    } else if (m.type === "filters") renderFilters(filtersEl, m.filters);
    else if (m.type === "done") {
      render();
      app.dataset.result = JSON.stringify(m.result);
      setState(m.result.stopped ? "stopped" : "done");
    } else {
      errorEl.textContent = m.message;
      setState("error");
    }
  };

  start.addEventListener("click", () => {
    worker?.terminate();
    model.reset();
    shownMistakes = undefined;
    errorEl.textContent = "";
    t0 = performance.now();
    setState("loading");
    info.textContent = "loading the digits and starting the worker…";
    worker = new Worker("/demo/demo-worker.js", { type: "module", name: "ganglion-demo" });
    worker.addEventListener("message", (e: MessageEvent<FromWorker>) => onMessage(e.data));
    worker.addEventListener("error", (e) => onMessage({ type: "error", message: `the training worker failed to start: ${e.message || "see the browser console"}` }));
    const { auto: _auto, ...config } = cfg;
    worker.postMessage({ type: "start", config, dataUrl: "/demo/digits.bin" } satisfies ToWorker);
  });
  stop.addEventListener("click", () => worker?.postMessage({ type: "stop" } satisfies ToWorker));

  clear(app);
  const settings = `${cfg.trainSize} training digits, ${cfg.epochs} epochs, batch ${cfg.batchSize}, width ${cfg.width}, peak lr ${cfg.lr} (AdamW, one-cycle)`;
  app.append(
    h("h1", {}, "Train a CNN in your browser"),
    h("p", {}, "The default CNN (conv3×3-BN-pool-ReLU ×3, dropout, linear) learns the embedded MNIST digits here, in a Web Worker on ganglion's WebAssembly backend (or on WebGPU with ?backend=webgpu); nothing is sent anywhere. ",
      h("span", { class: "muted" }, `Settings: ${settings} (change them in the address: ?train=4000&epochs=5&width=16).`)),
    h("div", { class: "tools" }, start, stop), info, errorEl, tiles,
    h("div", { class: "charts" }, lossChart.root, accChart.root),
    h("div", { class: "two" }, card("First-layer filters", filtersEl), card("Misclassified test digits", mistakesEl)),
    h("h2", {}, "Layers"), layers.root);
  setState("idle");
  render();
  if (cfg.auto) start.click();
  return () => {
    worker?.terminate();
    if (pending !== undefined) window.clearTimeout(pending);
    lossChart.dispose();
    accChart.dispose();
    layers.dispose();
  };
}
