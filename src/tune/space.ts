/**
 * Search spaces for hyperparameter search: uniform, log-uniform, integer (optionally log-spaced) and
 * categorical parameters, and conditional parameters that exist only when a parent categorical takes
 * given values (e.g. `momentum` only when `optimizer` is "sgd").
 *
 * Samplers work in the unit hypercube: every parameter maps to one coordinate u ∈ [0, 1] (log params on
 * a log scale: "sample the learning rate and regularization strength on a log scale", CS231n lecture 6;
 * Bergstra & Bengio 2012). `fromUnit(u)` and `toUnit(config)` convert; `fromUnit(toUnit(c))` is `c`.
 */
import { ValueError } from "../core/index.js";

export type ParamValue = number | string | boolean;
export type Config = Record<string, ParamValue>;

/** The parameter exists only when `config[parent]` is one of `values`. */
export interface Condition {
  readonly parent: string;
  readonly values: readonly ParamValue[];
}
interface Common {
  readonly condition?: Condition;
}
/** x ~ U(low, high): u ↦ low + u (high − low). */
export interface UniformParam extends Common {
  readonly type: "uniform";
  readonly low: number;
  readonly high: number;
}
/** log x ~ U(log low, log high): u ↦ low · (high / low)^u. Needs 0 < low < high. */
export interface LogUniformParam extends Common {
  readonly type: "logUniform";
  readonly low: number;
  readonly high: number;
}
/**
 * An integer in [low, high], each value equally likely (log = false) or log-uniform (log = true, then
 * u ↦ round(exp(log(low − ½) + u (log(high + ½) − log(low − ½)))), which needs low >= 1).
 */
export interface IntParam extends Common {
  readonly type: "int";
  readonly low: number;
  readonly high: number;
  readonly log: boolean;
}
/** One of `choices`, each equally likely: u ↦ choices[⌊u · k⌋]. */
export interface CategoricalParam extends Common {
  readonly type: "categorical";
  readonly choices: readonly ParamValue[];
}
export type ParamSpec = UniformParam | LogUniformParam | IntParam | CategoricalParam;
export type ParamType = ParamSpec["type"];
export const PARAM_TYPES: readonly ParamType[] = ["uniform", "logUniform", "int", "categorical"];

/** `{ when: { optimizer: "sgd" } }` or `{ when: { optimizer: ["sgd", "nesterov"] } }`. */
export interface ParamOptions {
  when?: Readonly<Record<string, ParamValue | readonly ParamValue[]>>;
}

function condition(when: ParamOptions["when"]): { condition?: Condition } {
  if (when === undefined) return {};
  const keys = Object.keys(when);
  if (keys.length !== 1) throw new ValueError(`space: "when" must name exactly one parent parameter, got ${JSON.stringify(when)}`);
  const v = when[keys[0]];
  return { condition: { parent: keys[0], values: Array.isArray(v) ? [...(v as ParamValue[])] : [v as ParamValue] } };
}

export function uniform(low: number, high: number, opts: ParamOptions = {}): UniformParam {
  return { type: "uniform", low, high, ...condition(opts.when) };
}
export function logUniform(low: number, high: number, opts: ParamOptions = {}): LogUniformParam {
  return { type: "logUniform", low, high, ...condition(opts.when) };
}
export function int(low: number, high: number, opts: ParamOptions & { log?: boolean } = {}): IntParam {
  return { type: "int", low, high, log: opts.log ?? false, ...condition(opts.when) };
}
export function categorical(choices: readonly ParamValue[], opts: ParamOptions = {}): CategoricalParam {
  return { type: "categorical", choices: [...choices], ...condition(opts.when) };
}

const clamp01 = (u: number): number => (u < 0 ? 0 : u > 1 ? 1 : u);

/** Maps u ∈ [0, 1] to a value of parameter `p`. */
export function decode(p: ParamSpec, u: number): ParamValue {
  const x = clamp01(u);
  switch (p.type) {
    case "uniform":
      return x === 1 ? p.high : p.low + x * (p.high - p.low);
    case "logUniform":
      return x === 0 ? p.low : x === 1 ? p.high : Math.exp(Math.log(p.low) + x * Math.log(p.high / p.low));
    case "int": {
      if (!p.log) return Math.min(p.high, p.low + Math.floor(x * (p.high - p.low + 1)));
      const a = Math.log(p.low - 0.5);
      const v = Math.round(Math.exp(a + x * (Math.log(p.high + 0.5) - a)));
      return Math.min(p.high, Math.max(p.low, v));
    }
    case "categorical":
      return p.choices[Math.min(p.choices.length - 1, Math.floor(x * p.choices.length))];
    default:
      throw new ValueError(`space: unknown parameter type ${(p satisfies never as ParamSpec).type}`);
  }
}

/** Maps a value of `p` to its coordinate in [0, 1] (bucket centres for ints and categoricals). */
export function encode(p: ParamSpec, v: ParamValue): number {
  switch (p.type) {
    case "uniform":
      return ((v as number) - p.low) / (p.high - p.low);
    case "logUniform":
      return Math.log((v as number) / p.low) / Math.log(p.high / p.low);
    case "int": {
      const n = v as number;
      if (!p.log) return (n - p.low + 0.5) / (p.high - p.low + 1);
      const a = Math.log(p.low - 0.5);
      return (Math.log(n) - a) / (Math.log(p.high + 0.5) - a);
    }
    case "categorical":
      return (p.choices.indexOf(v) + 0.5) / p.choices.length;
    default:
      throw new ValueError(`space: unknown parameter type ${(p satisfies never as ParamSpec).type}`);
  }
}

function fail(name: string, msg: string): never {
  throw new ValueError(`space: parameter "${name}": ${msg}`);
}

/** Checks one parameter's own fields (not its condition). */
function validateParam(name: string, p: ParamSpec): void {
  if (!(PARAM_TYPES as readonly string[]).includes(p.type)) {
    fail(name, `unknown type ${JSON.stringify(p.type)} (expected ${PARAM_TYPES.join(", ")})`);
  }
  if (p.type === "categorical") {
    if (!Array.isArray(p.choices) || p.choices.length === 0) fail(name, `categorical needs at least one choice, got ${JSON.stringify(p.choices)}`);
    for (const c of p.choices) {
      if (!["number", "string", "boolean"].includes(typeof c)) fail(name, `choices must be numbers, strings or booleans, got ${JSON.stringify(c)}`);
    }
    if (new Set(p.choices).size !== p.choices.length) fail(name, `choices must be distinct, got ${JSON.stringify(p.choices)}`);
    return;
  }
  if (!(Number.isFinite(p.low) && Number.isFinite(p.high))) fail(name, `low and high must be finite numbers, got low=${p.low} high=${p.high}`);
  if (p.type === "int") {
    if (!Number.isInteger(p.low) || !Number.isInteger(p.high)) fail(name, `int needs integer bounds, got low=${p.low} high=${p.high}`);
    if (p.low > p.high) fail(name, `low must be <= high, got low=${p.low} high=${p.high}`);
    if (p.log && p.low < 1) fail(name, `int with log: true needs low >= 1 (a log range), got low=${p.low}`);
    return;
  }
  if (p.low >= p.high) fail(name, `low must be < high, got low=${p.low} high=${p.high}`);
  if (p.type === "logUniform" && p.low <= 0) fail(name, `logUniform needs low > 0 (a log range), got low=${p.low}`);
}

/** Orders names so parents come before their children; checks conditions and detects cycles. */
function orderByConditions(params: Readonly<Record<string, ParamSpec>>): string[] {
  const names = Object.keys(params);
  for (const name of names) {
    const c = params[name].condition;
    if (!c) continue;
    const parent = params[c.parent];
    if (!parent) fail(name, `condition refers to unknown parameter ${JSON.stringify(c.parent)} (parameters: ${names.join(", ")})`);
    if (parent.type !== "categorical") fail(name, `condition parent "${c.parent}" must be categorical, got ${parent.type}`);
    if (c.values.length === 0) fail(name, `condition on "${c.parent}" needs at least one value`);
    for (const v of c.values) {
      if (!parent.choices.includes(v)) fail(name, `condition value ${JSON.stringify(v)} is not a choice of "${c.parent}" (${parent.choices.map((x) => JSON.stringify(x)).join(", ")})`);
    }
  }
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === "done") return;
    if (state.get(name) === "visiting") throw new ValueError(`space: conditions form a cycle: ${[...path, name].join(" → ")}`);
    state.set(name, "visiting");
    const c = params[name].condition;
    if (c) visit(c.parent, [...path, name]);
    state.set(name, "done");
    order.push(name);
  };
  for (const name of names) visit(name, []);
  return order;
}

/**
 * A validated search space. Parameters are kept in declaration order, except that a conditional
 * parameter always comes after its parent; `names[i]` is unit coordinate i.
 * @example
 * const space = new SearchSpace({
 *   lr: logUniform(1e-5, 1e-1), reg: logUniform(1e-6, 1e-2), hidden: int(32, 512, { log: true }),
 *   optimizer: categorical(["sgd", "adam"]), momentum: uniform(0.5, 0.99, { when: { optimizer: "sgd" } }),
 * });
 */
export class SearchSpace {
  readonly params: Readonly<Record<string, ParamSpec>>;
  readonly names: readonly string[];

  constructor(params: Readonly<Record<string, ParamSpec>>) {
    if (Object.keys(params).length === 0) throw new ValueError("space: needs at least one parameter");
    for (const [name, p] of Object.entries(params)) validateParam(name, p);
    this.names = orderByConditions(params);
    this.params = Object.fromEntries(this.names.map((n) => [n, params[n]]));
  }

  /** Number of unit coordinates. */
  get dim(): number {
    return this.names.length;
  }

  /** Whether `name` is active in `config` (its parent, recursively, is active and has a matching value). */
  isActive(name: string, config: Config): boolean {
    const c = this.params[name].condition;
    if (!c) return true;
    return this.isActive(c.parent, config) && c.values.includes(config[c.parent]);
  }

  /** The configuration at unit point u (length `dim`); inactive parameters are left out. */
  fromUnit(u: ArrayLike<number>): Config {
    if (u.length !== this.dim) throw new ValueError(`space.fromUnit: expected ${this.dim} coordinates, got ${u.length}`);
    const config: Config = {};
    this.names.forEach((name, i) => {
      if (this.isActive(name, config)) config[name] = decode(this.params[name], u[i]);
    });
    return config;
  }

  /** The unit point of `config`; inactive parameters get `inactive` (default NaN). */
  toUnit(config: Config, inactive = NaN): number[] {
    return this.names.map((name) => (this.isActive(name, config) && name in config ? encode(this.params[name], config[name]) : inactive));
  }

  /** Rounds u to the point of the configuration it decodes to (bucket centres, inactive → `inactive`). */
  snap(u: ArrayLike<number>, inactive = 0.5): number[] {
    return this.toUnit(this.fromUnit(u), inactive);
  }

  /** Throws a ValueError naming the parameter unless `config` is a point of this space. */
  validate(config: Config): void {
    for (const key of Object.keys(config)) {
      if (!(key in this.params)) throw new ValueError(`space: unknown parameter "${key}" in config (parameters: ${this.names.join(", ")})`);
    }
    for (const name of this.names) {
      const p = this.params[name];
      const active = this.isActive(name, config);
      if (!(name in config)) {
        if (active) fail(name, "missing from config");
        continue;
      }
      if (!active) fail(name, `is inactive (its condition on "${p.condition?.parent}" does not hold) but is set`);
      const v = config[name];
      const ok = p.type === "categorical"
        ? p.choices.includes(v)
        : typeof v === "number" && v >= p.low && v <= p.high && (p.type !== "int" || Number.isInteger(v));
      if (!ok) fail(name, `value ${JSON.stringify(v)} is outside the space (${describe(p)})`);
    }
  }

  /**
   * Numeric parameters whose value lies within `tol` (unit coordinates) of an end of their range:
   * if the best trial is there, the range probably should be widened (CS231n lecture 6).
   */
  atBoundary(config: Config, tol = 0.02): string[] {
    return this.names.filter((name) => {
      const p = this.params[name];
      if (p.type === "categorical" || !(name in config)) return false;
      if (p.type === "int" && p.low === p.high) return false;
      const u = encode(p, config[name]);
      return u <= tol || u >= 1 - tol;
    });
  }

  /** The JSON form accepted by `searchSpaceFromJSON`. */
  toJSON(): Record<string, Record<string, unknown>> {
    return Object.fromEntries(this.names.map((name) => {
      const { condition: c, ...rest } = this.params[name];
      const json: Record<string, unknown> = { ...rest };
      if (c) json.when = { [c.parent]: c.values.length === 1 ? c.values[0] : [...c.values] };
      return [name, json];
    }));
  }
}

/** A one-line description of a parameter's range, for messages. */
export function describe(p: ParamSpec): string {
  switch (p.type) {
    case "categorical":
      return `one of ${p.choices.map((c) => JSON.stringify(c)).join(", ")}`;
    case "int":
      return `integer in [${p.low}, ${p.high}]${p.log ? ", log" : ""}`;
    default:
      return `${p.type} in [${p.low}, ${p.high}]`;
  }
}
