/**
 * Random search (Bergstra & Bengio 2012, "Random search for hyper-parameter optimization",
 * https://jmlr.org/papers/v13/bergstra12a.html): each configuration is an independent uniform point of
 * the unit cube, decoded through the space (so log parameters are log-uniform). When only a few
 * parameters matter, n random trials try n distinct values of each, where an n-point grid tries √n.
 */
import type { SearchSpace, Config } from "../space.js";
import { checkSeed, randomUnit, trialRng } from "./types.js";
import type { Sampler, Trial } from "./types.js";

export interface RandomSamplerOptions {
  /** Seed of the Philox streams (one per trial number). Default 0. */
  seed?: number;
}

export class RandomSampler implements Sampler {
  readonly name = "random";
  readonly space: SearchSpace;
  readonly seed: number;

  constructor(space: SearchSpace, { seed = 0 }: RandomSamplerOptions = {}) {
    checkSeed("randomSampler", seed);
    this.space = space;
    this.seed = seed;
  }

  suggest(history: readonly Trial[]): Config {
    return this.space.fromUnit(randomUnit(trialRng(this.seed, history.length), this.space.dim));
  }
}

export function randomSampler(space: SearchSpace, opts: RandomSamplerOptions = {}): RandomSampler {
  return new RandomSampler(space, opts);
}
