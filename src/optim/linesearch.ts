/**
 * Strong-Wolfe line search for L-BFGS (Nocedal & Wright, "Numerical Optimization", 2nd ed. 2006,
 * Algorithms 3.5 and 3.6, with the safeguarded cubic interpolation of §3.5), following the same steps as
 * torch.optim.LBFGS's `strong_wolfe` (itself after minFunc / torch7's lswolfe) so trajectories match.
 *
 * Along a direction d from x, φ(t) = f(x + t·d), φ'(t) = ∇f(x + t·d)·d. A step t satisfies the strong
 * Wolfe conditions when
 *   φ(t) ≤ φ(0) + c1·t·φ'(0)   (sufficient decrease, Armijo)   and   |φ'(t)| ≤ −c2·φ'(0)   (curvature).
 * Phase 1 grows t (cubic extrapolation in [t + 0.01·(t − t_prev), 10·t]) until it brackets such a point;
 * phase 2 ("zoom") shrinks the bracket by cubic interpolation, pulled 10% in from its ends when
 * interpolation makes too little progress.
 *
 * Scalars are JS numbers, vectors are tensors (read back with item(): a synchronous backend is needed).
 */
import { scope, type Tensor } from "../tensor/index.js";

/** f and the flat gradient at x + t·d. */
export type LineObjective = (t: number) => { f: number; g: Tensor };

export interface StrongWolfeOptions {
  readonly c1?: number;
  readonly c2?: number;
  /** Stop zooming when the bracket, measured along d (|Δt|·max|d|), is below this. */
  readonly toleranceChange?: number;
  readonly maxLs?: number;
}

export interface LineSearchResult {
  readonly f: number;
  readonly g: Tensor;
  readonly t: number;
  readonly evals: number;
}

export const dot = (a: Tensor, b: Tensor): number => scope(() => a.mul(b).sum().item());
export const absMax = (a: Tensor): number => scope(() => a.abs().max().item());

// NOTE: Python's max/min (b if b > a else a), so that NaN and ties resolve as in torch.
const pmax = (a: number, b: number): number => (b > a ? b : a);
const pmin = (a: number, b: number): number => (b < a ? b : a);

/**
 * Minimizer of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to `bounds` (default: between
 * the two points); the bounds' midpoint when the cubic has no real minimizer.
 * d1 = g1 + g2 − 3(f1 − f2)/(x1 − x2);  d2 = √(d1² − g1·g2);  t = x2 − (x2 − x1)·(g2 + d2 − d1)/(g2 − g1 + 2·d2).
 */
export function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: readonly [number, number]): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2sq = d1 * d1 - g1 * g2;
  if (!(d2sq >= 0)) return (lo + hi) / 2;
  const d2 = Math.sqrt(d2sq);
  const minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
  return pmin(pmax(minPos, lo), hi);
}

interface Point { t: number; f: number; g: Tensor; gtd: number }

/**
 * Line search from t along d: `phi(t)` evaluates the objective; f, g, gtd are the value, gradient and
 * directional derivative at t = 0. Returns the accepted step with its value and gradient.
 */
export function strongWolfe(phi: LineObjective, d: Tensor, t: number, f: number, g: Tensor, gtd: number, { c1 = 1e-4, c2 = 0.9, toleranceChange = 1e-9, maxLs = 25 }: StrongWolfeOptions = {}): LineSearchResult {
  const dNorm = absMax(d);
  const at = (s: number): Point => {
    const r = phi(s);
    return { t: s, f: r.f, g: r.g, gtd: dot(r.g, d) };
  };
  let cur = at(t);
  let evals = 1;
  let prev: Point = { t: 0, f, g, gtd };
  let bracket: Point[] | null = null;
  let done = false;
  let iter = 0;
  // Phase 1: bracket a point satisfying the strong Wolfe conditions.
  while (iter < maxLs) {
    if (cur.f > f + c1 * cur.t * gtd || (iter > 1 && cur.f >= prev.f)) {
      bracket = [prev, cur];
      break;
    }
    if (Math.abs(cur.gtd) <= -c2 * gtd) {
      bracket = [cur];
      done = true;
      break;
    }
    if (cur.gtd >= 0) {
      bracket = [prev, cur];
      break;
    }
    const next = cubicInterpolate(prev.t, prev.f, prev.gtd, cur.t, cur.f, cur.gtd, [cur.t + 0.01 * (cur.t - prev.t), cur.t * 10]);
    prev = cur;
    cur = at(next);
    evals++;
    iter++;
  }
  // NOTE: out of evaluations: torch brackets [0, t] without a derivative at t; the zoom below cannot run then.
  if (iter === maxLs || !bracket) bracket = [{ t: 0, f, g, gtd: Number.NaN }, cur];
  // Phase 2: zoom.
  let [lo, hi] = bracket[0].f <= bracket[bracket.length - 1].f ? [0, 1] : [1, 0];
  let insufficient = false;
  while (!done && iter < maxLs) {
    const [b0, b1] = bracket;
    if (Math.abs(b1.t - b0.t) * dNorm < toleranceChange) break;
    let s = cubicInterpolate(b0.t, b0.f, b0.gtd, b1.t, b1.f, b1.gtd);
    const bmax = pmax(b0.t, b1.t);
    const bmin = pmin(b0.t, b1.t);
    const eps = 0.1 * (bmax - bmin);
    if (pmin(bmax - s, s - bmin) < eps) {
      // Too close to an end: after a second such step (or at an end) move 10% of the bracket inside.
      if (insufficient || s >= bmax || s <= bmin) {
        s = Math.abs(s - bmax) < Math.abs(s - bmin) ? bmax - eps : bmin + eps;
        insufficient = false;
      } else insufficient = true;
    } else insufficient = false;
    const p = at(s);
    evals++;
    iter++;
    if (p.f > f + c1 * s * gtd || p.f >= bracket[lo].f) {
      bracket[hi] = p;
      [lo, hi] = bracket[0].f <= bracket[1].f ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(p.gtd) <= -c2 * gtd) done = true;
      else if (p.gtd * (bracket[hi].t - bracket[lo].t) >= 0) bracket[hi] = bracket[lo];
      bracket[lo] = p;
    }
  }
  const best = bracket[lo];
  return { f: best.f, g: best.g, t: best.t, evals };
}
