/**
 * Fused batch normalization on contiguous [N, C, S] views (S = product of the trailing dims), the
 * formulas of src/backend/reference/norm.ts.
 *
 * Per-channel reductions (batchNormStats, batchNormGradSums) run in two passes:
 * 1. partial states over chunks of each channel, laid out so loads are coalesced:
 *    - "wide" (S' >= 64): a workgroup per (chunk of batch rows, channel), threads along the S
 *      contiguous elements of each row, then a shared-memory tree;
 *    - "narrow" (S' < 64, e.g. BatchNorm1d's [N, C]): a thread per (column c*S'+s, chunk of rows), so
 *      consecutive threads read consecutive addresses of a row;
 *    both read four rows per loop step (four loads in flight per thread);
 * 2. a workgroup per channel merges its partial states and writes the [2, C] result.
 * The statistics use Welford's update (per batch of four values) and Chan et al.'s pairwise merge
 * (numerically sound for a mean far from 0, unlike sum/sum-of-squares), so x is read once.
 *
 * When S is a multiple of 4 and the big operands start at multiples of 4, they are bound as
 * array<vec4<f32>> (16-byte loads and stores; S' = S/4 in the rules above), the layout of every conv
 * activation with an even spatial size.
 *
 * The elementwise kernels (batchNorm, batchNormBackward) give a workgroup to each (row n*C+c, chunk of
 * S) when S' is large, so the channel's coefficients are computed once per thread; small S' uses a
 * thread per element (or vec4).
 */
import type { OpAttrs } from "../../ops.js";
import type { GpuContext } from "../context.js";
import type { GpuView } from "../types.js";
import { entry1d, f32bits, grid1d, header } from "../wgsl.js";
import { entryGroups, groupGrid, rowWg, treeReduce } from "./reduce.js";

interface Layout { readonly N: number; readonly C: number; readonly S: number }
const layout = (x: GpuView): Layout => ({ N: x.shape[0], C: x.shape[1], S: x.shape.slice(2).reduce((a, b) => a * b, 1) });

const NAN = "bitcast<f32>(0x7fc00000u | (P[0] & 0u))";

/** A per-channel reduction: state type vec3<f32>, element update, merge, and the final [2, C] write. */
interface ChannelReduce {
  readonly name: string;
  /** Extra WGSL functions. */
  readonly fns: string;
  /** Per-thread setup before the loop (may read `c`). */
  readonly setup: string;
  /** Inputs that are [N, C, S] tensors (vec4-bound when possible); the others are per-channel vectors. */
  readonly big: readonly number[];
  /** Statement folding the element at index `i` (relative to each input's offset) into `acc`. */
  readonly upd: string;
  /** Statement folding the four elements at indices i0..i3 into `acc` (their loads are independent). */
  readonly upd4: string;
  /** Same as upd4 when the big inputs are vec4 arrays (i0..i3 index four vec4s: 16 values). */
  readonly updV4: string;
  /** Same as upd for a vec4 at index `i`. */
  readonly updV: string;
  /** Function name merging two states. */
  readonly comb: string;
  /** Statements writing out0 from the merged state `r` of channel `c` (pass 2, one thread). */
  readonly final: string;
  /** Inputs (by index) that `final` reads, bound in pass 2 as in1.. with offsets fin1..: every binding must be used (layout "auto" drops unused ones). */
  readonly finalReads: readonly number[];
}

const WELFORD = `
fn comb3(a: vec3<f32>, b: vec3<f32>) -> vec3<f32> {
  let n = a.x + b.x;
  if (b.x == 0.0) { return a; }
  if (a.x == 0.0) { return b; }
  let d = b.y - a.y;
  let f = b.x / n;
  return vec3<f32>(n, a.y + d * f, a.z + b.z + d * d * a.x * f);
}
// Four values as one batch (exact mean and M2 of the batch), merged with one division instead of four.
fn welford4(a: vec3<f32>, x0: f32, x1: f32, x2: f32, x3: f32) -> vec3<f32> {
  let m = ((x0 + x1) + (x2 + x3)) * 0.25;
  let d0 = x0 - m; let d1 = x1 - m; let d2 = x2 - m; let d3 = x3 - m;
  return comb3(a, vec3<f32>(4.0, m, (d0 * d0 + d1 * d1) + (d2 * d2 + d3 * d3)));
}
fn batch4(v: vec4<f32>) -> vec3<f32> {
  let m = ((v.x + v.y) + (v.z + v.w)) * 0.25;
  let d = v - m;
  return vec3<f32>(4.0, m, dot(d, d));
}
fn welford(a: vec3<f32>, v: f32) -> vec3<f32> {
  let n = a.x + 1.0;
  let d = v - a.y;
  let m = a.y + d / n;
  return vec3<f32>(n, m, a.z + d * (v - m));
}`;

const SUM3 = "fn add3(a: vec3<f32>, b: vec3<f32>) -> vec3<f32> { return a + b; }";

/** Reads of every pass: inputs at bindings in0.., their offsets at param words OFF0.. */
interface Plan { readonly reads: readonly GpuView[]; readonly eps: number }

const WANT_GROUPS = 1024;

/** Rows n0..n1 of the column at `b` (row stride `rs`), four rows at a time so four loads are in flight. */
function rowLoop(b: string, rs: string, r: ChannelReduce, vec: boolean): string {
  return `    var n = n0;
    for (; n + 3u < n1; n += 4u) {
      let i0 = n * ${rs} + ${b}; let i1 = i0 + ${rs}; let i2 = i1 + ${rs}; let i3 = i2 + ${rs};
      ${vec ? r.updV4 : r.upd4}
    }
    for (; n < n1; n++) { let i = n * ${rs} + ${b}; ${vec ? r.updV : r.upd} }`;
}

/** Whether the [N, C, S] operands can be read as vec4s (S' = S / 4). */
const vec4Ok = (S: number, views: readonly GpuView[]): boolean => S % 4 === 0 && views.every((v) => v.offset % 4 === 0);
const elemTypes = (n: number, big: readonly number[], vec: boolean): string[] =>
  Array.from({ length: n }, (_, k) => (vec && big.includes(k) ? "vec4<f32>" : "f32"));
const WANT_THREADS = 1 << 17;

/**
 * Params of both passes: 0 C, 1 S, 2 N, 3 rows per chunk, 4 chunks, 5 K (partials per channel),
 * 6 S2 (partial layout), 7 eps, 8 M, 9 out offset, 10.. input offsets.
 */
function encodeChannelReduce(ctx: GpuContext, r: ChannelReduce, { reads, eps }: Plan, x: GpuView, out: GpuView): void {
  const { N, C, S: S1 } = layout(x);
  if (C === 0) return;
  const vec = vec4Ok(S1, r.big.map((k) => reads[k]));
  const S = vec ? S1 / 4 : S1;
  const wide = S >= 64;
  const wg1 = S >= 256 ? 256 : S >= 128 ? 128 : 64;
  let rpc: number;
  if (wide) rpc = Math.min(Math.max(Math.ceil(N / Math.ceil(WANT_GROUPS / C)), Math.ceil((wg1 * 8) / S)), Math.max(N, 1));
  else rpc = Math.max(Math.ceil(N / Math.ceil(WANT_THREADS / Math.max(C * S, 1))), 8);
  const chunks = Math.ceil(N / rpc);
  const K = wide ? chunks : chunks * S;
  const offsets = reads.map((v, k) => (vec && r.big.includes(k) ? v.offset / 4 : v.offset));
  const params = [C, S, N, rpc, chunks, K, wide ? 1 : S, f32bits(eps), N * S1, out.offset, ...offsets];
  const ts = elemTypes(reads.length, r.big, vec);
  const offs = reads.map((_, k) => `  let off${k} = pu(${10 + k}u);`).join("\n");
  const pre = `${header({ reads: ts, writes: ["f32"] })}\n${r.fns}\n`;
  const parts = Math.max(chunks * (wide ? C : C * S), 1);
  const { buffer, capacity } = ctx.pool.acquire(parts * 3 * 4);
  const store = (idx: string): string => `out0[3u * ${idx}] = acc.x; out0[3u * ${idx} + 1u] = acc.y; out0[3u * ${idx} + 2u] = acc.z;`;
  let code: string;
  let groups: [number, number, number];
  if (wide) {
    // Partial index g = chunk * C + c.
    code = ctx.shader(`norm:${r.name}|wide|${vec}|${wg1}|${reads.length}`, () => `${pre}var<workgroup> sh: array<vec3<f32>, ${wg1}>;\n${entryGroups(`  if (g >= pu(0u) * pu(4u)) { return; }
${offs}
  let c = g % pu(0u); let n0 = (g / pu(0u)) * pu(3u); let n1 = min(n0 + pu(3u), pu(2u));
${r.setup}
  var acc = vec3<f32>(0.0);
  let CS = pu(0u) * pu(1u);
  for (var s = li; s < pu(1u); s += ${wg1}u) {
    let b = c * pu(1u) + s;
${rowLoop("b", "CS", r, vec)}
  }
  sh[li] = acc;
${treeReduce(wg1, `sh[li] = ${r.comb}(sh[li], sh[li + w]);`)}
  if (li == 0u) { let acc = sh[0]; ${store("g")} }`, wg1)}`);
    groups = groupGrid(C * chunks);
  } else {
    // Partial index t = chunk * (C * S) + column.
    code = ctx.shader(`norm:${r.name}|narrow|${vec}|${reads.length}`, () => `${pre}${entry1d(`  let cols = pu(0u) * pu(1u);
  if (gi >= cols * pu(4u)) { return; }
${offs}
  let col = gi % cols; let c = col / pu(1u);
  let n0 = (gi / cols) * pu(3u); let n1 = min(n0 + pu(3u), pu(2u));
${r.setup}
  var acc = vec3<f32>(0.0);
${rowLoop("col", "cols", r, vec)}
  ${store("gi")}`)}`);
    groups = grid1d(C * S * chunks);
  }
  ctx.run({ name: `${r.name} partials`, code, reads: reads.map((v) => v.buf.buffer), writes: [buffer], params, groups });

  // Pass 2: partial k of channel c sits at (k / S2) * (C * S2) + c * S2 + k % S2.
  const wg2 = rowWg(K);
  const reads2 = [buffer, ...r.finalReads.map((k) => reads[k].buf.buffer)];
  const ts2 = reads2.map(() => "f32");
  const offs2 = r.finalReads.map((k, j) => `  let fin${j + 1} = pu(${10 + k}u);`).join("\n");
  const code2 = ctx.shader(`norm:${r.name}|merge|${wg2}`, () => `${header({ reads: ts2, writes: ["f32"] })}\n${r.fns}\nvar<workgroup> sh: array<vec3<f32>, ${wg2}>;\n${entryGroups(`  if (g >= pu(0u)) { return; }
${offs2}
  let c = g; let S2 = pu(6u);
  var acc = vec3<f32>(0.0);
  for (var k = li; k < pu(5u); k += ${wg2}u) {
    let p = 3u * ((k / S2) * (pu(0u) * S2) + c * S2 + k % S2);
    acc = ${r.comb}(acc, vec3<f32>(in0[p], in0[p + 1u], in0[p + 2u]));
  }
  sh[li] = acc;
${treeReduce(wg2, `sh[li] = ${r.comb}(sh[li], sh[li + w]);`)}
  if (li == 0u) { let r = sh[0]; ${r.final} }`, wg2)}`);
  ctx.run({ name: `${r.name} merge`, code: code2, reads: reads2, writes: [out.buf.buffer], params, groups: groupGrid(C) });
  ctx.pool.release(buffer, capacity);
}

const STATS: ChannelReduce = {
  name: "batchNormStats",
  fns: WELFORD,
  setup: "",
  upd: "acc = welford(acc, in0[off0 + i]);",
  upd4: "acc = welford4(acc, in0[off0 + i0], in0[off0 + i1], in0[off0 + i2], in0[off0 + i3]);",
  big: [0],
  updV: "{ let v = in0[off0 + i]; acc = welford4(acc, v.x, v.y, v.z, v.w); }",
  updV4: `let v0 = in0[off0 + i0]; let v1 = in0[off0 + i1]; let v2 = in0[off0 + i2]; let v3 = in0[off0 + i3];
      acc = comb3(acc, comb3(comb3(batch4(v0), batch4(v1)), comb3(batch4(v2), batch4(v3))));`,
  comb: "comb3",
  finalReads: [],
  final: `let o = pu(9u);
    out0[o + c] = select(r.y, ${NAN}, r.x == 0.0);
    out0[o + pu(0u) + c] = select(r.z / r.x, ${NAN}, r.x == 0.0);`,
};

// Inputs (gy, x, stats): sums of gy and gy * (x - mean); the invstd factor is applied once at the end.
const GRAD_SUMS: ChannelReduce = {
  name: "batchNormGradSums",
  fns: SUM3,
  setup: "  let mu = in2[off2 + c];",
  upd: "let gy = in0[off0 + i]; acc += vec3<f32>(gy, gy * (in1[off1 + i] - mu), 0.0);",
  upd4: `let g0 = in0[off0 + i0]; let g1 = in0[off0 + i1]; let g2 = in0[off0 + i2]; let g3 = in0[off0 + i3];
      let y0 = in1[off1 + i0]; let y1 = in1[off1 + i1]; let y2 = in1[off1 + i2]; let y3 = in1[off1 + i3];
      acc += vec3<f32>((g0 + g1) + (g2 + g3), (g0 * (y0 - mu) + g1 * (y1 - mu)) + (g2 * (y2 - mu) + g3 * (y3 - mu)), 0.0);`,
  big: [0, 1],
  updV: "{ let gv = in0[off0 + i]; acc += vec3<f32>(dot(gv, vec4<f32>(1.0)), dot(gv, in1[off1 + i] - mu), 0.0); }",
  updV4: `let g0 = in0[off0 + i0]; let g1 = in0[off0 + i1]; let g2 = in0[off0 + i2]; let g3 = in0[off0 + i3];
      let y0 = in1[off1 + i0]; let y1 = in1[off1 + i1]; let y2 = in1[off1 + i2]; let y3 = in1[off1 + i3];
      let gs = (g0 + g1) + (g2 + g3);
      acc += vec3<f32>(dot(gs, vec4<f32>(1.0)), (dot(g0, y0 - mu) + dot(g1, y1 - mu)) + (dot(g2, y2 - mu) + dot(g3, y3 - mu)), 0.0);`,
  comb: "add3",
  finalReads: [2],
  final: `let o = pu(9u);
    let r_ = 1.0 / sqrt(in1[fin1 + pu(0u) + c] + pf(7u));
    out0[o + c] = r.x;
    out0[o + pu(0u) + c] = r.y * r_;`,
};

export function batchNormStatsKernel(ctx: GpuContext, [x]: readonly GpuView[], out: GpuView): void {
  encodeChannelReduce(ctx, STATS, { reads: [x], eps: 0 }, x, out);
}

export function batchNormGradSumsKernel(ctx: GpuContext, [gy, x, stats]: readonly GpuView[], out: GpuView, { eps }: OpAttrs["batchNormGradSums"]): void {
  encodeChannelReduce(ctx, GRAD_SUMS, { reads: [gy, x, stats], eps }, x, out);
}

/**
 * Per-element map over [N, C, S] with per-channel coefficients. `coef` runs once per thread (sees
 * `c`, the input offsets off0..); `elem` is the output expression for element index `i` (a vec4 when
 * the `big` inputs and the output are vec4-bound: WGSL broadcasts the scalar coefficients).
 * Params: 0 C, 1 S', 2 rows (N*C) or elements, 3 S-chunk length, 4 S-chunks, 5 eps, 6 M, 7 out offset, 8.. offsets.
 */
function encodeChannelMap(ctx: GpuContext, name: string, reads: readonly GpuView[], big: readonly number[], out: GpuView, eps: number, coef: string, elem: string): void {
  const { N, C, S: S1 } = layout(out);
  const rows = N * C;
  if (rows * S1 === 0) return;
  const vec = vec4Ok(S1, [out, ...big.map((k) => reads[k])]);
  const S = vec ? S1 / 4 : S1;
  const ot = vec ? "vec4<f32>" : "f32";
  const offsets = reads.map((v, k) => (vec && big.includes(k) ? v.offset / 4 : v.offset));
  const outOffset = vec ? out.offset / 4 : out.offset;
  const offs = reads.map((_, k) => `  let off${k} = pu(${8 + k}u);`).join("\n");
  const pre = `${header({ reads: elemTypes(reads.length, big, vec), writes: [ot] })}\n`;
  if (S >= 64) {
    const wg = S >= 256 ? 256 : S >= 128 ? 128 : 64;
    // Chunk S only when the rows alone are too few workgroups.
    const sChunks = Math.max(1, Math.min(Math.ceil(WANT_GROUPS / rows), Math.ceil(S / (wg * 4))));
    const L = Math.ceil(S / sChunks);
    const params = [C, S, rows, L, sChunks, f32bits(eps), N * S1, outOffset, ...offsets];
    const code = ctx.shader(`norm:${name}|rows|${vec}|${wg}`, () => `${pre}${entryGroups(`  if (g >= pu(2u) * pu(4u)) { return; }
${offs}
  let row = g / pu(4u); let c = row % pu(0u);
  let s0 = (g % pu(4u)) * pu(3u); let s1 = min(s0 + pu(3u), pu(1u));
${coef}
  for (var s = s0 + li; s < s1; s += ${wg}u) { let i = row * pu(1u) + s; out0[pu(7u) + i] = ${elem}; }`, wg)}`);
    ctx.run({ name, code, reads: reads.map((v) => v.buf.buffer), writes: [out.buf.buffer], params, groups: groupGrid(rows * sChunks) });
    return;
  }
  const params = [C, S, rows * S, 0, 0, f32bits(eps), N * S1, outOffset, ...offsets];
  const code = ctx.shader(`norm:${name}|threads|${vec}`, () => `${pre}${entry1d(`  if (gi >= pu(2u)) { return; }
${offs}
  let i = gi; let c = (gi / pu(1u)) % pu(0u);
${coef}
  out0[pu(7u) + i] = ${elem};`)}`);
  ctx.run({ name, code, reads: reads.map((v) => v.buf.buffer), writes: [out.buf.buffer], params, groups: grid1d(rows * S) });
}

/** Inputs (x, stats, weight, bias): (x - mean) * (weight * invstd) + bias. */
export function batchNormKernel(ctx: GpuContext, ins: readonly GpuView[], out: GpuView, { eps }: OpAttrs["batchNorm"]): void {
  const coef = `  let C = pu(0u);
  let mu = in1[off1 + c];
  let k = in2[off2 + c] / sqrt(in1[off1 + C + c] + pf(5u));
  let b = in3[off3 + c];`;
  encodeChannelMap(ctx, "batchNorm", ins, [0], out, eps, coef, "(in0[off0 + i] - mu) * k + b");
}

/** Inputs (gy, x, stats, weight, sums): weight * invstd * (gy - sum(gy)/M - xhat * sum(gy*xhat)/M). */
export function batchNormBackwardKernel(ctx: GpuContext, ins: readonly GpuView[], out: GpuView, { eps }: OpAttrs["batchNormBackward"]): void {
  const coef = `  let C = pu(0u); let M = f32(pu(6u));
  let mu = in2[off2 + c];
  let r = 1.0 / sqrt(in2[off2 + C + c] + pf(5u));
  let k = in3[off3 + c] * r;
  let sg = in4[off4 + c] / M;
  let sgx = in4[off4 + C + c] / M * r;`;
  encodeChannelMap(ctx, "batchNormBackward", ins, [0, 1], out, eps, coef, "k * (in0[off0 + i] - sg - (in1[off1 + i] - mu) * sgx)");
}
