/**
 * 2-D max and average pooling on [N,C,H,W] (contiguous inputs, possibly at an offset), forward and
 * backward, with the reference backend's exact semantics (src/backend/reference/pool.ts):
 * - max: the first maximum in scan order (kh, then kw) wins a tie; a NaN wins and ends the scan;
 *   padding never wins;
 * - avg: divisor KH*KW with countIncludePad, else the number of in-bounds elements.
 *
 * Forward kernels run one thread per output element; consecutive threads are consecutive `ow`, so a
 * warp reads neighbouring window rows (coalesced). Backward kernels are in gather form (one thread per
 * input element summing the windows that cover it, oh then ow ascending: the reference's order, so
 * max-pool gradients are bit-identical) and need no atomics.
 *
 * Max-pool backward recomputes each covering window's argmax when windows do not overlap (stride >=
 * kernel: each input lies in at most one window, so one pass reading x once is cheapest); with
 * overlapping windows a first pass stores every window's argmax (an i32 per output, pooled scratch)
 * so each input reads one index per covering window instead of rescanning KH*KW values.
 *
 * The window geometry (H, W, HO, WO, kernel, stride, padding) is baked into the shader as constants:
 * loops unroll and the index divisions become multiplies; a network has only a few pooling
 * configurations, so few pipelines. Only the element count and offsets travel as parameters.
 */
import { sizeOf } from "../../../core/index.js";
import type { Pool2dAttrs } from "../../ops.js";
import type { GpuContext } from "../context.js";
import type { GpuKernel, GpuView } from "../types.js";
import { entry1d, grid1d, header, wgslType } from "../wgsl.js";

interface Geom {
  readonly NC: number;
  readonly H: number;
  readonly W: number;
  readonly HO: number;
  readonly WO: number;
}

function geomOf(xShape: readonly number[], yShape: readonly number[]): Geom {
  return { NC: xShape[0] * xShape[1], H: xShape[2], W: xShape[3], HO: yShape[2], WO: yShape[3] };
}

/** Geometry constants (i32 and u32 flavours) and the helpers every pooling shader uses. */
function prelude(g: Geom, a: Pool2dAttrs): string {
  const [KH, KW] = a.kernel, [SH, SW] = a.stride, [PH, PW] = a.padding;
  const ints: Record<string, number> = { H: g.H, W: g.W, HO: g.HO, WO: g.WO, KH, KW, SH, SW, PH, PW };
  const lines = Object.entries(ints).map(([k, v]) => `const ${k}: i32 = ${v}; const ${k}u: u32 = ${v}u;`);
  lines.push(
    "fn isnan_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }",
    // First output row/column whose window covers input position i (padding p, kernel k, stride s).
    "fn lo_(i: i32, p: i32, k: i32, s: i32) -> i32 { let t = i + p - k + 1; return select(0, (t + s - 1) / s, t > 0); }",
  );
  return lines.join("\n");
}

/** WGSL: the in-plane index (ih*W + iw) of the window's maximum under the reference's tie rule, or -1. */
const ARGMAX = `
fn argmax_(base: u32, oh: i32, ow: i32) -> i32 {
  var best = 0.0;
  var bi = -1;
  for (var kh = 0; kh < KH; kh++) {
    let ih = oh * SH - PH + kh;
    if (ih < 0 || ih >= H) { continue; }
    for (var kw = 0; kw < KW; kw++) {
      let iw = ow * SW - PW + kw;
      if (iw < 0 || iw >= W) { continue; }
      let v = in0[base + u32(ih * W + iw)];
      if (isnan_(v)) { return ih * W + iw; }
      if (bi < 0 || v > best) { best = v; bi = ih * W + iw; }
    }
  }
  return bi;
}`;

/** Splits the output-element index `gi` into nc, oh, ow. */
const OUT_COORDS = "  let ow = i32(gi % WOu); let t = gi / WOu; let oh = i32(t % HOu); let nc = t / HOu;";
/** Splits the input-element index `gi` into nc, ih, iw and the range of covering windows. */
const IN_COORDS = `  let iw = i32(gi % Wu); let t = gi / Wu; let ih = i32(t % Hu); let nc = t / Hu;
  let oh0 = lo_(ih, PH, KH, SH); let oh1 = min((ih + PH) / SH, HO - 1);
  let ow0 = lo_(iw, PW, KW, SW); let ow1 = min((iw + PW) / SW, WO - 1);`;

function run(ctx: GpuContext, name: string, code: string, reads: readonly GpuView[], out: { buffer: GPUBuffer }, params: number[], threads: number, extraReads: GPUBuffer[] = []): void {
  ctx.run({ name, code, reads: [...reads.map((v) => v.buf.buffer), ...extraReads], writes: [out.buffer], params: [threads, ...params], groups: grid1d(threads) });
}

export const maxPool2dKernel: GpuKernel<"maxPool2d"> = (ctx, [x], out, a) => {
  const g = geomOf(x.shape, out.shape);
  const n = sizeOf(out.shape);
  if (n === 0) return;
  const t = wgslType(x.dtype, "maxPool2d");
  // P: n, x offset, out offset, then -inf's bits (an empty window; cannot happen with padding <= kernel/2).
  const body = `  if (gi >= pu(0u)) { return; }
${OUT_COORDS}
  let base = pu(1u) + nc * (Hu * Wu);
  let bi = argmax_(base, oh, ow);
  out0[pu(2u) + gi] = select(pf(3u), in0[base + u32(max(bi, 0))], bi >= 0);`;
  const code = `${header({ reads: [t], writes: [t] })}\n${prelude(g, a)}\n${ARGMAX}\n${entry1d(body)}`;
  run(ctx, "maxPool2d", code, [x], out.buf, [x.offset, out.offset, 0xff800000], n);
};

export const maxPool2dBackwardKernel: GpuKernel<"maxPool2dBackward"> = (ctx, [gy, x], out, a) => {
  const g = geomOf(x.shape, gy.shape);
  const n = sizeOf(x.shape);
  if (n === 0) return;
  const t = wgslType(gy.dtype, "maxPool2dBackward");
  const overlap = a.stride[0] < a.kernel[0] || a.stride[1] < a.kernel[1];
  // Gather-form body: `arg(o)` is the argmax (in-plane index) of output o = (nc, oh, ow).
  const gather = (arg: string): string => `  if (gi >= pu(0u)) { return; }
${IN_COORDS}
  let me = ih * W + iw;
  var acc = ${t}(0);
  for (var oh = oh0; oh <= oh1; oh++) {
    for (var ow = ow0; ow <= ow1; ow++) {
      let o = (nc * HOu + u32(oh)) * WOu + u32(ow);
      if (${arg} == me) { acc += in1[pu(1u) + o]; }
    }
  }
  out0[pu(3u) + gi] = acc;`;
  if (!overlap) {
    // Bindings: in0 = x (argmax_ reads in0), in1 = gy. P: n, gy offset, x offset, out offset.
    const code = `${header({ reads: [t, t], writes: [t] })}\n${prelude(g, a)}\n${ARGMAX}\n${entry1d(gather("argmax_(pu(2u) + nc * (Hu * Wu), oh, ow)"))}`;
    ctx.run({ name: "maxPool2dBackward", code, reads: [x.buf.buffer, gy.buf.buffer], writes: [out.buf.buffer], params: [n, gy.offset, x.offset, out.offset], groups: grid1d(n) });
    return;
  }
  // Pass 1: every window's argmax into scratch (one i32 per output element).
  const m = g.NC * g.HO * g.WO;
  const scratch = ctx.pool.acquire(m * 4);
  const argBody = `  if (gi >= pu(0u)) { return; }
${OUT_COORDS}
  out0[gi] = argmax_(pu(1u) + nc * (Hu * Wu), oh, ow);`;
  const argCode = `${header({ reads: [t], writes: ["i32"] })}\n${prelude(g, a)}\n${ARGMAX}\n${entry1d(argBody)}`;
  run(ctx, "maxPool2dBackward argmax", argCode, [x], scratch, [x.offset], m);
  // Pass 2: bindings in0 = argmax scratch, in1 = gy. P: n, gy offset, (unused), out offset.
  const code = `${header({ reads: ["i32", t], writes: [t] })}\n${prelude(g, a)}\n${entry1d(gather("in0[o]"))}`;
  ctx.run({ name: "maxPool2dBackward", code, reads: [scratch.buffer, gy.buf.buffer], writes: [out.buf.buffer], params: [n, gy.offset, 0, out.offset], groups: grid1d(n) });
  // Safe at once: the queue orders the next user of this buffer after these dispatches (context.ts).
  ctx.pool.release(scratch.buffer, scratch.capacity);
};

/** WGSL: the divisor of window (oh, ow): KH*KW with countIncludePad, else its in-bounds size. */
function divisor(includePad: boolean): string {
  return includePad
    ? "fn count_(oh: i32, ow: i32) -> f32 { return f32(KH * KW); }"
    : `fn count_(oh: i32, ow: i32) -> f32 {
  let h0 = oh * SH - PH; let w0 = ow * SW - PW;
  return f32((min(h0 + KH, H) - max(h0, 0)) * (min(w0 + KW, W) - max(w0, 0)));
}`;
}

export const avgPool2dKernel: GpuKernel<"avgPool2d"> = (ctx, [x], out, a) => {
  const g = geomOf(x.shape, out.shape);
  const n = sizeOf(out.shape);
  if (n === 0) return;
  const t = wgslType(x.dtype, "avgPool2d");
  const body = `  if (gi >= pu(0u)) { return; }
${OUT_COORDS}
  let base = pu(1u) + nc * (Hu * Wu);
  var s = 0.0;
  for (var kh = 0; kh < KH; kh++) {
    let ih = oh * SH - PH + kh;
    if (ih < 0 || ih >= H) { continue; }
    for (var kw = 0; kw < KW; kw++) {
      let iw = ow * SW - PW + kw;
      if (iw < 0 || iw >= W) { continue; }
      s += in0[base + u32(ih * W + iw)];
    }
  }
  out0[pu(2u) + gi] = s / count_(oh, ow);`;
  const code = `${header({ reads: [t], writes: [t] })}\n${prelude(g, a)}\n${divisor(a.countIncludePad)}\n${entry1d(body)}`;
  run(ctx, "avgPool2d", code, [x], out.buf, [x.offset, out.offset], n);
};

export const avgPool2dBackwardKernel: GpuKernel<"avgPool2dBackward"> = (ctx, [gy], out, a) => {
  const g = geomOf(a.inputShape, gy.shape);
  const n = sizeOf(a.inputShape);
  if (n === 0) return;
  const t = wgslType(gy.dtype, "avgPool2dBackward");
  const body = `  if (gi >= pu(0u)) { return; }
${IN_COORDS}
  var acc = 0.0;
  for (var oh = oh0; oh <= oh1; oh++) {
    for (var ow = ow0; ow <= ow1; ow++) {
      acc += in0[pu(1u) + (nc * HOu + u32(oh)) * WOu + u32(ow)] / count_(oh, ow);
    }
  }
  out0[pu(2u) + gi] = acc;`;
  const code = `${header({ reads: [t], writes: [t] })}\n${prelude(g, a)}\n${divisor(a.countIncludePad)}\n${entry1d(body)}`;
  run(ctx, "avgPool2dBackward", code, [gy], out.buf, [gy.offset, out.offset], n);
};
