/**
 * The reference backend: plain TypeScript over host typed arrays. Slow and obvious on purpose — it is
 * the executable specification every other backend is tested against.
 */
import { bytesPerElement, hostArray, type DType, type TypedArray } from "../../core/index.js";
import { MemoryCounter, type Backend, type BackendMemory, type BufferHandle, type View } from "../backend.js";
import type { OpAttrs, PrimOp } from "../ops.js";
import { referenceKernels } from "./kernels.js";
import { toContiguous, type ArrView } from "./strided.js";

interface RefBuffer {
  readonly data: TypedArray;
  readonly dtype: DType;
}

export class ReferenceBackend implements Backend {
  readonly name = "reference";
  readonly synchronous = true;
  #mem = new MemoryCounter();

  alloc(dtype: DType, size: number): BufferHandle {
    this.#mem.onAlloc(size * bytesPerElement(dtype));
    const buf: RefBuffer = { data: hostArray(dtype, size), dtype };
    return buf;
  }
  free(buf: BufferHandle): void {
    const b = buf as RefBuffer;
    this.#mem.onFree(b.data.byteLength);
  }
  write(buf: BufferHandle, data: TypedArray, offset = 0): void {
    (buf as RefBuffer).data.set(data, offset);
  }
  async read(view: View): Promise<TypedArray> {
    return this.readSync(view);
  }
  readSync(view: View): TypedArray {
    return toContiguous(this.#arr(view));
  }
  exec<K extends PrimOp>(op: K, inputs: readonly View[], out: View, attrs: OpAttrs[K]): void {
    const kernel = referenceKernels[op] as (ins: readonly ArrView[], out: ArrView, a: OpAttrs[K]) => void;
    kernel(inputs.map((v) => this.#arr(v)), this.#arr(out), attrs);
  }
  memory(): BackendMemory {
    return this.#mem.snapshot();
  }
  resetPeak(): void {
    this.#mem.peakBytes = this.#mem.liveBytes;
  }
  flushPool(): void {}

  #arr(v: View): ArrView {
    return { data: (v.buf as RefBuffer).data, dtype: v.dtype, shape: v.shape, strides: v.strides, offset: v.offset };
  }
}

export { referenceKernels, type RefKernelTable } from "./kernels.js";
export { gemm as referenceGemm } from "./gemm.js";
export type { ArrView } from "./strided.js";
