/**
 * WebGPU GEMM / implicit-GEMM convolution timing (not a test): GFLOP/s of the matmul and conv kernels
 * of src/backend/webgpu/kernels/gemm.ts on whatever adapter Dawn finds, one JSON line per measurement.
 *
 *   npx tsc -p tsconfig.json && node dist/bench/webgpu-gemm.js [--sweep] [--quick] [--only=matmul|conv] [--dawn="flag;flag"]
 *
 * --sweep times every tile configuration (and split-K counts for the weight gradients) instead of only
 * the heuristic's choice, to tune chooseTiling. Each timing: warm-up (compiles the pipeline), then
 * enough repetitions for >= 0.3 s between two `await backend.sync()`. lavapipe numbers say nothing
 * about speed; run it on the GPU that matters.
 */
import { contiguousStrides } from "../src/core/index.js";
import type { View } from "../src/backend/backend.js";
import type { OpAttrs } from "../src/backend/ops.js";
import { gemmTuning, TILES, type TileName } from "../src/backend/webgpu/kernels/gemm.js";
import type { WebGPUBackend } from "../src/backend/webgpu/backend.js";
import { initWebGPU } from "../src/node.js";

type Op = "matmul" | "conv2d" | "conv2dBackwardInput" | "conv2dBackwardWeight";

const args = process.argv.slice(2);
const sweep = args.includes("--sweep");
const only = args.find((a) => a.startsWith("--only="))?.slice(7);
// --quick: small sizes only (checks that the script runs, e.g. on lavapipe).
const quick = args.includes("--quick");
const dawn = args.find((a) => a.startsWith("--dawn="))?.slice(7).split(";") ?? [];

const backend = await initWebGPU({ dawnFlags: dawn });
if (!backend) {
  console.log(JSON.stringify({ error: "no WebGPU adapter" }));
  process.exit(1);
}
const be: WebGPUBackend = backend;
console.log(JSON.stringify({ adapter: be.info.adapter, maxWorkgroupStorage: be.ctx.device.limits.maxComputeWorkgroupStorageSize, dawn }));

function view(shape: number[], fill: boolean): View {
  const n = shape.reduce((a, b) => a * b, 1);
  const buf = be.alloc("float32", n);
  if (fill) {
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = ((i * 7919) % 1000) / 1000 - 0.5;
    be.write(buf, data);
  }
  return { buf, dtype: "float32", shape, strides: contiguousStrides(shape), offset: 0 };
}

/** Milliseconds per call of `op`, measured between syncs after a warm-up. */
async function time<K extends Op>(op: K, ins: View[], out: View, attrs: OpAttrs[K]): Promise<number> {
  const call = (): void => be.exec(op, ins, out, attrs);
  call();
  await be.sync();
  let t0 = performance.now();
  call();
  await be.sync();
  const once = performance.now() - t0;
  const reps = Math.max(3, Math.min(200, Math.ceil(300 / Math.max(once, 0.05))));
  t0 = performance.now();
  for (let r = 0; r < reps; r++) call();
  await be.sync();
  return (performance.now() - t0) / reps;
}

async function measure<K extends Op>(label: Record<string, unknown>, op: K, ins: View[], out: View, attrs: OpAttrs[K], flops: number): Promise<void> {
  const configs: Array<[TileName | undefined, number | undefined]> = [[undefined, undefined]];
  if (sweep) {
    for (const t of Object.keys(TILES) as TileName[]) configs.push([t, 1]);
    if (op === "conv2dBackwardWeight" || op === "matmul") for (const s of [2, 4, 8, 16, 32, 64, 128, 256]) configs.push([undefined, s]);
  }
  for (const [tile, splits] of configs) {
    gemmTuning.tile = tile;
    gemmTuning.splits = splits;
    try {
      const ms = await time(op, ins, out, attrs);
      be.ctx.checkErrors("bench");
      console.log(JSON.stringify({ ...label, op, tile: tile ?? "auto", splits: splits ?? "auto", chosen: gemmTuning.last, ms: +ms.toFixed(4), gflops: +(flops / ms / 1e6).toFixed(1) }));
    } catch (e) {
      console.log(JSON.stringify({ ...label, op, tile: tile ?? "auto", splits: splits ?? "auto", error: (e as Error).message }));
    }
  }
  gemmTuning.tile = undefined;
  gemmTuning.splits = undefined;
}

if (only === undefined || only === "matmul") {
  const shapes: Array<[string, number, number, number]> = (quick ? [128, 256] : [512, 1024, 2048, 4096]).map((n) => [`square ${n}`, n, n, n]);
  // The linear layers of the benchmark models at batch 512 (forward).
  shapes.push(["lenet fc1", 512, 128, 3136], ["cifar fc1", 512, 256, 4096], ["mlp fc", 512, 512, 784]);
  for (const [name, M, N, K] of shapes) {
    const a = view([1, M, K], true), b = view([1, K, N], true), c = view([1, M, N], false);
    await measure({ name, M, N, K }, "matmul", [a, b], c, { transA: false, transB: false }, 2 * M * N * K);
    for (const v of [a, b, c]) be.free(v.buf);
  }
}

if (only === undefined || only === "conv") {
  // [name, batch, cin, h(=w), cout, k, pad] of LeNet and the CIFAR convnet (bench/models.ts) at batch 512.
  const convs: Array<[string, number, number, number, number, number, number]> = [
    ["lenet conv1", 512, 1, 28, 32, 5, 2],
    ["lenet conv2", 512, 32, 14, 64, 5, 2],
    ["cifar conv1", 512, 3, 32, 32, 3, 1],
    ["cifar conv2", 512, 32, 32, 32, 3, 1],
    ["cifar conv3", 512, 32, 16, 64, 3, 1],
    ["cifar conv4", 512, 64, 16, 64, 3, 1],
  ];
  for (const [name, batch, c, h, o, k, p] of convs) {
    const n = quick ? 8 : batch;
    const a = { stride: [1, 1] as const, padding: [p, p] as const, dilation: [1, 1] as const, groups: 1 };
    const ho = h + 2 * p - k + 1;
    const xs = [n, c, h, h], ws = [o, c, k, k], ys = [n, o, ho, ho];
    const flops = 2 * n * o * ho * ho * c * k * k;
    const x = view(xs, true), w = view(ws, true), y = view(ys, true);
    const gx = view(xs, false), gw = view(ws, false), yo = view(ys, false);
    const label = { name, x: xs, w: ws };
    await measure(label, "conv2d", [x, w], yo, a, flops);
    await measure(label, "conv2dBackwardInput", [y, w], gx, { ...a, inputShape: xs }, flops);
    await measure(label, "conv2dBackwardWeight", [x, y], gw, { ...a, weightShape: ws }, flops);
    for (const v of [x, w, y, gx, gw, yo]) be.free(v.buf);
  }
}
be.destroy();
