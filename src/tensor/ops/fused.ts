/**
 * `fusedMap`: an elementwise expression over several tensors, traced once into a `FusedProgram` and run
 * as one primitive (one pass; on a GPU one dispatch). The expression is written with `FusedValue`
 * methods mirroring Tensor's:
 *
 *   const next = fusedMap([p, g], (p, g) => p.sub(g.mul(lr)));   // θ − lr·g in one kernel
 *
 * Constants become program constants (not shader text), so the same expression with a new learning
 * rate reuses its compiled GPU kernel. Float inputs only; not differentiable (for updates under noGrad).
 */
import { DTypeError, ValueError, broadcastShapes, fmt, isContiguous, isFloat, type Shape } from "../../core/index.js";
import { BOOL_RESULT_BINARY, BOOL_RESULT_UNARY, type BinaryOp, type FusedArg, type FusedProgram, type FusedStep, type UnaryOp } from "../../backend/index.js";
import { runOp } from "../dispatch.js";
import type { Tensor } from "../tensor.js";
import { broadcastView } from "./elementwise.js";

class Tracer {
  readonly steps: FusedStep[] = [];
  readonly consts: number[] = [];
  constructor(readonly inputs: number) {}
  arg(x: FusedValue | number): FusedArg {
    if (typeof x !== "number") return x.index;
    let c = this.consts.indexOf(x);
    if (c < 0 || Object.is(x, -0)) c = this.consts.push(x) - 1;
    return { c };
  }
  push(op: UnaryOp | BinaryOp, args: FusedArg[]): FusedValue {
    this.steps.push({ op, args });
    return new FusedValue(this, this.inputs + this.steps.length - 1);
  }
}

/** A value inside a fused expression (an input or an intermediate result). */
export class FusedValue {
  constructor(readonly tracer: Tracer, readonly index: number) {}
  #u(op: UnaryOp): FusedValue {
    return this.tracer.push(op, [this.index]);
  }
  #b(op: BinaryOp, other: FusedValue | number): FusedValue {
    return this.tracer.push(op, [this.index, this.tracer.arg(other)]);
  }
  add(o: FusedValue | number): FusedValue { return this.#b("add", o); }
  sub(o: FusedValue | number): FusedValue { return this.#b("sub", o); }
  mul(o: FusedValue | number): FusedValue { return this.#b("mul", o); }
  div(o: FusedValue | number): FusedValue { return this.#b("div", o); }
  pow(o: FusedValue | number): FusedValue { return this.#b("pow", o); }
  maximum(o: FusedValue | number): FusedValue { return this.#b("maximum", o); }
  minimum(o: FusedValue | number): FusedValue { return this.#b("minimum", o); }
  neg(): FusedValue { return this.#u("neg"); }
  abs(): FusedValue { return this.#u("abs"); }
  sign(): FusedValue { return this.#u("sign"); }
  sqrt(): FusedValue { return this.#u("sqrt"); }
  rsqrt(): FusedValue { return this.#u("rsqrt"); }
  square(): FusedValue { return this.#u("square"); }
  exp(): FusedValue { return this.#u("exp"); }
  log(): FusedValue { return this.#u("log"); }
  tanh(): FusedValue { return this.#u("tanh"); }
  sigmoid(): FusedValue { return this.#u("sigmoid"); }
  relu(): FusedValue { return this.#u("relu"); }
  reciprocal(): FusedValue { return this.#u("reciprocal"); }
}

/** Traces `fn` into a program over `n` inputs (exported for tests and backends' own checks). */
export function traceFused(n: number, fn: (...xs: FusedValue[]) => FusedValue): FusedProgram {
  const tr = new Tracer(n);
  const xs = Array.from({ length: n }, (_, i) => new FusedValue(tr, i));
  let r = fn(...xs);
  // An expression that is just an input still needs a step (the program's value is its last step).
  if (r.index < n) r = r.mul(1);
  if (r.tracer !== tr) throw new DTypeError("fusedMap: the expression returned a value from another fusedMap");
  if (r.index !== n + tr.steps.length - 1) r = r.mul(1);
  for (const s of tr.steps) {
    if (BOOL_RESULT_UNARY.has(s.op as UnaryOp) || BOOL_RESULT_BINARY.has(s.op as BinaryOp)) throw new DTypeError(`fusedMap: '${s.op}' has a bool result; fused expressions are float-only`);
  }
  return { steps: tr.steps, consts: tr.consts };
}

/** Evaluates `fn` elementwise over `inputs` (broadcast together) in one kernel; see the module comment. */
export function fusedMap(inputs: readonly Tensor[], fn: (...xs: FusedValue[]) => FusedValue): Tensor {
  if (inputs.length === 0) throw new DTypeError("fusedMap: needs at least one input tensor");
  const dtype = inputs[0].dtype;
  for (const t of inputs) {
    if (!isFloat(t.dtype) || t.dtype !== dtype) {
      throw new DTypeError(`fusedMap: inputs must share one float dtype, got ${inputs.map((x) => `${x.dtype} [${x.shape.join(",")}]`).join(", ")}`);
    }
  }
  const shape: Shape = inputs.reduce<Shape>((s, t) => broadcastShapes("fusedMap", s, t.shape), inputs[0].shape);
  const program = traceFused(inputs.length, fn);
  return runOp("fused", inputs, { attrs: { program }, shape, dtype, grad: false, views: inputs.map((t) => broadcastView(t, shape)) });
}

/**
 * `target.assign(fusedMap(inputs, fn))` in one kernel where the backend allows it (`fusedInPlace`: the
 * WebGPU backend): the program writes straight into `target`, which may be one of `inputs` (an optimizer
 * updating a parameter or a moment from itself). Elsewhere it is exactly the kernel and the copy. Outside
 * autograd, like `assign`; on every backend the inputs must broadcast to `target`'s shape.
 */
export function fusedAssign(target: Tensor, inputs: readonly Tensor[], fn: (...xs: FusedValue[]) => FusedValue): Tensor {
  target.assertAlive("fusedAssign");
  const shape: Shape = inputs.reduce<Shape>((s, t) => broadcastShapes("fusedAssign", s, t.shape), inputs[0]?.shape ?? []);
  const lead = target.shape.length - shape.length;
  if (lead < 0 || shape.some((d, i) => d !== 1 && d !== target.shape[lead + i])) {
    throw new ValueError(`fusedAssign: inputs broadcast to ${fmt(shape)}, but the target is ${fmt(target.shape)}`);
  }
  const b = target.backend;
  // Anything fusedMap refuses (no inputs, mixed or non-float dtypes) goes its way, for its error.
  const direct = b.fusedInPlace === true && inputs.length > 0 && isFloat(target.dtype) && target.offset === 0 && isContiguous(target.shape, target.strides) && inputs.every((t) => t.backend === b && t.dtype === target.dtype);
  if (!direct) return target.assign(fusedMap(inputs, fn));
  b.exec("fused", inputs.map((t) => broadcastView(t, target.shape)), target.bufferView, { program: traceFused(inputs.length, fn) });
  return target;
}
