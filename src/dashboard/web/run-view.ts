/**
 * The page of one run: headline tiles, loss (raw and smoothed, log toggle), accuracy per epoch,
 * learning rate, per-layer statistics, first-layer filters, the confusion matrix, misclassified
 * images, the babysitter's findings and messages, and the configuration. Live: events stream in over SSE and the charts redraw.
 */
import type { FilterData, JsonValue, RunDetail, RunSummary } from "../types.js";
import { getJson, runUrl } from "./api.js";
import { LineChart, alignSeries } from "./chart.js";
import { PALETTE } from "./colors.js";
import { append, card, clear, h, routeHref, table } from "./dom.js";
import { ago, bytes, cell, num, pct } from "./fmt.js";
import { classLabels, confusionTable, renderFilters } from "./images.js";
import { LayersView } from "./layers-view.js";
import { mistakesGrid } from "./mistakes.js";
import { RunModel, connectRuns, smooth } from "./run-model.js";

/** A status badge (text only). */
export function statusBadge(status: string): HTMLElement {
  return h("span", { class: `badge ${status.replace(/[^a-z]/g, "")}` }, status);
}

function tile(label: string, value: string): HTMLElement {
  return h("div", { class: "tile" }, h("div", { class: "tile-value" }, value), h("div", { class: "tile-label" }, label));
}

/** Config or result JSON as a two-column table. */
export function kvTable(v: JsonValue): HTMLElement {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return h("p", { class: "muted" }, v === null ? "none" : cell(v));
  return table(["key", "value"], Object.entries(v).map(([k, x]) => [k, cell(x)]), "grid kv");
}

/** Builds the run page into `app`; returns a function that stops its streams and timers. */
export function runView(app: HTMLElement, name: string): () => void {
  const model = new RunModel();
  const header = h("div", { class: "run-head" });
  const tiles = h("div", { class: "tiles" });
  let smoothing = 0.9;
  const smoothInput = h("input", { type: "range" });
  smoothInput.min = "0";
  smoothInput.max = "0.99";
  smoothInput.step = "0.01";
  smoothInput.value = String(smoothing);
  const smoothLabel = h("span", { class: "muted" }, String(smoothing));
  smoothInput.addEventListener("input", () => {
    smoothing = Number(smoothInput.value);
    smoothLabel.textContent = smoothInput.value;
    render();
  });
  const lossChart = new LineChart({ title: "Loss", id: "loss", xLabel: "step", yLabel: "loss", controls: [h("label", {}, "smoothing ", smoothInput, " ", smoothLabel)] });
  const accChart = new LineChart({ title: "Accuracy per epoch", id: "accuracy", xLabel: "epoch", yLabel: "accuracy", logToggle: false, yRange: [0, 1], xIntegers: true });
  const lrChart = new LineChart({ title: "Learning rate", id: "lr", xLabel: "step", yLabel: "lr", log: false });
  const speedChart = new LineChart({ title: "Throughput", id: "speed", xLabel: "step", yLabel: "images/s", logToggle: false, height: 160 });
  const layers = new LayersView(model);
  const filtersEl = h("div", { class: "filters-box" }, h("p", { class: "muted" }, "no checkpoint yet"));
  const confusionEl = h("div", {}, h("p", { class: "muted" }, "no evaluation yet"));
  const mistakesEl = h("div", {}, h("p", { class: "muted" }, "no misclassified images yet (written with each evaluation)"));
  let mistakesShown: unknown;
  const findingsEl = h("div", { class: "findings" });
  const messagesEl = h("div", { class: "messages" });
  const configEl = h("div", {});
  let detail: RunDetail | undefined;
  let checkpointTime: number | null = null;

  clear(app);
  app.append(header, tiles,
    h("div", { class: "charts" }, lossChart.root, accChart.root, lrChart.root, speedChart.root),
    h("h2", {}, "Layers"), layers.root,
    h("div", { class: "two" }, card("First-layer filters", filtersEl), card("Confusion matrix", confusionEl)),
    card("Misclassified images", mistakesEl),
    h("div", { class: "two" }, card("Babysitter", findingsEl, messagesEl), card("Configuration", configEl)));

  const renderHeader = (s: RunSummary): void => {
    clear(header);
    append(header,
      h("h1", {}, s.name, " ", statusBadge(s.status)),
      s.title !== null ? h("p", { class: "subtitle" }, s.title) : null,
      h("p", { class: "muted" }, `changed ${ago(s.modified)} · events ${bytes(s.eventsBytes)} · `,
        h("a", { href: runUrl(s.name, "files/events.jsonl") }, "events.jsonl"), " · ",
        h("a", { href: routeHref("compare", s.name) }, "compare…")));
  };

  const loadFilters = async (): Promise<void> => {
    try {
      renderFilters(filtersEl, await getJson<FilterData>(runUrl(name, "filters")));
    } catch (e) {
      clear(filtersEl);
      filtersEl.appendChild(h("p", { class: "muted" }, (e as Error).message));
    }
  };

  const onSummary = (_run: number, json: string): void => {
    const s = JSON.parse(json) as RunSummary;
    renderHeader(s);
    if (s.checkpointModified !== checkpointTime) {
      checkpointTime = s.checkpointModified;
      if (checkpointTime !== null) void loadFilters();
    }
  };

  function render(): void {
    const m = model;
    const last = m.loss.length - 1;
    const lastEpoch = m.epochs[m.epochs.length - 1];
    const bestVal = Math.max(...m.epochs.map((e) => e.valAccuracy ?? -Infinity));
    const lastEval = m.evals[m.evals.length - 1];
    clear(tiles);
    tiles.append(
      tile("step", last >= 0 ? String(m.stepX[last]) : "–"),
      tile("loss", last >= 0 ? num(m.loss[last]) : "–"),
      tile("epoch", lastEpoch ? String(lastEpoch.epoch + 1) : "–"),
      tile("train accuracy", lastEpoch ? pct(lastEpoch.trainAccuracy) : "–"),
      tile("best val accuracy", Number.isFinite(bestVal) ? pct(bestVal) : "–"),
      tile(lastEval ? `${lastEval.split} accuracy` : "test accuracy", lastEval ? pct(lastEval.accuracy) : "–"));
    const epochStep = m.epochs.map((e) => e.step);
    lossChart.set(
      [{ label: "loss", color: "rgba(0,114,178,0.3)", width: 1 }, { label: `smoothed (${smoothing})`, color: PALETTE[0], width: 2 },
        { label: "epoch train loss", color: PALETTE[1], pointsOnly: true }, { label: "val loss", color: PALETTE[3], pointsOnly: true }],
      alignSeries([{ x: m.stepX, y: m.loss }, { x: m.stepX, y: smooth(m.loss, smoothing) },
        { x: epochStep, y: m.epochs.map((e) => e.trainLoss) }, { x: epochStep, y: m.epochs.map((e) => e.valLoss ?? null) }]));
    const ep = m.epochs.map((e) => e.epoch + 1);
    accChart.set([{ label: "train", color: PALETTE[0], width: 2 }, { label: "val", color: PALETTE[3], width: 2 }],
      alignSeries([{ x: ep, y: m.epochs.map((e) => e.trainAccuracy) }, { x: ep, y: m.epochs.map((e) => e.valAccuracy ?? null) }]));
    lrChart.set([{ label: "lr", color: PALETTE[2], width: 2 }], alignSeries([{ x: m.stepX, y: m.lr }]));
    speedChart.set([{ label: "images/s", color: PALETTE[4] }], alignSeries([{ x: m.stepX, y: m.imagesPerSecond }]));
    layers.render();
    if (lastEval) {
      clear(confusionEl);
      confusionEl.appendChild(confusionTable(lastEval, classLabels(lastEval.confusion.length, detail?.config)));
    }
    const lastWrong = m.misclassified[m.misclassified.length - 1];
    if (lastWrong && lastWrong !== mistakesShown) {
      mistakesShown = lastWrong;
      clear(mistakesEl);
      const k = lastWrong.classes?.length ?? lastEval?.confusion.length ?? 0;
      mistakesEl.appendChild(mistakesGrid(lastWrong, lastWrong.classes ?? classLabels(k, detail?.config)));
    }
    renderMessages();
  }

  const renderMessages = (): void => {
    clear(messagesEl);
    if (model.messages.length === 0) return;
    messagesEl.append(h("h4", {}, "Messages"), h("ul", { class: "msgs" }, ...model.messages.slice(-200).map((msg) =>
      h("li", { class: `msg ${msg.level}` }, h("span", { class: "level" }, msg.level), " ", msg.time ? h("span", { class: "muted" }, new Date(msg.time).toISOString().slice(11, 19), " ") : null, msg.text))));
  };

  const renderDetail = (d: RunDetail): void => {
    renderHeader(d.summary);
    clear(configEl);
    append(configEl, kvTable(d.config), d.result !== null ? h("h4", {}, "Result") : null, d.result !== null ? kvTable(d.result) : null);
    clear(findingsEl);
    if (d.babysit === null) findingsEl.appendChild(h("p", { class: "muted" }, "no babysit.json in this run"));
    else {
      findingsEl.appendChild(h("ul", { class: "findings-list" }, ...d.babysit.map((f) =>
        h("li", { class: `finding ${f.status.replace(/[^a-z]/g, "")}` },
          statusBadge(f.status), " ", h("strong", {}, f.name), " ",
          h("span", { class: "muted" }, Object.entries(f.numbers).map(([k, v]) => `${k}=${num(v)}`).join(" ")),
          h("div", { class: "advice" }, f.advice)))));
    }
  };

  getJson<RunDetail>(runUrl(name)).then((d) => {
    detail = d;
    renderDetail(d);
    render();
  }).catch((e: unknown) => {
    clear(app);
    app.appendChild(h("div", { class: "error" }, h("h1", {}, name), h("p", {}, `cannot open this run: ${(e as Error).message}`)));
  });
  const stop = connectRuns([name], [model], () => {
    render();
    app.dataset.version = String(model.version);
    app.dataset.steps = String(model.stepX.length);
  }, onSummary);
  return () => {
    stop();
    for (const c of [lossChart, accChart, lrChart, speedChart]) c.dispose();
    layers.dispose();
  };
}
