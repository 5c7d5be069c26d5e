/**
 * The kernel-side Winograd transforms (scalar; they run once per call on O x C kernels): the forward
 * weight transform U = G k G^T and the weight gradient gw = G^T Mw G (kernels/winograd.ts).
 */
import type { Fn, ModuleBuilder } from "../asm.js";
import { ALPHA, WINO, winoTile } from "./winograd-math.js";

/** Pushes Σ_k coefs[k] * in(k) for scalars (f32); zeros skipped. */
function lincombScalar(f: Fn, coefs: readonly number[], push: (k: number) => void): void {
  let first = true;
  coefs.forEach((c, k) => {
    if (c === 0) return;
    push(k);
    if (c !== 1) f.f(c).op("f32.mul");
    if (!first) f.op("f32.add");
    first = false;
  });
  if (first) f.f(0);
}

/**
 * wino_wt_r(U, w, O, C, so, sc, sh, sw): U[ξ][o][c] = (G k_{o,c} G^T)[ξ] for the r x r kernels
 * k_{o,c}[kh][kw] at w + o*so + c*sc + kh*sh + kw*sw (byte strides; negative ones read a flipped kernel).
 */
export function emitWeights(mod: ModuleBuilder, r: number): void {
  const { G } = WINO[winoTile(r)];
  mod.fn(`wino_wt_${r}`, new Array(8).fill("i32"), [], (f, U, w, O, C, so, sc, sh, sw) => {
    const [o, c, p, q, OC4] = f.locals(5);
    const k = f.locals(r * r, "f32"), t = f.locals(ALPHA * r, "f32");
    f.i(O).i(C).op("i32.mul").i(2).op("i32.shl").set(OC4);
    f.for(o, 0, O, 1, () => {
      f.for(c, 0, C, 1, () => {
        f.i(o).i(so).op("i32.mul").i(c).i(sc).op("i32.mul").op("i32.add").i(w).op("i32.add").set(p);
        for (let kh = 0; kh < r; kh++) {
          f.mov(q, p);
          for (let kw = 0; kw < r; kw++) {
            f.get(q).mem("f32.load").set(k[kh * r + kw]);
            if (kw + 1 < r) f.inc(q, sw);
          }
          if (kh + 1 < r) f.inc(p, sh);
        }
        // t = G · k (6 x r), then U = t · G^T.
        for (let i = 0; i < ALPHA; i++) {
          for (let kw = 0; kw < r; kw++) {
            lincombScalar(f, G[i], (kh) => void f.get(k[kh * r + kw]));
            f.set(t[i * r + kw]);
          }
        }
        // q = U + (o*C + c)*4, then ξ steps of O*C*4.
        f.i(o).i(C).op("i32.mul").i(c).op("i32.add").i(2).op("i32.shl").i(U).op("i32.add").set(q);
        for (let i = 0; i < ALPHA; i++) {
          for (let j = 0; j < ALPHA; j++) {
            f.get(q);
            lincombScalar(f, G[j], (kw) => void f.get(t[i * r + kw]));
            f.mem("f32.store");
            if (i * ALPHA + j + 1 < 36) f.inc(q, OC4);
          }
        }
      });
    });
  });
}

/** wino_wgrad_r(gw, Mw, O, C): gw[o][c] (r x r) = G^T Mw[·][c][o] G, with Mw [36][C][O]. */
export function emitWeightGrad(mod: ModuleBuilder, r: number): void {
  const { G } = WINO[winoTile(r)];
  mod.fn(`wino_wgrad_${r}`, new Array(4).fill("i32"), [], (f, gw, Mw, O, C) => {
    const [o, c, p, q, CO4] = f.locals(5);
    const mv = f.locals(36, "f32"), t = f.locals(ALPHA * r, "f32");
    f.i(C).i(O).op("i32.mul").i(2).op("i32.shl").set(CO4);
    f.mov(q, gw);
    f.for(o, 0, O, 1, () => {
      f.for(c, 0, C, 1, () => {
        f.i(c).i(O).op("i32.mul").i(o).op("i32.add").i(2).op("i32.shl").i(Mw).op("i32.add").set(p);
        for (let x = 0; x < 36; x++) {
          f.get(p).mem("f32.load").set(mv[x]);
          if (x + 1 < 36) f.inc(p, CO4);
        }
        // t[i][kw] = Σ_j Mw[i][j] G[j][kw]; gw[kh][kw] = Σ_i G[i][kh] t[i][kw].
        for (let i = 0; i < ALPHA; i++) {
          for (let kw = 0; kw < r; kw++) {
            lincombScalar(f, G.map((row) => row[kw]), (j) => void f.get(mv[i * ALPHA + j]));
            f.set(t[i * r + kw]);
          }
        }
        for (let kh = 0; kh < r; kh++) {
          for (let kw = 0; kw < r; kw++) {
            f.get(q);
            lincombScalar(f, G.map((row) => row[kh]), (i) => void f.get(t[i * r + kw]));
            f.mem("f32.store", 4 * (kh * r + kw));
          }
        }
        f.inc(q, r * r * 4);
      });
    });
  });
}
