/**
 * Hyperparameter search (CS231n lecture 6; Bergstra & Bengio 2012, "Random Search for Hyper-Parameter
 * Optimization", https://jmlr.org/papers/v13/bergstra12a.html).
 *
 * Part 1 — random beats grid when few parameters matter: on f(x, y) where only x matters
 * (tune.unimportantParam2d), a 3×3 grid tries 3 values of x; 9 random trials try 9. Averaged over many
 * placements of the optimum x*.
 * Part 2 — a real search: learning rate and L2 strength of the spiral net, both log-uniform
 * ("search on a log scale"), random search then coarse-to-fine, scored on a held-out spiral.
 *
 * Run: npm run build && node dist/examples/search.js [--trials 20] [--steps 300] [--plot dir]
 */
import { Rng, data, fromArray, nn, optim, scope, tune } from "ganglion";
import { parseArgs, secondsSince, table } from "./lib/args.js";
import { savePlot, type Point, type Series } from "./lib/plot.js";

const args = parseArgs();
const trials = args.num("trials", 20, 8);
const steps = args.num("steps", 300, 100);

// Part 1: grid vs random on a function of one important and one unimportant parameter.
const placements = args.tiny ? 20 : 200;
let gridSum = 0, randSum = 0, randWins = 0;
for (let k = 0; k < placements; k++) {
  const bench = tune.unimportantParam2d(0.05 + (0.9 * k) / placements);
  const grid = tune.runSearch(tune.gridSampler(bench.space, { points: 3 }), (c) => bench.evaluate(c), 9);
  const rand = tune.runSearch(tune.randomSampler(bench.space, { seed: k }), (c) => bench.evaluate(c), 9);
  gridSum += grid.best;
  randSum += rand.best;
  if (rand.best < grid.best) randWins++;
}
const example = tune.unimportantParam2d(0.37);
const g9 = tune.runSearch(tune.gridSampler(example.space, { points: 3 }), (c) => example.evaluate(c), 9);
const r9 = tune.runSearch(tune.randomSampler(example.space, { seed: 0 }), (c) => example.evaluate(c), 9);
const distinct = (r: tune.SearchResult): number => new Set(r.trials.map((t) => (t.config.x as number).toFixed(4))).size;
console.log(`Part 1: f(x, y) = 1 − exp(−(x − x*)²/(2·0.05²)) + 0.01(y − ½)², 9 trials each (minimum 0)\n`);
console.log(table(["sampler", "distinct x tried", "best f (x* = 0.37)", `mean best f over ${placements} x*`, "random wins"], [
  ["grid 3×3", String(distinct(g9)), g9.best.toFixed(4), (gridSum / placements).toFixed(4), ""],
  ["random", String(distinct(r9)), r9.best.toFixed(4), (randSum / placements).toFixed(4), `${randWins} / ${placements}`],
]));
savePlot(args, "search-grid-vs-random", {
  title: "9 trials: grid vs random (only x matters)", xLabel: "x (important)", yLabel: "y (unimportant)",
  xRange: [-0.04, 1.04], yRange: [-0.04, 1.04], width: 480, height: 440,
  series: [
    { name: "grid", points: g9.trials.map((t): Point => [t.config.x as number, t.config.y as number]), scatter: true },
    { name: "random", points: r9.trials.map((t): Point => [t.config.x as number, t.config.y as number]), scatter: true },
    { name: "x* = 0.37", points: [[0.37, 0], [0.37, 1]], dashed: true },
  ],
});

// Part 2: learning rate and regularization strength of the spiral net.
const trainSet = data.makeSpiral({ rng: new Rng(0) });
const valSet = data.makeSpiral({ rng: new Rng(1) });
const [xt, yt] = [fromArray(trainSet.points, [300, 2]), fromArray(trainSet.labels, [300])];
const [xv, yv] = [fromArray(valSet.points, [300, 2]), fromArray(valSet.labels, [300])];
/** Trains the 2 → 100 → 3 net with this config; returns the validation accuracy. */
function objective(c: tune.Config): number {
  const rng = new Rng(2);
  const model = nn.sequential(nn.linear(2, 100, { rng }), nn.relu(), nn.linear(100, 3, { rng }));
  const opt = optim.sgd(model.parameters(), { lr: c.lr as number, momentum: 0.9, weightDecay: c.reg as number });
  for (let t = 0; t < steps; t++) {
    scope(() => {
      nn.crossEntropy(model.forward(xt), yt).backward();
      opt.step();
      opt.zeroGrad();
    });
  }
  const acc = scope(() => model.forward(xv).argmax(1).eq(yv).cast("float32").mean().item());
  opt.dispose();
  model.dispose();
  return Number.isFinite(acc) ? acc : 0;
}
const space = new tune.SearchSpace({ lr: tune.logUniform(1e-4, 10), reg: tune.logUniform(1e-6, 1) });
const t0 = performance.now();
const coarse = tune.runSearch(tune.randomSampler(space, { seed: 1 }), objective, trials, "maximize");
const fine = tune.runSearch(tune.coarseToFineSampler(space, { seed: 1, direction: "maximize", stageSize: Math.max(4, Math.round(trials / 4)) }), objective, trials, "maximize");
const fmt = (r: tune.SearchResult): string[] => [
  (r.bestConfig.lr as number).toExponential(2), (r.bestConfig.reg as number).toExponential(2), `${(100 * r.best).toFixed(1)} %`,
  String(r.trials.filter((t) => (t.value ?? 0) > 0.9).length),
];
console.log(`\nPart 2: spiral net, lr ∈ [1e-4, 10] and L2 ∈ [1e-6, 1] log-uniform, ${trials} trials of ${steps} steps each (${secondsSince(t0)} s)\n`);
console.log(table(["sampler", "best lr", "best L2", "best val accuracy", "trials > 90 %"], [["random", ...fmt(coarse)], ["coarse-to-fine", ...fmt(fine)]]));
const scatter = (r: tune.SearchResult, good: boolean): Point[] =>
  r.trials.filter((t) => ((t.value ?? 0) > 0.9) === good).map((t): Point => [t.config.lr as number, t.config.reg as number]);
const series: Series[] = [
  { name: "val accuracy > 90 %", points: [...scatter(coarse, true), ...scatter(fine, true)], scatter: true, color: "#2ca02c" },
  { name: "≤ 90 %", points: [...scatter(coarse, false), ...scatter(fine, false)], scatter: true, color: "#d62728" },
];
savePlot(args, "search-lr-reg", {
  title: "Spiral net: every trial of both searches", xLabel: "learning rate", yLabel: "L2 strength", logX: true, logY: true,
  xRange: [5e-5, 20], yRange: [5e-7, 2], series,
});
