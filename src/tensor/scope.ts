/**
 * Memory scopes (the tfjs `tidy` idea, opened once per training step rather than inside every layer):
 * `scope(fn)` disposes every tensor created while `fn` runs, except those it returns (moved to the
 * enclosing scope) and those marked persistent with `keep()`. Scopes are synchronous and nest.
 *
 * Also the live-tensor accounting behind `memory()`.
 */
import { GanglionError } from "../core/index.js";
import type { Tensor } from "./tensor.js";

const stack: Set<Tensor>[] = [];
let liveTensors = 0;

/** Called by the Tensor constructor. */
export function trackTensor(t: Tensor): void {
  liveTensors++;
  stack[stack.length - 1]?.add(t);
}

/** Called by Tensor.dispose. */
export function untrackTensor(t: Tensor): void {
  liveTensors--;
  stack[stack.length - 1]?.delete(t);
}

/** Removes `t` from every open scope so no scope frees it (parameters, optimizer state, grads). */
export function keepTensor(t: Tensor): void {
  for (const s of stack) s.delete(t);
}

export function liveTensorCount(): number {
  return liveTensors;
}

export function scopeDepth(): number {
  return stack.length;
}

/** Collects every Tensor reachable in a returned value (arrays, plain objects, Maps). */
function collect(value: unknown, out: Set<Tensor>, isTensor: (x: unknown) => x is Tensor, depth = 0): void {
  if (depth > 8 || value === null || typeof value !== "object") return;
  if (isTensor(value)) {
    out.add(value);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collect(v, out, isTensor, depth + 1);
  else if (value instanceof Map) for (const v of value.values()) collect(v, out, isTensor, depth + 1);
  else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) collect(v, out, isTensor, depth + 1);
}

/** Runs `fn` in a new scope; see the module comment. `fn` must be synchronous. */
export function runScope<T>(fn: () => T, isTensor: (x: unknown) => x is Tensor): T {
  const mine = new Set<Tensor>();
  stack.push(mine);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    stack.pop();
    for (const t of mine) t.dispose();
    throw e;
  }
  stack.pop();
  if (result instanceof Promise) {
    for (const t of mine) t.dispose();
    throw new GanglionError("scope(fn): fn returned a Promise; scopes are synchronous (await between steps, not inside a scope)");
  }
  const escaping = new Set<Tensor>();
  collect(result, escaping, isTensor);
  const parent = stack[stack.length - 1];
  for (const t of mine) {
    if (escaping.has(t)) parent?.add(t);
    else t.dispose();
  }
  return result;
}
