/**
 * Module system with PyTorch's vocabulary: parameters and buffers registered by name, children,
 * dotted names (`features.3.weight`), train()/eval(), stateDict()/loadStateDict(), freezing.
 *
 * Ownership: parameters and buffers are persistent tensors owned by their module (no scope frees
 * them); `module.dispose()` releases them. stateDict() returns the live tensors, not copies.
 */
import { GanglionError, ShapeError, fmt } from "../core/index.js";
import { noGrad, type Tensor } from "../tensor/index.js";

/** An error raised inside a layer, carrying the layer's dotted path and type (`features.3 (Conv2d)`). */
export class LayerError extends GanglionError {
  override name = "LayerError";
  readonly path: string[];
  readonly layerType: string;
  override readonly cause: Error;
  constructor(path: string[], layerType: string, cause: Error) {
    super("");
    this.path = path;
    this.layerType = layerType;
    this.cause = cause;
    this.message = `${path.join(".")} (${layerType}): ${cause.message}`;
  }
  /** The same error one level up; an empty name (an anonymous wrapper) adds nothing. */
  withParent(name: string): LayerError {
    return name ? new LayerError([name, ...this.path], this.layerType, this.cause) : this;
  }
}

/**
 * Observes every named child's output (activation statistics, NaN guards, summaries). `path` is the
 * child's full dotted path from the outermost module whose forward is running (`features.3`), `input`
 * the tensor the child was called with.
 */
export type ForwardHook = (path: string, module: Module, output: Tensor, input: Tensor) => void;
let forwardHook: ForwardHook | undefined;
/** Names of the runChild calls now on the stack, so nested containers report full dotted paths. */
const pathStack: string[] = [];
export function setForwardHook(h: ForwardHook | undefined): ForwardHook | undefined {
  const prev = forwardHook;
  forwardHook = h;
  return prev;
}

export interface LoadReport {
  readonly missing: string[];
  readonly unexpected: string[];
  readonly mismatched: Array<{ key: string; expected: readonly number[]; got: readonly number[] }>;
}

export abstract class Module {
  training = true;
  readonly #params = new Map<string, Tensor | null>();
  readonly #buffers = new Map<string, Tensor | null>();
  readonly #children = new Map<string, Module>();

  abstract forward(x: Tensor): Tensor;

  /** The class name shown in errors and summaries. */
  get typeName(): string {
    return this.constructor.name;
  }

  /** Registers a trainable parameter (persistent, requiresGrad). */
  protected registerParameter(name: string, t: Tensor | null): Tensor | null {
    if (t) {
      t.keep();
      t.requiresGrad = true;
      t.name ??= name;
    }
    this.#params.set(name, t);
    return t;
  }
  /** Registers a persistent non-trainable tensor saved in the state dict (e.g. BN running stats). */
  protected registerBuffer(name: string, t: Tensor | null): Tensor | null {
    t?.keep();
    this.#buffers.set(name, t);
    return t;
  }
  protected registerModule<M extends Module>(name: string, m: M): M {
    this.#children.set(name, m);
    return m;
  }

  /** Runs a named child's forward, adding its path to errors and calling the forward hook. */
  protected runChild(name: string, m: Module, x: Tensor, pathPrefix = ""): Tensor {
    let y: Tensor;
    pathStack.push(pathPrefix + name);
    try {
      y = m.forward(x);
      forwardHook?.(pathStack.filter(Boolean).join("."), m, y, x);
    } catch (e) {
      if (e instanceof LayerError) throw e.withParent(name);
      if (e instanceof Error) throw new LayerError([name], m.typeName, e);
      throw e;
    } finally {
      pathStack.pop();
    }
    return y;
  }

  *namedChildren(): Generator<[string, Module]> {
    yield* this.#children.entries();
  }
  children(): Module[] {
    return [...this.#children.values()];
  }
  /** This module and every descendant with its dotted path ("" for this one). */
  *namedModules(prefix = ""): Generator<[string, Module]> {
    yield [prefix, this];
    for (const [n, m] of this.#children) yield* m.namedModules(prefix ? `${prefix}.${n}` : n);
  }
  *namedParameters(prefix = ""): Generator<[string, Tensor]> {
    for (const [path, m] of this.namedModules(prefix)) {
      for (const [n, p] of m.#params) if (p) yield [path ? `${path}.${n}` : n, p];
    }
  }
  parameters(): Tensor[] {
    return [...this.namedParameters()].map(([, p]) => p);
  }
  *namedBuffers(prefix = ""): Generator<[string, Tensor]> {
    for (const [path, m] of this.namedModules(prefix)) {
      for (const [n, b] of m.#buffers) if (b) yield [path ? `${path}.${n}` : n, b];
    }
  }

  /** Sets training mode recursively (dropout, batch norm behave differently); returns this. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }
  eval(): this {
    return this.train(false);
  }

  /** Freezes (false) or unfreezes (true) every parameter: the transfer-learning switch. */
  requiresGrad(flag: boolean): this {
    for (const p of this.parameters()) p.requiresGrad = flag;
    return this;
  }

  /** Calls fn on this module and every descendant (e.g. custom init). */
  apply(fn: (m: Module, path: string) => void): this {
    for (const [path, m] of this.namedModules()) fn(m, path);
    return this;
  }

  /** Parameters and buffers by dotted name (PyTorch's naming, so torch state dicts load by name). */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries([...this.namedParameters(), ...this.namedBuffers()]);
  }

  /**
   * Copies values from `sd` into this module's parameters and buffers. Reports missing, unexpected and
   * wrong-shaped keys by name; in strict mode (default) any of them is an error listing all of them.
   */
  loadStateDict(sd: Readonly<Record<string, Tensor>>, { strict = true }: { strict?: boolean } = {}): LoadReport {
    const own = this.stateDict();
    const missing = Object.keys(own).filter((k) => !(k in sd));
    const unexpected = Object.keys(sd).filter((k) => !(k in own));
    const mismatched = Object.keys(own)
      .filter((k) => k in sd && sd[k].shape.join(",") !== own[k].shape.join(","))
      .map((k) => ({ key: k, expected: own[k].shape, got: sd[k].shape }));
    const report = { missing, unexpected, mismatched };
    if (strict && (missing.length || unexpected.length || mismatched.length)) {
      const parts = [
        missing.length ? `missing keys: ${missing.join(", ")}` : "",
        unexpected.length ? `unexpected keys: ${unexpected.join(", ")}` : "",
        ...mismatched.map((m) => `${m.key}: expected shape ${fmt(m.expected)}, got ${fmt(m.got)}`),
      ].filter(Boolean);
      throw new ShapeError(`loadStateDict (${this.typeName}): ${parts.join("; ")}`);
    }
    noGrad(() => {
      for (const [k, t] of Object.entries(own)) {
        const src = sd[k];
        if (!src || mismatched.some((m) => m.key === k)) continue;
        t.assign(src.dtype === t.dtype ? src : src.cast(t.dtype));
      }
    });
    return report;
  }

  /** Releases every parameter and buffer of this module and its descendants. */
  dispose(): void {
    for (const [, m] of this.namedModules()) {
      for (const p of m.#params.values()) p?.dispose();
      for (const b of m.#buffers.values()) b?.dispose();
    }
  }
}
