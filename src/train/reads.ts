/**
 * Host reads in the training loop, for synchronous and asynchronous backends alike. The loop and
 * evaluation are generators that `yield { read: tensors }` whenever they need numbers on the host;
 * `drive` answers with dataSync (CPU backends), `driveAsync` with `await t.data()` (WebGPU, where a
 * read is a GPU round trip). One loop body, two drivers: no second copy of the training loop.
 */
import { GanglionError, type TypedArray } from "../core/index.js";
import type { Tensor } from "../tensor/index.js";

export interface ReadRequest {
  readonly read: readonly Tensor[];
}

export function isReadRequest(v: unknown): v is ReadRequest {
  return typeof v === "object" && v !== null && "read" in v;
}

/** Runs `gen` to completion, answering reads synchronously; other yields go to `onYield`. */
export function drive<T, Y>(what: string, gen: Generator<ReadRequest | Y, T, TypedArray[]>, onYield?: (y: Y) => void): T {
  let r = gen.next([]);
  while (!r.done) {
    const v = r.value;
    if (isReadRequest(v)) {
      const slow = v.read.find((t) => !t.backend.synchronous);
      if (slow) {
        gen.return(undefined as T);
        throw new GanglionError(`${what}: tensors live on the asynchronous '${slow.backend.name}' backend, which cannot be read synchronously; use the async variant (fitAsync / evaluateAsync)`);
      }
      r = gen.next(v.read.map((t) => t.dataSync()));
    } else {
      onYield?.(v);
      r = gen.next([]);
    }
  }
  return r.value;
}

/** Like `drive`, reading with `await t.data()`; `onYield` may be async (e.g. yield to the event loop). */
export async function driveAsync<T, Y>(gen: Generator<ReadRequest | Y, T, TypedArray[]>, onYield?: (y: Y) => Promise<void>): Promise<T> {
  let r = gen.next([]);
  while (!r.done) {
    const v = r.value;
    if (isReadRequest(v)) {
      let got: TypedArray[];
      try {
        got = await Promise.all(v.read.map((t) => t.data()));
      } catch (e) {
        gen.return(undefined as T);
        throw e;
      }
      r = gen.next(got);
    } else {
      await onYield?.(v);
      r = gen.next([]);
    }
  }
  return r.value;
}
