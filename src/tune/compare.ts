/**
 * Samplers compared at equal trial budgets: each sampler runs `budget` trials one after another on the
 * same objective, once per seed, and the best value found after every trial is kept. The summary gives,
 * for each budget of interest, the median (and spread) of the best value over the seeds and how many
 * seeds each sampler won — the measurement behind "Bayesian optimization beats random search" on a real
 * training job (bench/tune-bo-vs-random.ts) and on synthetic functions (samplers/*.test.ts).
 *
 * The objective may be asynchronous (a training run); it returns the value, or { value, metrics }, and
 * may throw TrialPruned (training diverged), which records the trial as pruned. Any other error stops
 * the comparison.
 */
import { ValueError } from "../core/index.js";
import type { Config, SearchSpace } from "./space.js";
import type { Direction, Sampler, Trial } from "./samplers/types.js";
import { isBetter } from "./samplers/types.js";
import { TrialPruned } from "./runner.js";
import { median } from "./pruners/median.js";
import type { Metrics } from "./storage/types.js";

/** Builds a sampler over `space` for one seed of the comparison. */
export type SamplerFactory = (space: SearchSpace, seed: number, direction: Direction) => Sampler;

export type CompareObjective = (config: Config) => Promise<number | { readonly value: number; readonly metrics?: Metrics }>;

/** One search: the trials in order, and best[i] = the best value among trials 0..i (NaN while none completed). */
export interface SearchRun {
  readonly sampler: string;
  readonly seed: number;
  readonly trials: readonly (Trial & { readonly metrics: Metrics })[];
  readonly best: readonly number[];
}

export interface CompareOptions {
  readonly space: SearchSpace;
  readonly direction: Direction;
  readonly objective: CompareObjective;
  readonly samplers: Readonly<Record<string, SamplerFactory>>;
  readonly seeds: readonly number[];
  readonly budget: number;
  /** Called after every trial (progress). */
  readonly onTrial?: (run: { sampler: string; seed: number; number: number; value: number | undefined; best: number }) => void;
}

/** Runs `budget` trials of `sampler` one after another (suggest, evaluate, record). */
export async function runSearchAsync(
  name: string, seed: number, sampler: Sampler, objective: CompareObjective, budget: number, direction: Direction,
  onTrial?: CompareOptions["onTrial"],
): Promise<SearchRun> {
  if (!(Number.isInteger(budget) && budget >= 1)) throw new ValueError(`compareSamplers: budget must be an integer >= 1, got ${budget}`);
  const trials: (Trial & { metrics: Metrics })[] = [];
  const best: number[] = [];
  let top = NaN;
  for (let i = 0; i < budget; i++) {
    const config = sampler.suggest(trials);
    let trial: Trial & { metrics: Metrics };
    try {
      const r = await objective(config);
      const value = typeof r === "number" ? r : r.value;
      trial = { config, value, state: Number.isFinite(value) ? "complete" : "failed", metrics: typeof r === "number" ? {} : (r.metrics ?? {}) };
    } catch (e) {
      if (!(e instanceof TrialPruned)) throw e;
      trial = { config, state: "pruned", metrics: {} };
    }
    trials.push(trial);
    if (trial.state === "complete" && (Number.isNaN(top) || isBetter(trial.value as number, top, direction))) top = trial.value as number;
    best.push(top);
    onTrial?.({ sampler: name, seed, number: i, value: trial.value, best: top });
  }
  return { sampler: name, seed, trials, best };
}

/** Every sampler on every seed (seed-major, so a partial run compares like with like). */
export async function compareSamplers(o: CompareOptions): Promise<SearchRun[]> {
  if (o.seeds.length === 0) throw new ValueError("compareSamplers: seeds must not be empty");
  const runs: SearchRun[] = [];
  for (const seed of o.seeds) {
    for (const [name, make] of Object.entries(o.samplers)) {
      runs.push(await runSearchAsync(name, seed, make(o.space, seed, o.direction), o.objective, o.budget, o.direction, o.onTrial));
    }
  }
  return runs;
}

/** One row of the summary: a sampler's best value after `budget` trials, over the seeds. */
export interface CompareRow {
  readonly budget: number;
  readonly sampler: string;
  readonly median: number;
  readonly mean: number;
  readonly worst: number;
  readonly bestOfSeeds: number;
  /** Seeds on which this sampler's best is strictly better than every other sampler's. */
  readonly wins: number;
  readonly seeds: number;
}

/** The comparison at each of `budgets` (trial counts); seeds missing a sampler's run are left out. */
export function summarizeComparison(runs: readonly SearchRun[], budgets: readonly number[], direction: Direction): CompareRow[] {
  const samplers = [...new Set(runs.map((r) => r.sampler))];
  const seeds = [...new Set(runs.map((r) => r.seed))].filter((s) => samplers.every((n) => runs.some((r) => r.seed === s && r.sampler === n)));
  const at = (sampler: string, seed: number, b: number): number => {
    const r = runs.find((x) => x.sampler === sampler && x.seed === seed) as SearchRun;
    return r.best[Math.min(b, r.best.length) - 1];
  };
  const worse = direction === "minimize" ? Infinity : -Infinity;
  const rows: CompareRow[] = [];
  for (const b of budgets) {
    for (const name of samplers) {
      const vals = seeds.map((s) => at(name, s, b));
      const finite = vals.map((v) => (Number.isNaN(v) ? worse : v));
      const wins = seeds.filter((s) => {
        const mine = at(name, s, b);
        return samplers.every((other) => other === name || isBetter(mine, Number.isNaN(at(other, s, b)) ? worse : at(other, s, b), direction));
      }).length;
      const sorted = [...finite].sort((p, q) => (direction === "minimize" ? p - q : q - p));
      rows.push({
        budget: b, sampler: name, median: median(finite), mean: finite.reduce((p, q) => p + q, 0) / finite.length,
        worst: sorted[sorted.length - 1], bestOfSeeds: sorted[0], wins, seeds: seeds.length,
      });
    }
  }
  return rows;
}

/** The summary as a Markdown table. */
export function formatComparison(rows: readonly CompareRow[], digits = 4): string {
  const f = (v: number): string => (Number.isFinite(v) ? v.toFixed(digits) : String(v));
  const lines = ["| trials | sampler | median best | mean | worst seed | best seed | seeds won |", "| ---: | --- | ---: | ---: | ---: | ---: | ---: |"];
  for (const r of rows) lines.push(`| ${r.budget} | ${r.sampler} | ${f(r.median)} | ${f(r.mean)} | ${f(r.worst)} | ${f(r.bestOfSeeds)} | ${r.wins}/${r.seeds} |`);
  return lines.join("\n");
}
