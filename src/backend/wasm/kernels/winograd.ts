/**
 * Stride-1 convolution by Winograd's minimal filtering (Lavin & Gray 2016): F(4x4, 3x3) for 3x3
 * kernels and F(2x2, 5x5) for 5x5, both on 6x6 input tiles (matrices: winograd-math.ts). Per tile the
 * direct method spends r^2 multiplies per output; Winograd spends 36/m^2 (2.25 for 3x3, 9 for 5x5
 * against 9 and 25), moved into 36 independent GEMMs over channels:
 *
 *   V[ξ][c][t] = (B^T d_{c,t} B)[ξ]        input transform, ξ = one of the 36 tile positions
 *   M[ξ]       = U[ξ] · V[ξ]               [O x C] · [C x tiles] with U[ξ][o][c] = (G w_{o,c} G^T)[ξ]
 *   y_{o,t}    = A^T M[·][o][t] A          output transform (m x m outputs per tile)
 *
 * The transforms are emitted as straight-line SIMD code with the matrix coefficients as constants
 * (zeros skipped, ±1 as add/sub), vectorized over four horizontally adjacent tiles: the tiles of a
 * group read input columns m apart, gathered from unaligned loads by shuffles. The GEMMs are the
 * packed GEMM of gemm.ts with U pre-packed once per call.
 *
 * Work units are (image, band of tile rows); each writes its own output band, so results are
 * bit-identical on any number of threads (winograd-tasks.ts). Backward input of a stride-1 convolution
 * is the forward convolution of dy with the flipped, transposed kernel and padding r-1-p (fast.ts);
 * the kernel transforms are in winograd-weights.ts.
 */
import type { Fn, Local, ModuleBuilder } from "../asm.js";
import type { GemmExports } from "./gemm.js";
import { ALPHA, WINO } from "./winograd-math.js";
import { emitWeightGrad, emitWeights } from "./winograd-weights.js";

export { WINO, winoTile } from "./winograd-math.js";

export interface WinogradExports extends GemmExports {
  fill_bytes(dst: number, value: number, n: number): void;
  /** V[c][ξ][t] for tile rows [i0, i1) of a padded image xp [C][Hp][Wp]; t = (i-i0)*twp + j. */
  wino_in_2(V: number, xp: number, C: number, Hp: number, Wp: number, i0: number, i1: number, twp: number, Tc: number, hs: number): void;
  wino_in_4(V: number, xp: number, C: number, Hp: number, Wp: number, i0: number, i1: number, twp: number, Tc: number, hs: number): void;
  /** The paired-rows variants (twp = 2, i0 and i1 even). */
  wino_in_4p(V: number, xp: number, C: number, Hp: number, Wp: number, i0: number, i1: number, twp: number, Tc: number, hs: number): void;
  wino_out_4p(y: number, ldy: number, plane: number, M: number, O: number, Tc: number, rows: number, twp: number, ss: number, nrows: number, ncols: number): void;
  wino_gy_4p(W: number, gyp: number, O: number, Hq: number, Wq: number, i0: number, i1: number, twp: number, Tc: number, hs: number): void;
  /** The output rows of a band from M[o][ξ][t]: row a of channel o at y + o*plane + a*ldy, clipped to nrows x ncols. */
  wino_out_2(y: number, ldy: number, plane: number, M: number, O: number, Tc: number, rows: number, twp: number, ss: number, nrows: number, ncols: number): void;
  wino_out_4(y: number, ldy: number, plane: number, M: number, O: number, Tc: number, rows: number, twp: number, ss: number, nrows: number, ncols: number): void;
  /** U[ξ][o][c] from r x r kernels at w + o*so + c*sc + kh*sh + kw*sw (byte strides). */
  wino_wt_3(U: number, w: number, O: number, C: number, so: number, sc: number, sh: number, sw: number): void;
  wino_wt_5(U: number, w: number, O: number, C: number, so: number, sc: number, sh: number, sw: number): void;
  /** W[o][ξ][t] from a zero-extended output gradient gyp [O][Hq][Wq] (tile rows [i0, i1)). */
  wino_gy_2(W: number, gyp: number, O: number, Hq: number, Wq: number, i0: number, i1: number, twp: number, Tc: number, hs: number): void;
  wino_gy_4(W: number, gyp: number, O: number, Hq: number, Wq: number, i0: number, i1: number, twp: number, Tc: number, hs: number): void;
  /** gw [O][C][r][r] from the accumulated products Mw [36][C][O]. */
  wino_wgrad_3(gw: number, Mw: number, O: number, C: number): void;
  wino_wgrad_5(gw: number, Mw: number, O: number, C: number): void;
  /** Zero-padded copy xp [C][Hp][Wp] of x [C][H][W], the interior at (ph, pw). */
  wino_pad(xp: number, x: number, C: number, H: number, W: number, ph: number, pw: number, Hp: number, Wp: number): void;
}

/** Pushes Σ_k coefs[k] * in(k) (a vector); coefficients 0 are skipped, ±1 are adds/subtracts. */
function lincomb(f: Fn, coefs: readonly number[], push: (k: number) => void): void {
  let first = true;
  coefs.forEach((c, k) => {
    if (c === 0) return;
    push(k);
    if (first) {
      if (c === -1) f.op("f32x4.neg");
      else if (c !== 1) f.f32x4(c).op("f32x4.mul");
      first = false;
      return;
    }
    if (c === 1) f.op("f32x4.add");
    else if (c === -1) f.op("f32x4.sub");
    else f.f32x4(c).op("f32x4.mul").op("f32x4.add");
  });
  if (first) f.v128zero();
}

/** out[j] = lane j of v[0..3] (a 4x4 transpose in eight shuffles through t; out may be v). */
function transpose4(f: Fn, v: readonly Local[], t: readonly Local[], out: readonly Local[]): void {
  f.get(v[0]).get(v[1]).shuffle32([0, 4, 1, 5]).set(t[0]).get(v[0]).get(v[1]).shuffle32([2, 6, 3, 7]).set(t[1]);
  f.get(v[2]).get(v[3]).shuffle32([0, 4, 1, 5]).set(t[2]).get(v[2]).get(v[3]).shuffle32([2, 6, 3, 7]).set(t[3]);
  f.get(t[0]).get(t[2]).shuffle32([0, 1, 4, 5]).set(out[0]).get(t[0]).get(t[2]).shuffle32([2, 3, 6, 7]).set(out[1]);
  f.get(t[1]).get(t[3]).shuffle32([0, 1, 4, 5]).set(out[2]).get(t[1]).get(t[3]).shuffle32([2, 3, 6, 7]).set(out[3]);
}

/**
 * The six input columns q = 0..5 of four tiles m apart, starting at byte address p:
 * X[q] = [p[q], p[q+m], p[q+2m], p[q+3m]].
 */
function gather(f: Fn, m: number, p: Local, X: readonly Local[]): void {
  if (m === 2) {
    const [a, b] = f.locals(2, "v128");
    for (let q = 0; q < ALPHA; q += 2) {
      f.get(p).mem("v128.load", 4 * q, 0).set(a).get(p).mem("v128.load", 4 * (q + 4), 0).set(b);
      f.get(a).get(b).shuffle32([0, 2, 4, 6]).set(X[q]);
      f.get(a).get(b).shuffle32([1, 3, 5, 7]).set(X[q + 1]);
    }
    return;
  }
  // m = 4: a 4x4 transpose of p[0..15] gives q = 0..3; q = 4, 5 shift in p[16], p[17].
  const v = f.locals(4, "v128"), t = f.locals(4, "v128");
  for (let k = 0; k < 4; k++) f.get(p).mem("v128.load", 16 * k, 0).set(v[k]);
  transpose4(f, v, t, X);
  f.get(X[0]).get(p).mem("v128.load32_splat", 64, 2).shuffle32([1, 2, 3, 4]).set(X[4]);
  f.get(X[1]).get(p).mem("v128.load32_splat", 68, 2).shuffle32([1, 2, 3, 4]).set(X[5]);
}

/**
 * Paired rows (m = 4, two tiles per row): the 2 x 2 tiles (i,0), (i,1), (i+1,0), (i+1,1), input rows
 * at p and p2 = p + m rows: X[q] = [p[q], p[q+4], p2[q], p2[q+4]].
 */
function gatherPair(f: Fn, p: Local, p2: Local, X: readonly Local[]): void {
  const [a, b, c, d, e, g, t0, t1, u0, u1] = f.locals(10, "v128");
  f.get(p).mem("v128.load", 0, 0).set(a).get(p).mem("v128.load", 16, 0).set(b).get(p).mem("v128.load", 32, 0).set(c);
  f.get(p2).mem("v128.load", 0, 0).set(d).get(p2).mem("v128.load", 16, 0).set(e).get(p2).mem("v128.load", 32, 0).set(g);
  f.get(a).get(b).shuffle32([0, 4, 1, 5]).set(t0).get(a).get(b).shuffle32([2, 6, 3, 7]).set(t1);
  f.get(d).get(e).shuffle32([0, 4, 1, 5]).set(u0).get(d).get(e).shuffle32([2, 6, 3, 7]).set(u1);
  f.get(t0).get(u0).shuffle32([0, 1, 4, 5]).set(X[0]).get(t0).get(u0).shuffle32([2, 3, 6, 7]).set(X[1]);
  f.get(t1).get(u1).shuffle32([0, 1, 4, 5]).set(X[2]).get(t1).get(u1).shuffle32([2, 3, 6, 7]).set(X[3]);
  f.get(b).get(c).shuffle32([0, 4, 1, 5]).set(t0).get(e).get(g).shuffle32([0, 4, 1, 5]).set(u0);
  f.get(t0).get(u0).shuffle32([0, 1, 4, 5]).set(X[4]).get(t0).get(u0).shuffle32([2, 3, 6, 7]).set(X[5]);
}

/** The first (horizontal) pass of a tile transform for input row ρ: hs[ρ][ξw] = Σ_q M[ξw][q] X[q]. */
function horizontalRow(f: Fn, M: readonly (readonly number[])[], hs: Local, rho: number, X: readonly Local[]): void {
  for (let xw = 0; xw < ALPHA; xw++) {
    f.get(hs);
    lincomb(f, M[xw], (q) => void f.get(X[q]));
    f.mem("v128.store", 16 * (rho * ALPHA + xw), 0);
  }
}

/**
 * The second (vertical) pass of a tile transform: out[ξh*6+ξw] = Σ_ρ M[ξh][ρ] H[ρ][ξw] over `rows`
 * rows of the hs scratch, stored at dst + ξw*S1 + ξh*S6 (S6 = 6*S1); d is a scratch local.
 */
function verticalPass(f: Fn, M: readonly (readonly number[])[], rows: number, hs: Local, H: readonly Local[], dst: Local, d: Local, S1: Local, S6: Local): void {
  for (let xw = 0; xw < ALPHA; xw++) {
    for (let rho = 0; rho < rows; rho++) f.get(hs).mem("v128.load", 16 * (rho * ALPHA + xw), 0).set(H[rho]);
    f.mov(d, dst);
    for (let xh = 0; xh < ALPHA; xh++) {
      f.get(d);
      lincomb(f, M[xh], (k) => void f.get(H[k]));
      f.mem("v128.store", 0, 0);
      if (xh + 1 < ALPHA) f.inc(d, S6);
    }
    if (xw + 1 < ALPHA) f.inc(dst, S1);
  }
}

/** pair: the paired-rows variant for maps two tiles wide (twp = 2; tile rows advance by two). */
function emitInput(mod: ModuleBuilder, m: number, pair = false): void {
  const { BT } = WINO[m];
  mod.fn(`wino_in_${m}${pair ? "p" : ""}`, new Array(10).fill("i32"), [], (f, V, xp, C, Hp, Wp, i0, i1, twp, Tc, hs) => {
    const [c, i, g, row, p, pr, dst, S1, S6, WpB, tb, d, pr2, mWpB] = f.locals(14);
    const X = f.locals(ALPHA, "v128"), H = f.locals(ALPHA, "v128");
    f.i(Wp).i(2).op("i32.shl").set(WpB);
    f.i(WpB).i(m).op("i32.mul").set(mWpB);
    // V is [c][ξ][t]: ξ stride in bytes (S1), and six of them (one ξ_h step).
    f.i(Tc).i(2).op("i32.shl").set(S1);
    f.i(S1).i(6).op("i32.mul").set(S6);
    f.for(c, 0, C, 1, () => {
      f.for(i, i0, i1, pair ? 2 : 1, () => {
        // row = &xp[c][i*m][0]
        f.i(c).i(Hp).op("i32.mul").i(i).i(m).op("i32.mul").op("i32.add").i(WpB).op("i32.mul").i(xp).op("i32.add").set(row);
        f.i(i).i(i0).op("i32.sub").i(twp).op("i32.mul").set(tb);
        f.for(g, 0, twp, 4, () => {
          f.i(g).i(m * 4).op("i32.mul").i(row).op("i32.add").set(p);
          // Horizontal pass: H[ρ][ξw] for each of the six input rows ρ, kept in the hs scratch.
          f.mov(pr, p);
          for (let rho = 0; rho < ALPHA; rho++) {
            if (pair) {
              f.i(pr).i(mWpB).op("i32.add").set(pr2);
              gatherPair(f, pr, pr2, X);
            } else gather(f, m, pr, X);
            horizontalRow(f, BT, hs, rho, X);
            if (rho + 1 < ALPHA) f.inc(pr, WpB);
          }
          // Vertical pass: V[c][ξh*6+ξw][t..t+3] = Σ_ρ BT[ξh][ρ] H[ρ][ξw].
          // dst = V + ((c*36*Tc + tb + g) * 4) bytes.
          f.i(c).i(36).op("i32.mul").i(Tc).op("i32.mul").i(tb).op("i32.add").i(g).op("i32.add").i(2).op("i32.shl").i(V).op("i32.add").set(dst);
          verticalPass(f, BT, ALPHA, hs, H, dst, d, S1, S6);
        });
      });
    });
  });
}

/** Stores vector `v` at column `col` of a row at `row`, only the lanes left of column `n`. */
function storeClipped(f: Fn, row: Local, col: number, c0: Local, n: Local, v: Local): void {
  // c = c0 + col: whole vector when c + 4 <= n, else lane by lane.
  f.i(c0).i(col + 4).op("i32.add").i(n).op("i32.le_s").if(
    () => void f.get(row).get(v).mem("v128.store", col * 4, 0),
    () => {
      for (let l = 0; l < 4; l++) f.i(c0).i(col + l).op("i32.add").i(n).op("i32.lt_s").if(() => void f.get(row).get(v).store32Lane(l, (col + l) * 4));
    },
  );
}

function emitOutput(mod: ModuleBuilder, m: number, pair = false): void {
  const { AT } = WINO[m];
  // y: output rows of this band at y + o*plane + a*ldy; nrows x ncols of them are inside the output.
  mod.fn(`wino_out_${m}${pair ? "p" : ""}`, new Array(11).fill("i32"), [], (f, y, ldy, plane, M, O, Tc, rows, twp, ss, nrows, ncols) => {
    const [o, i, g, src, s, S, out, yo, c0, ra, out2, ra2] = f.locals(12);
    const Mv = f.locals(ALPHA, "v128"), Y = f.locals(m, "v128"), t = f.locals(4, "v128");
    f.i(Tc).i(2).op("i32.shl").set(S);
    f.mov(yo, y);
    f.for(o, 0, O, 1, () => {
      f.for(i, 0, rows, pair ? 2 : 1, () => {
        f.for(g, 0, twp, 4, () => {
          // M is [o][ξ][t]: src = M + (o*36*Tc + i*twp + g) * 4
          f.i(o).i(36).op("i32.mul").i(Tc).op("i32.mul").i(i).i(twp).op("i32.mul").op("i32.add").i(g).op("i32.add").i(2).op("i32.shl").i(M).op("i32.add").set(src);
          // Vertical: S[a][ξw] = Σ_ξh AT[a][ξh] M[ξh*6+ξw], into the ss scratch.
          for (let xw = 0; xw < ALPHA; xw++) {
            f.mov(s, src);
            for (let xh = 0; xh < ALPHA; xh++) {
              f.get(s).mem("v128.load", 0, 0).set(Mv[xh]);
              if (xh + 1 < ALPHA) f.i(s).i(S).i(6).op("i32.mul").op("i32.add").set(s);
            }
            for (let a = 0; a < m; a++) {
              f.get(ss);
              lincomb(f, AT[a], (k) => void f.get(Mv[k]));
              f.mem("v128.store", 16 * (a * ALPHA + xw), 0);
            }
            if (xw + 1 < ALPHA) f.inc(src, S);
          }
          // Horizontal: Y[a][b] = Σ_ξw AT[b][ξw] S[a][ξw]; the four tiles' columns interleaved and
          // stored at out = yo + (i*m)*ldy + g*m*4, rows and columns clipped to the output.
          f.i(g).i(m).op("i32.mul").set(c0);
          f.i(i).i(m).op("i32.mul").set(ra);
          f.i(ra).i(ldy).op("i32.mul").i(yo).op("i32.add").i(c0).i(2).op("i32.shl").op("i32.add").set(out);
          for (let a = 0; a < m; a++) {
            f.i(ra).i(nrows).op("i32.lt_s").if(() => {
              for (let xw = 0; xw < ALPHA; xw++) f.get(ss).mem("v128.load", 16 * (a * ALPHA + xw), 0).set(Mv[xw]);
              for (let b = 0; b < m; b++) {
                lincomb(f, AT[b], (k) => void f.get(Mv[k]));
                f.set(Y[b]);
              }
              if (m === 2) {
                f.get(Y[0]).get(Y[1]).shuffle32([0, 4, 1, 5]).set(t[0]).get(Y[0]).get(Y[1]).shuffle32([2, 6, 3, 7]).set(t[1]);
                storeClipped(f, out, 0, c0, ncols, t[0]);
                storeClipped(f, out, 4, c0, ncols, t[1]);
              } else {
                const u = f.locals(4, "v128");
                transpose4(f, Y, t, u);
                if (pair) {
                  // Lanes 0, 1: tiles (i, 0..1), row i*m + a; lanes 2, 3: tiles (i+1, 0..1), m rows lower.
                  storeClipped(f, out, 0, c0, ncols, u[0]);
                  storeClipped(f, out, 4, c0, ncols, u[1]);
                  f.i(ra).i(m).op("i32.add").set(ra2);
                  f.i(ra2).i(nrows).op("i32.lt_s").if(() => {
                    f.i(out).i(ldy).i(m).op("i32.mul").op("i32.add").set(out2);
                    storeClipped(f, out2, 0, c0, ncols, u[2]);
                    storeClipped(f, out2, 4, c0, ncols, u[3]);
                  });
                } else for (let k = 0; k < 4; k++) storeClipped(f, out, 4 * k, c0, ncols, u[k]);
              }
            });
            if (a + 1 < m) f.inc(out, ldy).inc(ra, 1);
          }
        });
      });
      f.inc(yo, plane);
    });
  });
}

/**
 * wino_gy_m(W, gyp, O, Hq, Wq, i0, i1, twp, Tc, hs): W[o][ξ][t] = (A dy_t A^T)[ξ] for the m x m tiles
 * of a zero-extended output gradient gyp [O][Hq][Wq] (tiles are disjoint), A = AT^T (6 x m). The
 * backward weight pass: dL/dk = G^T [ Σ_t (A dy_t A^T) ⊙ (B^T d_t B) ] G.
 */
function emitGradOut(mod: ModuleBuilder, m: number, pair = false): void {
  const { AT } = WINO[m];
  const A = Array.from({ length: ALPHA }, (_, x) => AT.map((row) => row[x]));
  mod.fn(`wino_gy_${m}${pair ? "p" : ""}`, new Array(10).fill("i32"), [], (f, W, gyp, O, Hq, Wq, i0, i1, twp, Tc, hs) => {
    const [o, i, g, row, pr, dst, d, S1, S6, WqB, tb, pr2] = f.locals(12);
    const X = f.locals(4, "v128"), H = f.locals(m, "v128"), t = f.locals(4, "v128");
    f.i(Wq).i(2).op("i32.shl").set(WqB);
    f.i(Tc).i(2).op("i32.shl").set(S1);
    f.i(S1).i(6).op("i32.mul").set(S6);
    f.for(o, 0, O, 1, () => {
      f.for(i, i0, i1, pair ? 2 : 1, () => {
        f.i(o).i(Hq).op("i32.mul").i(i).i(m).op("i32.mul").op("i32.add").i(WqB).op("i32.mul").i(gyp).op("i32.add").set(row);
        f.i(i).i(i0).op("i32.sub").i(twp).op("i32.mul").set(tb);
        f.for(g, 0, twp, 4, () => {
          f.i(g).i(m * 4).op("i32.mul").i(row).op("i32.add").set(pr);
          // Horizontal pass per dy row ρ: the four tiles' columns q, then H[ρ][ξw] = Σ_q A[ξw][q] dy[ρ][q].
          for (let rho = 0; rho < m; rho++) {
            if (pair) {
              // Tiles (i, 0..1) from this row, (i+1, 0..1) from m rows lower: X[q] = [r[q], r[4+q], r2[q], r2[4+q]].
              f.i(pr).i(WqB).i(m).op("i32.mul").op("i32.add").set(pr2);
              f.get(pr).mem("v128.load", 0, 0).get(pr).mem("v128.load", 16, 0).shuffle32([0, 4, 1, 5]).set(t[0]);
              f.get(pr).mem("v128.load", 0, 0).get(pr).mem("v128.load", 16, 0).shuffle32([2, 6, 3, 7]).set(t[1]);
              f.get(pr2).mem("v128.load", 0, 0).get(pr2).mem("v128.load", 16, 0).shuffle32([0, 4, 1, 5]).set(t[2]);
              f.get(pr2).mem("v128.load", 0, 0).get(pr2).mem("v128.load", 16, 0).shuffle32([2, 6, 3, 7]).set(t[3]);
              f.get(t[0]).get(t[2]).shuffle32([0, 1, 4, 5]).set(X[0]).get(t[0]).get(t[2]).shuffle32([2, 3, 6, 7]).set(X[1]);
              f.get(t[1]).get(t[3]).shuffle32([0, 1, 4, 5]).set(X[2]).get(t[1]).get(t[3]).shuffle32([2, 3, 6, 7]).set(X[3]);
            } else if (m === 2) {
              f.get(pr).mem("v128.load", 0, 0).set(t[0]).get(pr).mem("v128.load", 16, 0).set(t[1]);
              f.get(t[0]).get(t[1]).shuffle32([0, 2, 4, 6]).set(X[0]).get(t[0]).get(t[1]).shuffle32([1, 3, 5, 7]).set(X[1]);
            } else {
              for (let k = 0; k < 4; k++) f.get(pr).mem("v128.load", 16 * k, 0).set(X[k]);
              transpose4(f, X, t, X);
            }
            horizontalRow(f, A, hs, rho, X);
            if (rho + 1 < m) f.inc(pr, WqB);
          }
          // Vertical pass: W[o][ξh*6+ξw][t..t+3] = Σ_ρ A[ξh][ρ] H[ρ][ξw].
          f.i(o).i(36).op("i32.mul").i(Tc).op("i32.mul").i(tb).op("i32.add").i(g).op("i32.add").i(2).op("i32.shl").i(W).op("i32.add").set(dst);
          verticalPass(f, A, m, hs, H, dst, d, S1, S6);
        });
      });
    });
  });
}

export function emitWinograd(mod: ModuleBuilder): void {
  for (const m of [2, 4]) {
    emitInput(mod, m);
    emitOutput(mod, m);
    emitGradOut(mod, m);
  }
  // Maps two tiles wide (3x3 kernels on 5x5-8x8 outputs): groups of 2 x 2 tiles instead of 4 x 1.
  emitInput(mod, 4, true);
  emitOutput(mod, 4, true);
  emitGradOut(mod, 4, true);
  for (const r of [3, 5]) {
    emitWeights(mod, r);
    emitWeightGrad(mod, r);
  }
  mod.fn("wino_pad", new Array(9).fill("i32"), [], (f, xp, x, C, H, W, ph, pw, Hp, Wp) => {
    const [c, h, d, WB, WpB] = f.locals(5);
    f.i(xp).i(0).i(C).i(Hp).op("i32.mul").i(Wp).op("i32.mul").i(2).op("i32.shl").memfill();
    f.i(W).i(2).op("i32.shl").set(WB).i(Wp).i(2).op("i32.shl").set(WpB);
    f.for(c, 0, C, 1, () => {
      f.i(c).i(Hp).op("i32.mul").i(ph).op("i32.add").i(WpB).op("i32.mul").i(pw).i(2).op("i32.shl").op("i32.add").i(xp).op("i32.add").set(d);
      f.for(h, 0, H, 1, () => {
        f.i(d).i(x).i(WB).memcopy();
        f.inc(d, WpB).inc(x, WB);
      });
    });
  });
}
