/**
 * WasmBackend: every buffer lives in one WebAssembly.Memory (shared when SharedArrayBuffer exists, so
 * worker threads run kernels over the same bytes), handed out by a size-class pool (allocator.ts).
 * `exec` runs a Wasm kernel where one exists for the op, dtype and layout (fast.ts), and otherwise the
 * reference kernel over typed-array views of linear memory, so every op works from day one.
 *
 * Handles store byte offsets, never typed arrays: growing the memory replaces `memory.buffer`, and
 * views made before have the old length. Views are re-created lazily after each grow.
 */
import { DisposedError, GanglionError, ValueError, bytesPerElement, contiguousStrides, fmt, isContiguous, sizeOf, viewArray, type DType, type TypedArray } from "../../core/index.js";
import { MemoryCounter, type Backend, type BackendMemory, type BufferHandle, type View } from "../backend.js";
import type { OpAttrs, PrimOp } from "../ops.js";
import { referenceKernels, type ArrView } from "../reference/index.js";
import { LinearAllocator } from "./allocator.js";
import { fastKernels, type FastContext } from "./fast.js";
import { canBlockThread, relaxedSimdAvailable, sharedMemoryAvailable, wasmAvailable } from "./features.js";
import { compileModule, instantiate, type KernelExports } from "./module.js";
import { CTRL_BYTES, ThreadPool } from "./threads.js";

export interface WasmBackendOptions {
  /** Worker threads including the main one (default: available cores; 1 without shared memory). */
  readonly threads?: number;
  /** Upper bound of the linear memory in bytes (default and maximum 4 GiB). */
  readonly maxMemoryBytes?: number;
  /** Use a shared memory (needed for threads). Default: when SharedArrayBuffer is available. */
  readonly sharedMemory?: boolean;
  /**
   * Browsers: URL of the thread pool's worker entry (the bundle's `worker.web.js`); default: beside the
   * module that contains the backend. Threads in a browser need a cross-origin isolated page
   * (SharedArrayBuffer) and a thread that may block, i.e. a Web Worker: on a page's main thread the
   * backend runs on one thread.
   */
  readonly webWorkerUrl?: string | URL;
  /**
   * Stride-1 3x3 and 5x5 convolutions (forward and backward input) by Winograd's minimal filtering
   * (kernels/winograd.ts): fewer multiplies, float32 results within ~1e-6 relative of the direct
   * method but not bit-identical to it. Default true; false keeps im2col + GEMM for every convolution.
   */
  readonly winograd?: boolean;
}

class WasmBuffer {
  freed = false;
  /** Contents not yet defined: zeroed before anything can read them (see `alloc`). */
  fresh = true;
  constructor(readonly ptr: number, readonly bytes: number, readonly dtype: DType, readonly size: number) {}
}

/** True when `v` is the whole buffer, contiguous from element 0 (a kernel writing it defines every byte). */
function coversBuffer(v: View, b: WasmBuffer): boolean {
  return v.offset === 0 && v.dtype === b.dtype && sizeOf(v.shape) === b.size && isContiguous(v.shape, v.strides);
}

const PAGE = 65536;
/** Address 0 is never handed out; the control block sits right after it. */
const CTRL_AT = 64;

function defaultThreads(): number {
  const os = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.("node:os") as
    | { availableParallelism?: () => number; cpus: () => unknown[] } | undefined;
  if (os) return os.availableParallelism?.() ?? os.cpus().length;
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return nav?.hardwareConcurrency ?? 1;
}

export class WasmBackend implements Backend {
  readonly name = "wasm";
  readonly synchronous = true;
  readonly relaxedSimd: boolean;
  readonly sharedMemory: boolean;
  readonly #memory: WebAssembly.Memory;
  readonly #ex: KernelExports;
  readonly #alloc: LinearAllocator;
  readonly #pool: ThreadPool;
  readonly #counter = new MemoryCounter();
  readonly #ctx: FastContext;
  #views: Partial<Record<DType, TypedArray>> = {};

  constructor({ threads, maxMemoryBytes = 4 * 2 ** 30, sharedMemory, webWorkerUrl, winograd = true }: WasmBackendOptions = {}) {
    if (!wasmAvailable()) throw new GanglionError("wasm backend: WebAssembly SIMD is not available in this engine (use the reference backend)");
    if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) {
      throw new ValueError(`WasmBackend: threads must be an integer >= 1, got ${threads}`);
    }
    this.relaxedSimd = relaxedSimdAvailable();
    this.sharedMemory = sharedMemoryAvailable() && sharedMemory !== false;
    const maximumPages = Math.max(2, Math.min(65536, Math.floor(maxMemoryBytes / PAGE)));
    this.#memory = new WebAssembly.Memory({ initial: 16, maximum: maximumPages, shared: this.sharedMemory });
    const module = compileModule({ shared: this.sharedMemory, maximumPages, relaxed: this.relaxedSimd });
    this.#ex = instantiate(module, this.#memory);
    this.#alloc = new LinearAllocator(this.#memory, CTRL_AT + CTRL_BYTES, () => { this.#views = {}; });
    // NOTE: the pool's main-thread side waits with Atomics.wait, which a browser page's main thread may not.
    const want = this.sharedMemory && canBlockThread() ? (threads ?? defaultThreads()) : 1;
    this.#pool = new ThreadPool(this.#ex, module, this.#memory, CTRL_AT, want, webWorkerUrl);
    this.#ctx = {
      winograd,
      ex: this.#ex,
      pool: this.#pool,
      scratch: (bytes) => this.#alloc.alloc(bytes),
      release: (ptr, bytes) => this.#alloc.free(ptr, bytes),
      view: (dtype) => this.#view(dtype),
    };
  }

  alloc(dtype: DType, size: number): BufferHandle {
    if (!(Number.isInteger(size) && size >= 0)) throw new ValueError(`wasm alloc: size must be an integer >= 0, got ${size} (${dtype})`);
    const bytes = size * bytesPerElement(dtype);
    const ptr = this.#alloc.alloc(bytes);
    // NOTE: buffers read as zeros like the reference backend's, so no caller can observe stale pool
    // contents; but zeroing is deferred (`#define`): most buffers are op outputs that the kernel
    // overwrites whole, and zeroing those cost ~15% of a CNN training step.
    this.#counter.onAlloc(bytes);
    this.#counter.pooledBytes = this.#alloc.pooledBytes;
    return new WasmBuffer(ptr, bytes, dtype, size);
  }

  free(buf: BufferHandle): void {
    const b = this.#buf(buf, "free");
    b.freed = true;
    this.#alloc.free(b.ptr, b.bytes);
    this.#counter.onFree(b.bytes);
    this.#counter.pooledBytes = this.#alloc.pooledBytes;
  }

  write(buf: BufferHandle, data: TypedArray, offset = 0): void {
    const b = this.#buf(buf, "write");
    if (offset < 0 || offset + data.length > b.size) {
      throw new ValueError(`wasm write: ${data.length} elements at offset ${offset} do not fit a buffer of ${b.size} x ${b.dtype}`);
    }
    if (b.fresh) this.#define(b, offset === 0 && data.length === b.size);
    viewArray(b.dtype, this.#memory.buffer, b.ptr + offset * bytesPerElement(b.dtype), data.length).set(data);
  }

  /** Marks a fresh buffer defined, zeroing it unless the caller is about to overwrite all of it. */
  #define(b: WasmBuffer, overwritten: boolean): void {
    if (!overwritten) this.#ex.fill_bytes(b.ptr, 0, b.bytes);
    b.fresh = false;
  }

  async read(view: View): Promise<TypedArray> {
    return this.readSync(view);
  }

  readSync(view: View): TypedArray {
    const v = this.#arr(view, "read", true);
    const n = sizeOf(v.shape);
    const out = viewArray(v.dtype, new ArrayBuffer(n * bytesPerElement(v.dtype)), 0, n);
    // A contiguous view is one block copy; the strided walk costs ~40 ns per element (measured: 60 ms
    // to read one 64x32x28x28 activation, which made the layer statistics 15% of a training run).
    if (isContiguous(v.shape, v.strides)) {
      const bytes = n * bytesPerElement(v.dtype);
      new Uint8Array(out.buffer, 0, bytes).set(new Uint8Array(v.data.buffer, v.data.byteOffset + v.offset * bytesPerElement(v.dtype), bytes));
    } else referenceKernels.copy([v], { data: out, dtype: v.dtype, shape: v.shape, strides: contiguousStrides(v.shape), offset: 0 }, {});
    return out;
  }

  exec<K extends PrimOp>(op: K, inputs: readonly View[], out: View, attrs: OpAttrs[K]): void {
    const ins = inputs.map((v) => this.#arr(v, op, true));
    const ob = this.#buf(out.buf, op);
    if (ob.fresh) this.#define(ob, coversBuffer(out, ob));
    const o = this.#arr(out, op);
    const fast = fastKernels[op] as ((c: FastContext, i: readonly ArrView[], o: ArrView, a: OpAttrs[K]) => boolean) | undefined;
    if (fast?.(this.#ctx, ins, o, attrs)) return;
    // The reference kernels index typed arrays; re-take the views in case a fast path grew memory.
    const kernel = referenceKernels[op] as (i: readonly ArrView[], o: ArrView, a: OpAttrs[K]) => void;
    kernel(inputs.map((v) => this.#arr(v, op)), this.#arr(out, op), attrs);
  }

  memory(): BackendMemory {
    this.#counter.pooledBytes = this.#alloc.pooledBytes;
    return this.#counter.snapshot();
  }
  resetPeak(): void {
    this.#counter.peakBytes = this.#counter.liveBytes;
  }
  flushPool(): void {
    this.#alloc.flush();
    this.#counter.pooledBytes = 0;
  }
  /** Threads used by GEMM and convolution (1 without shared memory or after `dispose`). */
  /** Whether eligible convolutions run by Winograd (see WasmBackendOptions.winograd); settable at any time. */
  get winograd(): boolean {
    return this.#ctx.winograd;
  }
  set winograd(on: boolean) {
    this.#ctx.winograd = on;
  }

  get threads(): number {
    return this.#pool.threads;
  }
  /**
   * Resolves with the thread count once the pool's workers have started. Node's start on the first
   * parallel task anyway; browsers' Web Workers start asynchronously, and until then tasks run on
   * the calling thread alone.
   */
  whenReady(timeoutMs?: number): Promise<number> {
    return this.#pool.whenReady(timeoutMs);
  }
  /** Stops the worker threads (the backend keeps working on one thread). */
  dispose(): void {
    this.#pool.dispose();
  }
  /** Bytes of linear memory in use by the allocator (live + pooled + scratch), for tests and stats. */
  get heapTop(): number {
    return this.#alloc.top;
  }

  #buf(buf: BufferHandle, op: string): WasmBuffer {
    if (!(buf instanceof WasmBuffer)) throw new ValueError(`wasm ${op}: not a buffer of the wasm backend`);
    if (buf.freed) throw new DisposedError(`wasm ${op}: buffer of ${buf.size} x ${buf.dtype} was already freed`);
    return buf;
  }

  #view(dtype: DType): TypedArray {
    let v = this.#views[dtype];
    if (!v) {
      const buf = this.#memory.buffer;
      v = viewArray(dtype, buf, 0, buf.byteLength / bytesPerElement(dtype));
      this.#views[dtype] = v;
    }
    return v;
  }

  /** The view over linear memory; `reading` defines (zeroes) a fresh buffer first. */
  #arr(v: View, op: string, reading = false): ArrView {
    const b = this.#buf(v.buf, op);
    if (reading && b.fresh) this.#define(b, false);
    if (b.dtype !== v.dtype && bytesPerElement(b.dtype) !== bytesPerElement(v.dtype)) {
      throw new ValueError(`wasm ${op}: view of dtype ${v.dtype} over a ${b.dtype} buffer of shape ${fmt(v.shape)}`);
    }
    return { data: this.#view(v.dtype), dtype: v.dtype, shape: v.shape, strides: v.strides, offset: b.ptr / bytesPerElement(v.dtype) + v.offset };
  }
}

