/**
 * TensorFlow.js runner (tfjs-core ops, cpu or wasm backend; the wasm backend's .wasm binaries load
 * from node_modules): the same models in NHWC, variables trained with tf.train.sgd. The wasm backend
 * has no Conv2DBackpropFilter kernel, so it cannot train the conv nets: that is reported, not hidden.
 */
import { createRequire, register } from "node:module";
import { dirname } from "node:path";
import type * as TF from "@tensorflow/tfjs-core";
import { BATCH, GEMM_SIZES, LEARNING_RATE, MODELS, type LayerSpec, type ModelName, type ModelResult, type RunnerResult } from "./models.js";
import { once, peakRssMb, time, timeIfAffordable, type Budget } from "./measure.js";

type Tf = typeof TF;
interface TfModel {
  readonly vars: TF.Variable[];
  forward(x: TF.Tensor, training: boolean): TF.Tensor;
}

function build(tf: Tf, layers: readonly LayerSpec[], seed: number): TfModel {
  const vars: TF.Variable[] = [];
  const param = (shape: number[], fanIn: number): TF.Variable => {
    const v = tf.variable(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), "float32", seed + vars.length));
    vars.push(v);
    return v;
  };
  const constant = (shape: number[], value: number): TF.Variable => {
    const v = tf.variable(tf.fill(shape, value));
    vars.push(v);
    return v;
  };
  const fns = layers.map((l): ((x: TF.Tensor, training: boolean) => TF.Tensor) => {
    switch (l.kind) {
      case "conv": {
        const w = param([l.k, l.k, l.cin, l.cout], l.cin * l.k * l.k), b = constant([l.cout], 0);
        return (x) => tf.add(tf.conv2d(x as TF.Tensor4D, w as TF.Tensor4D, 1, l.pad), b);
      }
      case "bn": {
        const gamma = constant([l.c], 1), beta = constant([l.c], 0);
        return (x) => {
          const { mean, variance } = tf.moments(x, [0, 1, 2]);
          return tf.batchNorm(x, mean, variance, beta, gamma, 1e-5);
        };
      }
      case "relu": return (x) => tf.relu(x);
      case "maxpool": return (x) => tf.maxPool(x as TF.Tensor4D, 2, 2, "valid");
      case "flatten": return (x) => tf.reshape(x, [x.shape[0], -1]);
      case "dropout": return (x, training) => (training ? tf.dropout(x, l.p) : x);
      case "linear": {
        const w = param([l.fin, l.fout], l.fin), b = constant([l.fout], 0);
        return (x) => tf.add(tf.matMul(x as TF.Tensor2D, w as TF.Tensor2D), b);
      }
    }
  });
  return { vars, forward: (x, training) => fns.reduce((h, f) => f(h, training), x) };
}

/** Prints a provisional result line (bench/run.ts keeps the last complete line of a runner). */
let partial: (name: ModelName, r: ModelResult) => void = () => undefined;

function runModel(tf: Tf, name: ModelName, budget: Budget, cap: number): ModelResult {
  const spec = MODELS[name];
  const model = build(tf, spec.layers, 1);
  const shape = spec.input.length === 3 ? [BATCH, spec.input[1], spec.input[2], spec.input[0]] : [BATCH, ...spec.input];
  const x = tf.randomNormal(shape, 0, 1, "float32", 3);
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: BATCH }, (_, i) => (i * 7) % spec.classes), "int32"), spec.classes);
  const opt = tf.train.sgd(LEARNING_RATE);
  const step = (): void => {
    const loss = opt.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.forward(x, true)) as TF.Scalar, true, model.vars);
    loss?.dataSync();
    loss?.dispose();
  };
  const infer = (): void => {
    const y = tf.tidy(() => model.forward(x, false));
    y.dataSync();
    y.dispose();
  };
  // Estimate a full-batch forward from a 4-example probe, so tfjs-cpu's minute-long conv steps are
  // skipped with an estimate instead of stalling the suite; training ~3x a forward pass.
  const probe = tf.slice(x, 0, 4);
  const tProbe = once(() => { const y = tf.tidy(() => model.forward(probe, false)); y.dataSync(); y.dispose(); });
  probe.dispose();
  const estInfer = (tProbe * BATCH) / 4;
  const out: { trainImagesPerSec?: number; inferImagesPerSec?: number; trainNote?: string; inferNote?: string } = {};
  const ti = timeIfAffordable(infer, estInfer, cap, budget);
  if (typeof ti === "string") out.inferNote = ti;
  else out.inferImagesPerSec = BATCH / ti.seconds;
  // Inference first and reported at once: a minutes-long training step may hit the suite's timeout.
  partial(name, { ...out, trainNote: "timed out (one training step did not finish within the runner timeout)" });
  try {
    const tt = timeIfAffordable(step, 3 * estInfer, cap, budget);
    if (typeof tt === "string") out.trainNote = tt;
    else out.trainImagesPerSec = BATCH / tt.seconds;
  } catch (e) {
    out.trainNote = `unsupported: ${(e as Error).message.split("\n")[0]}`;
  }
  for (const v of model.vars) v.dispose();
  tf.dispose([x, labels]);
  opt.dispose();
  return out;
}

function gemm(tf: Tf, budget: Budget, cap: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const N of GEMM_SIZES) {
    const a = tf.randomNormal([N, N]) as TF.Tensor2D, b = tf.randomNormal([N, N]) as TF.Tensor2D;
    const mm = (): void => { const c = tf.matMul(a, b); c.dataSync(); c.dispose(); };
    const t = timeIfAffordable(mm, once(mm), cap, { ...budget, seconds: Math.min(budget.seconds, 2) });
    if (typeof t !== "string") out[`${N}`] = (2 * N ** 3) / t.seconds / 1e9;
    tf.dispose([a, b]);
  }
  return out;
}

/**
 * tfjs-core's Node bundle registers no gradients (the umbrella @tensorflow/tfjs package does that);
 * its ESM sources do, in dist/register_all_gradients.js, but they use extensionless relative imports
 * in a package without "type": "module". These loader hooks make Node load them: append ".js" and
 * treat dist/ files as ES modules. The registries live on a global object, so the gradients
 * registered by this second copy of the sources are the ones the Node bundle's engine uses.
 */
const GRADIENT_HOOKS = `
const DIST = "/@tensorflow/tfjs-core/dist/";
export async function resolve(spec, ctx, next) {
  if (ctx.parentURL && ctx.parentURL.includes(DIST) && spec.startsWith(".") && !/\\.[cm]?js$/.test(spec)) {
    try { return await next(spec + ".js", ctx); } catch { return next(spec + "/index.js", ctx); }
  }
  return next(spec, ctx);
}
export async function load(url, ctx, next) {
  if (url.includes(DIST) && !url.includes("/tf-core.")) return next(url, { ...ctx, format: "module" });
  return next(url, ctx);
}`;

async function registerGradients(): Promise<void> {
  register(`data:text/javascript,${encodeURIComponent(GRADIENT_HOOKS)}`);
  await import("@tensorflow/tfjs-core/dist/register_all_gradients.js" as string);
}

export async function runTfjs(backend: "cpu" | "wasm", models: readonly ModelName[], budget: Budget, cap: number, withGemm: boolean): Promise<RunnerResult> {
  const tf = (await import("@tensorflow/tfjs-core")) as Tf;
  await registerGradients();
  let setup: string = backend;
  if (backend === "cpu") await import("@tensorflow/tfjs-backend-cpu");
  else {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    // The .wasm binaries ship inside the npm package: point the loader at its dist/ folder.
    const dist = dirname(createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm"));
    wasm.setWasmPaths(`${dist}/`);
    wasm.setThreadsCount(2);
  }
  await tf.setBackend(backend);
  await tf.ready();
  if (backend === "wasm") {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    // NOTE: the threaded build needs Web Workers (absent in Node), so this is one thread.
    setup = `wasm (XNNPACK), ${wasm.getThreadsCount()} thread(s)`;
  }
  const res: Partial<Record<ModelName, ModelResult>> = {};
  const framework = `tfjs-${backend}`, fullSetup = `@tensorflow/tfjs-core ${tf.version_core}, ${setup}`;
  partial = (name, r) => {
    const line: RunnerResult = { framework, setup: fullSetup, models: { ...res, [name]: r }, peakRssMb: peakRssMb() };
    process.stdout.write(`\n${JSON.stringify(line)}\n`);
  };
  for (const m of models) res[m] = runModel(tf, m, budget, cap);
  return {
    framework, setup: fullSetup, models: res,
    ...(withGemm ? { gemmGflops: gemm(tf, budget, cap) } : {}), peakRssMb: peakRssMb(),
  };
}
