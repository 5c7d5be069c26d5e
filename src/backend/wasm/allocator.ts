/**
 * Allocator for Wasm linear memory, in two layers (like tinygrad's LRUAllocator over a device heap):
 *
 * 1. A size-class pool: a freed block goes to the free list of its class and is handed out again to
 *    the next request of that class, at the cost of one array pop. Classes are multiples of 64 bytes
 *    (cache-line aligned, >= 16 for SIMD) with four classes per power of two, so rounding wastes at
 *    most 25%.
 * 2. An arena below it: a bump pointer plus a list of free extents, used when a class list is empty.
 *    `flush()` returns pooled blocks to the extents, merging neighbours and lowering the bump pointer,
 *    so memory pooled in one class can serve another. When neither has room the memory grows.
 *
 * Bookkeeping lives in JS; only the blocks live in linear memory. Addresses are byte offsets, which
 * stay valid across `memory.grow` (typed-array views do not: the owner re-creates them).
 */

export const ALIGN = 64;
/** Bytes kept free above the highest block: kernels may read (never write) a little past a row. */
const GUARD = 256;
const PAGE = 65536;

/** The size class of a request of `bytes` bytes. */
export function sizeClass(bytes: number): number {
  const n = Math.max(bytes, ALIGN);
  const step = Math.max(ALIGN, 2 ** Math.floor(Math.log2(n)) / 4);
  return Math.ceil(n / step) * step;
}

interface Extent {
  start: number;
  end: number;
}

export class LinearAllocator {
  readonly #memory: WebAssembly.Memory;
  readonly #pool = new Map<number, number[]>();
  /** Free extents sorted by start, never adjacent to each other or to `#top`. */
  #extents: Extent[] = [];
  #top: number;
  #pooledBytes = 0;
  /** Called after the memory grew (views over the old buffer are stale). */
  readonly onGrow: () => void;

  constructor(memory: WebAssembly.Memory, base: number, onGrow: () => void) {
    this.#memory = memory;
    this.#top = Math.ceil(base / ALIGN) * ALIGN;
    this.onGrow = onGrow;
  }

  get pooledBytes(): number {
    return this.#pooledBytes;
  }
  get top(): number {
    return this.#top;
  }

  /** Returns the address of a block of class `sizeClass(bytes)`; throws RangeError when memory is full. */
  alloc(bytes: number): number {
    const cls = sizeClass(bytes);
    const list = this.#pool.get(cls);
    if (list && list.length > 0) {
      this.#pooledBytes -= cls;
      return list.pop() as number;
    }
    return this.#fromArena(cls);
  }

  /** Puts a block back into its class pool. */
  free(ptr: number, bytes: number): void {
    const cls = sizeClass(bytes);
    let list = this.#pool.get(cls);
    if (!list) this.#pool.set(cls, (list = []));
    list.push(ptr);
    this.#pooledBytes += cls;
  }

  /** Returns every pooled block to the arena (merging neighbours). */
  flush(): void {
    for (const [cls, list] of this.#pool) for (const p of list) this.#release(p, cls);
    this.#pool.clear();
    this.#pooledBytes = 0;
  }

  #fromArena(cls: number): number {
    // Best fit among the free extents.
    let best = -1;
    for (let i = 0; i < this.#extents.length; i++) {
      const e = this.#extents[i];
      const size = e.end - e.start;
      if (size >= cls && (best < 0 || size < this.#extents[best].end - this.#extents[best].start)) best = i;
    }
    if (best >= 0) {
      const e = this.#extents[best];
      const p = e.start;
      e.start += cls;
      if (e.start === e.end) this.#extents.splice(best, 1);
      return p;
    }
    const p = this.#top;
    this.#ensure(p + cls + GUARD);
    this.#top = p + cls;
    return p;
  }

  /** Grows memory to at least `bytes` (by at least 1/4 of its size, to make grows rare). */
  #ensure(bytes: number): void {
    const have = this.#memory.buffer.byteLength;
    if (bytes <= have) return;
    const need = Math.ceil((bytes - have) / PAGE);
    const want = Math.max(need, Math.ceil(have / PAGE / 4));
    try {
      this.#memory.grow(want);
    } catch {
      this.#memory.grow(need); // RangeError propagates when even the minimum does not fit
    }
    this.onGrow();
  }

  #release(p: number, size: number): void {
    const ex = this.#extents;
    // Insert sorted, then merge with neighbours.
    let i = 0;
    while (i < ex.length && ex[i].start < p) i++;
    ex.splice(i, 0, { start: p, end: p + size });
    if (i + 1 < ex.length && ex[i].end === ex[i + 1].start) {
      ex[i].end = ex[i + 1].end;
      ex.splice(i + 1, 1);
    }
    if (i > 0 && ex[i - 1].end === ex[i].start) {
      ex[i - 1].end = ex[i].end;
      ex.splice(i, 1);
      i--;
    }
    const last = ex[ex.length - 1];
    if (last && last.end === this.#top) {
      this.#top = last.start;
      ex.pop();
    }
  }
}
