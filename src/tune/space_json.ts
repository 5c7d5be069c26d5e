/**
 * Search spaces from JSON (a config file, a study stored in a database):
 *
 * ```json
 * { "lr":        { "type": "logUniform", "low": 1e-5, "high": 0.1 },
 *   "hidden":    { "type": "int", "low": 32, "high": 512, "log": true },
 *   "optimizer": { "type": "categorical", "choices": ["sgd", "adam"] },
 *   "momentum":  { "type": "uniform", "low": 0.5, "high": 0.99, "when": { "optimizer": "sgd" } } }
 * ```
 *
 * Everything is validated; an error names the parameter and the offending value.
 */
import { ValueError } from "../core/index.js";
import { PARAM_TYPES, SearchSpace, categorical, int, logUniform, uniform } from "./space.js";
import type { ParamOptions, ParamSpec, ParamType, ParamValue } from "./space.js";

const FIELDS: Record<ParamType, readonly string[]> = {
  uniform: ["type", "low", "high", "when"],
  logUniform: ["type", "low", "high", "when"],
  int: ["type", "low", "high", "log", "when"],
  categorical: ["type", "choices", "when"],
};

function fail(name: string, msg: string): never {
  throw new ValueError(`space: parameter "${name}": ${msg}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isValue(v: unknown): v is ParamValue {
  return typeof v === "number" || typeof v === "string" || typeof v === "boolean";
}

function num(name: string, obj: Record<string, unknown>, key: string): number {
  const v = obj[key];
  if (typeof v !== "number") fail(name, `"${key}" must be a number, got ${JSON.stringify(v) ?? "nothing"}`);
  return v;
}

function when(name: string, v: unknown): ParamOptions {
  if (v === undefined) return {};
  const ok = isObject(v) && Object.values(v).every((x) => isValue(x) || (Array.isArray(x) && x.every(isValue)));
  if (!ok || Object.keys(v).length !== 1) {
    fail(name, `"when" must name one parent: {"parent": value} or {"parent": [values]}, got ${JSON.stringify(v)}`);
  }
  return { when: v as ParamOptions["when"] };
}

function parseParam(name: string, raw: unknown): ParamSpec {
  if (!isObject(raw)) fail(name, `must be an object with a "type", got ${JSON.stringify(raw)}`);
  const type = raw.type;
  if (typeof type !== "string" || !(PARAM_TYPES as readonly string[]).includes(type)) {
    fail(name, `unknown type ${JSON.stringify(type) ?? "(missing)"} (expected ${PARAM_TYPES.join(", ")})`);
  }
  const t = type as ParamType;
  for (const key of Object.keys(raw)) {
    if (!FIELDS[t].includes(key)) fail(name, `unknown field "${key}" for type ${t} (expected ${FIELDS[t].join(", ")})`);
  }
  const opts = when(name, raw.when);
  switch (t) {
    case "uniform":
      return uniform(num(name, raw, "low"), num(name, raw, "high"), opts);
    case "logUniform":
      return logUniform(num(name, raw, "low"), num(name, raw, "high"), opts);
    case "int": {
      if (raw.log !== undefined && typeof raw.log !== "boolean") fail(name, `"log" must be true or false, got ${JSON.stringify(raw.log)}`);
      return int(num(name, raw, "low"), num(name, raw, "high"), { ...opts, log: raw.log === true });
    }
    case "categorical": {
      if (!Array.isArray(raw.choices)) fail(name, `"choices" must be an array, got ${JSON.stringify(raw.choices) ?? "nothing"}`);
      return categorical(raw.choices as ParamValue[], opts);
    }
    default:
      throw new ValueError(`space: unknown type ${t satisfies never}`);
  }
}

/** Builds a validated `SearchSpace` from a parsed JSON value. */
export function searchSpaceFromJSON(json: unknown): SearchSpace {
  if (!isObject(json)) throw new ValueError(`space: expected an object of parameters, got ${JSON.stringify(json)}`);
  const params: Record<string, ParamSpec> = {};
  for (const [name, raw] of Object.entries(json)) params[name] = parseParam(name, raw);
  return new SearchSpace(params);
}

/** Parses JSON text (e.g. a file's contents; `source` names it in errors) into a `SearchSpace`. */
export function parseSearchSpace(text: string, source = "search space"): SearchSpace {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ValueError(`space: ${source} is not valid JSON: ${(e as Error).message}`);
  }
  return searchSpaceFromJSON(json);
}
