/**
 * The one Wasm module of the backend: every kernel family emitted into a single module that imports
 * the backend's memory, compiled once per configuration and instantiated on the main thread and in
 * each worker (a compiled `WebAssembly.Module` is posted to workers, so they skip compilation).
 */
import { ModuleBuilder } from "./asm.js";
import { emitCompare, type CompareExports } from "./kernels/compare.js";
import { emitConv, type ConvExports } from "./kernels/conv.js";
import { emitElementwise, type ElementwiseExports } from "./kernels/elementwise.js";
import { emitGemm } from "./kernels/gemm.js";
import { emitMath, type MathExports } from "./kernels/math.js";
import { emitNorm, type NormExports } from "./kernels/norm.js";
import { emitPool, type PoolExports } from "./kernels/pool.js";
import { emitReduce, type ReduceExports } from "./kernels/reduce.js";
import { emitWinograd, type WinogradExports } from "./kernels/winograd.js";

/**
 * Micro-kernel tile: 3 x 12 (3 rows of A, three 4-float vectors of B). Measured on the 2-core Zen 3
 * development machine, Node 20, relaxed FMA, hot L1 (GFLOP/s, one thread): 3x12 48, 4x8 43, 3x8 34,
 * 2x12 35, 6x8 20-28, 4x12 22-29. Tiles with more than ~9 accumulators lose: TurboFan schedules all
 * loads of a step before its FMAs, so 12 accumulators + loaded operands exceed the 15 allocatable
 * XMM registers and accumulators spill to the stack.
 */
export const MR = 3;
export const NV = 3;
export const NR = 4 * NV;

export interface KernelExports extends ConvExports, WinogradExports, ElementwiseExports, ReduceExports, PoolExports, CompareExports, NormExports, MathExports {}

export interface ModuleConfig {
  readonly shared: boolean;
  /** Maximum memory size in 64 KiB pages (required for shared memory). */
  readonly maximumPages: number;
  readonly relaxed: boolean;
}

export function buildModuleBytes(cfg: ModuleConfig): Uint8Array<ArrayBuffer> {
  const m = new ModuleBuilder({ initial: 1, maximum: cfg.maximumPages, shared: cfg.shared });
  emitGemm(m, { MR, NV, relaxed: cfg.relaxed });
  m.fn("fill_bytes", ["i32", "i32", "i32"], [], (f, dst, v, n) => void f.i(dst).i(v).i(n).memfill());
  emitConv(m);
  emitWinograd(m);
  emitElementwise(m);
  emitReduce(m);
  emitPool(m);
  emitCompare(m);
  emitNorm(m);
  emitMath(m);
  return m.bytes();
}

export function compileModule(cfg: ModuleConfig): WebAssembly.Module {
  return new WebAssembly.Module(buildModuleBytes(cfg));
}

export function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  const inst = new WebAssembly.Instance(module, { env: { memory } });
  return inst.exports as unknown as KernelExports;
}
