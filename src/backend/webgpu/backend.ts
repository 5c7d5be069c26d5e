/**
 * WebGPUBackend: buffers are pooled GPUBuffers (pool.ts), kernels are WGSL generated per op family
 * (kernels/), and every dispatch of a step is batched into one command encoder (context.ts). Reads are
 * asynchronous only (`await t.data()`): `synchronous` is false and readSync throws, so a training loop
 * must await its scalars (fitAsync does).
 *
 * Every dtype is 4 bytes on the GPU (bool as u32); float64 is refused with a clear error.
 */
import { DTypeError, DisposedError, GanglionError, ValueError, contiguousStrides, fmt, isContiguous, sizeOf, type DType, type TypedArray } from "../../core/index.js";
import { MemoryCounter, type Backend, type BackendMemory, type BufferHandle, type View } from "../backend.js";
import type { OpAttrs, PrimOp } from "../ops.js";
import { GpuContext } from "./context.js";
import { copyKernel } from "./kernels/elementwise.js";
import { webgpuKernels } from "./kernels/index.js";
import { GpuBuf, type GpuKernel, type GpuView } from "./types.js";
import { USAGE, wgslType } from "./wgsl.js";

export interface WebGPUBackendInfo {
  /** Adapter description (vendor, architecture, device) as reported by the implementation. */
  readonly adapter: string;
}

const GPU_BYTES = 4;

/** Same offset, shape and contiguous strides: element i of one is element i of the other. */
function sameLayout(a: View, b: View): boolean {
  return a.offset === b.offset && isContiguous(a.shape, a.strides) && isContiguous(b.shape, b.strides) && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
}

export class WebGPUBackend implements Backend {
  readonly name = "webgpu";
  readonly synchronous = false;
  /** The elementwise kernels read an input laid out exactly like the output from the output binding (mapKernel). */
  readonly fusedInPlace = true;
  readonly ctx: GpuContext;
  readonly info: WebGPUBackendInfo;
  readonly #counter = new MemoryCounter();

  /** The GPU object and adapter the device came from: kept reachable (Dawn's Node binding frees its instance when they are collected, and the device with it). */
  readonly #owners: readonly unknown[];

  constructor(device: GPUDevice, info: WebGPUBackendInfo = { adapter: "unknown" }, owners: readonly unknown[] = []) {
    this.ctx = new GpuContext(device);
    this.info = info;
    this.#owners = owners;
  }

  alloc(dtype: DType, size: number): BufferHandle {
    if (!(Number.isInteger(size) && size >= 0)) throw new ValueError(`webgpu alloc: size must be an integer >= 0, got ${size} (${dtype})`);
    wgslType(dtype, "webgpu alloc");
    const bytes = Math.max(size, 1) * GPU_BYTES;
    const maxBytes = this.ctx.device.limits.maxStorageBufferBindingSize;
    if (bytes > maxBytes) {
      throw new ValueError(`webgpu alloc: ${size} x ${dtype} (${bytes} bytes) exceeds this adapter's maxStorageBufferBindingSize of ${maxBytes} bytes`);
    }
    const { buffer, fresh, capacity } = this.ctx.pool.acquire(bytes);
    this.#counter.onAlloc(size * GPU_BYTES);
    return new GpuBuf(buffer, capacity, dtype, size, !fresh);
  }

  free(buf: BufferHandle): void {
    const b = this.#buf(buf, "free");
    b.freed = true;
    this.ctx.pool.release(b.buffer, b.capacity);
    this.#counter.onFree(b.size * GPU_BYTES);
  }

  write(buf: BufferHandle, data: TypedArray, offset = 0): void {
    const b = this.#buf(buf, "write");
    if (offset < 0 || offset + data.length > b.size) {
      throw new ValueError(`webgpu write: ${data.length} elements at offset ${offset} do not fit a buffer of ${b.size} x ${b.dtype}`);
    }
    if (data instanceof Float64Array) {
      throw new DTypeError(`webgpu write: float64 data (${data.length} elements) cannot be stored on the webgpu backend; convert to float32`);
    }
    if (b.stale) this.#define(b, offset === 0 && data.length === b.size);
    // queue.writeBuffer runs before commands still in the encoder: submit those first (context.ts).
    this.ctx.flush();
    // bool is stored as u32; data in a SharedArrayBuffer (prefetch workers) is copied: Dawn's
    // writeBuffer takes ArrayBuffers only.
    const words = data instanceof Uint8Array ? Uint32Array.from(data) : typeof SharedArrayBuffer !== "undefined" && data.buffer instanceof SharedArrayBuffer ? data.slice() : data;
    if (words.length > 0) this.ctx.device.queue.writeBuffer(b.buffer, offset * GPU_BYTES, words.buffer, words.byteOffset, words.byteLength);
  }

  /** Clears a stale pool buffer unless the caller is about to overwrite all of it. */
  #define(b: GpuBuf, overwritten: boolean): void {
    if (!overwritten) this.ctx.encoder().clearBuffer(b.buffer, 0, b.capacity);
    b.stale = false;
  }

  async read(view: View): Promise<TypedArray> {
    const v = this.#view(view, "read", true);
    const n = sizeOf(v.shape);
    const out = n === 0 ? undefined : this.#contiguousCopy(v);
    const enc = this.ctx.encoder();
    const staging = this.ctx.device.createBuffer({ size: Math.max(n, 1) * GPU_BYTES, usage: USAGE.MAP_READ | USAGE.COPY_DST });
    if (out) enc.copyBufferToBuffer(out.buffer, out.offset * GPU_BYTES, staging, 0, n * GPU_BYTES);
    const flag = this.ctx.encodeFlagReadback();
    this.ctx.flush();
    if (out?.temp) this.ctx.pool.release(out.buffer, out.temp);
    try {
      await this.ctx.waitMapped(staging);
    } catch (e) {
      staging.destroy();
      this.ctx.checkErrors("read");
      await this.ctx.checkFlag(flag);
      throw new GanglionError(`webgpu read of ${fmt(v.shape)} x ${v.dtype}: mapping the staging buffer failed: ${(e as Error).message}`);
    }
    this.ctx.checkErrors("read");
    try {
      await this.ctx.checkFlag(flag);
    } catch (e) {
      staging.unmap();
      staging.destroy();
      throw e;
    }
    const bytes = staging.getMappedRange().slice(0, n * GPU_BYTES);
    staging.unmap();
    staging.destroy();
    switch (v.dtype) {
      case "float32":
        return new Float32Array(bytes);
      case "int32":
        return new Int32Array(bytes);
      case "bool":
        return Uint8Array.from(new Uint32Array(bytes));
      default:
        throw new DTypeError(`webgpu read: unsupported dtype ${v.dtype}`);
    }
  }

  /** The view as a contiguous range: itself when it already is one, else a copy into a pooled buffer. */
  #contiguousCopy(v: GpuView): { buffer: GPUBuffer; offset: number; temp: number } {
    if (isContiguous(v.shape, v.strides)) return { buffer: v.buf.buffer, offset: v.offset, temp: 0 };
    const n = sizeOf(v.shape);
    const { buffer, capacity } = this.ctx.pool.acquire(n * GPU_BYTES);
    const tmp = new GpuBuf(buffer, capacity, v.dtype, n, false);
    copyKernel(this.ctx, [v], { buf: tmp, dtype: v.dtype, shape: v.shape, strides: contiguousStrides(v.shape), offset: 0 });
    return { buffer, offset: 0, temp: capacity };
  }

  readSync(view: View): TypedArray {
    throw new GanglionError(`webgpu: cannot read ${fmt(view.shape)} x ${view.dtype} synchronously (the GPU is asynchronous); use await t.data() / await t.itemAsync()`);
  }

  exec<K extends PrimOp>(op: K, inputs: readonly View[], out: View, attrs: OpAttrs[K]): void {
    const o = this.#view(out, op);
    const temps: GpuBuf[] = [];
    const ins = inputs.map((v) => {
      const iv = this.#view(v, op, true);
      if (iv.buf !== o.buf || (op === "fused" && sameLayout(iv, o))) return iv;
      // A buffer cannot be bound read-only and read_write in one dispatch: read a copy.
      const n = sizeOf(iv.shape);
      const { buffer, capacity } = this.ctx.pool.acquire(n * GPU_BYTES);
      const tmp = new GpuBuf(buffer, capacity, iv.dtype, n, false);
      copyKernel(this.ctx, [iv], { buf: tmp, dtype: iv.dtype, shape: iv.shape, strides: contiguousStrides(iv.shape), offset: 0 });
      temps.push(tmp);
      return { buf: tmp, dtype: iv.dtype, shape: iv.shape, strides: contiguousStrides(iv.shape), offset: 0 };
    });
    if (o.buf.stale) this.#define(o.buf, o.offset === 0 && sizeOf(o.shape) === o.buf.size);
    (webgpuKernels[op] as GpuKernel<K>)(this.ctx, ins, o, attrs);
    for (const t of temps) this.ctx.pool.release(t.buffer, t.capacity);
  }

  memory(): BackendMemory {
    this.#counter.pooledBytes = this.ctx.pool.pooledBytes;
    return this.#counter.snapshot();
  }
  resetPeak(): void {
    this.#counter.peakBytes = this.#counter.liveBytes;
  }
  flushPool(): void {
    this.ctx.flush();
    this.ctx.dropBindGroups();
    this.ctx.pool.flush();
  }
  /** Submits pending work and waits for the GPU to finish it (for timing). */
  sync(): Promise<void> {
    return this.ctx.sync();
  }
  /** Releases the device; the backend is unusable afterwards. */
  destroy(): void {
    this.ctx.destroy();
  }

  #buf(buf: BufferHandle, op: string): GpuBuf {
    if (!(buf instanceof GpuBuf)) throw new ValueError(`webgpu ${op}: not a buffer of the webgpu backend`);
    if (buf.freed) throw new DisposedError(`webgpu ${op}: buffer of ${buf.size} x ${buf.dtype} was already freed`);
    return buf;
  }

  #view(v: View, op: string, reading = false): GpuView {
    const b = this.#buf(v.buf, op);
    if (reading && b.stale) this.#define(b, false);
    wgslType(v.dtype, op);
    return v as GpuView;
  }
}
