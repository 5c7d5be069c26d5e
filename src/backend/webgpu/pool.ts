/**
 * GPU buffer pool. Creating and destroying GPUBuffers every step is slow (a driver allocation each)
 * and fragments memory, so freed buffers go to a free list per size class and come back for the next
 * request of that class. Size classes are 2^k and 1.5 * 2^k bytes (at most a third wasted), so a
 * training step's buffers are found again in the next step and memory stays flat.
 */
export const GPU_BUFFER_USAGE_ALL = 0x80 /* STORAGE */ | 0x04 /* COPY_SRC */ | 0x08; /* COPY_DST */

/** Smallest class size >= bytes (minimum 256 bytes). */
export function sizeClass(bytes: number): number {
  if (bytes <= 256) return 256;
  const p = 2 ** Math.ceil(Math.log2(bytes));
  return bytes <= p * 0.75 ? p * 0.75 : p;
}

export class BufferPool {
  readonly #device: GPUDevice;
  readonly #free = new Map<number, GPUBuffer[]>();
  pooledBytes = 0;
  /** Buffers created by the driver so far (a leak shows as a growing count). */
  created = 0;

  constructor(device: GPUDevice) {
    this.#device = device;
  }

  /** A buffer of at least `bytes`; `fresh` is false when its contents are stale pool data. */
  acquire(bytes: number): { buffer: GPUBuffer; fresh: boolean; capacity: number } {
    const cls = sizeClass(bytes);
    const list = this.#free.get(cls);
    const b = list?.pop();
    if (b) {
      this.pooledBytes -= cls;
      return { buffer: b, fresh: false, capacity: cls };
    }
    this.created++;
    const buffer = this.#device.createBuffer({ size: cls, usage: GPU_BUFFER_USAGE_ALL });
    return { buffer, fresh: true, capacity: cls };
  }

  release(buffer: GPUBuffer, capacity: number): void {
    let list = this.#free.get(capacity);
    if (!list) {
      list = [];
      this.#free.set(capacity, list);
    }
    list.push(buffer);
    this.pooledBytes += capacity;
  }

  /** Destroys every pooled buffer (memory goes back to the driver). */
  flush(): void {
    for (const list of this.#free.values()) for (const b of list) b.destroy();
    this.#free.clear();
    this.pooledBytes = 0;
  }
}
