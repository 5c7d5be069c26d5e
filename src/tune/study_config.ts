/**
 * Sampler and pruner settings as JSON, so a study stored in a database carries them and every worker that
 * joins builds the same sampler and pruner. Samplers are pure functions of (settings, seed, history), so
 * workers that read the same history suggest the same configuration for the same trial number.
 */
import { ValueError } from "../core/index.js";
import type { SearchSpace } from "./space.js";
import { BayesSampler, CoarseToFineSampler, GridSampler, RandomSampler } from "./samplers/index.js";
import type { Direction, Sampler } from "./samplers/index.js";
import { AshaPruner, MedianPruner } from "./pruners/index.js";
import type { Pruner } from "./pruners/index.js";
import type { Json } from "./storage/types.js";

export type SamplerConfig =
  | { readonly type: "random"; readonly seed?: number }
  | { readonly type: "grid"; readonly seed?: number; readonly points?: number | Readonly<Record<string, number>>; readonly shuffle?: boolean }
  | { readonly type: "coarse-to-fine"; readonly seed?: number; readonly stageSize?: number; readonly topK?: number; readonly pad?: number; readonly minWidth?: number }
  | { readonly type: "bayes"; readonly seed?: number; readonly nInitial?: number; readonly candidates?: number; readonly xi?: number };
export type SamplerType = SamplerConfig["type"];
export const SAMPLER_TYPES: readonly SamplerType[] = ["grid", "random", "coarse-to-fine", "bayes"];

export type PrunerConfig =
  | { readonly type: "none" }
  | { readonly type: "median"; readonly warmupSteps?: number; readonly minTrials?: number }
  | { readonly type: "asha"; readonly minResource?: number; readonly reductionFactor?: number; readonly minEarlyStoppingRate?: number; readonly maxResource?: number };
export type PrunerType = PrunerConfig["type"];
export const PRUNER_TYPES: readonly PrunerType[] = ["median", "asha", "none"];

const SAMPLER_FIELDS: Record<SamplerType, readonly string[]> = {
  random: ["type", "seed"],
  grid: ["type", "seed", "points", "shuffle"],
  "coarse-to-fine": ["type", "seed", "stageSize", "topK", "pad", "minWidth"],
  bayes: ["type", "seed", "nInitial", "candidates", "xi"],
};
const PRUNER_FIELDS: Record<PrunerType, readonly string[]> = {
  none: ["type"],
  median: ["type", "warmupSteps", "minTrials"],
  asha: ["type", "minResource", "reductionFactor", "minEarlyStoppingRate", "maxResource"],
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function checkFields(who: string, obj: Record<string, unknown>, allowed: readonly string[]): void {
  for (const [k, v] of Object.entries(obj)) {
    if (!allowed.includes(k)) throw new ValueError(`${who}: unknown field "${k}" (expected ${allowed.join(", ")})`);
    if (k === "type") continue;
    const ok = typeof v === "number" || typeof v === "boolean"
      || (k === "points" && isObject(v) && Object.values(v).every((x) => typeof x === "number"));
    if (!ok) throw new ValueError(`${who}: "${k}" must be a number${k === "shuffle" ? " or boolean" : ""}, got ${JSON.stringify(v)}`);
  }
}

/** Validates sampler settings read from JSON (a study row, a flag). */
export function parseSamplerConfig(json: unknown): SamplerConfig {
  if (!isObject(json) || typeof json.type !== "string" || !(SAMPLER_TYPES as readonly string[]).includes(json.type)) {
    throw new ValueError(`sampler: expected {"type": ${SAMPLER_TYPES.map((t) => `"${t}"`).join(" | ")}, …}, got ${JSON.stringify(json)}`);
  }
  checkFields(`sampler "${json.type}"`, json, SAMPLER_FIELDS[json.type as SamplerType]);
  return json as SamplerConfig;
}

/** Validates pruner settings read from JSON. */
export function parsePrunerConfig(json: unknown): PrunerConfig {
  if (!isObject(json) || typeof json.type !== "string" || !(PRUNER_TYPES as readonly string[]).includes(json.type)) {
    throw new ValueError(`pruner: expected {"type": ${PRUNER_TYPES.map((t) => `"${t}"`).join(" | ")}, …}, got ${JSON.stringify(json)}`);
  }
  checkFields(`pruner "${json.type}"`, json, PRUNER_FIELDS[json.type as PrunerType]);
  return json as PrunerConfig;
}

/** Builds the sampler (constructors validate the numbers and name what is wrong). */
export function makeSampler(cfg: SamplerConfig, space: SearchSpace, direction: Direction): Sampler {
  switch (cfg.type) {
    case "random":
      return new RandomSampler(space, { seed: cfg.seed });
    case "grid":
      return new GridSampler(space, { seed: cfg.seed, points: cfg.points, shuffle: cfg.shuffle });
    case "coarse-to-fine":
      return new CoarseToFineSampler(space, { ...cfg, direction });
    case "bayes":
      return new BayesSampler(space, { ...cfg, direction });
    default:
      throw new ValueError(`sampler: unknown type ${JSON.stringify((cfg satisfies never as SamplerConfig).type)}`);
  }
}

/** Builds the pruner; null for "none". */
export function makePruner(cfg: PrunerConfig, direction: Direction): Pruner | null {
  switch (cfg.type) {
    case "none":
      return null;
    case "median":
      return new MedianPruner({ ...cfg, direction });
    case "asha":
      return new AshaPruner({ ...cfg, direction });
    default:
      throw new ValueError(`pruner: unknown type ${JSON.stringify((cfg satisfies never as PrunerConfig).type)}`);
  }
}

/** JSON text with object keys sorted, for comparing stored settings with requested ones. */
export function canonicalJson(v: Json | undefined): string {
  const sort = (x: Json): Json => {
    if (Array.isArray(x)) return x.map(sort);
    if (x !== null && typeof x === "object") return Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort(x[k])]));
    return x;
  };
  return v === undefined ? "undefined" : JSON.stringify(sort(v));
}
