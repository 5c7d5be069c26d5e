/**
 * Index kernels: gather, scatterAdd, oneHot, concat, pad, with the reference backend's semantics
 * (src/backend/reference/indexing.ts). Inputs are contiguous views, possibly at an offset.
 *
 * Moves that do no arithmetic (gather, concat, pad) copy 32-bit words: every dtype is 4 bytes on the
 * GPU, so one shader serves float32, int32 and bool alike.
 *
 * Out-of-range indices: the reference throws; a GPU kernel cannot, and the host cannot look at the
 * indices without waiting for the device. The kernels record the first one in the context's
 * index-error flag (context.ts), and the next read throws the reference's message; meanwhile the
 * results are defined: gather reads 0, scatterAdd skips the element, oneHot writes a row of zeros.
 *
 * scatterAdd is deterministic when it can be at a reasonable cost: one thread per output element scans
 * the index entries along the axis that could target it (J of them) and adds the matching src values
 * in the reference's order, so results are bit-identical to it. That costs J loads per output; when
 * J is large and the output big (an embedding-style backward) a second path adds src into a copy of
 * base with atomics (a compare-exchange loop on the f32 bit pattern), whose summation order varies.
 */
import { contiguousStrides, fmt, sizeOf } from "../../../core/index.js";
import type { GpuContext } from "../context.js";
import type { GpuKernel, GpuView } from "../types.js";
import { entry1d, f32bits, grid1d, header, i32bits, wgslType } from "../wgsl.js";
import { copyKernel } from "./elementwise.js";

/** Splits `shape` around `axis` into [outer, n, inner]. */
function split(shape: readonly number[], axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1))];
}

function dispatch(ctx: GpuContext, name: string, code: string, reads: readonly GPUBuffer[], out: GpuView, params: readonly number[], threads: number, checked = false): void {
  ctx.run({ name, code, reads, writes: [out.buf.buffer], params, groups: grid1d(threads), checked });
}

/** The error site of `op` over an index tensor of `shape` (the reference backend's message). */
function indexSite(ctx: GpuContext, op: string, shape: readonly number[]): number {
  return ctx.errorSite(`${op}|${shape.join(",")}`, (v, n, p) => `${op}: index ${v} at flat position ${p} of index tensor ${fmt(shape)} is out of range [0, ${n})`);
}

/** out[o, j, i] = x[o, index[o, j, i], i]; index and out share a shape, x differs only on the axis. */
export const gatherKernel: GpuKernel<"gather"> = (ctx, [x, index], out, { axis }) => {
  const total = sizeOf(out.shape);
  if (total === 0) return;
  const [, J, inner] = split(index.shape, axis);
  const n = x.shape[axis];
  const body = `  if (gi >= pu(0u)) { return; }
  let J = pu(4u); let inner = pu(5u); let n = pu(6u);
  let i = gi % inner; let o = gi / inner / J;
  let k = in1[pu(2u) + gi];
  var v = 0u;
  if (k >= 0 && u32(k) < n) { v = in0[pu(1u) + (o * n + u32(k)) * inner + i]; } else { oob(pu(7u), k, n, gi); }
  out0[pu(3u) + gi] = v;`;
  const code = `${header({ reads: ["u32", "i32"], writes: ["u32"], checked: true })}\n${entry1d(body)}`;
  const params = [total, x.offset, index.offset, out.offset, J, inner, n, indexSite(ctx, "gather", index.shape)];
  dispatch(ctx, "gather", code, [x.buf.buffer, index.buf.buffer], out, params, total, true);
};

/**
 * WGSL lines that unravel `gi` over a rank-`rank` shape stored at P[shapeAt..] into coordinates
 * c0..c{rank-1} (u32).
 */
function unravel(rank: number, shapeAt: number): string {
  const lines = ["  var rem = gi;"];
  for (let d = rank - 1; d >= 0; d--) lines.push(`  let c${d} = rem % pu(${shapeAt + d}u); rem = rem / pu(${shapeAt + d}u);`);
  return lines.join("\n");
}

/** Σ c_d * P[stridesAt + d] over d != skip (a WGSL u32 expression). */
function dot(rank: number, stridesAt: number, skip: number): string {
  const terms: string[] = [];
  for (let d = 0; d < rank; d++) if (d !== skip) terms.push(`c${d} * pu(${stridesAt + d}u)`);
  return terms.length ? terms.join(" + ") : "0u";
}

/** Above this many index loads (output size x J) with J > GATHER_J, scatterAdd uses atomics. */
const GATHER_LOADS = 1 << 24;
const GATHER_J = 64;

export const scatterAddKernel: GpuKernel<"scatterAdd"> = (ctx, [base, index, src], out, { axis }) => {
  const total = sizeOf(base.shape);
  if (total === 0) return;
  const rank = base.shape.length;
  const J = index.shape[axis];
  const t = wgslType(out.dtype, "scatterAdd");
  const is = contiguousStrides(index.shape), ss = contiguousStrides(src.shape), bs = contiguousStrides(base.shape);
  if (J <= GATHER_J || total * J <= GATHER_LOADS) {
    // Gather form. P: total, base/index/src/out offsets, J, base shape[rank], index shape[rank],
    // index strides[rank], src strides[rank].
    const S = 6, IS = S + rank, IT = IS + rank, ST = IT + rank, SITE = ST + rank;
    const params = [total, base.offset, index.offset, src.offset, out.offset, J, ...base.shape, ...index.shape, ...is, ...ss, indexSite(ctx, "scatterAdd", index.shape)];
    // An output element can be targeted only if its off-axis coordinates exist in index (which may be smaller).
    const inside = base.shape.map((_, d) => (d === axis ? "" : `c${d} < pu(${IS + d}u)`)).filter(Boolean);
    const body = `  if (gi >= pu(0u)) { return; }
${unravel(rank, S)}
  var acc = in0[pu(1u) + gi];
  if (${inside.length ? inside.join(" && ") : "true"}) {
    let k = i32(c${axis});
    let ib = pu(2u) + ${dot(rank, IT, axis)};
    let sb = pu(3u) + ${dot(rank, ST, axis)};
    for (var j = 0u; j < pu(5u); j++) {
      let at = ib + j * pu(${IT + axis}u);
      let kj = in1[at];
      if (kj == k) { acc += in2[sb + j * pu(${ST + axis}u)]; }
      // The threads at coordinate 0 on the axis see every index entry: they check the bounds.
      else if (c${axis} == 0u && (kj < 0 || u32(kj) >= pu(${S + axis}u))) { oob(pu(${SITE}u), kj, pu(${S + axis}u), at - pu(2u)); }
    }
  }
  out0[pu(4u) + gi] = acc;`;
    const code = `${header({ reads: [t, "i32", t], writes: [t], checked: true })}\n${entry1d(body)}`;
    dispatch(ctx, "scatterAdd", code, [base.buf.buffer, index.buf.buffer, src.buf.buffer], out, params, total, true);
    return;
  }
  // Atomic form: out = base, then one thread per index element adds its src value.
  copyKernel(ctx, [base], out);
  const m = sizeOf(index.shape);
  if (m === 0) return;
  // P: m, index/src/out offsets, base axis size, index shape[rank], src strides[rank], out strides[rank].
  const S = 5, ST = S + rank, OT = ST + rank, SITE = OT + rank;
  const params = [m, index.offset, src.offset, out.offset, base.shape[axis], ...index.shape, ...ss, ...bs, indexSite(ctx, "scatterAdd", index.shape)];
  const add = t === "f32"
    ? `loop {
      let old = atomicLoad(&out0[at]);
      let r = atomicCompareExchangeWeak(&out0[at], old, bitcast<u32>(bitcast<f32>(old) + v));
      if (r.exchanged) { break; }
    }`
    : `atomicAdd(&out0[at], v);`;
  const body = `  if (gi >= pu(0u)) { return; }
${unravel(rank, S)}
  let k = in0[pu(1u) + gi];
  if (k < 0 || u32(k) >= pu(4u)) { oob(pu(${SITE}u), k, pu(4u), gi); return; }
  let v = in1[pu(2u) + ${dot(rank, ST, -1)}];
  let at = pu(3u) + ${dot(rank, OT, axis)} + u32(k) * pu(${OT + axis}u);
  ${add}`;
  const atomic = t === "i32" ? "atomic<i32>" : "atomic<u32>";
  const code = `${header({ reads: ["i32", t], writes: [atomic], checked: true })}\n${entry1d(body)}`;
  dispatch(ctx, "scatterAdd atomic", code, [index.buf.buffer, src.buf.buffer], out, params, m, true);
};

/** out[p, c] = (index[p] == c) as float32; an out-of-range index gives a row of zeros (and is reported). */
export const oneHotKernel: GpuKernel<"oneHot"> = (ctx, [index], out, { numClasses }) => {
  const total = sizeOf(out.shape);
  if (total === 0) return;
  const body = `  if (gi >= pu(0u)) { return; }
  let C = pu(3u);
  let k = in0[pu(1u) + gi / C];
  if (gi % C == 0u && (k < 0 || u32(k) >= C)) { oob(pu(4u), k, C, gi / C); }
  out0[pu(2u) + gi] = select(0.0, 1.0, k >= 0 && u32(k) == gi % C);`;
  const code = `${header({ reads: ["i32"], writes: ["f32"], checked: true })}\n${entry1d(body)}`;
  const params = [total, index.offset, out.offset, numClasses, indexSite(ctx, "oneHot", index.shape)];
  dispatch(ctx, "oneHot", code, [index.buf.buffer], out, params, total, true);
};

/** One dispatch per input (a shader binds at most 8 storage buffers), each into its slice of out. */
export const concatKernel: GpuKernel<"concat"> = (ctx, ins, out, { axis }) => {
  const [, , inner] = split(out.shape, axis);
  const outRow = out.shape[axis] * inner;
  const body = `  if (gi >= pu(0u)) { return; }
  let len = pu(3u);
  let o = gi / len;
  out0[pu(2u) + o * pu(4u) + (gi - o * len)] = in0[pu(1u) + gi];`;
  const code = `${header({ reads: ["u32"], writes: ["u32"] })}\n${entry1d(body)}`;
  let at = 0;
  for (const x of ins) {
    const len = x.shape[axis] * inner;
    const n = sizeOf(x.shape);
    if (n > 0) dispatch(ctx, "concat", code, [x.buf.buffer], out, [n, x.offset, out.offset + at, len, outRow], n);
    at += len;
  }
};

/** The 32-bit word `value` is stored as in a buffer of `dtype` (as fillKernel converts it). */
function valueBits(view: GpuView, value: number): number {
  const t = wgslType(view.dtype, "pad");
  return t === "f32" ? f32bits(value) : t === "i32" ? i32bits(Math.trunc(value)) : value !== 0 ? 1 : 0;
}

/** Constant padding: one thread per output element, reading x where inside, else the value. */
export const padKernel: GpuKernel<"pad"> = (ctx, [x], out, { pads, value }) => {
  const total = sizeOf(out.shape);
  if (total === 0) return;
  const rank = out.shape.length;
  // P: total, x offset, out offset, value bits, out shape[rank], x shape[rank], before[rank], x strides[rank].
  const S = 4, XS = S + rank, B = XS + rank, XT = B + rank;
  const params = [total, x.offset, out.offset, valueBits(out, value), ...out.shape, ...x.shape, ...pads.map(([b]) => b), ...contiguousStrides(x.shape)];
  const lines = [`  if (gi >= pu(0u)) { return; }`, unravel(rank, S), "  var inside = true;", "  var xi = pu(1u);"];
  for (let d = 0; d < rank; d++) {
    // Unsigned wrap-around makes a coordinate before the padding huge, so one compare checks both ends.
    lines.push(`  { let e = c${d} - pu(${B + d}u); inside = inside && e < pu(${XS + d}u); xi += e * pu(${XT + d}u); }`);
  }
  lines.push("  var v = pu(3u);", "  if (inside) { v = in0[xi]; }", "  out0[pu(2u) + gi] = v;");
  const code = `${header({ reads: ["u32"], writes: ["u32"] })}\n${entry1d(lines.join("\n"))}`;
  dispatch(ctx, "pad", code, [x.buf.buffer], out, params, total);
};
