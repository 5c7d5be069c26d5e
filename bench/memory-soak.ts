/**
 * Memory over a long run (issue 7: "memory stays flat over 10,000 steps" on the Wasm backend): the
 * default CNN trained with AdamW and a one-cycle schedule on random batches (Winograd convolutions,
 * batch norm, fused and unfused kernels, the thread pool), printing every 1,000 steps the live tensors,
 * live and pooled backend bytes, the Wasm allocator's high-water mark (linear memory never shrinks, so
 * a leak shows there first) and the process RSS.
 * Run: npx tsc -p tsconfig.json && node dist/bench/memory-soak.js [steps] [batch]   (default 10000, 64)
 */
import * as g from "../src/index.js";
import { WasmBackend } from "../src/backend/wasm/index.js";

const steps = Number(process.argv[2] ?? 10_000), B = Number(process.argv[3] ?? 64);
const rng = new g.Rng(1);
const model = g.models.defaultCnn({ rng });
const opt = g.optim.adamw(model.parameters(), { lr: 3e-3, weightDecay: 5e-4 });
const schedule = g.optim.schedules.oneCycle(3e-3, steps);
// A few fixed batches, cycled: the data stays the same size while everything per step is allocated anew.
const batches = Array.from({ length: 4 }, () => ({
  x: g.keep(g.randn([B, 1, 28, 28], { rng })),
  y: g.keep(g.fromArray(Int32Array.from(rng.randint(B, 0, 10)), [B], { dtype: "int32" })),
}));
const be = g.getBackend();
const heap = (): string => (be instanceof WasmBackend ? `${(be.heapTop / 2 ** 20).toFixed(1)} MiB` : "n/a");
model.train();
const t0 = performance.now();
let first: ReturnType<typeof g.memory> | undefined;
for (let s = 1; s <= steps; s++) {
  const { x, y } = batches[s % batches.length];
  opt.setOption("lr", schedule(s - 1));
  const loss = g.scope(() => {
    const l = g.nn.crossEntropy(model.forward(x), y, { labelSmoothing: 0.1 });
    l.backward();
    opt.step();
    opt.zeroGrad();
    return l.item();
  });
  if (s === 100) first = g.memory();
  if (s % 1000 === 0 || s === 100) {
    const m = g.memory();
    console.log(`step ${s}: loss ${loss.toFixed(4)}, live tensors ${m.liveTensors}, live ${(m.liveBytes / 2 ** 20).toFixed(2)} MiB in ${m.liveBuffers} buffers, pooled ${(m.pooledBytes / 2 ** 20).toFixed(2)} MiB, wasm heap top ${heap()}, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
}
const last = g.memory();
const flat = first !== undefined && last.liveTensors === first.liveTensors && last.liveBytes === first.liveBytes && last.liveBuffers === first.liveBuffers;
console.log(flat ? `flat: live tensors, bytes and buffers at step ${steps} equal those at step 100` : `NOT flat: step 100 ${JSON.stringify(first)} vs step ${steps} ${JSON.stringify(last)}`);
process.exit(flat ? 0 : 1);
