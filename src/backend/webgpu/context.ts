/**
 * The GPU context: one device, a buffer pool, a pipeline cache, a parameter arena and one command
 * encoder that batches every dispatch until something must reach the queue (a host read, a host
 * write, or a full arena). A training step therefore becomes one submit (DESIGN: command batching),
 * and the host only waits at the boundaries (`await t.data()`).
 *
 * Ordering: kernels run in encoding order (WebGPU orders dispatches in a queue and inserts the
 * barriers), so a buffer freed and handed out again by the pool is safe to reuse at once. The one
 * exception is `queue.writeBuffer`, which runs before commands still waiting in the encoder, so every
 * host write flushes the encoder first.
 *
 * Parameters (shapes, strides, offsets, scalars) go into a host-side arena, one 256-byte-aligned slot
 * per dispatch, uploaded with a single writeBuffer just before the submit that uses it. Bind groups
 * are cached by (pipeline, buffers, arena slot): a training step starts at slot 0 (its loss read
 * flushed the previous one) and gets the same pooled buffers back in the same order, so from the
 * second step on its bind groups are found again instead of created (measured: encoding cost ~85 µs
 * per op on the H100 host without the cache). Dynamic offsets would make the slot irrelevant, but
 * explicit layouts with dynamic storage offsets crashed Dawn intermittently on lavapipe.
 *
 * Index errors (a "sticky flag"): a kernel cannot throw, so kernels that take int32 indices or labels
 * bind one more buffer, `E` (see wgsl.ts `checked`), and the first out-of-range value they meet records
 * (site, value, bound, position) there. `read()` copies the 16 bytes out with its own readback, in the
 * same submit, and throws the message of the site (registered by the kernel on the host, see
 * `errorSite`) before returning data; the flag is cleared then. No extra submit and no extra pass.
 */
import { GanglionError, ValueError } from "../../core/index.js";
import { BufferPool } from "./pool.js";
import { MAP_READ, USAGE } from "./wgsl.js";

export interface DispatchSpec {
  /** Kernel name for error messages (e.g. "matmul"). */
  readonly name: string;
  /** Full WGSL source (see wgsl.ts conventions); pipelines are cached by source text. */
  readonly code: string;
  /** Read-only input buffers, bindings 0..r-1. */
  readonly reads: readonly GPUBuffer[];
  /** read_write output buffers, bindings r.. */
  readonly writes: readonly GPUBuffer[];
  /** Parameter words (u32; use f32bits/i32bits for floats and negative ints). */
  readonly params: ArrayLike<number>;
  /** Workgroups in x, y, z. */
  readonly groups: readonly [number, number, number];
  /** The shader declares the index-error flag `E` (wgsl.ts `header({ checked: true })`), bound last. */
  readonly checked?: boolean;
}

/** Formats an out-of-range report: the bad value, the valid bound [0, bound), the flat position. */
export type ErrorSite = (value: number, bound: number, position: number) => string;
/** Words of the index-error flag: set, site, value (i32 bits), bound, position. */
export const FLAG_WORDS = 5;
/** Distinct error sites remembered (they repeat from step to step); later ones share site 0. */
const MAX_SITES = 1 << 14;

const ARENA_BYTES = 1 << 22;
/** Bytes of parameters one dispatch may pass (the bound window of the arena). */
export const MAX_PARAM_BYTES = 2048;
const BIND_CACHE_LIMIT = 4096;

export class GpuContext {
  readonly device: GPUDevice;
  readonly pool: BufferPool;
  readonly #pipelines = new Map<string, { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout; key: string }>();
  readonly #shaders = new Map<string, string>();
  readonly #bindGroups = new Map<string, GPUBindGroup>();
  readonly #bufferIds = new WeakMap<GPUBuffer, number>();
  #nextBufferId = 1;
  readonly #align: number;
  readonly #arena: GPUBuffer;
  readonly #arenaHost = new Uint32Array(ARENA_BYTES / 4);
  #arenaUsed = 0;
  #encoder: GPUCommandEncoder | undefined;
  #pass: GPUComputePassEncoder | undefined;
  #pending = 0;
  /** Dispatches encoded since creation (for tests and stats). */
  dispatches = 0;
  submits = 0;
  #error: string | undefined;
  readonly #flag: GPUBuffer;
  readonly #sites = new Map<string, number>();
  readonly #siteFormats: ErrorSite[] = [(v, n, p) => `an index kernel: index ${v} at flat position ${p} is out of range [0, ${n})`];
  /** Flagged dispatches encoded since the last read (the read skips the flag readback when none). */
  #flagged = 0;
  /** Sleep before polling for a mapping (see waitMapped); set for Node's `webgpu` package. */
  sleepBeforeMap = false;
  /** Submit-to-mapped times of the last three reads, ms. */
  readonly #waits = [0, 0, 0];
  #waitAt = 0;

  constructor(device: GPUDevice) {
    this.device = device;
    this.pool = new BufferPool(device);
    this.#align = Math.max(256, device.limits.minStorageBufferOffsetAlignment);
    this.#arena = device.createBuffer({ size: ARENA_BYTES, usage: USAGE.STORAGE | USAGE.COPY_DST, label: "ganglion params" });
    this.#flag = device.createBuffer({ size: FLAG_WORDS * 4, usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST, label: "ganglion index-error flag" });
    device.addEventListener("uncapturederror", (ev) => {
      const e = (ev as GPUUncapturedErrorEvent).error;
      this.#error ??= e.message;
    });
  }

  /** Encodes one compute dispatch. */
  run(d: DispatchSpec): void {
    if (d.groups[0] === 0 || d.groups[1] === 0 || d.groups[2] === 0) return;
    const words = Math.max(d.params.length, 1);
    if (words * 4 > MAX_PARAM_BYTES) throw new GanglionError(`webgpu ${d.name}: ${words} parameter words exceed the ${MAX_PARAM_BYTES / 4} a dispatch may pass`);
    const slot = Math.ceil((words * 4) / this.#align) * this.#align;
    if (this.#arenaUsed + slot > ARENA_BYTES) this.flush();
    const at = this.#arenaUsed;
    this.#arenaHost.set(d.params, at / 4);
    this.#arenaUsed += slot;
    const p = this.#pipeline(d.name, d.code);
    let key = `${p.key}${at}`;
    for (const b of d.reads) key += `,${this.#bufferId(b)}`;
    key += "|";
    for (const b of d.writes) key += `,${this.#bufferId(b)}`;
    let group = this.#bindGroups.get(key);
    if (!group) {
      if (this.#bindGroups.size >= BIND_CACHE_LIMIT) this.#bindGroups.clear();
      const entries: GPUBindGroupEntry[] = [];
      for (const b of d.reads) entries.push({ binding: entries.length, resource: { buffer: b } });
      for (const b of d.writes) entries.push({ binding: entries.length, resource: { buffer: b } });
      entries.push({ binding: entries.length, resource: { buffer: this.#arena, offset: at, size: words * 4 } });
      if (d.checked) entries.push({ binding: entries.length, resource: { buffer: this.#flag } });
      group = this.device.createBindGroup({ layout: p.layout, entries });
      this.#bindGroups.set(key, group);
    }
    const pass = this.#computePass();
    pass.setPipeline(p.pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(d.groups[0], d.groups[1], d.groups[2]);
    this.#pending++;
    this.dispatches++;
    if (d.checked) this.#flagged++;
    if (this.#pending >= 4096) this.flush();
  }

  /** The open command encoder, with no compute pass open (for copies and clears). */
  encoder(): GPUCommandEncoder {
    if (this.#pass) {
      this.#pass.end();
      this.#pass = undefined;
    }
    this.#encoder ??= this.device.createCommandEncoder();
    this.#pending++;
    return this.#encoder;
  }

  #computePass(): GPUComputePassEncoder {
    if (!this.#pass) {
      this.#encoder ??= this.device.createCommandEncoder();
      this.#pass = this.#encoder.beginComputePass();
    }
    return this.#pass;
  }

  /** Submits everything encoded so far (parameters uploaded first). */
  flush(): void {
    if (!this.#encoder) return;
    if (this.#pass) {
      this.#pass.end();
      this.#pass = undefined;
    }
    if (this.#arenaUsed > 0) this.device.queue.writeBuffer(this.#arena, 0, this.#arenaHost.buffer, 0, this.#arenaUsed);
    this.device.queue.submit([this.#encoder.finish()]);
    this.#encoder = undefined;
    this.#arenaUsed = 0;
    this.#pending = 0;
    this.submits++;
  }

  /**
   * The id a kernel passes (as a parameter word) to report an out-of-range value at `key` (op and
   * shapes: the same key gets the same id, so steady training registers nothing new).
   */
  errorSite(key: string, format: ErrorSite): number {
    let id = this.#sites.get(key);
    if (id === undefined) {
      if (this.#siteFormats.length >= MAX_SITES) return 0;
      id = this.#siteFormats.length;
      this.#siteFormats.push(format);
      this.#sites.set(key, id);
    }
    return id;
  }

  /**
   * Called by a read before its flush: when a checked kernel ran since the last read, encodes a copy of
   * the flag into a staging buffer and clears the flag (after the copy, in encoding order).
   */
  encodeFlagReadback(): GPUBuffer | undefined {
    if (this.#flagged === 0) return undefined;
    this.#flagged = 0;
    const staging = this.device.createBuffer({ size: FLAG_WORDS * 4, usage: USAGE.MAP_READ | USAGE.COPY_DST });
    const enc = this.encoder();
    enc.copyBufferToBuffer(this.#flag, 0, staging, 0, FLAG_WORDS * 4);
    enc.clearBuffer(this.#flag, 0, FLAG_WORDS * 4);
    return staging;
  }

  /**
   * Maps a read's staging buffer (its copy already submitted). Node's Dawn binding waits for mapAsync by
   * polling the device from setImmediate and allocates a function per tick, so a wait of milliseconds
   * made megabytes of garbage, and its scavenges landed in the next step's encoding: on lavapipe, with
   * the loss read every step, host encoding took 10.5 ms per MLP step instead of 3.6. With
   * `sleepBeforeMap` a read first sleeps on a timer (no garbage) for 0.7x the shortest of the last three
   * waits (one slow read, e.g. after an evaluation pass, does not make the next ones sleep long), then
   * polls; waits under ~3 ms are not worth a timer (1 ms granularity) and poll at once. Browsers
   * resolve mapAsync from events and leave this off.
   */
  async waitMapped(staging: GPUBuffer): Promise<void> {
    const t0 = performance.now();
    const sleep = Math.floor(0.7 * Math.min(...this.#waits));
    if (this.sleepBeforeMap && sleep >= 2) await new Promise((r) => setTimeout(r, sleep));
    await staging.mapAsync(MAP_READ);
    this.#waits[this.#waitAt] = performance.now() - t0;
    this.#waitAt = (this.#waitAt + 1) % this.#waits.length;
  }

  /** Maps the staging buffer of `encodeFlagReadback` (already submitted) and throws the recorded error, if any. */
  async checkFlag(staging: GPUBuffer | undefined): Promise<void> {
    if (!staging) return;
    let w: Uint32Array;
    try {
      await staging.mapAsync(MAP_READ);
      w = new Uint32Array(staging.getMappedRange().slice(0));
      staging.unmap();
    } finally {
      staging.destroy();
    }
    if (w[0] === 0) return;
    const format = this.#siteFormats[w[1]] ?? this.#siteFormats[0];
    throw new ValueError(`${format(w[2] | 0, w[3], w[4])} (webgpu: found by the kernel, reported at the next read)`);
  }

  /** Throws the first GPU validation error seen since the last check (errors arrive asynchronously). */
  checkErrors(where: string): void {
    const e = this.#error;
    if (e !== undefined) {
      this.#error = undefined;
      throw new GanglionError(`webgpu ${where}: the GPU reported an error in an earlier kernel: ${e}`);
    }
  }

  /**
   * WGSL source memoized by a short key that determines it: generating and hashing kilobytes of shader
   * text on every dispatch was a measurable part of the per-op cost.
   */
  shader(key: string, build: () => string): string {
    let code = this.#shaders.get(key);
    if (code === undefined) {
      code = build();
      this.#shaders.set(key, code);
    }
    return code;
  }

  #bufferId(b: GPUBuffer): number {
    let id = this.#bufferIds.get(b);
    if (id === undefined) {
      id = this.#nextBufferId++;
      this.#bufferIds.set(b, id);
    }
    return id;
  }

  #pipeline(name: string, code: string): { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout; key: string } {
    let p = this.#pipelines.get(code);
    if (!p) {
      const module = this.device.createShaderModule({ code, label: name });
      const pipeline = this.device.createComputePipeline({ layout: "auto", compute: { module, entryPoint: "main" }, label: name });
      p = { pipeline, layout: pipeline.getBindGroupLayout(0), key: `${this.#pipelines.size}:` };
      this.#pipelines.set(code, p);
    }
    return p;
  }

  /** Forgets cached bind groups (their buffers are about to be destroyed). */
  dropBindGroups(): void {
    this.#bindGroups.clear();
  }

  get pipelineCount(): number {
    return this.#pipelines.size;
  }

  /** Waits until the GPU has finished all submitted work. */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
  }

  destroy(): void {
    this.#encoder = undefined;
    this.#pass = undefined;
    this.pool.flush();
    this.#bindGroups.clear();
    this.#arena.destroy();
    this.#flag.destroy();
    this.device.destroy();
  }
}
