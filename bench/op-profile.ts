/**
 * Per-primitive time of one training step on the default backend: wraps `Backend.exec` and reports
 * where a step goes (op and input shapes, ms per step, share). For finding the next kernel to write;
 * the wasm backend's parallel tasks count in the op that started them.
 * Run (compiled, so the wasm backend gets its worker threads):
 *   npx tsc -p tsconfig.json && node dist/bench/op-profile.js [model] [batch] [steps]
 * with a model of bench/models.ts (default: default-cnn), batch 64, 20 profiled steps.
 */
import * as g from "../src/index.js";
import type { Backend } from "../src/backend/index.js";
import { MODELS, MODEL_NAMES, type ModelName } from "./models.js";
import { layer } from "./run-ganglion.js";

const name = (process.argv[2] ?? "default-cnn") as ModelName;
if (!MODEL_NAMES.includes(name)) throw new Error(`op-profile: unknown model ${name} (one of ${MODEL_NAMES.join(", ")})`);
const B = Number(process.argv[3] ?? 64), N = Number(process.argv[4] ?? 20);
const be: Backend = g.getBackend();
const times = new Map<string, { ms: number; n: number }>();
const exec = be.exec.bind(be);
let on = false;
be.exec = ((op, inputs, out, attrs) => {
  if (!on) return exec(op, inputs, out, attrs);
  const t0 = performance.now();
  exec(op, inputs, out, attrs);
  const key = `${op} ${inputs.map((v) => v.shape.join("x")).join(", ")}`;
  const e = times.get(key) ?? { ms: 0, n: 0 };
  e.ms += performance.now() - t0;
  e.n++;
  times.set(key, e);
}) as Backend["exec"];

const spec = MODELS[name], rng = new g.Rng(1);
const model = g.nn.sequential(...spec.layers.map((l) => layer(l, rng)));
const opt = g.optim.sgd(model.parameters(), { lr: 0.01 });
const x = g.keep(g.randn([B, ...spec.input], { rng }));
const y = g.keep(g.fromArray(Int32Array.from(rng.randint(B, 0, spec.classes)), [B], { dtype: "int32" }));
const step = (): number => g.scope(() => {
  const loss = g.nn.crossEntropy(model.forward(x), y);
  loss.backward();
  opt.step();
  opt.zeroGrad();
  return loss.item();
});
model.train();
for (let i = 0; i < 5; i++) step();
on = true;
const t0 = performance.now();
for (let i = 0; i < N; i++) step();
const stepMs = (performance.now() - t0) / N;
const rows = [...times.entries()].sort((a, b) => b[1].ms - a[1].ms);
const execMs = rows.reduce((s, [, v]) => s + v.ms, 0) / N;
console.log(`${name}, batch ${B}, backend ${be.name}: ${stepMs.toFixed(2)} ms per step (${((B / stepMs) * 1000).toFixed(0)} images/s); in exec ${execMs.toFixed(2)} ms, outside ${(stepMs - execMs).toFixed(2)} ms`);
for (const [k, v] of rows.slice(0, 30)) console.log(`${(v.ms / N).toFixed(3).padStart(8)} ms ${((100 * v.ms) / N / stepMs).toFixed(1).padStart(5)}%  x${v.n / N}  ${k}`);
process.exit(0);
