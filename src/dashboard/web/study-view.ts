/**
 * The page of one study: the lecture's random-search scatter (validation metric against learning rate
 * and regularization on log axes, colour = value), the best value so far after each trial, parallel
 * coordinates when there are more than two parameters, and the trials table (best first). Refreshed
 * every few seconds while trials are running.
 */
import type uPlot from "uplot";
import type { StudyView } from "../types.js";
import { getJson, studyUrl } from "./api.js";
import { LineChart, type Columns } from "./chart.js";
import { PALETTE, ramp, rampGradient } from "./colors.js";
import { card, clear, h, table } from "./dom.js";
import { cell, num } from "./fmt.js";
import { parallelCoordinates } from "./parallel.js";

type Point = StudyView["plot"]["perParam"][string]["points"][number];

/** Paints scatter points (colour = value on the ramp, better = brighter; pruned = hollow grey). */
function paintPoints(u: uPlot, points: readonly Point[], yOf: (p: Point) => number, direction: string): void {
  const vals = points.map((p) => p.value);
  const lo = Math.min(...vals), hi = Math.max(...vals);
  const ctx = u.ctx;
  const r = 5 * (window.devicePixelRatio || 1);
  ctx.save();
  ctx.beginPath();
  ctx.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
  ctx.clip();
  for (const p of points) {
    const y = yOf(p);
    if (!(p.x > 0) || !Number.isFinite(y)) continue;
    const cx = u.valToPos(p.x, "x", true), cy = u.valToPos(y, "y", true);
    const t = hi > lo ? (p.value - lo) / (hi - lo) : 0.5;
    ctx.beginPath();
    ctx.arc(cx, cy, r, 0, 2 * Math.PI);
    if (p.state === "pruned") {
      ctx.strokeStyle = "#888";
      ctx.stroke();
    } else {
      ctx.fillStyle = ramp(direction === "maximize" ? t : 1 - t);
      ctx.fill();
      ctx.strokeStyle = "rgba(0,0,0,0.5)";
      ctx.stroke();
    }
  }
  ctx.restore();
}

function colourBar(lo: number, hi: number, direction: string): HTMLElement {
  const bar = h("span", { class: "colourbar" });
  bar.style.backgroundImage = rampGradient();
  const [left, right] = direction === "maximize" ? [lo, hi] : [hi, lo];
  return h("div", { class: "colourbar-row muted" }, `value ${num(left)} `, bar, ` ${num(right)} (brighter = better; hollow = pruned)`);
}

export function studyView(app: HTMLElement, name: string): () => void {
  let points: Point[] = [];
  let yOf: (p: Point) => number = (p) => p.value;
  let direction = "minimize";
  const scatterHolder = h("div", {});
  let scatter: LineChart | undefined;
  let scatterKey = "";
  const best = new LineChart({ title: "Best value so far", id: "best-so-far", xLabel: "trial", yLabel: "value", logToggle: true, xIntegers: true });
  const headEl = h("div", {});
  const parallelEl = h("div", {});
  const tableEl = h("div", { class: "scroll" });
  clear(app);
  app.append(headEl, h("div", { class: "charts" }, scatterHolder, best.root), card("Parallel coordinates", parallelEl), card("Trials (best first)", tableEl));

  const render = (v: StudyView): void => {
    direction = v.summary.direction;
    const s = v.summary;
    clear(headEl);
    headEl.append(h("h1", {}, s.name), h("p", { class: "muted" },
      `${s.trials} of ${s.nTrials} trials · ${s.counts.complete} complete, ${s.counts.pruned} pruned, ${s.counts.failed} failed, ${s.counts.running} running · ${s.direction} · best ${num(s.best)}`));
    const sc = v.plot.scatter;
    if (sc) {
      points = sc.points;
      yOf = sc.y ? (p) => p.y ?? NaN : (p) => p.value;
      const key = JSON.stringify([sc.x, sc.y]);
      if (key !== scatterKey || !scatter) {
        scatter?.dispose();
        scatterKey = key;
        scatter = new LineChart({
          title: sc.y ? `${sc.y.param} vs ${sc.x.param}` : `value vs ${sc.x.param}`, id: "scatter",
          xLabel: sc.x.param, yLabel: sc.y ? sc.y.param : "value", xLog: sc.x.log, log: sc.y ? sc.y.log : false, logToggle: sc.y === null, height: 300,
          onDraw: (u) => paintPoints(u, points, yOf, direction),
        });
        clear(scatterHolder);
        scatterHolder.appendChild(scatter.root);
      }
      const sorted = [...points].filter((p) => p.x > 0 || !sc.x.log).sort((a, b) => a.x - b.x);
      const data: Columns = [sorted.map((p) => p.x), sorted.map((p) => yOf(p))];
      scatter.set([{ label: sc.y ? sc.y.param : "value", color: "rgba(0,0,0,0)", pointsOnly: true }], data);
      const vals = points.map((p) => p.value);
      const bar = scatter.root.querySelector(".colourbar-row");
      bar?.remove();
      if (vals.length) scatter.root.appendChild(colourBar(Math.min(...vals), Math.max(...vals), direction));
    } else {
      clear(scatterHolder);
      scatterHolder.appendChild(h("p", { class: "muted" }, "no numeric parameters to plot"));
    }
    const bs = v.plot.bestSoFar;
    best.set([{ label: "trial value", color: PALETTE[0], pointsOnly: true }, { label: "best so far", color: PALETTE[3], width: 2, stepped: true }],
      [bs.map((b) => b.number), bs.map((b) => b.value), bs.map((b) => b.best)]);
    clear(parallelEl);
    if (v.params.length > 2) parallelEl.appendChild(parallelCoordinates(v.params, v.trials, s.direction, Math.max(480, parallelEl.clientWidth || app.clientWidth - 40)));
    else parallelEl.appendChild(h("p", { class: "muted" }, `the study has ${v.params.length} parameter(s): the scatter above shows them all`));
    const metricNames = [...new Set(v.trials.flatMap((t) => Object.keys(t.metrics)))].sort();
    const names = v.params.map((p) => p.name);
    clear(tableEl);
    tableEl.appendChild(table(["rank", "trial", "state", "value", ...names, ...metricNames, "attempts", "seconds", "message"],
      v.trials.map((t, i) => [String(i + 1), String(t.number), t.state, num(t.value), ...names.map((n) => cell(t.config[n])),
        ...metricNames.map((m) => cell(t.metrics[m])), String(t.attempts), t.seconds === null ? "" : t.seconds.toFixed(1), t.message ?? ""])));
    app.dataset.trials = String(v.trials.length);
  };

  let stopped = false;
  let timer: number | undefined;
  const load = async (): Promise<void> => {
    try {
      const v = await getJson<StudyView>(studyUrl(name));
      if (stopped) return;
      render(v);
      const live = v.summary.counts.running + v.summary.counts.waiting > 0 || v.summary.trials < v.summary.nTrials;
      if (live) timer = window.setTimeout(() => void load(), 3000);
    } catch (e) {
      clear(headEl);
      headEl.append(h("h1", {}, name), h("p", { class: "error" }, `cannot open this study: ${(e as Error).message}`));
    }
  };
  void load();
  return () => {
    stopped = true;
    if (timer !== undefined) window.clearTimeout(timer);
    scatter?.dispose();
    best.dispose();
  };
}
