/**
 * ganglion runner: the benchmark models built with `nn`, trained with SGD on the default backend
 * (wasm, worker threads on every core), and GEMM through `matmul` on 2 threads and on 1.
 */
import * as g from "../src/index.js";
import { WasmBackend } from "../src/backend/wasm/index.js";
import { BATCH, GEMM_SIZES, LEARNING_RATE, MODELS, type LayerSpec, type ModelName, type ModelResult, type RunnerResult } from "./models.js";
import { once, peakRssMb, time, timeIfAffordable, type Budget } from "./measure.js";

/** One layer of a bench model spec, built with ganglion's nn (shared with bench/gpu/webgpu-train.ts). */
export function layer(l: LayerSpec, rng: g.Rng): g.nn.Module {
  switch (l.kind) {
    case "conv": return g.nn.conv2d(l.cin, l.cout, l.k, { padding: l.pad, rng });
    case "bn": return g.nn.batchNorm2d(l.c);
    case "relu": return g.nn.relu();
    case "maxpool": return g.nn.maxPool2d(2);
    case "flatten": return g.nn.flatten();
    case "dropout": return g.nn.dropout(l.p, { rng });
    case "linear": return g.nn.linear(l.fin, l.fout, { rng });
  }
}

function runModel(name: ModelName, budget: Budget, cap: number): ModelResult {
  const spec = MODELS[name];
  const rng = new g.Rng(1);
  const model = g.nn.sequential(...spec.layers.map((l) => layer(l, rng)));
  const opt = g.optim.sgd(model.parameters(), { lr: LEARNING_RATE });
  const x = g.keep(g.randn([BATCH, ...spec.input], { rng }));
  const y = g.keep(g.fromArray(Int32Array.from(rng.randint(BATCH, 0, spec.classes)), [BATCH], { dtype: "int32" }));
  const step = (): void => {
    g.scope(() => {
      const loss = g.nn.crossEntropy(model.forward(x), y);
      loss.backward();
      opt.step();
      opt.zeroGrad();
      return loss.item();
    });
  };
  const infer = (): void => {
    g.noGrad(() => g.scope(() => { model.forward(x).dataSync(); }));
  };
  model.train();
  const tt = timeIfAffordable(step, once(step), cap, budget);
  model.eval();
  const ti = timeIfAffordable(infer, once(infer), cap, budget);
  model.dispose();
  opt.dispose();
  x.dispose();
  y.dispose();
  return {
    ...(typeof tt === "string" ? { trainNote: tt } : { trainImagesPerSec: BATCH / tt.seconds }),
    ...(typeof ti === "string" ? { inferNote: ti } : { inferImagesPerSec: BATCH / ti.seconds }),
  };
}

function gemm(budget: Budget): Record<string, number> {
  const out: Record<string, number> = {};
  const rng = new g.Rng(2);
  const one = new WasmBackend({ threads: 1 });
  for (const [label, backend] of [["", g.getBackend()], [" 1T", one]] as const) {
    for (const N of GEMM_SIZES) {
      const a = g.keep(g.randn([N, N], { rng, backend })), b = g.keep(g.randn([N, N], { rng, backend }));
      const t = time(() => g.scope(() => { g.matmul(a, b); }), { ...budget, seconds: Math.min(budget.seconds, 2) });
      out[`${N}${label}`] = (2 * N ** 3) / t.seconds / 1e9;
      a.dispose();
      b.dispose();
    }
  }
  one.dispose();
  return out;
}

export function runGanglion(models: readonly ModelName[], budget: Budget, cap: number, withGemm: boolean): RunnerResult {
  const be = g.getBackend();
  const threads = be instanceof WasmBackend ? be.threads : 1;
  const relaxed = be instanceof WasmBackend ? be.relaxedSimd : false;
  const res: Partial<Record<ModelName, ModelResult>> = {};
  for (const m of models) res[m] = runModel(m, budget, cap);
  return {
    framework: "ganglion",
    setup: `backend ${be.name}, ${threads} thread(s), relaxed SIMD ${relaxed}`,
    models: res,
    ...(withGemm ? { gemmGflops: gemm(budget) } : {}),
    peakRssMb: peakRssMb(),
  };
}
