/**
 * ganglion on WebGPU: training throughput of the benchmark models (bench/models.ts) at batch 64 and
 * 512 with SGD, timed over whole steps including one loss read per step (as PyTorch's loss.item()),
 * and with a read every 20 steps (the GPU kept busy). Prints one JSON line per measurement.
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

async function measure(backend: g.WebGPUBackend, name: ModelName, batch: number, seconds: number, readEvery: number, fixedSteps = 0): Promise<Record<string, number | string>> {
  const spec = MODELS[name];
  const rng = new g.Rng(1);
  const model = g.nn.sequential(...spec.layers.map((l) => layer(l, rng)));
  const opt = g.optim.sgd(model.parameters(), { lr: LEARNING_RATE });
  const x = g.keep(g.randn([batch, ...spec.input], { rng }));
  const y = g.keep(g.fromArray(Int32Array.from(rng.randint(batch, 0, spec.classes)), [batch], { dtype: "int32" }));
  let lastLoss = NaN;
  const step = async (read: boolean): Promise<void> => {
    const loss = g.scope(() => {
      const l = g.nn.crossEntropy(model.forward(x), y);
      l.backward();
      opt.step();
      opt.zeroGrad();
      return l.detach();
    });
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
  const t0 = performance.now();
  while (fixedSteps > 0 ? steps < fixedSteps : performance.now() - t0 < seconds * 1000 || steps < 10) {
    await step(steps % readEvery === readEvery - 1);
    steps++;
  }
  await backend.sync();
  const dt = (performance.now() - t0) / 1000;
  const mem1 = g.memory();
  model.dispose();
  opt.dispose();
  x.dispose();
  y.dispose();
  return {
    framework: "ganglion-webgpu", model: name, batch, readEvery, steps, imagesPerSec: (steps * batch) / dt, msPerStep: (dt / steps) * 1000,
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
    for (const readEvery of [1, 20]) {
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
