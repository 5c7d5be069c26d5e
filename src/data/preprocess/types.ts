/**
 * The preprocessing contract. A preprocessor is fitted once on the training split (`fit*` functions),
 * applied to any later batch (`apply`), and round-trips through a plain JSON-able object
 * (`toJSON` / `preprocessorFromJSON`) so it is saved with the model and eval/inference apply exactly
 * the transform training used. All of them work on typed arrays: `data` holds `shape[0]` samples
 * laid out row-major (NCHW for images, [n, d] for feature vectors).
 */
import { ShapeError, ValueError, fmt } from "../../core/index.js";

export type Samples = Uint8Array | Float32Array;

export interface FeatureBatch {
  data: Float32Array;
  shape: number[];
}

/** A fitted transform. `apply` never modifies its input. */
export interface Preprocessor<S = unknown> {
  readonly kind: string;
  apply(data: Samples, shape: readonly number[]): FeatureBatch;
  toJSON(): S;
}

/** Checks `data` against `shape` and returns [n, featuresPerSample]. */
export function checkSamples(op: string, data: Samples, shape: readonly number[]): [number, number] {
  if (shape.length < 2 || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ShapeError(`${op}: shape must be [n, ...sample dims] with integer dims, got ${fmt(shape)}`);
  }
  const n = shape[0];
  const d = shape.slice(1).reduce((a, b) => a * b, 1);
  if (data.length !== n * d) throw new ShapeError(`${op}: data holds ${data.length} values but shape ${fmt(shape)} needs ${n * d}`);
  return [n, d];
}

/** Checks that the per-sample part of `shape` equals the one seen at fit time. */
export function checkSampleShape(op: string, shape: readonly number[], fitted: readonly number[]): void {
  const got = shape.slice(1);
  if (got.length !== fitted.length || got.some((d, i) => d !== fitted[i])) {
    throw new ShapeError(`${op}: fitted on samples of shape ${fmt(fitted)}, got batch ${fmt(shape)} (samples ${fmt(got)})`);
  }
}

/** Validates a serialized array field: numbers, finite, of the expected length. */
export function numberArray(op: string, name: string, v: unknown, length?: number): Float64Array {
  if (!Array.isArray(v) || v.some((x) => typeof x !== "number" || !Number.isFinite(x))) {
    throw new ValueError(`${op}: "${name}" must be an array of finite numbers, got ${JSON.stringify(v)?.slice(0, 80)}`);
  }
  if (length !== undefined && v.length !== length) throw new ValueError(`${op}: "${name}" must have ${length} numbers, got ${v.length}`);
  return Float64Array.from(v as number[]);
}

export function positiveIntArray(op: string, name: string, v: unknown): number[] {
  if (!Array.isArray(v) || v.some((x) => !Number.isInteger(x) || (x as number) < 0)) {
    throw new ValueError(`${op}: "${name}" must be an array of integers >= 0, got ${JSON.stringify(v)}`);
  }
  return [...(v as number[])];
}

export function checkEpsilon(op: string, eps: number): number {
  if (!(Number.isFinite(eps) && eps >= 0)) throw new ValueError(`${op}: epsilon must be a finite number >= 0, got ${eps}`);
  return eps;
}
