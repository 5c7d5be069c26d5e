/**
 * Optimizer base: parameter groups with per-group options (validated: unknown keys and bad values name
 * the optimizer, the option and the value), per-parameter state owned by the optimizer (persistent
 * tensors, released by dispose()), zeroGrad (drops grads by default, PyTorch's set_to_none=True),
 * and stateDict/loadStateDict for checkpoints.
 *
 * Subclasses implement `update(p, grad, state, opts, step)` with plain tensor ops; step() runs it under
 * noGrad inside its own scope, so the only tensors that survive are parameters and state.
 */
import { GanglionError, ValueError } from "../core/index.js";
import { enableGrad, isTensor, keep, noGrad, scope, zerosLike, type Tensor } from "../tensor/index.js";

export type ParamState = Record<string, Tensor | number>;

/** Recomputes the loss and its gradients (zeroGrad, forward, backward) and returns the loss. */
export type Closure = () => Tensor | number;

/** Runs a closure with gradients enabled inside its own scope and returns its loss as a number. */
export function evalClosure(closure: Closure): number {
  return enableGrad(() =>
    scope(() => {
      const l = closure();
      return typeof l === "number" ? l : l.item();
    }),
  );
}

/** A value as an error message shows it (JSON where possible, so strings are quoted). */
export function fmtValue(v: unknown): string {
  if (typeof v === "number" || typeof v === "bigint") return String(v);
  if (isTensor(v)) return v.toString();
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** A group is `{ params, options? }`; any other key (e.g. PyTorch's flat `{ params, lr }`) is an error. */
function checkGroupKeys(name: string, g: object, i: number): void {
  if (!("params" in g)) throw new ValueError(`${name}: parameter group ${i} has no 'params'`);
  for (const [k, v] of Object.entries(g)) {
    if (k === "params" || k === "options") continue;
    throw new ValueError(`${name}: unknown key '${k}' = ${fmtValue(v)} in parameter group ${i} (a group is { params, options: { ${k}: ... } })`);
  }
}

export interface ParamGroupSpec<O> {
  readonly params: Iterable<Tensor>;
  readonly options?: Partial<O>;
}
export interface ParamGroup<O> {
  readonly params: Tensor[];
  options: O;
}

export interface OptimizerStateDict<O> {
  readonly name: string;
  readonly groups: O[];
  /** Per parameter (by flat index over groups): its state. */
  readonly state: Record<number, ParamState>;
}

export type Validator<O> = { readonly [K in keyof O]: (v: O[K]) => string | null };

export abstract class Optimizer<O extends object> {
  readonly name: string;
  readonly groups: ParamGroup<O>[];
  readonly #state = new Map<Tensor, ParamState>();
  readonly #validate: Validator<O>;

  protected constructor(name: string, params: Iterable<Tensor> | ReadonlyArray<ParamGroupSpec<O>>, defaults: O, validate: Validator<O>, overrides: Partial<O>) {
    this.name = name;
    this.#validate = validate;
    const base = this.#check({ ...defaults, ...overrides });
    const list = [...(params as Iterable<Tensor | ParamGroupSpec<O>>)];
    if (list.length === 0) throw new ValueError(`${name}: got an empty parameter list`);
    const specs: ParamGroupSpec<O>[] = isTensor(list[0]) ? [{ params: list as Tensor[] }] : (list as ParamGroupSpec<O>[]);
    specs.forEach((g, i) => checkGroupKeys(name, g, i));
    this.groups = specs.map((g) => ({ params: [...g.params], options: this.#check({ ...base, ...(g.options ?? {}) }) }));
    const seen = new Set<Tensor>();
    for (const g of this.groups) {
      for (const p of g.params) {
        if (!isTensor(p)) throw new ValueError(`${name}: a parameter group holds ${String(p)}, not a Tensor`);
        if (seen.has(p)) throw new ValueError(`${name}: parameter ${p.name ?? `#${p.id}`} appears in more than one group`);
        seen.add(p);
      }
    }
  }

  #check(o: O): O {
    for (const [k, v] of Object.entries(o)) {
      const rule = (this.#validate as Record<string, (v: unknown) => string | null>)[k];
      if (!rule) throw new ValueError(`${this.name}: unknown option '${k}' = ${fmtValue(v)} (allowed: ${Object.keys(this.#validate).join(", ")})`);
      const err = rule(v);
      if (err) throw new ValueError(`${this.name}: invalid ${k} ${fmtValue(v)}: ${err}`);
    }
    return o;
  }

  /** Changes an option of every group (what a scheduler does with lr). */
  setOption<K extends keyof O>(key: K, value: O[K]): void {
    for (const g of this.groups) g.options = this.#check({ ...g.options, [key]: value });
  }

  /**
   * One update of every parameter that has a gradient. With a closure (PyTorch's `step(closure)`), the
   * closure runs first, with gradients enabled, and must recompute the loss and its gradients; its loss is
   * returned as a number.
   */
  step(closure?: Closure): number | undefined {
    const loss = closure ? evalClosure(closure) : undefined;
    noGrad(() =>
      scope(() => {
        for (const g of this.groups) {
          for (const p of g.params) {
            if (!p.grad) continue;
            const st = this.paramState(p);
            this.update(p, p.grad, st, g.options);
            for (const v of Object.values(st)) if (typeof v !== "number") keep(v);
          }
        }
      }),
    );
    return loss;
  }

  /** The state of parameter `p` (created empty on first use). */
  protected paramState(p: Tensor): ParamState {
    let st = this.#state.get(p);
    if (!st) this.#state.set(p, (st = {}));
    return st;
  }

  /** Writes `value` into state[key], disposing the previous tensor. */
  protected setState(st: ParamState, key: string, value: Tensor): Tensor {
    const prev = st[key];
    st[key] = value;
    if (prev && typeof prev !== "number" && prev !== value) prev.dispose();
    return value;
  }

  protected abstract update(p: Tensor, grad: Tensor, state: ParamState, o: O): void;

  /** Drops (default) or zeroes every parameter's gradient. */
  zeroGrad({ setToNone = true }: { setToNone?: boolean } = {}): void {
    for (const g of this.groups) {
      for (const p of g.params) {
        if (!p.grad) continue;
        if (setToNone) {
          p.grad.dispose();
          p.grad = null;
        } else noGrad(() => scope(() => void p.grad!.assign(zerosLike(p.grad!)))); // NOTE: not g·0, which keeps NaN and gives -0
      }
    }
  }

  stateDict(): OptimizerStateDict<O> {
    const state: Record<number, ParamState> = {};
    let i = 0;
    for (const g of this.groups) for (const p of g.params) {
      const st = this.#state.get(p);
      if (st) state[i] = { ...st };
      i++;
    }
    return { name: this.name, groups: this.groups.map((g) => ({ ...g.options })), state };
  }

  /** Restores options and state (tensors are copied, so the source can be disposed). */
  loadStateDict(sd: OptimizerStateDict<O>): void {
    if (sd.name !== this.name) throw new GanglionError(`${this.name}.loadStateDict: state was saved by ${sd.name}`);
    if (sd.groups.length !== this.groups.length) throw new GanglionError(`${this.name}.loadStateDict: ${sd.groups.length} groups saved, optimizer has ${this.groups.length}`);
    sd.groups.forEach((o, i) => (this.groups[i].options = this.#check({ ...o })));
    const params = this.groups.flatMap((g) => g.params);
    for (const st of this.#state.values()) for (const v of Object.values(st)) if (typeof v !== "number") v.dispose();
    this.#state.clear();
    for (const [k, st] of Object.entries(sd.state)) {
      const p = params[Number(k)];
      if (!p) throw new GanglionError(`${this.name}.loadStateDict: state for parameter ${k}, but there are ${params.length}`);
      const copy: ParamState = {};
      for (const [n, v] of Object.entries(st)) copy[n] = typeof v === "number" ? v : noGrad(() => v.clone()).keep();
      this.#state.set(p, copy);
    }
  }

  /** Releases optimizer state (not the parameters, which the model owns). */
  dispose(): void {
    for (const st of this.#state.values()) for (const v of Object.values(st)) if (typeof v !== "number") v.dispose();
    this.#state.clear();
  }
}

const isNum = (v: unknown): v is number => typeof v === "number" && !Number.isNaN(v);
export const positive = (v: number): string | null => (isNum(v) && v > 0 ? null : "must be a number > 0");
export const nonNegative = (v: number): string | null => (isNum(v) && v >= 0 ? null : "must be a number >= 0");
export const unit = (v: number): string | null => (isNum(v) && v >= 0 && v < 1 ? null : "must be a number in [0, 1)");
export const unitClosed = (v: number): string | null => (isNum(v) && v >= 0 && v <= 1 ? null : "must be a number in [0, 1]");
export const positiveInt = (v: number): string | null => (Number.isInteger(v) && v >= 1 ? null : "must be an integer >= 1");
export const bool = (v: boolean): string | null => (typeof v === "boolean" ? null : "must be a boolean");
