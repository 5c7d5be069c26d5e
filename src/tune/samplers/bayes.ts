/**
 * Bayesian optimization with a Gaussian process and expected improvement (Snoek, Larochelle & Adams 2012,
 * https://arxiv.org/abs/1206.2944; Jones, Schonlau & Welch 1998 for EI).
 *
 * Each suggestion: fit the GP (gp.ts) to the standardized losses of the finished trials, then maximize
 *
 *   EI(x) = (f* − μ(x) − ξ) Φ(z) + σ(x) φ(z),   z = (f* − μ(x) − ξ) / σ(x),   f* = best loss so far
 *
 * over the unit cube: score random candidates plus Gaussian perturbations of the best trials, then refine
 * the top few by a shrinking coordinate (pattern) search. Every candidate is snapped to the point its
 * configuration encodes to, so integer and categorical parameters are modelled at their actual values
 * (Garrido-Merchán & Hernández-Lobato 2020); an inactive conditional parameter sits at ½.
 *
 * Trials still running enter the model with the mean loss as a fake observation ("constant liar",
 * Ginsbourger et al. 2010), so parallel workers do not all pick the same point; pruned trials enter with
 * the worst loss seen (they were stopped for looking bad); failed trials are ignored.
 */
import { ValueError } from "../../core/index.js";
import type { Rng } from "../../core/index.js";
import type { Config, SearchSpace } from "../space.js";
import { GaussianProcess, GpData, fitHyperparameters } from "./gp.js";
import type { FitOptions } from "./gp.js";
import { checkDirection, checkSeed, completedLosses, randomUnit, trialRng } from "./types.js";
import type { Direction, Sampler, Trial } from "./types.js";

export interface BayesOptions {
  seed?: number;
  direction?: Direction;
  /** Random trials before the model is used (default max(5, dim + 1)). */
  nInitial?: number;
  /** Random candidates scored per suggestion (default 1000, plus 20% around the best trials). */
  candidates?: number;
  /** Exploration margin ξ of EI, in standardized units (default 0.01). */
  xi?: number;
  /** Hyperparameter fitting (restarts, iterations, step size). */
  fit?: FitOptions;
}

const INV_SQRT2 = Math.SQRT1_2;
const INV_SQRT2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * Complementary error function, fractional error < 1.2e-7 everywhere (the Chebyshev fit of Press et al.,
 * "Numerical Recipes", 2nd ed., §6.2).
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly = -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(poly);
  return x >= 0 ? r : 2 - r;
}

/** Expected improvement below `best` of a Gaussian N(mean, variance) (minimization), with margin xi. */
export function expectedImprovement(mean: number, variance: number, best: number, xi = 0): number {
  const sigma = Math.sqrt(variance);
  const imp = best - mean - xi;
  if (sigma < 1e-12) return Math.max(imp, 0);
  const z = imp / sigma;
  const cdf = 0.5 * erfc(-z * INV_SQRT2);
  const pdf = INV_SQRT2PI * Math.exp(-0.5 * z * z);
  return Math.max(imp * cdf + sigma * pdf, 0);
}

export class BayesSampler implements Sampler {
  readonly name = "bayes";
  readonly space: SearchSpace;
  readonly seed: number;
  readonly direction: Direction;
  readonly nInitial: number;
  readonly candidates: number;
  readonly xi: number;
  readonly fit: FitOptions;

  constructor(space: SearchSpace, opts: BayesOptions = {}) {
    const { seed = 0, direction = "minimize", nInitial = Math.max(5, space.dim + 1), candidates = 1000, xi = 0.01, fit = {} } = opts;
    checkSeed("bayesSampler", seed);
    checkDirection("bayesSampler", direction);
    if (!(Number.isInteger(nInitial) && nInitial >= 2)) throw new ValueError(`bayesSampler: nInitial must be an integer >= 2, got ${nInitial}`);
    if (!(Number.isInteger(candidates) && candidates >= 1)) throw new ValueError(`bayesSampler: candidates must be an integer >= 1, got ${candidates}`);
    if (!(xi >= 0 && Number.isFinite(xi))) throw new ValueError(`bayesSampler: xi must be a finite number >= 0, got ${xi}`);
    this.space = space;
    this.seed = seed;
    this.direction = direction;
    this.nInitial = nInitial;
    this.candidates = candidates;
    this.xi = xi;
    this.fit = fit;
  }

  suggest(history: readonly Trial[]): Config {
    const rng = trialRng(this.seed, history.length);
    const done = completedLosses(history, this.direction);
    // The first random draw is the same as RandomSampler's for this trial number and seed.
    const first = randomUnit(rng, this.space.dim);
    if (done.length < this.nInitial) return this.space.fromUnit(first);
    const gp = this.#model(history, done, rng);
    const best = Math.min(...gp.ys.slice(0, done.length));
    const ei = (u: number[]): number => {
      const { mean, variance } = gp.model.predict(u);
      return expectedImprovement(mean, variance, best, this.xi);
    };
    return this.space.fromUnit(this.#maximize(ei, gp.bestPoints, rng));
  }

  /** Standardized data (finished, then pruned, then running trials) and the fitted GP. */
  #model(history: readonly Trial[], finished: { trial: Trial; loss: number }[], rng: Rng): { model: GaussianProcess; ys: number[]; bestPoints: number[][] } {
    const unit = (t: Trial): number[] => this.space.toUnit(t.config, 0.5);
    const losses = finished.map((t) => t.loss);
    const xs = finished.map((t) => unit(t.trial));
    const mean = losses.reduce((a, b) => a + b, 0) / losses.length;
    const sd = Math.sqrt(losses.reduce((a, b) => a + (b - mean) ** 2, 0) / losses.length) || 1;
    const ys = losses.map((l) => (l - mean) / sd);
    const worst = Math.max(...ys);
    for (const t of history) {
      if (t.state === "pruned") {
        xs.push(unit(t));
        ys.push(worst);
      }
    }
    const theta = fitHyperparameters(new GpData(xs, ys), rng, this.fit);
    for (const t of history) {
      if (t.state === "running") {
        xs.push(unit(t));
        ys.push(0); // constant liar: the mean of the standardized losses
      }
    }
    const order = finished.map((_, i) => i).sort((a, b) => ys[a] - ys[b]);
    return { model: new GaussianProcess(new GpData(xs, ys), theta), ys, bestPoints: order.slice(0, 5).map((i) => xs[i]) };
  }

  /** Random + local candidates, then pattern search from the 5 best; returns the best unit point. */
  #maximize(f: (u: number[]) => number, around: number[][], rng: Rng): number[] {
    const dim = this.space.dim;
    const scored: { u: number[]; v: number }[] = [];
    const add = (u: number[]): void => {
      const s = this.space.snap(u);
      scored.push({ u: s, v: f(s) });
    };
    for (let i = 0; i < this.candidates; i++) add(randomUnit(rng, dim));
    const local = Math.ceil(this.candidates / 5);
    for (let i = 0; i < local; i++) {
      const c = around[i % around.length];
      const z = rng.normal(dim, 0, 0.05);
      add(c.map((x, j) => Math.min(1, Math.max(0, x + z[j]))));
    }
    scored.sort((a, b) => b.v - a.v);
    let best = scored[0];
    for (const start of scored.slice(0, 5)) {
      const r = this.#patternSearch(f, start);
      if (r.v > best.v) best = r;
    }
    return best.u;
  }

  /** Coordinate search with steps 0.1, 0.05, …, 0.003: move while EI improves. */
  #patternSearch(f: (u: number[]) => number, start: { u: number[]; v: number }): { u: number[]; v: number } {
    let { u, v } = start;
    for (let step = 0.1; step > 0.003; step /= 2) {
      let improved = true;
      while (improved) {
        improved = false;
        for (let j = 0; j < u.length; j++) {
          for (const dir of [-1, 1]) {
            const trial = [...u];
            trial[j] = Math.min(1, Math.max(0, trial[j] + dir * step));
            const s = this.space.snap(trial);
            const fv = f(s);
            if (fv > v) {
              u = s;
              v = fv;
              improved = true;
            }
          }
        }
      }
    }
    return { u, v };
  }
}

export function bayesSampler(space: SearchSpace, opts: BayesOptions = {}): BayesSampler {
  return new BayesSampler(space, opts);
}
