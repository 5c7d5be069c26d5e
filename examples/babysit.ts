/**
 * Babysitting the learning process (CS231n lecture 6, https://cs231n.github.io/neural-networks-3/#baby),
 * as train.babysit runs it before a long run: (1) the initial loss of a C-class softmax classifier with
 * small weights is ≈ ln C; (2) analytic gradients agree with numeric ones; (3) the model can overfit
 * 20 examples with regularization off; (4) a learning-rate range test (Smith 2017,
 * https://arxiv.org/abs/1506.01186) brackets the usable learning rates; (5) a short monitored run
 * watches for NaNs, dead or saturated layers and the train/val gap.
 * The same network is checked twice: healthy (Adam lr 3e-3), then with the learning rate set to 10.
 *
 * Same checks from the command line: `node bin/ganglion.js check` (see --help).
 * Run: npm run build && node dist/examples/babysit.js [--limit 2000] [--steps 100] [--plot dir]
 */
import { Rng, data, loadMnistDigits, models, optim, train } from "ganglion/node";
import { parseArgs, secondsSince } from "./lib/args.js";
import { savePlot, type Point } from "./lib/plot.js";

const args = parseArgs();
const limit = args.num("limit", 2000, 400);
const steps = args.num("steps", 100, 20);
const trainSet = loadMnistDigits({ split: "train" });
const testSet = loadMnistDigits({ split: "test" });
const { mean, std } = data.channelStats(trainSet);
const trainLoader = new data.DataLoader(new data.ImageDataset(trainSet, { mean, std }), {
  batchSize: 32, seed: 0, indices: Int32Array.from({ length: limit }, (_, i) => i),
});
const valLoader = new data.DataLoader(new data.ImageDataset(testSet, { mean, std }), {
  batchSize: 256, shuffle: false, indices: Int32Array.from({ length: Math.min(1000, limit) }, (_, i) => i),
});

const curves: Array<[string, Point[]]> = [];
for (const lr of [3e-3, 10]) {
  const t0 = performance.now();
  const model = models.classicCnn({ width: 8, rng: new Rng(0) });
  const report = train.babysit.babysit({
    model, train: trainLoader, val: valLoader, lr,
    makeOptimizer: (params, l) => optim.adamw(params, { lr: l, weightDecay: 5e-4 }),
    makeUnregularizedOptimizer: (params, l) => optim.adam(params, { lr: l }),
    trainSteps: steps,
    lrRange: { steps: args.tiny ? 30 : 60 },
    overfit: { steps: args.tiny ? 60 : 100 },
  });
  console.log(`\n=== classic CNN (width 8) on ${limit} MNIST digits, AdamW lr ${lr}: ${report.status.toUpperCase()} (${secondsSince(t0)} s)\n`);
  console.log(train.babysit.formatReport(report.checks));
  const c = report.lrCurve;
  if (c) curves.push(["loss", c.lr.map((l, i): Point => [l, c.loss[i]])], ["smoothed", c.lr.map((l, i): Point => [l, c.smoothed[i]])]);
  model.dispose();
}
savePlot(args, "babysit-lr-range", {
  title: "Learning-rate range test: loss while the lr grows each step", xLabel: "learning rate", yLabel: "training loss",
  logX: true, yRange: [0, 1.5 * (curves[0]?.[1][0]?.[1] ?? 3)],
  series: curves.slice(0, 2).map(([name, points]) => ({ name, points })),
});
