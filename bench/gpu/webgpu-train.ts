/**
 * ganglion on WebGPU: training throughput of the benchmark models (bench/models.ts) at batch 64 and
 * 512 with SGD, timed over whole steps in three read modes: one loss read per step, awaited at once
 * (as PyTorch's loss.item()); "pipelined", where step k's read is started (submitting step k) and
 * awaited only after step k+1 is encoded, so host encoding overlaps the GPU; and a read every 20 steps.
 * Each line also gives dispatches per step and the host's encoding time per step (the JS time of the
 * step before any wait), the figure that bounds throughput when the GPU is fast. One JSON line each.
 *
 *   node dist/bench/gpu/webgpu-train.js [--models lenet,cifar-convnet] [--batches 64,512] [--seconds 3] [--memory-steps 10000]
 * --memory-steps N adds N steps of lenet at batch 64 reporting live tensors/bytes and GPUBuffers
 * created before and after (the "memory flat over 10,000 steps" target).
 */
import * as g from "../../src/node.js";
import { LEARNING_RATE, MODELS, MODEL_NAMES, type ModelName } from "../models.js";
import { layer } from "../run-ganglion.js";

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : dflt;
}

/** readEvery: read the loss every k-th step (awaited at once); 0: every step, pipelined one step behind. */
async function measure(backend: g.WebGPUBackend, name: ModelName, batch: number, seconds: number, readEvery: number, fixedSteps = 0): Promise<Record<string, number | string>> {
  const spec = MODELS[name];
  const rng = new g.Rng(1);
  const model = g.nn.sequential(...spec.layers.map((l) => layer(l, rng)));
  const opt = g.optim.sgd(model.parameters(), { lr: LEARNING_RATE });
  const x = g.keep(g.randn([batch, ...spec.input], { rng }));
  const y = g.keep(g.fromArray(Int32Array.from(rng.randint(batch, 0, spec.classes)), [batch], { dtype: "int32" }));
  let lastLoss = NaN;
  let encodeMs = 0;
  let pending: Promise<ArrayLike<number>> | undefined;
  const step = async (read: boolean): Promise<void> => {
    const e0 = performance.now();
    const loss = g.scope(() => {
      const l = g.nn.crossEntropy(model.forward(x), y);
      l.backward();
      opt.step();
      opt.zeroGrad();
      return l.detach();
    });
    encodeMs += performance.now() - e0;
    if (readEvery === 0) {
      // read() submits the step and encodes the copy at once; only the mapping is awaited, a step later
      // (read = true, used in warm-up: at once).
      const p = loss.data();
      loss.dispose();
      if (pending) lastLoss = (await pending)[0];
      pending = read ? undefined : p;
      if (read) lastLoss = (await p)[0];
      return;
    }
    if (read) lastLoss = (await loss.data())[0];
    loss.dispose();
  };
  model.train();
  const firstT0 = performance.now();
  await step(true);
  const first = (performance.now() - firstT0) / 1000;
  const first3 = lastLoss;
  for (let i = 0; i < 5; i++) await step(true);
  await backend.sync();
  let steps = 0;
  const mem0 = g.memory();
  const created0 = backend.ctx.pool.created;
  const d0 = backend.ctx.dispatches;
  encodeMs = 0;
  const t0 = performance.now();
  const every = readEvery === 0 ? 1 : readEvery;
  while (fixedSteps > 0 ? steps < fixedSteps : performance.now() - t0 < seconds * 1000 || steps < 10) {
    // Pipelined (read = false): each step awaits the previous step's read; the last one is awaited below.
    await step(readEvery !== 0 && steps % every === every - 1);
    steps++;
  }
  if (pending) lastLoss = (await pending)[0];
  pending = undefined;
  await backend.sync();
  const dt = (performance.now() - t0) / 1000;
  const mem1 = g.memory();
  model.dispose();
  opt.dispose();
  x.dispose();
  y.dispose();
  return {
    framework: "ganglion-webgpu", model: name, batch, readEvery: readEvery === 0 ? "pipelined" : readEvery, steps,
    dispatchesPerStep: (backend.ctx.dispatches - d0) / steps, hostEncodeMsPerStep: encodeMs / steps, imagesPerSec: (steps * batch) / dt, msPerStep: (dt / steps) * 1000,
    firstStepSeconds: first, firstLoss: first3, lastLoss, liveTensorsBefore: mem0.liveTensors, liveTensorsAfter: mem1.liveTensors,
    liveBytesBefore: mem0.liveBytes, liveBytesAfter: mem1.liveBytes, gpuBuffersCreatedDuring: backend.ctx.pool.created - created0,
  };
}

const backend = await g.initWebGPU();
if (!backend) {
  console.log(JSON.stringify({ error: "no WebGPU adapter" }));
  process.exit(1);
}
g.setBackend("webgpu");
console.log(JSON.stringify({ adapter: backend.info.adapter }));
const models = arg("models", "mlp,lenet,cifar-convnet").split(",") as ModelName[];
for (const m of models) if (!MODEL_NAMES.includes(m)) throw new Error(`unknown model ${m} (known: ${MODEL_NAMES.join(", ")})`);
const batches = arg("batches", "64,512").split(",").map(Number);
const seconds = Number(arg("seconds", "3"));
for (const m of models) {
  for (const b of batches) {
    for (const readEvery of [1, 0, 20]) {
      try {
        console.log(JSON.stringify(await measure(backend, m, b, seconds, readEvery)));
      } catch (e) {
        console.log(JSON.stringify({ framework: "ganglion-webgpu", model: m, batch: b, readEvery, error: (e as Error).message.slice(0, 500) }));
      }
    }
  }
}
const memorySteps = Number(arg("memory-steps", "0"));
if (memorySteps > 0) console.log(JSON.stringify({ memoryRun: true, ...(await measure(backend, "lenet", 64, 0, 1, memorySteps)) }));
console.log(JSON.stringify({ dispatches: backend.ctx.dispatches, submits: backend.ctx.submits, pipelines: backend.ctx.pipelineCount, buffersCreated: backend.ctx.pool.created }));
backend.destroy();
