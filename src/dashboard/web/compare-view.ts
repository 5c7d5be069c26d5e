/**
 * Several runs side by side: smoothed loss, learning rate and accuracy per epoch overlaid, one colour per
 * run, and a table of their configurations (differing keys first).
 */
import type { JsonValue, RunDetail } from "../types.js";
import { getJson, runUrl } from "./api.js";
import { LineChart, alignSeries, type ChartSeries } from "./chart.js";
import { seriesColor } from "./colors.js";
import { card, clear, h, routeHref, table } from "./dom.js";
import { cell } from "./fmt.js";
import { RunModel, connectRuns, smooth } from "./run-model.js";

function configRows(names: readonly string[], configs: readonly JsonValue[]): string[][] {
  const obj = (c: JsonValue): Record<string, JsonValue> => (c !== null && typeof c === "object" && !Array.isArray(c) ? c : {});
  const keys = [...new Set(configs.flatMap((c) => Object.keys(obj(c))))];
  const differs = (k: string): boolean => new Set(configs.map((c) => JSON.stringify(obj(c)[k]))).size > 1;
  keys.sort((a, b) => Number(differs(b)) - Number(differs(a)) || (a < b ? -1 : 1));
  return keys.map((k) => [k, ...names.map((_, i) => cell(obj(configs[i])[k]))]);
}

export function compareView(app: HTMLElement, names: readonly string[]): () => void {
  const models = names.map(() => new RunModel());
  const loss = new LineChart({ title: "Loss (smoothed 0.9)", id: "cmp-loss", xLabel: "step", yLabel: "loss" });
  const val = new LineChart({ title: "Validation accuracy per epoch", id: "cmp-val", xLabel: "epoch", yLabel: "accuracy", logToggle: false, yRange: [0, 1], xIntegers: true });
  const train = new LineChart({ title: "Train accuracy per epoch", id: "cmp-train", xLabel: "epoch", yLabel: "accuracy", logToggle: false, yRange: [0, 1], xIntegers: true });
  const lr = new LineChart({ title: "Learning rate", id: "cmp-lr", xLabel: "step", yLabel: "lr" });
  const configEl = h("div", {});
  clear(app);
  app.append(
    h("h1", {}, "Compare runs"),
    h("ul", { class: "legend-list" }, ...names.map((n, i) => {
      const sw = h("span", { class: "swatch" });
      sw.style.backgroundColor = seriesColor(i);
      return h("li", {}, sw, h("a", { href: routeHref("run", n) }, n));
    })),
    h("div", { class: "charts" }, loss.root, val.root, train.root, lr.root),
    card("Configurations (differing keys first)", configEl));
  const series = (): ChartSeries[] => names.map((n, i) => ({ label: n, color: seriesColor(i), width: 2 }));
  const render = (): void => {
    loss.set(series(), alignSeries(models.map((m) => ({ x: m.stepX, y: smooth(m.loss, 0.9) }))));
    val.set(series(), alignSeries(models.map((m) => ({ x: m.epochs.map((e) => e.epoch + 1), y: m.epochs.map((e) => e.valAccuracy ?? null) }))));
    train.set(series(), alignSeries(models.map((m) => ({ x: m.epochs.map((e) => e.epoch + 1), y: m.epochs.map((e) => e.trainAccuracy) }))));
    lr.set(series(), alignSeries(models.map((m) => ({ x: m.stepX, y: m.lr }))));
  };
  const stop = connectRuns(names, models, render, () => undefined);
  Promise.all(names.map((n) => getJson<RunDetail>(runUrl(n)).then((d) => d.config).catch(() => null))).then((configs) => {
    clear(configEl);
    configEl.appendChild(table(["key", ...names], configRows(names, configs)));
  }).catch(() => undefined);
  return () => {
    stop();
    for (const c of [loss, val, train, lr]) c.dispose();
  };
}
