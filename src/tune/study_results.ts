/**
 * What a study produced: the trials ranked best first (a text table with every hyperparameter and metric),
 * the best configuration, and the data behind the dashboard's plots — the validation metric against the
 * learning rate and the regularization strength on log axes (CS231n lecture 6's scatter plot of a
 * coarse search), the metric against each parameter, the best value so far after each trial, and the
 * intermediate curves. Pure functions of the study's settings and trials.
 */
import type { SearchSpace } from "./space.js";
import type { Direction } from "./samplers/index.js";
import { isBetter } from "./samplers/types.js";
import type { Json, StoredTrialState, StudyRecord, TrialRecord } from "./storage/types.js";

const STATE_RANK: Record<StoredTrialState, number> = { complete: 0, pruned: 1, running: 2, waiting: 3, failed: 4 };

/** Trials best first: complete by value, then pruned (by last value), running, waiting, failed; ties by number. */
export function rankTrials(trials: readonly TrialRecord[], direction: Direction): TrialRecord[] {
  const s = direction === "minimize" ? 1 : -1;
  const key = (t: TrialRecord): number => (t.value === null || !Number.isFinite(t.value) ? Infinity : s * t.value);
  return [...trials].sort((a, b) => STATE_RANK[a.state] - STATE_RANK[b.state] || key(a) - key(b) || a.number - b.number);
}

/** The best complete trial, or undefined if none completed. */
export function bestTrial(trials: readonly TrialRecord[], direction: Direction): TrialRecord | undefined {
  let best: TrialRecord | undefined;
  for (const t of trials) {
    if (t.state !== "complete" || t.value === null) continue;
    if (!best || isBetter(t.value, best.value as number, direction)) best = t;
  }
  return best;
}

export interface StateCounts {
  complete: number;
  pruned: number;
  failed: number;
  running: number;
  waiting: number;
}

export function countStates(trials: readonly TrialRecord[]): StateCounts {
  const c: StateCounts = { complete: 0, pruned: 0, failed: 0, running: 0, waiting: 0 };
  for (const t of trials) c[t.state]++;
  return c;
}

function show(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") {
    if (Number.isInteger(v)) return String(v);
    const a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : String(Number(v.toPrecision(4)));
  }
  return String(v);
}

/** The results as text, best first: rank, trial number, state, value, every parameter, every metric, attempts, wall-clock seconds. */
export function formatResultsTable(study: StudyRecord, space: SearchSpace, trials: readonly TrialRecord[], { limit = Infinity }: { limit?: number } = {}): string {
  const ranked = rankTrials(trials, study.direction).slice(0, limit);
  const metricNames = [...new Set(ranked.flatMap((t) => Object.keys(t.metrics)))].sort();
  const header = ["rank", "trial", "state", "value", ...space.names, ...metricNames, "attempts", "wall_s"];
  const rows = ranked.map((t, i) => [
    String(i + 1), String(t.number), t.state, show(t.value),
    ...space.names.map((n) => show(t.config[n])), ...metricNames.map((m) => show(t.metrics[m])),
    String(t.attempts), t.startedAt !== null && t.finishedAt !== null ? ((t.finishedAt - t.startedAt) / 1000).toFixed(1) : "",
  ]);
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const line = (cells: string[]): string => cells.map((c, j) => (j === 2 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join("  ").trimEnd();
  const c = countStates(trials);
  const title = `study ${study.name}: ${trials.length} of ${study.nTrials} trials (${c.complete} complete, ${c.pruned} pruned, ${c.failed} failed`
    + `${c.running ? `, ${c.running} running` : ""}${c.waiting ? `, ${c.waiting} waiting` : ""}), ${study.direction} value`;
  return [title, line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** One axis of a plot: a parameter and whether to draw it on a log scale. */
export interface PlotAxis {
  readonly param: string;
  readonly log: boolean;
}

export interface PlotPoint {
  readonly number: number;
  readonly state: StoredTrialState;
  readonly value: number;
  readonly x: number;
  readonly y?: number;
}

/** The data of a study's plots, as JSON for the dashboard. */
export interface TunePlotData {
  readonly study: string;
  readonly direction: Direction;
  /** The lecture's scatter: x = learning rate, y = regularization, colour = value (complete and pruned trials). */
  readonly scatter: { readonly x: PlotAxis; readonly y: PlotAxis | null; readonly points: PlotPoint[] } | null;
  /** Value against each numeric parameter. */
  readonly perParam: Record<string, { readonly log: boolean; readonly points: PlotPoint[] }>;
  /** After trial `number` finished: the best complete value so far (by trial number). */
  readonly bestSoFar: { readonly number: number; readonly value: number | null; readonly best: number | null }[];
  /** The intermediate values of each trial (learning curves). */
  readonly curves: { readonly number: number; readonly state: StoredTrialState; readonly values: number[] }[];
}

const LR = /^(.*_)?(lr|learning_?rate)$/i;
const REG = /(weight_?decay|weightDecay|reg|l2|lambda|decay)/i;

function axisFor(space: SearchSpace, name: string): PlotAxis {
  const p = space.params[name];
  return { param: name, log: p.type === "logUniform" || (p.type === "int" && p.log) };
}

/** Chooses the scatter's axes: the learning-rate parameter and the regularization one (else the first two numeric ones). */
export function scatterAxes(space: SearchSpace): { x: PlotAxis; y: PlotAxis | null } | null {
  const numeric = space.names.filter((n) => space.params[n].type !== "categorical");
  if (numeric.length === 0) return null;
  const x = numeric.find((n) => LR.test(n)) ?? numeric[0];
  const y = numeric.find((n) => n !== x && REG.test(n)) ?? numeric.find((n) => n !== x);
  return { x: axisFor(space, x), y: y === undefined ? null : axisFor(space, y) };
}

/** Builds the plot data (see TunePlotData). */
export function plotData(study: StudyRecord, space: SearchSpace, trials: readonly TrialRecord[]): TunePlotData {
  const finished = trials.filter((t) => (t.state === "complete" || t.state === "pruned") && t.value !== null && Number.isFinite(t.value));
  const num = (t: TrialRecord, p: string): number | undefined => (typeof t.config[p] === "number" ? (t.config[p] as number) : undefined);
  const axes = scatterAxes(space);
  const scatter = axes && {
    ...axes,
    points: finished.filter((t) => num(t, axes.x.param) !== undefined && (!axes.y || num(t, axes.y.param) !== undefined)).map((t) => ({
      number: t.number, state: t.state, value: t.value as number, x: num(t, axes.x.param) as number,
      ...(axes.y ? { y: num(t, axes.y.param) as number } : {}),
    })),
  };
  const perParam: TunePlotData["perParam"] = {};
  for (const name of space.names) {
    if (space.params[name].type === "categorical") continue;
    perParam[name] = {
      log: axisFor(space, name).log,
      points: finished.filter((t) => num(t, name) !== undefined).map((t) => ({ number: t.number, state: t.state, value: t.value as number, x: num(t, name) as number })),
    };
  }
  let best: number | null = null;
  const bestSoFar = [...trials].sort((a, b) => a.number - b.number).map((t) => {
    const v = t.state === "complete" && t.value !== null && Number.isFinite(t.value) ? t.value : null;
    if (v !== null && (best === null || isBetter(v, best, study.direction))) best = v;
    return { number: t.number, value: v, best };
  });
  const curves = trials.map((t) => ({ number: t.number, state: t.state, values: t.intermediate }));
  return { study: study.name, direction: study.direction, scatter, perParam, bestSoFar, curves };
}

/**
 * The best trial's configuration: the study's job as stored (epochs, data set, …) with the best
 * hyperparameters on top, plus where it came from. Undefined when no trial completed. (`ganglion tune`
 * writes its best-config.json in `ganglion train --config`'s terms instead: src/cli/tune_jobs.ts.)
 */
export function bestConfig(study: StudyRecord, trials: readonly TrialRecord[]): Record<string, Json> | undefined {
  const best = bestTrial(trials, study.direction);
  if (!best) return undefined;
  const job = study.job !== null && typeof study.job === "object" && !Array.isArray(study.job) ? study.job : {};
  return { ...job, ...best.config, tuned: { study: study.name, trial: best.number, value: best.value, direction: study.direction } };
}
