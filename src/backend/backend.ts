/**
 * The Backend interface: buffers and kernels, nothing else. A backend knows nothing of autograd,
 * scopes or Tensor objects; it sees buffer handles and views (shape/strides/offset/dtype over a buffer).
 *
 * Memory: buffers are allocated and freed explicitly by the refcounted `Storage` above it (the GC
 * cannot see Wasm linear memory or GPU memory). Synchronous backends (reference, wasm) support
 * `readSync`; asynchronous ones (webgpu) only `read`.
 */
import type { DType, Shape, TypedArray } from "../core/index.js";
import type { OpAttrs, PrimOp } from "./ops.js";

/** Opaque per-backend buffer handle. */
export type BufferHandle = object;

/** A strided view of a buffer, in elements. */
export interface View {
  readonly buf: BufferHandle;
  readonly dtype: DType;
  readonly shape: Shape;
  readonly strides: readonly number[];
  readonly offset: number;
}

export interface BackendMemory {
  /** Bytes held by live buffers. */
  readonly liveBytes: number;
  /** Highest liveBytes seen since start (or the last resetPeak). */
  readonly peakBytes: number;
  readonly liveBuffers: number;
  /** Bytes kept in the free pool for reuse (not live). */
  readonly pooledBytes: number;
}

export type BackendName = "reference" | "wasm" | "webgpu";

export interface Backend {
  readonly name: BackendName;
  /** True when `readSync` works (no GPU round trip). */
  readonly synchronous: boolean;
  /**
   * exec("fused") may write into the buffer of an input that has exactly the output's layout (same
   * buffer, offset and contiguous strides): each element is read before it is written. Optimizers then
   * update a parameter in one kernel instead of a kernel and a copy (`fusedAssign`).
   */
  readonly fusedInPlace?: boolean;
  alloc(dtype: DType, size: number): BufferHandle;
  free(buf: BufferHandle): void;
  /** Copies host data into the buffer, starting at element `offset`. */
  write(buf: BufferHandle, data: TypedArray, offset?: number): void;
  /** Contiguous host copy of a view. */
  read(view: View): Promise<TypedArray>;
  readSync(view: View): TypedArray;
  /** Runs primitive `op` writing the contiguous `out` view. Shapes were validated by the caller. */
  exec<K extends PrimOp>(op: K, inputs: readonly View[], out: View, attrs: OpAttrs[K]): void;
  memory(): BackendMemory;
  resetPeak(): void;
  /** Drops pooled buffers (called before retrying a failed allocation). */
  flushPool(): void;
}

/** Simple byte accounting shared by backends. */
export class MemoryCounter {
  liveBytes = 0;
  peakBytes = 0;
  liveBuffers = 0;
  pooledBytes = 0;
  onAlloc(bytes: number): void {
    this.liveBytes += bytes;
    this.liveBuffers++;
    if (this.liveBytes > this.peakBytes) this.peakBytes = this.liveBytes;
  }
  onFree(bytes: number): void {
    this.liveBytes -= bytes;
    this.liveBuffers--;
  }
  snapshot(): BackendMemory {
    return { liveBytes: this.liveBytes, peakBytes: this.peakBytes, liveBuffers: this.liveBuffers, pooledBytes: this.pooledBytes };
  }
}
