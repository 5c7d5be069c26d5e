/**
 * Data types. float32 is the working type; int32 holds labels and indices; bool holds comparison
 * results (stored one byte per element). float64 exists for gradcheck (central differences need double
 * precision) and golden comparisons; fast backends may run it through their reference fallback.
 */
import { DTypeError } from "./errors.js";

export type DType = "float32" | "float64" | "int32" | "bool";
export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "bool"];

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;
export type TypedArrayFor<D extends DType> = D extends "float32"
  ? Float32Array
  : D extends "float64"
    ? Float64Array
    : D extends "int32"
    ? Int32Array
    : Uint8Array;

export function bytesPerElement(dtype: DType): number {
  switch (dtype) {
    case "float64":
      return 8;
    case "float32":
    case "int32":
      return 4;
    case "bool":
      return 1;
    default:
      throw new DTypeError(`unknown dtype: ${dtype satisfies never}`);
  }
}

/** Allocates a zero-filled typed array of `dtype` on the host. */
export function hostArray(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(size);
    case "float64":
      return new Float64Array(size);
    case "int32":
      return new Int32Array(size);
    case "bool":
      return new Uint8Array(size);
    default:
      throw new DTypeError(`unknown dtype: ${dtype satisfies never}`);
  }
}

/** Wraps `buffer` (a region of an ArrayBuffer or SharedArrayBuffer) as a typed array of `dtype`. */
export function viewArray(dtype: DType, buffer: ArrayBufferLike, byteOffset: number, size: number): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(buffer, byteOffset, size);
    case "float64":
      return new Float64Array(buffer, byteOffset, size);
    case "int32":
      return new Int32Array(buffer, byteOffset, size);
    case "bool":
      return new Uint8Array(buffer, byteOffset, size);
    default:
      throw new DTypeError(`unknown dtype: ${dtype satisfies never}`);
  }
}

export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int32Array) return "int32";
  return "bool";
}

/** Result dtype of a binary arithmetic op (PyTorch-style promotion: bool < int32 < float32 < float64). */
export function promote(a: DType, b: DType): DType {
  if (a === "float64" || b === "float64") return "float64";
  if (a === "float32" || b === "float32") return "float32";
  if (a === "int32" || b === "int32") return "int32";
  return "bool";
}

export function isFloat(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64";
}
