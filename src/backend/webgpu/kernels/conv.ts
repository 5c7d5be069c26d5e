/**
 * conv2d and its two gradients as implicit GEMMs (no im2col buffer) on the tiled kernel of gemm.ts.
 * Layouts as in src/backend/reference/conv.ts: x [NB,C,H,W], w [O,C/G,KH,KW], y [NB,O,HO,WO], all
 * contiguous (offsets allowed); the G groups are the grid's z.
 *
 * - forward:         M = O/G (co),  N = NB*HO*WO (pixel), K = C/G*KH*KW; B is im2col read on the fly
 *                    (zero outside the padded input);
 * - backward input:  M = C/G (ci),  N = NB*H*W (input pixel), K = O/G*KH*KW, the gather form: gx[h]
 *                    sums gy[oh] over the taps with h + ph - kh*dh = oh*sh, 0 <= oh < HO (no scatter,
 *                    no atomics, every output written once);
 * - backward weight: M = O/G (co),  N = C/G*KH*KW, K = NB*HO*WO (long: gemm.ts splits K when the
 *                    M x N tile grid is too small to fill the GPU).
 *
 * Hoisted `pre` values carry what depends only on the row or column (image base offset and window
 * origin of a pixel, or a tap's channel and offsets); the per-element loaders decode only k.
 */
import type { Conv2dAttrs } from "../../ops.js";
import type { GpuKernel, GpuView } from "../types.js";
import { gemm } from "./gemm.js";

/** Shapes and attributes of one convolution (the reference backend's convGeom; webgpu may not import it). */
interface ConvGeom {
  N: number; C: number; H: number; W: number; O: number; KH: number; KW: number; HO: number; WO: number;
  sh: number; sw: number; ph: number; pw: number; dh: number; dw: number; G: number;
}

function convGeom(xShape: readonly number[], wShape: readonly number[], yShape: readonly number[], a: Conv2dAttrs): ConvGeom {
  return {
    N: xShape[0], C: xShape[1], H: xShape[2], W: xShape[3], O: wShape[0], KH: wShape[2], KW: wShape[3],
    HO: yShape[2], WO: yShape[3], sh: a.stride[0], sw: a.stride[1], ph: a.padding[0], pw: a.padding[1],
    dh: a.dilation[0], dw: a.dilation[1], G: a.groups,
  };
}

/** Geometry words shared by the three loaders. */
function geomParams(g: ConvGeom): { u: Record<string, number>; i: Record<string, number>; f: Record<string, number> } {
  const Cg = g.C / g.G, Og = g.O / g.G;
  // Reciprocals for udiv (gemm.ts): the loaders divide by these per element.
  const f = Object.fromEntries(Object.entries({ OHW: g.HO * g.WO, OW: g.WO, KHW: g.KH * g.KW, KW: g.KW, HW: g.H * g.W, W: g.W, SH: g.sh, SW: g.sw }).map(([k, v]) => [`R_${k}`, 1 / v]));
  return {
    f,
    u: {
      C: g.C, H: g.H, W: g.W, O: g.O, CG: Cg, OG: Og, KW: g.KW, KHW: g.KH * g.KW, HW: g.H * g.W, OW: g.WO, OHW: g.HO * g.WO,
      SH: g.sh, SW: g.sw,
    },
    i: { IH: g.H, IW: g.W, OH: g.HO, IOW: g.WO, PH: g.ph, PW: g.pw, DH: g.dh, DW: g.dw, ISH: g.sh, ISW: g.sw },
  };
}

const offs = (views: readonly GpuView[]): Record<string, number> => Object.fromEntries(views.map((v, i) => [`OFF${i}`, v.offset]));

/** Loader tail: x[p.x + c*HW + ih*W + iw], zero outside the input (padding); c, ih, iw are i32 locals. */
const X_TAP = `
  if (ih < 0 || ih >= IH || iw < 0 || iw >= IW) { return 0.0; }
  return in0[u32(p.x + c * i32(HW) + ih * IW + iw)];`;

export const conv2dKernel: GpuKernel<"conv2d"> = (ctx, [x, w], out, attrs) => {
  const g = convGeom(x.shape, w.shape, out.shape, attrs);
  const gp = geomParams(g);
  gemm(ctx, {
    name: "conv2d",
    M: g.O / g.G, N: g.N * g.HO * g.WO, K: (g.C / g.G) * g.KH * g.KW, Z: g.G,
    // A(co, k) = w[z*Og + co, k]: the weight rows are contiguous in k.
    a: { preType: "u32", pre: "  return OFF1 + (z * OG + i) * K_;", load: "  return in1[p + k];", kFast: true },
    // B(k, n): p = (image base + group's first channel, oh*sh - ph, ow*sw - pw).
    b: {
      preType: "vec3<i32>",
      pre: `  let b = udiv(i, OHW, R_OHW); let q = i - b * OHW; let oh = udiv(q, OW, R_OW); let ow = q - oh * OW;
  return vec3<i32>(i32(OFF0 + (b * C + z * CG) * HW), i32(oh * SH) - PH, i32(ow * SW) - PW);`,
      load: `  let ci = udiv(k, KHW, R_KHW); let r = k - ci * KHW; let kh = udiv(r, KW, R_KW); let kw = r - kh * KW;
  let ih = p.y + i32(kh) * DH; let iw = p.z + i32(kw) * DW; let c = i32(ci);
  ${X_TAP}`,
      kFast: false,
    },
    c: {
      preType: "u32",
      pre: "  let b = udiv(n, OHW, R_OHW); return OFF2 + b * O * OHW + (n - b * OHW);",
      store: "  out0[p + (z * OG + m) * OHW] = v;",
    },
    u: { ...gp.u, ...offs([x, w, out]) },
    i: gp.i,
    f: gp.f,
    reads: [x.buf.buffer, w.buf.buffer],
    out: out.buf.buffer,
  });
};

export const conv2dBackwardInputKernel: GpuKernel<"conv2dBackwardInput"> = (ctx, [gy, w], out, attrs) => {
  const g = convGeom(attrs.inputShape, w.shape, gy.shape, attrs);
  const gp = geomParams(g);
  gemm(ctx, {
    name: "conv2dBackwardInput",
    M: g.C / g.G, N: g.N * g.H * g.W, K: (g.O / g.G) * g.KH * g.KW, Z: g.G,
    // A(ci, k=(co,tap)) = w[z*Og + co, ci, tap].
    a: {
      preType: "u32",
      pre: "  return OFF1 + (z * OG * CG + i) * KHW;",
      load: "  let co = udiv(k, KHW, R_KHW); return in1[p + co * CG * KHW + (k - co * KHW)];",
      kFast: true,
    },
    // B(k=(co,kh,kw), n=(b,h,w)) = gy[b, z*Og + co, oh, ow] where h + ph - kh*dh = oh*sh (same for w).
    b: {
      preType: "vec3<i32>",
      pre: `  let b = udiv(i, HW, R_HW); let q = i - b * HW; let h = udiv(q, W, R_W); let w = q - h * W;
  return vec3<i32>(i32(OFF0 + (b * O + z * OG) * OHW), i32(h) + PH, i32(w) + PW);`,
      load: `  let co = udiv(k, KHW, R_KHW); let r = k - co * KHW; let kh = udiv(r, KW, R_KW); let kw = r - kh * KW;
  let th = p.y - i32(kh) * DH; let tw = p.z - i32(kw) * DW;
  if (th < 0 || tw < 0) { return 0.0; }
  let oh = i32(udiv(u32(th), SH, R_SH)); let ow = i32(udiv(u32(tw), SW, R_SW));
  if (oh * ISH != th || ow * ISW != tw || oh >= OH || ow >= IOW) { return 0.0; }
  return in0[u32(p.x + i32(co * OHW) + oh * IOW + ow)];`,
      kFast: false,
    },
    c: {
      preType: "u32",
      pre: "  let b = udiv(n, HW, R_HW); return OFF2 + b * C * HW + (n - b * HW);",
      store: "  out0[p + (z * CG + m) * HW] = v;",
    },
    u: { ...gp.u, ...offs([gy, w, out]) },
    i: gp.i,
    f: gp.f,
    reads: [gy.buf.buffer, w.buf.buffer],
    out: out.buf.buffer,
  });
};

export const conv2dBackwardWeightKernel: GpuKernel<"conv2dBackwardWeight"> = (ctx, [x, gy], out, attrs) => {
  const g = convGeom(x.shape, attrs.weightShape, gy.shape, attrs);
  const gp = geomParams(g);
  gemm(ctx, {
    name: "conv2dBackwardWeight",
    M: g.O / g.G, N: (g.C / g.G) * g.KH * g.KW, K: g.N * g.HO * g.WO, Z: g.G,
    // A(co, k=(b,q)) = gy[b, z*Og + co, q].
    a: {
      preType: "u32",
      pre: "  return OFF1 + (z * OG + i) * OHW;",
      load: "  let b = udiv(k, OHW, R_OHW); return in1[p + b * O * OHW + (k - b * OHW)];",
      kFast: true,
    },
    // B(k=(b,oh,ow), n=(ci,kh,kw)) = x[b, z*Cg + ci, oh*sh - ph + kh*dh, ow*sw - pw + kw*dw];
    // p = (channel base, kh*dh - ph, kw*dw - pw).
    b: {
      preType: "vec3<i32>",
      pre: `  let ci = udiv(i, KHW, R_KHW); let r = i - ci * KHW; let kh = udiv(r, KW, R_KW); let kw = r - kh * KW;
  return vec3<i32>(i32(OFF0 + (z * CG + ci) * HW), i32(kh) * DH - PH, i32(kw) * DW - PW);`,
      load: `  let b = udiv(k, OHW, R_OHW); let q = k - b * OHW; let oh = udiv(q, OW, R_OW); let ow = q - oh * OW;
  let ih = i32(oh * SH) + p.y; let iw = i32(ow * SW) + p.z; let c = i32(b * C);
  ${X_TAP}`,
      kFast: true,
    },
    c: {
      preType: "u32",
      pre: "  return OFF2 + n;",
      store: "  out0[p + (z * OG + m) * N_] = v;",
    },
    u: { ...gp.u, ...offs([x, gy, out]) },
    i: gp.i,
    f: gp.f,
    reads: [x.buf.buffer, gy.buf.buffer],
    out: out.buf.buffer,
  });
};
