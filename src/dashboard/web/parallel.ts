/**
 * Parallel coordinates for a study: one vertical axis per parameter (log axes for log-scaled ones,
 * evenly spaced categories for categorical ones) and a last axis for the objective; each finished trial
 * is a polyline coloured by its value (pruned trials grey and dashed). Drawn on a canvas: names are
 * painted as text, never parsed as markup.
 */
import type { ParamValueJson, StudyParam, StudyTrialRow } from "../types.js";
import { ramp } from "./colors.js";
import { h } from "./dom.js";
import { num } from "./fmt.js";

interface Axis {
  readonly label: string;
  /** Position in [0, 1] (0 = bottom) of a trial, or undefined when the trial lacks the parameter. */
  readonly pos: (t: StudyTrialRow) => number | undefined;
  readonly low: string;
  readonly high: string;
}

function numericAxis(p: StudyParam, trials: readonly StudyTrialRow[]): Axis {
  const vals = trials.map((t) => t.config[p.name]).filter((v): v is number => typeof v === "number");
  const log = p.kind === "log";
  const f = (v: number): number => (log ? Math.log10(Math.max(v, 1e-300)) : v);
  let lo = p.low ?? Math.min(...vals), hi = p.high ?? Math.max(...vals);
  if (!(hi > lo)) [lo, hi] = [lo - 1, hi + 1];
  const a = f(lo), b = f(hi);
  return {
    label: log ? `${p.name} (log)` : p.name, low: num(lo), high: num(hi),
    pos: (t) => (typeof t.config[p.name] === "number" ? (f(t.config[p.name] as number) - a) / (b - a) : undefined),
  };
}

function categoricalAxis(p: StudyParam, trials: readonly StudyTrialRow[]): Axis {
  const choices: ParamValueJson[] = p.choices ? [...p.choices] : [...new Set(trials.map((t) => t.config[p.name]).filter((v) => v !== undefined))];
  const k = Math.max(1, choices.length - 1);
  return {
    label: p.name, low: String(choices[0] ?? ""), high: String(choices[choices.length - 1] ?? ""),
    pos: (t) => {
      const i = choices.indexOf(t.config[p.name]);
      return i < 0 ? undefined : choices.length === 1 ? 0.5 : i / k;
    },
  };
}

/** Draws the plot; `data-lines` holds the number of trials drawn. */
export function parallelCoordinates(params: readonly StudyParam[], trials: readonly StudyTrialRow[], direction: "minimize" | "maximize", width: number): HTMLCanvasElement {
  const shown = trials.filter((t) => (t.state === "complete" || t.state === "pruned") && t.value !== null && Number.isFinite(t.value));
  const values = shown.map((t) => t.value as number);
  const vlo = Math.min(...values), vhi = Math.max(...values);
  const axes: Axis[] = params.map((p) => (p.kind === "categorical" ? categoricalAxis(p, shown) : numericAxis(p, shown)));
  axes.push({ label: `value (${direction})`, low: num(vlo), high: num(vhi), pos: (t) => (vhi > vlo ? ((t.value as number) - vlo) / (vhi - vlo) : 0.5) });
  const H = 320, top = 34, bottom = 28, left = 60, right = 60;
  const canvas = h("canvas", { class: "parallel", data: { lines: String(shown.length), axes: String(axes.length) } });
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(width * dpr);
  canvas.height = Math.round(H * dpr);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${H}px`;
  const ctx = canvas.getContext("2d");
  if (!ctx) return canvas;
  ctx.scale(dpr, dpr);
  const xs = axes.map((_, i) => left + (axes.length === 1 ? 0 : (i * (width - left - right)) / (axes.length - 1)));
  const y = (p: number): number => top + (1 - p) * (H - top - bottom);
  // Better trials drawn last (on top).
  const order = [...shown].sort((a, b) => (direction === "maximize" ? 1 : -1) * ((a.value as number) - (b.value as number)));
  for (const t of order) {
    const good = vhi > vlo ? ((t.value as number) - vlo) / (vhi - vlo) : 0.5;
    ctx.strokeStyle = t.state === "pruned" ? "rgba(128,128,128,0.5)" : ramp(direction === "maximize" ? good : 1 - good);
    ctx.setLineDash(t.state === "pruned" ? [4, 3] : []);
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    let started = false;
    axes.forEach((a, i) => {
      const p = a.pos(t);
      if (p === undefined || !Number.isFinite(p)) {
        started = false;
        return;
      }
      if (started) ctx.lineTo(xs[i], y(p));
      else ctx.moveTo(xs[i], y(p));
      started = true;
    });
    ctx.stroke();
  }
  ctx.setLineDash([]);
  ctx.strokeStyle = "#333";
  ctx.fillStyle = "#222";
  ctx.font = "12px sans-serif";
  ctx.textAlign = "center";
  axes.forEach((a, i) => {
    ctx.beginPath();
    ctx.moveTo(xs[i], y(0));
    ctx.lineTo(xs[i], y(1));
    ctx.stroke();
    ctx.font = "bold 12px sans-serif";
    ctx.fillText(a.label.length > 28 ? `${a.label.slice(0, 27)}…` : a.label, xs[i], 14);
    ctx.font = "11px sans-serif";
    ctx.fillText(a.high, xs[i], top - 6);
    ctx.fillText(a.low, xs[i], H - 10);
  });
  return canvas;
}
