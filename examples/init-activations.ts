/**
 * CS231n lecture 6's weight-initialization experiment: a 10-layer MLP (500 units per layer, no biases)
 * fed 1000 unit-Gaussian examples; the table shows each layer's activation mean / std for small random
 * N(0, 0.01²), large random N(0, 1), Xavier and He init, with tanh and with ReLU.
 *
 * What to look for: tanh + N(0, 0.01²) collapses to 0; tanh + N(0, 1) saturates (most |a| > 0.99);
 * tanh + Xavier stays spread; ReLU + Xavier halves the variance at every layer; ReLU + He keeps it.
 *
 * Run: npx tsx examples/init-activations.ts [--batch 1000] [--layers 10] [--width 500]
 */
import { nn } from "../src/index.js";

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? Number(process.argv[i + 1]) : fallback;
}

const opts = { batch: arg("batch", 1000), layers: arg("layers", 10), width: arg("width", 500), seed: 0 };
const inits: nn.ActivationInit[] = ["small", "large", "xavier", "he"];
console.log(`${opts.layers}-layer MLP, ${opts.width} units per layer, ${opts.batch} unit-Gaussian inputs\n`);
for (const f of ["tanh", "relu"] as const) {
  const t0 = performance.now();
  const results = nn.initExperiment(opts, inits.map((i) => [f, i] as const));
  console.log(nn.formatInitExperiment(results));
  const last = (i: number): number => results[i].layers[results[i].layers.length - 1].std;
  const first = (i: number): number => results[i].layers[0].std;
  console.log(inits.map((i, k) => `${i}: last/first std ${(last(k) / first(k)).toExponential(2)}`).join(", "));
  console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)\n`);
}
