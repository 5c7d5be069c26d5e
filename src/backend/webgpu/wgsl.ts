/**
 * WGSL code generation helpers shared by every kernel family.
 *
 * Conventions (every generated shader follows them, so the context can bind any kernel the same way):
 * - bindings 0..r-1 are the read-only inputs `in0..`, then the read_write outputs `out0..`, then the
 *   parameter words `P` (a slice of the per-batch parameter arena; see context.ts);
 * - every dtype is 4 bytes on the GPU: float32 -> f32, int32 -> i32, bool -> u32 (0 or 1), because WGSL
 *   storage has no 1-byte type; the backend converts bool at the host boundary;
 * - a kernel that checks int32 indices (`checked`) also binds the index-error flag `E` after `P` and
 *   reports an out-of-range value with `oob(site, value, bound, position)` (see context.ts);
 * - 1-D kernels use `@workgroup_size(WG)` and a 2-D grid (x <= 65535) flattened by `LINEAR_INDEX`.
 */
import { DTypeError, type DType } from "../../core/index.js";

/** Threads per workgroup of the 1-D kernels. */
export const WG = 256;
/** WebGPU's guaranteed maximum workgroups per grid dimension. */
export const MAX_GROUPS = 65535;

export type WgslType = "f32" | "i32" | "u32";

export function wgslType(dtype: DType, op = "webgpu"): WgslType {
  switch (dtype) {
    case "float32":
      return "f32";
    case "int32":
      return "i32";
    case "bool":
      return "u32";
    case "float64":
      throw new DTypeError(
        `${op}: float64 is not supported on the webgpu backend (WGSL has no f64); use float32 here and run float64 work (gradcheck) on the reference backend`,
      );
    default:
      throw new DTypeError(`${op}: unknown dtype ${dtype satisfies never}`);
  }
}

/** `x` (an expression of WGSL type `from`) converted to `to`, with bool semantics (nonzero -> 1). */
export function convert(x: string, from: WgslType, to: WgslType, toBool = false): string {
  if (toBool) return from === "u32" ? `select(0u, 1u, ${x} != 0u)` : `select(0u, 1u, ${x} != ${from}(0))`;
  if (from === to) return x;
  return `${to}(${x})`;
}

export interface BindingSpec {
  /** Element types of the read-only inputs, in binding order. */
  readonly reads: readonly string[];
  /** Element types of the read_write outputs (`atomic<u32>` allowed). */
  readonly writes: readonly string[];
  /** Declares the index-error flag `E` and `oob(...)`; the shader must call `oob` (auto layouts drop unused bindings). */
  readonly checked?: boolean;
}

/** Binding declarations plus the parameter accessors `pu(i)`, `pi(i)`, `pf(i)`. */
export function header({ reads, writes, checked = false }: BindingSpec): string {
  const lines: string[] = [];
  reads.forEach((t, i) => lines.push(`@group(0) @binding(${i}) var<storage, read> in${i}: array<${t}>;`));
  writes.forEach((t, i) => lines.push(`@group(0) @binding(${reads.length + i}) var<storage, read_write> out${i}: array<${t}>;`));
  lines.push(`@group(0) @binding(${reads.length + writes.length}) var<storage, read> P: array<u32>;`);
  lines.push("fn pu(i: u32) -> u32 { return P[i]; }");
  lines.push("fn pi(i: u32) -> i32 { return bitcast<i32>(P[i]); }");
  lines.push("fn pf(i: u32) -> f32 { return bitcast<f32>(P[i]); }");
  if (checked) {
    // The first report wins (the exchange returns 0 to exactly one thread until the host clears the flag).
    lines.push(`@group(0) @binding(${reads.length + writes.length + 1}) var<storage, read_write> E: array<atomic<u32>, 5>;
fn oob(site: u32, v: i32, n: u32, pos: u32) {
  if (atomicLoad(&E[0]) != 0u) { return; }
  if (atomicExchange(&E[0], 1u) == 0u) {
    atomicStore(&E[1], site); atomicStore(&E[2], bitcast<u32>(v)); atomicStore(&E[3], n); atomicStore(&E[4], pos);
  }
}`);
  }
  return lines.join("\n");
}

/** Entry-point signature of a 1-D kernel; the body sees `gi` (linear thread index, u32). */
export function entry1d(body: string, wg = WG): string {
  return `@compute @workgroup_size(${wg})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let gi = gid.x + gid.y * nwg.x * ${wg}u;
${body}
}`;
}

/** Workgroup grid covering `threads` threads of a 1-D kernel with `wg` threads per group. */
export function grid1d(threads: number, wg = WG): [number, number, number] {
  const groups = Math.ceil(threads / wg);
  if (groups <= MAX_GROUPS) return [Math.max(groups, 1), 1, 1];
  const y = Math.ceil(groups / MAX_GROUPS);
  return [Math.ceil(groups / y), y, 1];
}

/** Bit pattern of a float32, for float parameters read with `pf(i)`. */
const f32buf = new Float32Array(1);
const u32buf = new Uint32Array(f32buf.buffer);
export function f32bits(x: number): number {
  f32buf[0] = x;
  return u32buf[0];
}
/** Bit pattern of an int32, for signed parameters read with `pi(i)`. */
export function i32bits(x: number): number {
  return x >>> 0;
}

/** A WGSL float expression for `x` (finite literal, or +-inf/NaN built at run time from P: WGSL rejects non-finite constants). */
export function f32lit(x: number): string {
  if (Number.isFinite(x)) {
    const s = String(Math.fround(x));
    return s.includes(".") || s.includes("e") ? `f32(${s})` : `f32(${s}.0)`;
  }
  return `bitcast<f32>(${f32bits(x)}u | (P[0] & 0u))`;
}

/** GPUBufferUsage / GPUMapMode bits (numeric: Node has no such globals unless Dawn's are installed). */
export const USAGE = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;
export const MAP_READ = 0x1;
