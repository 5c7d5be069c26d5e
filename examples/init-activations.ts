/**
 * CS231n lecture 6's weight-initialization experiment: a 10-layer MLP (500 units per layer, no biases)
 * fed 1000 unit-Gaussian examples; the table shows each layer's activation mean / std for small random
 * N(0, 0.01²), large random N(0, 1), Xavier and He init, with tanh and with ReLU.
 *
 * What to look for: tanh + N(0, 0.01²) collapses to 0; tanh + N(0, 1) saturates (most |a| > 0.99);
 * tanh + Xavier stays spread; ReLU + Xavier halves the variance at every layer; ReLU + He keeps it.
 *
 * Run: npm run build && node dist/examples/init-activations.js [--batch 1000] [--layers 10] [--width 500] [--plot dir]
 */
import { Rng, init, nn, noGrad, plot, randn, scope, type Tensor } from "ganglion";
import { parseArgs, secondsSince } from "./lib/args.js";
import { savePlot, type Point, type Series } from "./lib/plot.js";

const args = parseArgs();
const opts = { batch: args.num("batch", 1000, 200), layers: args.num("layers", 10, 6), width: args.num("width", 500, 200), seed: 0 };
const inits: nn.ActivationInit[] = ["small", "large", "xavier", "he"];
console.log(`${opts.layers}-layer MLP, ${opts.width} units per layer, ${opts.batch} unit-Gaussian inputs\n`);
const all: nn.InitExperimentResult[] = [];
for (const f of ["tanh", "relu"] as const) {
  const t0 = performance.now();
  const results = nn.initExperiment(opts, inits.map((i) => [f, i] as const));
  all.push(...results);
  console.log(nn.formatInitExperiment(results));
  const last = (i: number): number => results[i].layers[results[i].layers.length - 1].std;
  const first = (i: number): number => results[i].layers[0].std;
  console.log(inits.map((i, k) => `${i}: last/first std ${(last(k) / first(k)).toExponential(2)}`).join(", "));
  console.log(`(${secondsSince(t0)} s)\n`);
}
// The lecture's histograms: the distribution of the activations at a few layers, for each run, as
// fractions of all values in 40 equal bins (ReLU's exact zeros, about half, left out of the bins).
const edges = { tanh: [-1, 1], relu: [0, 3] } as const;
function histograms(f: nn.ActivationNonlinearity, how: nn.ActivationInit, layers: readonly number[]): Series[] {
  const rng = new Rng(0);
  const draw: Record<nn.ActivationInit, (w: Tensor) => void> = {
    small: (w) => init.normal(w, { std: 0.01, rng }),
    large: (w) => init.normal(w, { std: 1, rng }),
    xavier: (w) => init.xavierNormal(w, { rng }),
    he: (w) => init.kaimingNormal(w, { nonlinearity: "relu", rng }),
  };
  const skip = f === "relu" ? (v: number): boolean => v === 0 : undefined;
  return scope(() => noGrad(() => {
    let h = randn([opts.batch, opts.width], { rng });
    const out: Series[] = [];
    for (let l = 1; l <= opts.layers; l++) {
      const fc = nn.linear(opts.width, opts.width, { bias: false, rng });
      draw[how](fc.weight);
      const z = fc.forward(h);
      h = f === "tanh" ? z.tanh() : z.relu();
      fc.dispose();
      if (layers.includes(l)) out.push(plot.histogramSeries(`layer ${l}`, plot.histogram(h.dataSync(), { bins: 40, range: edges[f], skip })));
    }
    return out;
  }));
}
if (args.plotDir) {
  const shown = [1, Math.ceil(opts.layers / 3), Math.ceil((2 * opts.layers) / 3), opts.layers];
  for (const [f, how] of nn.SLIDE_RUNS) {
    savePlot(args, `init-hist-${f}-${how}`, {
      title: `${f} + ${how === "small" ? "N(0, 0.01²)" : how === "large" ? "N(0, 1)" : how === "he" ? "He" : "Xavier"}`,
      xLabel: f === "relu" ? "activation (the zeros, about half, left out)" : "activation", yLabel: "fraction", width: 400, height: 260,
      series: histograms(f, how, shown),
    });
  }
}
const label: Record<nn.ActivationInit, string> = { small: "N(0, 0.01²)", large: "N(0, 1)", xavier: "Xavier", he: "He" };
savePlot(args, "init-activation-std", {
  title: "Activation std per layer", xLabel: "layer", yLabel: "std of the activations", logY: true,
  series: all.map((r) => ({
    name: `${r.nonlinearity} + ${label[r.init]}`, dashed: r.nonlinearity === "relu",
    points: r.layers.map((s): Point => [s.layer, Math.max(s.std, 1e-30)]),
  })),
});
