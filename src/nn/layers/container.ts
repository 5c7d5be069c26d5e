/** Containers: Sequential, ModuleList, ModuleDict, and Residual (x + f(x), He et al. 2016). */
import { ShapeError, fmt } from "../../core/index.js";
import { scope, type Tensor } from "../../tensor/index.js";
import { Module } from "../module.js";

/**
 * Applies its children in order; children are named "0", "1", ... as in PyTorch, or given names when
 * built from a record (PyTorch's `Sequential(OrderedDict(...))`):
 * `new Sequential({ features: ..., classifier: ... })` gives paths `features.3.weight`.
 */
export class Sequential extends Module {
  readonly layers: Module[];
  /** Child names, parallel to `layers`. */
  readonly names: string[];
  constructor(...layers: Module[]);
  constructor(named: Readonly<Record<string, Module>>);
  constructor(...args: Array<Module | Readonly<Record<string, Module>>>) {
    super();
    const named = args.length === 1 && !(args[0] instanceof Module) ? Object.entries(args[0]) : null;
    if (named) {
      this.names = named.map(([k]) => k);
      this.layers = named.map(([, m]) => m);
    } else {
      this.layers = args.filter((m): m is Module => m instanceof Module);
      this.names = this.layers.map((_, i) => String(i));
    }
    this.layers.forEach((m, i) => this.registerModule(this.names[i], m));
  }
  forward(x: Tensor): Tensor {
    let y = x;
    this.layers.forEach((m, i) => {
      y = this.runChild(this.names[i], m, y);
    });
    return y;
  }
}

/** Holds modules in a list (registered "0", "1", ...); has no forward of its own. */
export class ModuleList extends Module {
  readonly items: Module[];
  constructor(items: Module[] = []) {
    super();
    this.items = [];
    for (const m of items) this.push(m);
  }
  push(m: Module): void {
    this.registerModule(String(this.items.length), m);
    this.items.push(m);
  }
  forward(x: Tensor): Tensor {
    throw new ShapeError(`ModuleList has no forward (input ${fmt(x.shape)}); iterate over .items`);
  }
}

/** Holds modules by name; has no forward of its own. */
export class ModuleDict extends Module {
  readonly items: Record<string, Module>;
  constructor(items: Record<string, Module> = {}) {
    super();
    this.items = {};
    for (const [k, m] of Object.entries(items)) this.items[k] = this.registerModule(k, m);
  }
  forward(x: Tensor): Tensor {
    throw new ShapeError(`ModuleDict has no forward (input ${fmt(x.shape)}); call a member`);
  }
}

/**
 * y = f(x) + shortcut(x), where shortcut is the identity or a projection (e.g. 1×1 conv + BN when the
 * shape changes). Children are named "body" and "shortcut".
 */
export class Residual extends Module {
  readonly body: Module;
  readonly shortcut: Module | null;
  constructor(body: Module, shortcut: Module | null = null) {
    super();
    this.body = this.registerModule("body", body);
    this.shortcut = shortcut ? this.registerModule("shortcut", shortcut) : null;
  }
  forward(x: Tensor): Tensor {
    return scope(() => {
      const f = this.runChild("body", this.body, x);
      const s = this.shortcut ? this.runChild("shortcut", this.shortcut, x) : x;
      if (f.shape.join(",") !== s.shape.join(",")) {
        throw new ShapeError(`residual: body output ${fmt(f.shape)} and shortcut ${fmt(s.shape)} differ; add a projection shortcut`);
      }
      return f.add(s);
    });
  }
}
