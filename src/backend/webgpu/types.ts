/** Types shared by the WebGPU backend and its kernel families. */
import type { DType } from "../../core/index.js";
import type { View } from "../backend.js";
import type { OpAttrs, PrimOp } from "../ops.js";
import type { GpuContext } from "./context.js";

/** A backend buffer: a pooled GPUBuffer holding `size` elements of `dtype` (4 bytes each on the GPU). */
export class GpuBuf {
  freed = false;
  /** Contents are stale pool data (cleared before anything can read them). */
  stale: boolean;
  constructor(
    readonly buffer: GPUBuffer,
    readonly capacity: number,
    readonly dtype: DType,
    readonly size: number,
    stale: boolean,
  ) {
    this.stale = stale;
  }
}

export interface GpuView extends View {
  readonly buf: GpuBuf;
}

/** A kernel encodes its dispatches on `ctx`; inputs were validated and defined by the backend. */
export type GpuKernel<K extends PrimOp> = (ctx: GpuContext, ins: readonly GpuView[], out: GpuView, attrs: OpAttrs[K]) => void;
export type GpuKernelTable = { readonly [K in PrimOp]: GpuKernel<K> };
