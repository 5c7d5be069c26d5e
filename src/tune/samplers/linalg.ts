/**
 * Small dense float64 linear algebra for the Gaussian process: Cholesky factorization and triangular
 * solves on row-major n×n Float64Arrays. n is the number of trials (tens to a few hundred), so plain
 * loops are fast enough and keep the numerics obvious.
 */

/**
 * Lower-triangular L with A = L Lᵀ (Cholesky–Banachiewicz, row by row), or null when A is not
 * numerically positive definite (a pivot <= 0), so the caller can add jitter and retry.
 */
export function cholesky(a: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (!(s > 0)) return null;
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / l[j * n + j];
      }
    }
  }
  return l;
}

/** Solves L x = b (forward substitution) into `x` (a new array unless given; may not alias b); returns x. */
export function solveLower(l: Float64Array, n: number, b: ArrayLike<number>, x: Float64Array = new Float64Array(n)): Float64Array {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}

/** Solves Lᵀ x = b (back substitution with the transpose of lower L); returns x. */
export function solveUpperT(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}

/** Solves (L Lᵀ) x = b. */
export function cholSolve(l: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  return solveUpperT(l, n, solveLower(l, n, b));
}

/** (L Lᵀ)⁻¹ as a full symmetric matrix: L⁻¹ by forward substitution, then L⁻ᵀ L⁻¹. */
export function cholInverse(l: Float64Array, n: number): Float64Array {
  const li = new Float64Array(n * n); // L⁻¹, lower triangular
  for (let j = 0; j < n; j++) {
    li[j * n + j] = 1 / l[j * n + j];
    for (let i = j + 1; i < n; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s -= l[i * n + k] * li[k * n + j];
      li[i * n + j] = s / l[i * n + i];
    }
  }
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = i; k < n; k++) s += li[k * n + i] * li[k * n + j];
      inv[i * n + j] = s;
      inv[j * n + i] = s;
    }
  }
  return inv;
}
