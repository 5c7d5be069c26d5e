/**
 * Reductions: sum/max/min over any set of axes of a strided view, argmax/argmin along one axis of a
 * contiguous view. Also the workgroup helpers the softmax and batch-norm families share.
 *
 * Strategy for sum/max/min. The view is reduced to (kept dims) x (reduced dims), each list with
 * size-1 dims dropped and mergeable neighbours merged, so most reductions become one kept and one
 * reduced dim. Then one of two kernels:
 * - "rows" (the innermost reduced dim has unit stride): 4 to 256 lanes per output (and per chunk of
 *   its reduced range; a whole workgroup for long rows, several short rows per workgroup), lanes
 *   reading consecutive elements (coalesced), then a shared-memory tree per row; an (outer,
 *   unit-stride inner) pair of reduced dims, e.g. a conv bias gradient's [N, HW], is walked as nested
 *   loops, with no per-element division;
 * - "columns": one thread per output (and per chunk), looping; consecutive threads own consecutive
 *   outputs, so reducing over an outer axis reads coalesced rows.
 * Every loop keeps four independent loads in flight per thread (measured on an H100: a single
 * dependent chain left these kernels latency-bound at 150-450 GB/s; unrolled, ~0.75-1.1 TB/s, GPU time
 * estimated as wall time minus host encoding).
 * When the outputs alone cannot fill the GPU, the reduced range is cut into chunks whose partial
 * results land in a pooled scratch buffer that a second pass (the same code, on a contiguous view)
 * reduces. Semantics follow src/backend/reference/reduce.ts: max/min are NaN if any element is NaN,
 * an empty sum is 0 (an empty max/min -inf/+inf), first index on ties for argmax/argmin.
 */
import { sizeOf } from "../../../core/index.js";
import type { OpAttrs, ReduceOp } from "../../ops.js";
import type { GpuContext } from "../context.js";
import type { GpuKernel, GpuView } from "../types.js";
import { MAX_GROUPS, WG, entry1d, f32lit, grid1d, header, i32bits, wgslType, type WgslType } from "../wgsl.js";

/** NaN test that survives fast-math compilers (bit pattern, not x != x). */
export const ISNAN = "fn isnan_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }";

/** Grid of `groups` workgroups as x*y (x <= 65535); shaders recover the index with WG_INDEX. */
export function groupGrid(groups: number): [number, number, number] {
  if (groups <= MAX_GROUPS) return [Math.max(groups, 1), 1, 1];
  const y = Math.ceil(groups / MAX_GROUPS);
  return [Math.ceil(groups / y), y, 1];
}

/** Entry point of a workgroup-per-task kernel: the body sees `g` (workgroup index, uniform) and `li` (thread in group). */
export function entryGroups(body: string, wg: number): string {
  return `@compute @workgroup_size(${wg})
fn main(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let g = wid.x + wid.y * nwg.x;
${body}
}`;
}

/**
 * Shared-memory tree: `step` merges entry li + w into entry li (w halves from wg/2 to 1), so entry 0
 * ends with everything; with `lane` = li % wg (segments of wg entries), each segment's first entry. Every thread of the group must reach it (barriers need uniform control flow).
 */
export function treeReduce(wg: number, step: string, lane = "li"): string {
  return `  workgroupBarrier();
  for (var w = ${wg / 2}u; w > 0u; w = w >> 1u) {
    if (${lane} < w) { ${step} }
    workgroupBarrier();
  }`;
}

/** Workgroup size for rows of `n` elements: small rows waste fewer idle threads with 64. */
export const rowWg = (n: number): number => (n >= 2048 ? 256 : n >= 512 ? 128 : 64);

interface Dim { readonly n: number; readonly s: number }

/** Drops size-1 dims and merges neighbours (a, b) with a.s == b.n * b.s (outer first). */
function mergeDims(dims: readonly Dim[]): Dim[] {
  const out: Dim[] = [];
  for (const d of dims) {
    if (d.n === 1) continue;
    const last = out[out.length - 1];
    if (last && last.s === d.n * d.s) out[out.length - 1] = { n: last.n * d.n, s: d.s };
    else out.push(d);
  }
  return out;
}

/** Source of one reduction pass: element (o, r) of `buf` is at offset + addr(kept o) + addr(reduced r). */
interface Src { readonly buffer: GPUBuffer; readonly offset: number; readonly kept: readonly Dim[]; readonly red: readonly Dim[] }

/**
 * The reduction's identity and combine step. Float max/min (NaN if either side is NaN) are a WGSL
 * function, not a text macro: the 4-way unrolled fold nests the combine three deep, and a macro that
 * repeats its arguments expanded into an expression tree that took Chromium's SwiftShader 200 s to
 * compile (and that every compiler must CSE back).
 */
function ops(op: ReduceOp, t: WgslType): { init: string; comb: (a: string, v: string) => string; decl: string } {
  const f = t === "f32";
  switch (op) {
    case "sum":
      return { init: `${t}(0)`, comb: (a, v) => `(${a} + ${v})`, decl: "" };
    case "max":
    case "min": {
      const init = op === "max" ? (f ? f32lit(-Infinity) : t === "i32" ? "(-2147483647i - 1i)" : "0u") : f ? f32lit(Infinity) : t === "i32" ? "2147483647i" : "4294967295u";
      if (!f) return { init, comb: (a, v) => `${op}(${a}, ${v})`, decl: "" };
      const better = op === "max" ? "v > a" : "v < a";
      return { init, comb: (a, v) => `comb_(${a}, ${v})`, decl: `fn comb_(a: f32, v: f32) -> f32 { return select(select(a, v, ${better}), a + v, isnan_(a) || isnan_(v)); }\n` };
    }
    default:
      return op satisfies never;
  }
}

/** WGSL lines computing `var <name>: i32` = address of index `idx` (u32 expr) over `nDims` dims whose (n, s) sit at param words `at`. */
function addrCode(name: string, idx: string, nDims: number, at: number): string {
  if (nDims === 0) return `  var ${name} = 0i;`;
  if (nDims === 1) return `  var ${name} = i32(${idx}) * pi(${at + 1}u);`;
  const lines = [`  var ${name} = 0i;`, `  { var rem = ${idx};`];
  for (let d = nDims - 1; d >= 0; d--) {
    lines.push(`    ${name} += i32(rem % pu(${at + 2 * d}u)) * pi(${at + 2 * d + 1}u); rem = rem / pu(${at + 2 * d}u);`);
  }
  lines.push("  }");
  return lines.join("\n");
}

const dimWords = (dims: readonly Dim[]): number[] => dims.flatMap((d) => [d.n, i32bits(d.s)]);

/** Threads (columns kernel) or workgroups (rows kernel) wanted to keep a large GPU busy (an H100 holds ~270K threads). */
const WANT_THREADS = 1 << 18;
const WANT_GROUPS = 1024;

/**
 * A loop over v = from, from + step, ... < to, unrolled by 4 so each thread has four independent loads
 * in flight (a single dependent chain leaves a reduction latency-bound); `fold(xs)` folds loaded values.
 */
function unrolled(v: string, from: string, to: string, step: string, load: (i: string) => string, fold: (xs: readonly string[]) => string): string {
  const at = (j: number): string => (j === 0 ? v : `${v} + ${j}u * ${step}`);
  return `  var ${v} = ${from};
  for (; ${v} + 3u * ${step} < ${to}; ${v} += 4u * ${step}) {
    let x0 = ${load(at(0))}; let x1 = ${load(at(1))}; let x2 = ${load(at(2))}; let x3 = ${load(at(3))};
    ${fold(["x0", "x1", "x2", "x3"])}
  }
  for (; ${v} < ${to}; ${v} += ${step}) { ${fold([load(v)])} }`;
}

/** Lanes (threads) per row of `n` elements: at least ~4 elements per lane, 4..256, a power of 2. */
function laneCount(n: number): number {
  if (n >= 2048) return 256;
  if (n >= 512) return 128;
  if (n >= 128) return 64;
  return Math.min(32, Math.max(4, 2 ** Math.ceil(Math.log2(Math.ceil(n / 4)))));
}

type Mode = "cols" | "nested" | "row" | "generic";

/** WGSL of one reduction pass (see encodeReduce; parameter words documented there). */
function reduceShader(op: ReduceOp, t: WgslType, mode: Mode, nKept: number, nRed: number, lanes: number, wg: number): string {
  const { init, comb, decl: combDecl } = ops(op, t);
  const fold = (xs: readonly string[]): string =>
    `acc = ${comb("acc", xs.length === 1 ? xs[0] : comb(comb(xs[0], xs[1]), comb(xs[2], xs[3])))};`;
  const keptAt = 6, redAt = 6 + 2 * nKept;
  const keptAddr = addrCode("kb", "o", nKept, keptAt);
  // Generic path: the reduced index is decomposed per element.
  const generic = (r: string, from: string, step: string): string => `  for (var ${r} = ${from}; ${r} < r1; ${r} += ${step}) {
${addrCode("rb", r, nRed, redAt)}
    ${fold([`in0[u32(kb + rb)]`])}
  }`;
  const decl = `${header({ reads: [t], writes: [t] })}\n${ISNAN}\n${combDecl}`;
  if (mode === "cols") {
    const loop = nRed === 1
      ? `  let st = pi(${redAt + 1}u);\n${unrolled("r", "r0", "r1", "1u", (r) => `in0[u32(kb + i32(${r}) * st)]`, fold)}`
      : generic("r", "r0", "1u");
    // Partial layout [chunks, nOut]: consecutive threads write (and the second pass reads) consecutive outputs.
    return `${decl}${entry1d(`  if (gi >= pu(0u) * pu(3u)) { return; }
  let o = gi % pu(0u); let r0 = (gi / pu(0u)) * pu(2u);
${keptAddr}
  kb += pi(4u);
  let r1 = min(r0 + pu(2u), pu(1u));
  var acc = ${init};
${loop}
  out0[pu(5u) + gi] = acc;`)}`;
  }
  let loop: string;
  if (mode === "nested") {
    // Lanes along the unit-stride inner dim (coalesced), four outer rows at a time.
    loop = `  let q1 = min(q0 + pu(2u), pu(${redAt}u)); let so = pi(${redAt + 1}u);
  for (var s = lane; s < pu(${redAt + 2}u); s += ${lanes}u) {
    let b = kb + i32(s);
  ${unrolled("q", "q0", "q1", "1u", (q) => `in0[u32(b + i32(${q}) * so)]`, fold)}
  }`;
  } else if (mode === "row") loop = `  let r1 = min(q0 + pu(2u), pu(1u));\n${unrolled("r", "q0 + lane", "r1", `${lanes}u`, (r) => `in0[u32(kb + i32(${r}))]`, fold)}`;
  else loop = `  let r1 = min(q0 + pu(2u), pu(1u));\n${generic("r", "q0 + lane", `${lanes}u`)}`;
  // Task = (output o, chunk); partial layout [nOut, chunks]: the second pass reduces contiguous rows.
  // Lanes past the last task still take part in the barriers, with the identity.
  return `${decl}var<workgroup> sh: array<${t}, ${wg}>;\n${entryGroups(`  let task = g * ${wg / lanes}u + li / ${lanes}u; let lane = li % ${lanes}u;
  let valid = task < pu(0u) * pu(3u);
  var acc = ${init};
  if (valid) {
  let o = task / pu(3u); let q0 = (task % pu(3u)) * pu(2u);
${keptAddr}
  kb += pi(4u);
${loop}
  }
  sh[li] = acc;
${treeReduce(lanes, `sh[li] = ${comb("sh[li]", "sh[li + w]")};`, "lane")}
  if (valid && lane == 0u) { out0[pu(5u) + task] = sh[li]; }`, wg)}`;
}

/**
 * Encodes the reduction of `src` into out[outOffset + o] (o over the kept dims, row-major), with a
 * second pass over a scratch buffer when the reduced range is chunked.
 */
function encodeReduce(ctx: GpuContext, op: ReduceOp, t: WgslType, src: Src, out: GPUBuffer, outOffset: number): void {
  const nOut = sizeOf(src.kept.map((d) => d.n));
  const nRed = sizeOf(src.red.map((d) => d.n));
  if (nOut === 0) return;
  const inner = src.red[src.red.length - 1];
  const rows = nRed >= 8 && inner !== undefined && inner.s === 1 && inner.n >= 8;
  const oneRed = src.red.length === 1;
  // Rows over (outer, unit-stride inner) dims chunk the outer dim only, so no element needs a division.
  const nestable = rows && src.red.length === 2;
  // Lanes per row: a whole workgroup for long rows; short rows share one, `lanes` threads each.
  const lanes = rows ? laneCount(nestable ? inner.n : nRed) : 1;
  const wg = rows ? Math.max(lanes, 128) : WG;
  const perGroup = wg / lanes;
  // Chunks: enough to fill the GPU, but each chunk long enough that the second pass stays small.
  let chunks = 1;
  if (rows && nOut < WANT_GROUPS * perGroup) chunks = Math.min(Math.ceil((WANT_GROUPS * perGroup) / nOut), Math.ceil(nRed / (lanes * 8)));
  if (!rows && nOut < WANT_THREADS && nRed > 64) chunks = Math.min(Math.ceil(WANT_THREADS / nOut), Math.ceil(nRed / 32));
  chunks = Math.max(chunks, 1);
  const nested = nestable && (src.red[0].n >= chunks || inner.n <= wg * 32);
  const span = nested ? src.red[0].n : nRed;
  const chunkLen = Math.ceil(span / chunks);
  chunks = nRed === 0 ? 1 : Math.ceil(span / chunkLen);
  const params = [nOut, nRed, chunkLen, chunks, src.offset, 0, ...dimWords(src.kept), ...dimWords(src.red)];
  const mode = !rows ? "cols" : nested ? "nested" : oneRed ? "row" : "generic";
  const key = `reduce|${op}|${t}|${mode}|${src.kept.length}|${src.red.length}|${lanes}|${wg}`;
  const code = ctx.shader(`reduce:${key}`, () => reduceShader(op, t, mode, src.kept.length, src.red.length, lanes, wg));
  const groups = rows ? groupGrid(Math.ceil((nOut * chunks) / perGroup)) : grid1d(nOut * chunks);
  if (chunks === 1) {
    params[5] = outOffset;
    ctx.run({ name: op, code, reads: [src.buffer], writes: [out], params, groups });
    return;
  }
  const { buffer, capacity } = ctx.pool.acquire(nOut * chunks * 4);
  ctx.run({ name: op, code, reads: [src.buffer], writes: [buffer], params, groups });
  const part: Dim[] = rows ? [{ n: chunks, s: 1 }] : [{ n: chunks, s: nOut }];
  const kept: Dim[] = rows ? [{ n: nOut, s: chunks }] : [{ n: nOut, s: 1 }];
  encodeReduce(ctx, op, t, { buffer, offset: 0, kept, red: part }, out, outOffset);
  // Safe right after encoding: the queue orders the dispatches (context.ts).
  ctx.pool.release(buffer, capacity);
}

export function reduceKernel<K extends ReduceOp>(op: K): GpuKernel<K> {
  return (ctx: GpuContext, [x]: readonly GpuView[], out: GpuView, attrs: OpAttrs[K]): void => {
    const t = wgslType(x.dtype, op);
    const red = new Set(attrs.axes);
    const dims = x.shape.map((n, d): Dim => ({ n, s: x.strides[d] }));
    const kept = mergeDims(dims.filter((_, d) => !red.has(d)));
    // Order within the reduced set is free: outer strides first, so the unit stride ends up innermost.
    const redDims = mergeDims(dims.filter((_, d) => red.has(d)).sort((a, b) => Math.abs(b.s) - Math.abs(a.s)));
    const empty = dims.some((d, i) => d.n === 0 && red.has(i));
    encodeReduce(ctx, op, t, { buffer: x.buf.buffer, offset: x.offset, kept, red: empty ? [{ n: 0, s: 0 }] : redDims }, out.buf.buffer, out.offset);
  };
}

/** Preference of (v, i) over (bv, bi) for argmax/argmin: NaN wins (PyTorch), then the extreme, then the lower index; i < 0 is "none". */
function argPrelude(kind: "argmax" | "argmin"): string {
  return `${ISNAN}
fn prefer(v: f32, i: i32, bv: f32, bi: i32) -> bool {
  if (bi < 0) { return i >= 0; }
  if (i < 0) { return false; }
  let vn = isnan_(v); let bn = isnan_(bv);
  if (vn || bn) { return vn && (!bn || i < bi); }
  if (v == bv) { return i < bi; }
  return v ${kind === "argmax" ? ">" : "<"} bv;
}`;
}

export function argReduceKernel<K extends "argmax" | "argmin">(kind: K): GpuKernel<K> {
  return (ctx: GpuContext, [x]: readonly GpuView[], out: GpuView, { axis }: OpAttrs[K]): void => {
    const outer = sizeOf(x.shape.slice(0, axis));
    const n = x.shape[axis];
    const inner = sizeOf(x.shape.slice(axis + 1));
    const nOut = outer * inner;
    if (nOut === 0) return;
    wgslType(x.dtype, kind);
    const params = [nOut, n, inner, x.offset, out.offset];
    const decl = `${header({ reads: ["f32"], writes: ["i32"] })}\n${argPrelude(kind)}\n`;
    if (inner === 1 && n >= 256) {
      // Long rows: a workgroup per row, coalesced loads, then a tree over (value, index) pairs.
      const wg = rowWg(n);
      const code = ctx.shader(`reduce:arg|${kind}|rows|${wg}`, () => `${decl}var<workgroup> sv: array<f32, ${wg}>;\nvar<workgroup> si: array<i32, ${wg}>;\n${entryGroups(`  if (g >= pu(0u)) { return; }
  let base = pu(3u) + g * pu(1u);
  var bv = 0.0; var bi = -1i;
  for (var k = li; k < pu(1u); k += ${wg}u) {
    let v = in0[base + k];
    if (prefer(v, i32(k), bv, bi)) { bv = v; bi = i32(k); }
  }
  sv[li] = bv; si[li] = bi;
${treeReduce(wg, "if (prefer(sv[li + w], si[li + w], sv[li], si[li])) { sv[li] = sv[li + w]; si[li] = si[li + w]; }")}
  if (li == 0u) { out0[pu(4u) + g] = max(si[0], 0i); }`, wg)}`);
      ctx.run({ name: kind, code, reads: [x.buf.buffer], writes: [out.buf.buffer], params, groups: groupGrid(nOut) });
      return;
    }
    // One thread per output; consecutive threads read consecutive inner positions.
    const code = ctx.shader(`reduce:arg|${kind}|threads`, () => `${decl}${entry1d(`  if (gi >= pu(0u)) { return; }
  let base = pu(3u) + (gi / pu(2u)) * pu(1u) * pu(2u) + gi % pu(2u);
  var bv = 0.0; var bi = -1i;
  for (var k = 0u; k < pu(1u); k++) {
    let v = in0[base + k * pu(2u)];
    if (prefer(v, i32(k), bv, bi)) { bv = v; bi = i32(k); }
  }
  out0[pu(4u) + gi] = max(bi, 0i);`)}`);
    ctx.run({ name: kind, code, reads: [x.buf.buffer], writes: [out.buf.buffer], params, groups: grid1d(nOut) });
  };
}
