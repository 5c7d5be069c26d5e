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
import { keep, noGrad, scope, type Tensor } from "../tensor/index.js";

export type ParamState = Record<string, Tensor | number>;

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
    const specs: ParamGroupSpec<O>[] = list.length > 0 && !("params" in (list[0] as object)) ? [{ params: list as Tensor[] }] : (list as ParamGroupSpec<O>[]);
    this.groups = specs.map((g) => ({ params: [...g.params], options: this.#check({ ...base, ...(g.options ?? {}) }) }));
    const seen = new Set<Tensor>();
    for (const g of this.groups) {
      for (const p of g.params) {
        if (seen.has(p)) throw new ValueError(`${name}: parameter ${p.name ?? `#${p.id}`} appears in more than one group`);
        seen.add(p);
      }
    }
  }

  #check(o: O): O {
    for (const [k, v] of Object.entries(o)) {
      const rule = (this.#validate as Record<string, (v: unknown) => string | null>)[k];
      if (!rule) throw new ValueError(`${this.name}: unknown option '${k}' (allowed: ${Object.keys(this.#validate).join(", ")})`);
      const err = rule(v);
      if (err) throw new ValueError(`${this.name}: invalid ${k} ${JSON.stringify(v)}: ${err}`);
    }
    return o;
  }

  /** Changes an option of every group (what a scheduler does with lr). */
  setOption<K extends keyof O>(key: K, value: O[K]): void {
    for (const g of this.groups) g.options = this.#check({ ...g.options, [key]: value });
  }

  /** One update of every parameter that has a gradient. */
  step(): void {
    noGrad(() =>
      scope(() => {
        for (const g of this.groups) {
          for (const p of g.params) {
            if (!p.grad) continue;
            let st = this.#state.get(p);
            if (!st) this.#state.set(p, (st = {}));
            this.update(p, p.grad, st, g.options);
            for (const v of Object.values(st)) if (typeof v !== "number") keep(v);
          }
        }
      }),
    );
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
        } else noGrad(() => scope(() => p.grad!.assign(p.grad!.mul(0))));
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

export const positive = (v: number): string | null => (v > 0 ? null : "must be > 0");
export const nonNegative = (v: number): string | null => (v >= 0 ? null : "must be >= 0");
export const unit = (v: number): string | null => (v >= 0 && v < 1 ? null : "must be in [0, 1)");
export const bool = (v: boolean): string | null => (typeof v === "boolean" ? null : "must be a boolean");
