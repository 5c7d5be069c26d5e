/**
 * GEMM micro-benchmark: GFLOP/s of C = A·B (float32, square N x N) for the wasm backend on one and two
 * threads and for the reference backend's TypeScript gemm. Prints a table; one run, best of `reps`.
 * Run: npx tsx bench/gemm.bench.ts
 */
import { loadavg } from "node:os";
import { contiguousStrides, Rng } from "../src/core/index.js";
import type { View } from "../src/backend/backend.js";
import { gemm as referenceGemm } from "../src/backend/reference/gemm.js";
import { WasmBackend } from "../src/backend/wasm/index.js";

const SIZES = [256, 512, 1024];

function timeBest(fn: () => void, minMs = 300, maxReps = 20): number {
  fn(); // warm-up (also lets V8 tier up)
  let best = Infinity;
  const start = performance.now();
  for (let r = 0; r < maxReps && (r < 3 || performance.now() - start < minMs); r++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

function wasmGflops(be: WasmBackend, N: number, rng: Rng): number {
  const shape = [1, N, N];
  const view = (data?: Float32Array): View => {
    const buf = be.alloc("float32", N * N);
    if (data) be.write(buf, data);
    return { buf, dtype: "float32", shape, strides: contiguousStrides(shape), offset: 0 };
  };
  const a = view(rng.normal(N * N)), b = view(rng.normal(N * N)), c = view();
  const ms = timeBest(() => be.exec("matmul", [a, b], c, { transA: false, transB: false }));
  for (const v of [a, b, c]) be.free(v.buf);
  return (2 * N ** 3) / ms / 1e6;
}

function referenceGflops(N: number, rng: Rng): number {
  const a = rng.normal(N * N), b = rng.normal(N * N), c = new Float32Array(N * N);
  const ms = timeBest(() => referenceGemm(N, N, N, a, 0, false, b, 0, false, c, 0, false), 200, 3);
  return (2 * N ** 3) / ms / 1e6;
}

const rng = new Rng(0);
const one = new WasmBackend({ threads: 1 });
const two = new WasmBackend({ threads: 2 });
console.log(`gemm float32, GFLOP/s (relaxed SIMD: ${one.relaxedSimd}, wasm threads available: ${two.threads}, load average ${loadavg().map((l) => l.toFixed(1)).join(" ")})`);
console.log("N      wasm 1T   wasm 2T   reference");
for (const N of SIZES) {
  const g1 = wasmGflops(one, N, rng), g2 = wasmGflops(two, N, rng), gr = referenceGflops(N, rng);
  console.log(`${String(N).padEnd(6)} ${g1.toFixed(1).padStart(7)}   ${g2.toFixed(1).padStart(7)}   ${gr.toFixed(1).padStart(9)}`);
}
one.dispose();
two.dispose();
