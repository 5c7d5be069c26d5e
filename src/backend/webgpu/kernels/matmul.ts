/**
 * matmul: [B,M,K] x [B,K,N] -> [B,M,N] (either operand transposed as stored), contiguous operands
 * with offsets, through the tiled GEMM of gemm.ts with the batch as the grid's z.
 */
import type { GpuKernel } from "../types.js";
import { gemm } from "./gemm.js";

export const matmulKernel: GpuKernel<"matmul"> = (ctx, [a, b], out, { transA, transB }) => {
  const [Z, M, N] = out.shape;
  const K = transA ? a.shape[1] : a.shape[2];
  gemm(ctx, {
    name: "matmul",
    M, N, K, Z,
    // A(m,k): [M,K] row-major, or [K,M] when transposed (then m is the contiguous index).
    a: { preType: "u32", pre: "  return OFFA + z * M_ * K_ + i * LDA_M;", load: "  return in0[p + k * LDA_K];", kFast: !transA },
    b: { preType: "u32", pre: "  return OFFB + z * K_ * N_ + i * LDB_N;", load: "  return in1[p + k * LDB_K];", kFast: transB },
    c: { preType: "u32", pre: "  return OFFC + z * M_ * N_ + n;", store: "  out0[p + m * N_] = v;" },
    u: {
      OFFA: a.offset, OFFB: b.offset, OFFC: out.offset,
      LDA_M: transA ? 1 : K, LDA_K: transA ? M : 1,
      LDB_N: transB ? K : 1, LDB_K: transB ? 1 : N,
    },
    reads: [a.buf.buffer, b.buf.buffer],
    out: out.buf.buffer,
  });
};
