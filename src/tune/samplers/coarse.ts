/**
 * Coarse-to-fine random search, the CS231n lecture-6 recipe automated: search the whole space with a
 * few random trials (short runs), narrow every range around the best results, search again, repeat.
 *
 * Stage s covers trials s·stageSize … (s+1)·stageSize − 1. Its box is computed from the box of stage
 * s − 1 (width w per coordinate, in unit coordinates, so log parameters narrow on the log scale) and the
 * top-k completed trials created before stage s (unit coordinates a = min, b = max over them):
 *
 *   width' = clamp((b − a) + 2·pad·w, minWidth, w),   box' = [c − width'/2, c + width'/2], c = (a + b)/2
 *
 * shifted to lie inside [0, 1]. The new box may leave the old one: when the best trial sits at the edge
 * of a range, the search moves past that edge (as the lecture advises), up to the edge of the space.
 * A categorical parameter keeps only the choices seen among the top-k.
 */
import { ValueError } from "../../core/index.js";
import { decode } from "../space.js";
import type { Config, ParamValue, SearchSpace } from "../space.js";
import { checkDirection, checkSeed, completedLosses, trialRng } from "./types.js";
import type { Direction, Sampler, Trial } from "./types.js";

export interface CoarseToFineOptions {
  seed?: number;
  direction?: Direction;
  /** Trials per stage (default 10). */
  stageSize?: number;
  /** Number of best trials the next box is fitted around (default 3). */
  topK?: number;
  /** Margin on each side, as a fraction of the previous box's width (default 0.25). */
  pad?: number;
  /** Smallest width of a numeric range, in unit coordinates (default 0.02). */
  minWidth?: number;
}

/** Per coordinate: [lo, hi] in unit coordinates, and for categoricals the allowed choice indices. */
interface Box {
  lo: number[];
  hi: number[];
  allowed: (number[] | null)[];
}

export class CoarseToFineSampler implements Sampler {
  readonly name = "coarseToFine";
  readonly space: SearchSpace;
  readonly seed: number;
  readonly direction: Direction;
  readonly stageSize: number;
  readonly topK: number;
  readonly pad: number;
  readonly minWidth: number;

  constructor(space: SearchSpace, opts: CoarseToFineOptions = {}) {
    const { seed = 0, direction = "minimize", stageSize = 10, topK = 3, pad = 0.25, minWidth = 0.02 } = opts;
    checkSeed("coarseToFine", seed);
    checkDirection("coarseToFine", direction);
    const need = (ok: boolean, name: string, what: string, v: number): void => {
      if (!ok) throw new ValueError(`coarseToFine: ${name} must be ${what}, got ${v}`);
    };
    need(Number.isInteger(stageSize) && stageSize >= 1, "stageSize", "an integer >= 1", stageSize);
    need(Number.isInteger(topK) && topK >= 1, "topK", "an integer >= 1", topK);
    need(pad >= 0 && pad <= 1, "pad", "in [0, 1]", pad);
    need(minWidth > 0 && minWidth <= 1, "minWidth", "in (0, 1]", minWidth);
    this.space = space;
    this.seed = seed;
    this.direction = direction;
    this.stageSize = stageSize;
    this.topK = topK;
    this.pad = pad;
    this.minWidth = minWidth;
  }

  /** Stage of the next trial. */
  stage(history: readonly Trial[]): number {
    return Math.floor(history.length / this.stageSize);
  }

  suggest(history: readonly Trial[]): Config {
    const box = this.#box(history);
    const rng = trialRng(this.seed, history.length);
    const r = rng.uniform(this.space.dim);
    const u = this.space.names.map((_, i) => {
      const allowed = box.allowed[i];
      if (allowed) return (allowed[Math.floor(r[i] * allowed.length)] + 0.5) / this.#choices(i);
      return box.lo[i] + r[i] * (box.hi[i] - box.lo[i]);
    });
    return this.space.fromUnit(u);
  }

  /** The ranges the next trial is drawn from, in parameter units (for logs and reports). */
  ranges(history: readonly Trial[]): Record<string, [number, number] | ParamValue[]> {
    const box = this.#box(history);
    const out: Record<string, [number, number] | ParamValue[]> = {};
    this.space.names.forEach((name, i) => {
      const p = this.space.params[name];
      const allowed = box.allowed[i];
      if (p.type === "categorical") out[name] = (allowed ?? p.choices.map((_, j) => j)).map((j) => p.choices[j]);
      else out[name] = [decode(p, box.lo[i]) as number, decode(p, box.hi[i]) as number];
    });
    return out;
  }

  #choices(i: number): number {
    const p = this.space.params[this.space.names[i]];
    return p.type === "categorical" ? p.choices.length : 1;
  }

  #box(history: readonly Trial[]): Box {
    const dim = this.space.dim;
    const box: Box = { lo: new Array<number>(dim).fill(0), hi: new Array<number>(dim).fill(1), allowed: Array.from({ length: dim }, () => null) };
    for (let s = 1; s <= this.stage(history); s++) {
      const best = completedLosses(history.slice(0, s * this.stageSize), this.direction)
        .sort((a, b) => a.loss - b.loss)
        .slice(0, this.topK)
        .map(({ trial }) => this.space.toUnit(trial.config));
      if (best.length > 0) this.#narrow(box, best);
    }
    return box;
  }

  #narrow(box: Box, best: number[][]): void {
    for (let i = 0; i < this.space.dim; i++) {
      const us = best.map((u) => u[i]).filter((x) => !Number.isNaN(x));
      if (us.length === 0) continue; // inactive in every top trial: keep the range
      const k = this.#choices(i);
      if (this.space.params[this.space.names[i]].type === "categorical") {
        box.allowed[i] = [...new Set(us.map((x) => Math.floor(x * k)))].sort((a, b) => a - b);
        continue;
      }
      const a = Math.min(...us);
      const b = Math.max(...us);
      const w = box.hi[i] - box.lo[i];
      const width = Math.min(w, Math.max(this.minWidth, b - a + 2 * this.pad * w));
      const lo = Math.min(1 - width, Math.max(0, (a + b) / 2 - width / 2));
      box.lo[i] = lo;
      box.hi[i] = lo + width;
    }
  }
}

export function coarseToFineSampler(space: SearchSpace, opts: CoarseToFineOptions = {}): CoarseToFineSampler {
  return new CoarseToFineSampler(space, opts);
}
