/**
 * Winograd minimal-filtering matrices F(m, r) (Winograd 1980; Lavin & Gray 2016, "Fast Algorithms for
 * Convolutional Neural Networks", CVPR), built from the interpolation points by the Toom-Cook
 * construction instead of being copied from a table:
 *
 *   y = A^T [ (G g) ⊙ (B^T d) ]        (1-D correlation: m outputs of an r-tap filter over α = m+r-1 inputs)
 *   Y = A^T [ (G g G^T) ⊙ (B^T d B) ] A (2-D, nested)
 *
 * With finite points a_0..a_{α-2} and ∞: G = Vandermonde(points, r) (row ∞ picks the last tap),
 * A^T = Vandermonde(points, m)^T, and B^T = C^T, the transposed Lagrange interpolation matrix (row i
 * holds the coefficients of L_i(x); row ∞ those of M(x) = ∏(x - a_j)). B^T depends only on the points,
 * so F(4,3) and F(2,5) (both α = 6) share it. Each finite row of B^T is scaled by its Lagrange
 * denominator D_i = ∏_{j≠i}(a_i - a_j), which makes its coefficients integers (the input transform is
 * the hot one: integer coefficients are adds and small multiplies), and G's row i is divided by D_i.
 *
 * The backward weight pass reuses the same matrices: differentiating y = A^T[(Gg) ⊙ (B^T d)] gives
 * dL/dg = G^T [ (A dy) ⊙ (B^T d) ] (2-D: G^T [ (A dY A^T) ⊙ (B^T d B) ] G, summed over tiles).
 */

/** Tile size α of every Winograd kernel here (6 x 6 input tiles). */
export const ALPHA = 6;

/** The interpolation points of α = 6 (∞ is implicit, last): small integers keep fp32 error low. */
export const POINTS_6 = [0, 1, -1, 2, -2] as const;

export interface WinogradMatrices {
  readonly m: number;
  readonly r: number;
  readonly alpha: number;
  /** m x α, row-major. */
  readonly AT: readonly (readonly number[])[];
  /** α x r. */
  readonly G: readonly (readonly number[])[];
  /** α x α. */
  readonly BT: readonly (readonly number[])[];
}

/** Coefficients (lowest degree first) of ∏ (x - roots[j]). */
function polyFromRoots(roots: readonly number[]): number[] {
  let p = [1];
  for (const a of roots) {
    const q = new Array<number>(p.length + 1).fill(0);
    for (let i = 0; i < p.length; i++) {
      q[i + 1] += p[i];
      q[i] -= a * p[i];
    }
    p = q;
  }
  return p;
}

/** F(m, r) over the finite `points` (α - 1 of them) and ∞. */
export function winogradMatrices(m: number, r: number, points: readonly number[] = POINTS_6): WinogradMatrices {
  const alpha = m + r - 1;
  if (points.length !== alpha - 1) throw new Error(`winograd: F(${m},${r}) needs ${alpha - 1} finite points, got ${points.length}`);
  const BT: number[][] = [];
  const D: number[] = [];
  for (let i = 0; i < points.length; i++) {
    const others = points.filter((_, j) => j !== i);
    const num = polyFromRoots(others);
    D.push(others.reduce((acc, a) => acc * (points[i] - a), 1));
    BT.push([...num, ...new Array<number>(alpha - num.length).fill(0)]);
  }
  BT.push(polyFromRoots(points));
  const G: number[][] = points.map((a, i) => Array.from({ length: r }, (_, k) => a ** k / D[i]));
  G.push(Array.from({ length: r }, (_, k) => (k === r - 1 ? 1 : 0)));
  const AT: number[][] = Array.from({ length: m }, (_, k) => [...points.map((a) => a ** k), k === m - 1 ? 1 : 0]);
  return { m, r, alpha, AT, G, BT };
}

/** out = M · x for a small dense matrix (rows of M) and vector x. */
export function matVec(M: readonly (readonly number[])[], x: readonly number[]): number[] {
  return M.map((row) => row.reduce((s, c, k) => s + c * x[k], 0));
}

/** F(m, r) by output tile size m: F(4, 3) for 3x3 kernels, F(2, 5) for 5x5 (both α = 6). */
export const WINO: Readonly<Record<number, WinogradMatrices>> = { 4: winogradMatrices(4, 3), 2: winogradMatrices(2, 5) };
export const winoTile = (r: number): number => (r === 3 ? 4 : 2);
