/**
 * Grid search: the Cartesian product of n points per numeric parameter (log-spaced for log parameters,
 * since the points are evenly spaced in unit coordinates), every choice of each categorical, and the
 * children of a conditional branch only where their condition holds.
 *
 * Grid search spends its budget badly when some parameters do not matter: an n×n grid tries only n
 * distinct values of the parameter that does (Bergstra & Bengio 2012, figure 1; CS231n lecture 6).
 */
import { ValueError } from "../../core/index.js";
import { decode, encode } from "../space.js";
import type { Config, ParamSpec, SearchSpace } from "../space.js";
import { ExhaustedError, checkSeed, trialRng } from "./types.js";
import type { Sampler, Trial } from "./types.js";

export interface GridSamplerOptions {
  /** Points per numeric parameter (default 5), or per parameter by name (others get 5). */
  points?: number | Readonly<Record<string, number>>;
  /** Visit the grid in a seeded random order instead of lexicographic order (default false). */
  shuffle?: boolean;
  seed?: number;
  /** Refuse grids larger than this (default 1e6). */
  maxPoints?: number;
}

/** Unit coordinates of the grid values of one parameter: j/(n−1) (or ½ when n = 1), deduplicated. */
export function gridCoordinates(p: ParamSpec, n: number): number[] {
  if (p.type === "categorical") return p.choices.map((_, i) => (i + 0.5) / p.choices.length);
  const raw = n === 1 ? [0.5] : Array.from({ length: n }, (_, j) => j / (n - 1));
  if (p.type !== "int") return raw;
  const ints = [...new Set(raw.map((u) => decode(p, u) as number))];
  return ints.map((v) => encode(p, v));
}

export class GridSampler implements Sampler {
  readonly name = "grid";
  readonly space: SearchSpace;
  readonly #points: Config[];
  readonly #order: Int32Array | null;

  constructor(space: SearchSpace, { points = 5, shuffle = false, seed = 0, maxPoints = 1e6 }: GridSamplerOptions = {}) {
    checkSeed("gridSampler", seed);
    this.space = space;
    const per = (name: string): number => {
      const n = typeof points === "number" ? points : points[name] ?? 5;
      if (!(Number.isInteger(n) && n >= 1)) throw new ValueError(`gridSampler: points for "${name}" must be an integer >= 1, got ${n}`);
      return n;
    };
    if (typeof points === "object") {
      for (const k of Object.keys(points)) {
        if (!(k in space.params)) throw new ValueError(`gridSampler: points names unknown parameter "${k}"`);
      }
    }
    const coords = space.names.map((name) => gridCoordinates(space.params[name], per(name)));
    const bound = coords.reduce((a, c) => a * c.length, 1);
    if (bound > maxPoints) {
      throw new ValueError(`gridSampler: the grid has up to ${bound} points, more than maxPoints (${maxPoints}); use fewer points per parameter`);
    }
    this.#points = this.#enumerate(coords);
    this.#order = shuffle ? trialRng(seed, 0).permutation(this.#points.length) : null;
  }

  /** Number of distinct configurations in the grid. */
  get size(): number {
    return this.#points.length;
  }

  /** The grid, in visiting order. */
  points(): Config[] {
    return Array.from({ length: this.size }, (_, i) => this.#at(i));
  }

  /** The next grid point: number `history.length` in visiting order. Throws ExhaustedError past the end. */
  suggest(history: readonly Trial[]): Config {
    const i = history.length;
    if (i >= this.size) throw new ExhaustedError(`gridSampler: all ${this.size} grid points have been suggested`);
    return this.#at(i);
  }

  #at(i: number): Config {
    return { ...this.#points[this.#order ? this.#order[i] : i] };
  }

  /** Depth-first product over parameters (parents first), skipping parameters inactive on a branch. */
  #enumerate(coords: number[][]): Config[] {
    const out: Config[] = [];
    const names = this.space.names;
    const walk = (k: number, partial: Config): void => {
      if (k === names.length) {
        out.push({ ...partial });
        return;
      }
      const name = names[k];
      if (!this.space.isActive(name, partial)) {
        walk(k + 1, partial);
        return;
      }
      for (const u of coords[k]) {
        partial[name] = decode(this.space.params[name], u);
        walk(k + 1, partial);
      }
      delete partial[name];
    };
    walk(0, {});
    return out;
  }
}

export function gridSampler(space: SearchSpace, opts: GridSamplerOptions = {}): GridSampler {
  return new GridSampler(space, opts);
}
