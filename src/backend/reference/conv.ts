/**
 * Reference conv2d via im2col + GEMM (Chellapilla et al. 2006), with groups, stride, zero padding and
 * dilation. Backward input is GEMM + col2im; backward weight is GEMM against the same columns.
 * Layouts: x [N,C,H,W], w [O,C/groups,KH,KW], y [N,O,HO,WO]; all contiguous.
 */
import type { TypedArray } from "../../core/index.js";
import type { Conv2dAttrs } from "../ops.js";
import { gemm } from "./gemm.js";

export interface ConvGeom {
  N: number; C: number; H: number; W: number; O: number; KH: number; KW: number; HO: number; WO: number;
  sh: number; sw: number; ph: number; pw: number; dh: number; dw: number; G: number;
}

export function convGeom(xShape: readonly number[], wShape: readonly number[], yShape: readonly number[], a: Conv2dAttrs): ConvGeom {
  return {
    N: xShape[0], C: xShape[1], H: xShape[2], W: xShape[3], O: wShape[0], KH: wShape[2], KW: wShape[3],
    HO: yShape[2], WO: yShape[3], sh: a.stride[0], sw: a.stride[1], ph: a.padding[0], pw: a.padding[1],
    dh: a.dilation[0], dw: a.dilation[1], G: a.groups,
  };
}

/** cols[(c*KH+kh)*KW+kw, oh*WO+ow] = x[n, c0+c, oh*sh-ph+kh*dh, ow*sw-pw+kw*dw] (0 outside). */
function im2col(g: ConvGeom, x: TypedArray, xOff: number, c0: number, Cg: number, cols: TypedArray): void {
  const { H, W, KH, KW, HO, WO, sh, sw, ph, pw, dh, dw } = g;
  const P = HO * WO;
  for (let c = 0; c < Cg; c++) {
    const xc = xOff + (c0 + c) * H * W;
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        const row = ((c * KH + kh) * KW + kw) * P;
        for (let oh = 0; oh < HO; oh++) {
          const ih = oh * sh - ph + kh * dh;
          const r = row + oh * WO;
          if (ih < 0 || ih >= H) {
            cols.fill(0, r, r + WO);
            continue;
          }
          const xr = xc + ih * W;
          for (let ow = 0; ow < WO; ow++) {
            const iw = ow * sw - pw + kw * dw;
            cols[r + ow] = iw >= 0 && iw < W ? x[xr + iw] : 0;
          }
        }
      }
    }
  }
}

/** Adjoint of im2col: scatters-adds columns back into gx. */
function col2im(g: ConvGeom, cols: TypedArray, gx: TypedArray, xOff: number, c0: number, Cg: number): void {
  const { H, W, KH, KW, HO, WO, sh, sw, ph, pw, dh, dw } = g;
  const P = HO * WO;
  for (let c = 0; c < Cg; c++) {
    const xc = xOff + (c0 + c) * H * W;
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        const row = ((c * KH + kh) * KW + kw) * P;
        for (let oh = 0; oh < HO; oh++) {
          const ih = oh * sh - ph + kh * dh;
          if (ih < 0 || ih >= H) continue;
          const xr = xc + ih * W;
          const r = row + oh * WO;
          for (let ow = 0; ow < WO; ow++) {
            const iw = ow * sw - pw + kw * dw;
            if (iw >= 0 && iw < W) gx[xr + iw] += cols[r + ow];
          }
        }
      }
    }
  }
}

export function conv2dForward(g: ConvGeom, x: TypedArray, xo: number, w: TypedArray, wo: number, y: TypedArray, yo: number): void {
  const Cg = g.C / g.G, Og = g.O / g.G, P = g.HO * g.WO, Kc = Cg * g.KH * g.KW;
  const cols = new (x.constructor as new (n: number) => TypedArray)(Kc * P);
  for (let n = 0; n < g.N; n++) {
    for (let grp = 0; grp < g.G; grp++) {
      im2col(g, x, xo + n * g.C * g.H * g.W, grp * Cg, Cg, cols);
      gemm(Og, P, Kc, w, wo + grp * Og * Kc, false, cols, 0, false, y, yo + (n * g.O + grp * Og) * P, false);
    }
  }
}

export function conv2dBackwardInput(g: ConvGeom, gy: TypedArray, gyo: number, w: TypedArray, wo: number, gx: TypedArray, gxo: number): void {
  const Cg = g.C / g.G, Og = g.O / g.G, P = g.HO * g.WO, Kc = Cg * g.KH * g.KW;
  const cols = new (gy.constructor as new (n: number) => TypedArray)(Kc * P);
  gx.fill(0, gxo, gxo + g.N * g.C * g.H * g.W);
  for (let n = 0; n < g.N; n++) {
    for (let grp = 0; grp < g.G; grp++) {
      // cols = W_g^T [Kc,Og] · gy_g [Og,P]
      gemm(Kc, P, Og, w, wo + grp * Og * Kc, true, gy, gyo + (n * g.O + grp * Og) * P, false, cols, 0, false);
      col2im(g, cols, gx, gxo + n * g.C * g.H * g.W, grp * Cg, Cg);
    }
  }
}

export function conv2dBackwardWeight(g: ConvGeom, x: TypedArray, xo: number, gy: TypedArray, gyo: number, gw: TypedArray, gwo: number): void {
  const Cg = g.C / g.G, Og = g.O / g.G, P = g.HO * g.WO, Kc = Cg * g.KH * g.KW;
  const cols = new (x.constructor as new (n: number) => TypedArray)(Kc * P);
  gw.fill(0, gwo, gwo + g.O * Kc);
  for (let n = 0; n < g.N; n++) {
    for (let grp = 0; grp < g.G; grp++) {
      im2col(g, x, xo + n * g.C * g.H * g.W, grp * Cg, Cg, cols);
      // gW_g [Og,Kc] += gy_g [Og,P] · cols^T [P,Kc]
      gemm(Og, Kc, P, gy, gyo + (n * g.O + grp * Og) * P, false, cols, 0, true, gw, gwo + grp * Og * Kc, true);
    }
  }
}
