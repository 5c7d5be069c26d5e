/**
 * Test helpers for layers: a gradient check of a whole Module (its input and every trainable
 * parameter), in float64, by central differences (CS231n "gradient checks"), reporting the worst element.
 */
import assert from "node:assert/strict";
import * as g from "ganglion";
import type { Tensor } from "ganglion";

export interface ModuleGradcheckOptions {
  /** Called before every forward (re-seed a layer's rng so each evaluation draws the same mask). */
  readonly reset?: () => void;
  readonly eps?: number;
  readonly rtol?: number;
  readonly atol?: number;
  /** Whether to check d/dx too (default true). */
  readonly checkInput?: boolean;
}

export interface ModuleGradcheckReport {
  readonly ok: boolean;
  readonly checked: number;
  readonly message: string;
}

/**
 * Checks d L / d x and d L / d p for every trainable parameter p of `m`, L = Σ m(x)·R for a fixed
 * random R. Parameters must already be float64 (construct the layer with `{ dtype: "float64" }`).
 */
export function moduleGradcheck(m: g.nn.Module, x: Tensor, o: ModuleGradcheckOptions = {}): ModuleGradcheckReport {
  const { reset, eps = 1e-6, rtol = 1e-5, atol = 1e-8, checkInput = true } = o;
  const params = [...m.namedParameters()].filter(([, p]) => p.requiresGrad);
  for (const [n, p] of params) assert.equal(p.dtype, "float64", `moduleGradcheck: parameter ${n} is ${p.dtype}; build the layer with dtype float64`);
  const xHost = Float64Array.from(x.dataSync());
  const rng = new g.Rng(12345);
  let R: Float64Array | null = null;
  const loss = (xs: Float64Array): Tensor => {
    reset?.();
    const out = m.forward(g.fromArray(xs, x.shape, { dtype: "float64" }));
    R ??= Float64Array.from(rng.normal(out.size));
    return out.cast("float64").mul(g.fromArray(R, out.shape, { dtype: "float64" })).sum();
  };
  // Analytic.
  for (const [, p] of params) {
    p.grad?.dispose();
    p.grad = null;
  }
  const analytic = g.scope(() => {
    reset?.();
    const xt = g.fromArray(xHost, x.shape, { dtype: "float64", requiresGrad: checkInput });
    const out = m.forward(xt);
    R ??= Float64Array.from(rng.normal(out.size));
    out.cast("float64").mul(g.fromArray(R, out.shape, { dtype: "float64" })).sum().backward();
    const grads: Array<[string, Float64Array]> = [];
    if (checkInput) grads.push(["input", xt.grad ? Float64Array.from(xt.grad.dataSync()) : new Float64Array(xHost.length)]);
    for (const [n, p] of params) grads.push([n, p.grad ? Float64Array.from(p.grad.dataSync()) : new Float64Array(p.size)]);
    return grads;
  });
  const value = (xs: Float64Array): number => g.scope(() => g.noGrad(() => loss(xs).item()));
  let worst = { rel: 0, name: "", index: -1, ana: 0, num: 0 };
  let ok = true;
  let checked = 0;
  const compare = (name: string, i: number, ana: number, num: number): void => {
    const diff = Math.abs(ana - num);
    const rel = diff === 0 ? 0 : diff / Math.max(Math.abs(ana), Math.abs(num));
    checked++;
    if (!(diff <= atol || rel <= rtol)) ok = false;
    if (rel > worst.rel || Number.isNaN(rel)) worst = { rel, name, index: i, ana, num };
  };
  for (const [name, grad] of analytic) {
    if (name === "input") {
      for (let i = 0; i < xHost.length; i++) {
        const h = Float64Array.from(xHost);
        h[i] = xHost[i] + eps;
        const up = value(h);
        h[i] = xHost[i] - eps;
        compare(name, i, grad[i], (up - value(h)) / (2 * eps));
      }
      continue;
    }
    const p = params.find(([n]) => n === name)![1];
    const host = Float64Array.from(p.dataSync());
    const set = (vals: Float64Array): void => g.noGrad(() => g.scope(() => void p.assign(g.fromArray(vals, p.shape, { dtype: "float64" }))));
    for (let i = 0; i < host.length; i++) {
      const h = Float64Array.from(host);
      h[i] = host[i] + eps;
      set(h);
      const up = value(xHost);
      h[i] = host[i] - eps;
      set(h);
      const down = value(xHost);
      set(host);
      compare(name, i, grad[i], (up - down) / (2 * eps));
    }
  }
  const message = `${m.typeName}: ${ok ? "passed" : "FAILED"} (${checked} elements); worst ${worst.name}[${worst.index}]: analytic ${worst.ana.toExponential(6)}, numeric ${worst.num.toExponential(6)}, relative error ${worst.rel.toExponential(2)}`;
  return { ok, checked, message };
}

/** Asserts a module gradcheck passes, printing the worst element otherwise. */
export function assertModuleGrads(m: g.nn.Module, x: Tensor, o: ModuleGradcheckOptions = {}): void {
  const r = moduleGradcheck(m, x, o);
  assert.ok(r.ok, r.message);
  assert.ok(r.checked > 0, `${m.typeName}: nothing was checked`);
}

/** A float64 standard-normal tensor (seeded). */
export function randn64(shape: number[], seed = 0): Tensor {
  return g.randn(shape, { rng: new g.Rng(seed), dtype: "float64" });
}
