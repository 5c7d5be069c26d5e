/**
 * Cheap built-in objectives for tests and demos: a benchmark function with a known optimum (Branin,
 * Hartmann-6, …) dressed up as a training run. Step t of `steps` reports
 *
 *   v_t = f(x) + gap(x) · (1 − (t + 1)/steps),   gap(x) = |f(x) − f*| + 1
 *
 * — a "learning curve" that starts high and ends at f(x), so worse configurations look worse at every
 * step and the median and ASHA pruners can be exercised — and sleeps `stepMs` between steps to stand in
 * for training time (so a worker can be killed mid-trial).
 */
import { ValueError } from "../core/index.js";
import { branin, hartmann6, unimportantParam2d } from "./benchmarks.js";
import type { Benchmark } from "./benchmarks.js";
import type { Objective } from "./runner.js";

export interface BenchmarkObjectiveOptions {
  /** Intermediate values reported (default 5). */
  readonly steps?: number;
  /** Milliseconds slept before each step (default 0). */
  readonly stepMs?: number;
}

export const BENCHMARKS: Readonly<Record<string, Benchmark>> = { branin, hartmann6, unimportant2d: unimportantParam2d() };

/** The benchmark named `name`; the error lists the names. */
export function benchmarkByName(name: string): Benchmark {
  const b = BENCHMARKS[name];
  if (!b) throw new ValueError(`benchmark: unknown name "${name}" (expected ${Object.keys(BENCHMARKS).join(", ")})`);
  return b;
}

/** `bench` as an objective with a learning curve; minimize its value. */
export function benchmarkObjective(bench: Benchmark, { steps = 5, stepMs = 0 }: BenchmarkObjectiveOptions = {}): Objective {
  if (!(Number.isInteger(steps) && steps >= 1)) throw new ValueError(`benchmarkObjective: steps must be an integer >= 1, got ${steps}`);
  if (!(stepMs >= 0 && Number.isFinite(stepMs))) throw new ValueError(`benchmarkObjective: stepMs must be a finite number >= 0, got ${stepMs}`);
  return async (config, report) => {
    const f = bench.evaluate(config);
    const gap = Math.abs(f - bench.optimum) + 1;
    for (let t = 0; t < steps; t++) {
      await new Promise((r) => setTimeout(r, stepMs));
      const v = f + gap * (1 - (t + 1) / steps);
      if ((await report(t, v)) === "prune") return v;
    }
    return { value: f, metrics: { steps } };
  };
}
