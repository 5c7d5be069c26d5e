/**
 * Softmax family on contiguous views, numerically stable like src/backend/reference/softmax.ts: the
 * row maximum is subtracted before exp. The maximum and the sum of exponentials come from one read
 * of the row ("online softmax", Milakov & Gimelshein 2018: the running sum is rescaled whenever the
 * running maximum grows), so a row is read twice in all (statistics, then the write).
 *
 * Layout [outer, n, inner] around the softmax axis. Rows along the last axis (inner = 1) longer than
 * 64 get one workgroup each (coalesced loads, a shared-memory tree over (max, sum) pairs); otherwise
 * one thread per (outer, inner) position, consecutive threads reading consecutive inner positions.
 *
 * softmaxCrossEntropy: an out-of-range label cannot raise from the GPU (the reference backend
 * throws); its example's loss is NaN and the label is recorded in the context's index-error flag,
 * so the next read throws the reference's message (context.ts).
 */
import { sizeOf } from "../../../core/index.js";
import type { OpAttrs } from "../../ops.js";
import type { GpuContext } from "../context.js";
import type { GpuView } from "../types.js";
import { entry1d, grid1d, header, wgslType } from "../wgsl.js";
import { ISNAN, entryGroups, groupGrid, rowWg, treeReduce } from "./reduce.js";

/**
 * State (m, s): running max, sum of exp(x - m). `upd` folds one value in, `comb` merges two states.
 * NaN propagates like Math.max; an all -inf prefix keeps s = 0 instead of exp(-inf - -inf) = NaN.
 */
const PRELUDE = `${ISNAN}
fn ninf_() -> f32 { return bitcast<f32>(0xff800000u | (P[0] & 0u)); }
fn nmax(a: f32, b: f32) -> f32 { return select(select(b, a, a > b), a + b, isnan_(a) || isnan_(b)); }
fn comb(m1: f32, s1: f32, m2: f32, s2: f32) -> vec2<f32> {
  let m = nmax(m1, m2);
  if (m == ninf_()) { return vec2<f32>(m, 0.0); }
  return vec2<f32>(m, s1 * exp(m1 - m) + s2 * exp(m2 - m));
}
// Folds x in: one exp on the common path (x not above the running max, finite); comb handles the rest.
fn upd(m: f32, s: f32, x: f32) -> vec2<f32> {
  if (x <= m && x > ninf_()) { return vec2<f32>(m, s + exp(x - m)); }
  return comb(m, s, x, 1.0);
}`;

/** Lines that leave the row statistics in `m`, `s` (thread kernel) for the row at `base`, stride `st`. */
function threadStats(n: string, base: string, st: string): string {
  return `  var m = ninf_(); var s = 0.0;
  for (var k = 0u; k < ${n}; k++) {
    let r = upd(m, s, in0[${base} + k * ${st}]);
    m = r.x; s = r.y;
  }`;
}

/** Row kernel statistics: each thread folds its strided share, then a tree merges the states; all threads read m, s. */
function groupStats(wg: number, n: string, base: string): string {
  return `  var m = ninf_(); var s = 0.0;
  for (var k = li; k < ${n}; k += ${wg}u) {
    let r = upd(m, s, in0[${base} + k]);
    m = r.x; s = r.y;
  }
  shm[li] = m; shs[li] = s;
${treeReduce(wg, "let r = comb(shm[li], shs[li], shm[li + w], shs[li + w]); shm[li] = r.x; shs[li] = r.y;")}
  m = shm[0]; s = shs[0];`;
}

const shared = (wg: number): string => `var<workgroup> shm: array<f32, ${wg}>;\nvar<workgroup> shs: array<f32, ${wg}>;\n`;

function softmaxLike(log: boolean) {
  const name = log ? "logSoftmax" : "softmax";
  return (ctx: GpuContext, [x]: readonly GpuView[], out: GpuView, { axis }: OpAttrs["softmax"]): void => {
    const outer = sizeOf(x.shape.slice(0, axis));
    const n = x.shape[axis];
    const inner = sizeOf(x.shape.slice(axis + 1));
    if (outer * n * inner === 0) return;
    wgslType(x.dtype, name);
    const write = (i: string, o: string): string =>
      log ? `out0[${o}] = (in0[${i}] - m) - log(s);` : `out0[${o}] = exp(in0[${i}] - m) / s;`;
    const params = [outer * inner, n, inner, x.offset, out.offset];
    const decl = `${header({ reads: ["f32"], writes: ["f32"] })}\n${PRELUDE}\n`;
    if (inner === 1 && n > 64) {
      const wg = rowWg(n);
      const code = ctx.shader(`softmax:${name}|rows|${wg}`, () => `${decl}${shared(wg)}${entryGroups(`  if (g >= pu(0u)) { return; }
  let row = g * pu(1u);
${groupStats(wg, "pu(1u)", "pu(3u) + row")}
  for (var k = li; k < pu(1u); k += ${wg}u) { ${write("pu(3u) + row + k", "pu(4u) + row + k")} }`, wg)}`);
      ctx.run({ name, code, reads: [x.buf.buffer], writes: [out.buf.buffer], params, groups: groupGrid(outer) });
      return;
    }
    const code = ctx.shader(`softmax:${name}|threads`, () => `${decl}${entry1d(`  if (gi >= pu(0u)) { return; }
  let row = (gi / pu(2u)) * pu(1u) * pu(2u) + gi % pu(2u);
${threadStats("pu(1u)", "pu(3u) + row", "pu(2u)")}
  for (var k = 0u; k < pu(1u); k++) { let j = row + k * pu(2u); ${write("pu(3u) + j", "pu(4u) + j")} }`)}`);
    ctx.run({ name, code, reads: [x.buf.buffer], writes: [out.buf.buffer], params, groups: grid1d(outer * inner) });
  };
}

export const softmaxKernel = softmaxLike(false);
export const logSoftmaxKernel = softmaxLike(true);

/** loss[i] = log(sum(exp(z[i,:] - m))) + m - z[i, y[i]]; NaN for a label outside [0, C) (and reported). */
export function softmaxCrossEntropyKernel(ctx: GpuContext, [z, y]: readonly GpuView[], out: GpuView): void {
  const [N, C] = z.shape;
  if (N === 0) return;
  wgslType(z.dtype, "softmaxCrossEntropy");
  const site = ctx.errorSite(`softmaxCrossEntropy|${N},${C}`, (v, n, p) => `softmaxCrossEntropy: label ${v} of example ${p} is out of range [0, ${n}) for logits [${N},${C}]`);
  const params = [N, C, z.offset, y.offset, out.offset, site];
  const decl = `${header({ reads: ["f32", "i32"], writes: ["f32"], checked: true })}\n${PRELUDE}\n`;
  const loss = (row: string, i: string): string => `let label = in1[pu(3u) + ${i}];
  var l = bitcast<f32>(0x7fc00000u | (P[0] & 0u));
  if (label >= 0i && u32(label) < pu(1u)) { l = log(s) + m - in0[pu(2u) + ${row} + u32(label)]; } else { oob(pu(5u), label, pu(1u), ${i}); }
  out0[pu(4u) + ${i}] = l;`;
  if (C > 64) {
    const wg = rowWg(C);
    const code = ctx.shader(`softmax:sce|rows|${wg}`, () => `${decl}${shared(wg)}${entryGroups(`  if (g >= pu(0u)) { return; }
  let row = g * pu(1u);
${groupStats(wg, "pu(1u)", "pu(2u) + row")}
  if (li == 0u) {
  ${loss("row", "g")}
  }`, wg)}`);
    ctx.run({ name: "softmaxCrossEntropy", code, reads: [z.buf.buffer, y.buf.buffer], writes: [out.buf.buffer], params, groups: groupGrid(N), checked: true });
    return;
  }
  const code = ctx.shader(`softmax:sce|threads`, () => `${decl}${entry1d(`  if (gi >= pu(0u)) { return; }
  let row = gi * pu(1u);
${threadStats("pu(1u)", "pu(2u) + row", "1u")}
  ${loss("row", "gi")}`)}`);
  ctx.run({ name: "softmaxCrossEntropy", code, reads: [z.buf.buffer, y.buf.buffer], writes: [out.buf.buffer], params, groups: grid1d(N), checked: true });
}
