/**
 * Convolution micro-benchmark: GFLOP/s of conv2d forward, backward-input and backward-weight for the
 * conv layers of LeNet, the cifar-convnet and the default CNN at batch 64, on the wasm backend (one
 * thread and two), with Winograd on (the default) and off (im2col + GEMM). FLOPs = 2 * N * O * HO * WO
 * * C/G * KH * KW for each of the three passes: for Winograd layers that is the direct method's count,
 * i.e. an effective rate (Winograd itself does 2.25-4x fewer multiplies).
 * Run: npx tsx bench/conv.bench.ts [--threads 1,2]
 */
import { loadavg } from "node:os";
import { contiguousStrides, Rng, sizeOf } from "../src/core/index.js";
import type { View } from "../src/backend/backend.js";
import type { Conv2dAttrs } from "../src/backend/ops.js";
import { WasmBackend } from "../src/backend/wasm/index.js";

interface Layer { name: string; C: number; H: number; O: number; K: number; pad: number }
const BATCH = 64;
const LAYERS: Layer[] = [
  { name: "lenet conv1 5x5 1->32 28x28", C: 1, H: 28, O: 32, K: 5, pad: 2 },
  { name: "lenet conv2 5x5 32->64 14x14", C: 32, H: 14, O: 64, K: 5, pad: 2 },
  { name: "cifar conv1 3x3 3->32 32x32", C: 3, H: 32, O: 32, K: 3, pad: 1 },
  { name: "cifar conv2 3x3 32->32 32x32", C: 32, H: 32, O: 32, K: 3, pad: 1 },
  { name: "cifar conv3 3x3 32->64 16x16", C: 32, H: 16, O: 64, K: 3, pad: 1 },
  { name: "cifar conv4 3x3 64->64 16x16", C: 64, H: 16, O: 64, K: 3, pad: 1 },
  { name: "default conv2 3x3 24->48 14x14", C: 24, H: 14, O: 48, K: 3, pad: 1 },
  { name: "default conv3 3x3 48->96 7x7", C: 48, H: 7, O: 96, K: 3, pad: 1 },
];

function timeBest(fn: () => void, minMs = 300, maxReps = 20): number {
  fn();
  let best = Infinity;
  const start = performance.now();
  for (let r = 0; r < maxReps && (r < 3 || performance.now() - start < minMs); r++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

function bench(be: WasmBackend, l: Layer, rng: Rng): [number, number, number] {
  const xs = [BATCH, l.C, l.H, l.H], ws = [l.O, l.C, l.K, l.K], ys = [BATCH, l.O, l.H, l.H];
  const view = (shape: number[]): View => {
    const buf = be.alloc("float32", sizeOf(shape));
    be.write(buf, rng.normal(sizeOf(shape)));
    return { buf, dtype: "float32", shape, strides: contiguousStrides(shape), offset: 0 };
  };
  const x = view(xs), w = view(ws), y = view(ys), gx = view(xs), gw = view(ws);
  const at: Conv2dAttrs = { stride: [1, 1], padding: [l.pad, l.pad], dilation: [1, 1], groups: 1 };
  const gflop = (2 * BATCH * l.O * l.H * l.H * l.C * l.K * l.K) / 1e9;
  const fwd = timeBest(() => be.exec("conv2d", [x, w], y, at));
  const bwi = timeBest(() => be.exec("conv2dBackwardInput", [y, w], gx, { ...at, inputShape: xs }));
  const bww = timeBest(() => be.exec("conv2dBackwardWeight", [x, y], gw, { ...at, weightShape: ws }));
  for (const v of [x, w, y, gx, gw]) be.free(v.buf);
  return [gflop / fwd * 1e3, gflop / bwi * 1e3, gflop / bww * 1e3];
}

const arg = process.argv.indexOf("--threads");
const threadCounts = arg > 0 ? process.argv[arg + 1].split(",").map(Number) : [1, 2];
const rng = new Rng(0);
console.log(`conv2d float32, batch ${BATCH}, GFLOP/s (load average ${loadavg().map((l) => l.toFixed(1)).join(" ")})`);
for (const t of threadCounts) for (const winograd of [true, false]) {
  const be = new WasmBackend({ threads: t, winograd });
  console.log(`\nwasm, ${be.threads} thread(s), relaxed SIMD ${be.relaxedSimd}, ${winograd ? "Winograd where it applies (effective GFLOP/s)" : "im2col + GEMM only"}`);
  console.log(`${"layer".padEnd(30)} forward  bwd-input  bwd-weight`);
  for (const l of LAYERS) {
    const [f, i, w] = bench(be, l, rng);
    console.log(`${l.name.padEnd(30)} ${f.toFixed(1).padStart(7)}  ${i.toFixed(1).padStart(9)}  ${w.toFixed(1).padStart(10)}`);
  }
  be.dispose();
}
