/**
 * Refcounted storage: one backend buffer shared by every view of it. Views (reshape, permute, slice,
 * expand), saved-for-backward handles and the tensor that made it each hold one reference; the buffer
 * goes back to the backend when the last one is released. Deterministic: no GC involved.
 */
import { DisposedError, bytesPerElement, type DType } from "../core/index.js";
import type { Backend, BufferHandle } from "./backend.js";

export class Storage {
  readonly backend: Backend;
  readonly buf: BufferHandle;
  readonly dtype: DType;
  readonly size: number;
  #refs = 1;

  constructor(backend: Backend, dtype: DType, size: number, buf?: BufferHandle) {
    this.backend = backend;
    this.dtype = dtype;
    this.size = size;
    this.buf = buf ?? backend.alloc(dtype, size);
  }

  get refs(): number {
    return this.#refs;
  }
  get bytes(): number {
    return this.size * bytesPerElement(this.dtype);
  }
  get freed(): boolean {
    return this.#refs <= 0;
  }

  retain(): this {
    if (this.#refs <= 0) throw new DisposedError("storage: retain() after the buffer was freed");
    this.#refs++;
    return this;
  }

  release(): void {
    if (this.#refs <= 0) throw new DisposedError("storage: release() called more times than retain()");
    if (--this.#refs === 0) this.backend.free(this.buf);
  }
}
