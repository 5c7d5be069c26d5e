/**
 * Reference GEMM: C[M,N] (+)= op(A)[M,K] · op(B)[K,N], float32, row-major, contiguous operands.
 * Not fast (the Wasm backend is), but not pathological: B is packed to [K,N] when transposed, the loops
 * are blocked over K and N so a panel of B stays in cache, and four rows of C are updated per pass
 * over a B row, which quarters the loads of B.
 */
import type { TypedArray } from "../../core/index.js";

const KC = 128;
const NC = 512;

export function gemm(
  M: number, N: number, K: number,
  A: TypedArray, aOff: number, transA: boolean,
  B: TypedArray, bOff: number, transB: boolean,
  C: TypedArray, cOff: number, accumulate: boolean,
): void {
  if (!accumulate) C.fill(0, cOff, cOff + M * N);
  if (M === 0 || N === 0 || K === 0) return;
  let Bp: TypedArray = B;
  let bo = bOff;
  if (transB) {
    // B is stored [N,K]; pack it to [K,N] so the inner loop is unit-stride.
    Bp = new (B.constructor as new (n: number) => TypedArray)(K * N);
    for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) Bp[k * N + n] = B[bOff + n * K + k];
    bo = 0;
  }
  // A(i,k) = A[aOff + i*K + k], or A[aOff + k*M + i] when transposed.
  const ars = transA ? 1 : K;
  const acs = transA ? M : 1;
  for (let k0 = 0; k0 < K; k0 += KC) {
    const k1 = Math.min(K, k0 + KC);
    for (let j0 = 0; j0 < N; j0 += NC) {
      const j1 = Math.min(N, j0 + NC);
      let i = 0;
      for (; i + 4 <= M; i += 4) {
        const c0 = cOff + i * N, c1 = c0 + N, c2 = c1 + N, c3 = c2 + N;
        for (let k = k0; k < k1; k++) {
          const ab = aOff + i * ars + k * acs;
          const a0 = A[ab], a1 = A[ab + ars], a2 = A[ab + 2 * ars], a3 = A[ab + 3 * ars];
          const b = bo + k * N;
          for (let j = j0; j < j1; j++) {
            const bj = Bp[b + j];
            C[c0 + j] += a0 * bj;
            C[c1 + j] += a1 * bj;
            C[c2 + j] += a2 * bj;
            C[c3 + j] += a3 * bj;
          }
        }
      }
      for (; i < M; i++) {
        const c0 = cOff + i * N;
        for (let k = k0; k < k1; k++) {
          const a0 = A[aOff + i * ars + k * acs];
          const b = bo + k * N;
          for (let j = j0; j < j1; j++) C[c0 + j] += a0 * Bp[b + j];
        }
      }
    }
  }
}
