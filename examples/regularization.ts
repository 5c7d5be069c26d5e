/**
 * Regularization (CS231n lectures 6–7).
 *
 * Part 1 — inverted dropout (Srivastava et al. 2014, https://jmlr.org/papers/v15/srivastava14a.html):
 * in training each unit is kept with probability 1 − p and the survivors are scaled by 1/(1 − p), so the
 * expected activation is unchanged and test time needs no rescaling (eval mode is the identity).
 *
 * Part 2 — overfitting a small training set: an MLP (784 → 64 → 64 → 10) on 500 MNIST digits, with no
 * regularization, L2 weight decay, dropout, data augmentation (random 2-pixel shifts) and label smoothing
 * (Szegedy et al. 2016, https://arxiv.org/abs/1512.00567); train vs test accuracy shows the gap each one closes.
 * The curve follows the accuracy on the first 500 test digits after every epoch; the table tests on all 2,000.
 *
 * Run: npm run build && node dist/examples/regularization.js [--limit 500] [--epochs 30] [--hidden 64] [--plot dir]
 */
import { Rng, data, loadMnistDigits, nn, noGrad, optim, ones, scope, train } from "ganglion/node";
import { parseArgs, secondsSince, table } from "./lib/args.js";
import { savePlot, type Point } from "./lib/plot.js";

const args = parseArgs();
const limit = args.num("limit", 500, 300);
const epochs = args.num("epochs", 30, 8);
const hidden = args.num("hidden", 64);
const lr = args.num("lr", 3e-3);

// Part 1: dropout's scaling.
const p = 0.5;
const drop = nn.dropout(p, { rng: new Rng(0) });
scope(() => noGrad(() => {
  const x = ones([1000, 100]);
  const yTrain = Array.from(drop.train().forward(x).dataSync());
  const kept = yTrain.filter((v) => v !== 0);
  const yEval = drop.eval().forward(x);
  console.log(`dropout p = ${p} on 100,000 ones: train mode keeps ${(100 * kept.length / yTrain.length).toFixed(2)} %, ` +
    `each scaled to ${kept[0]} (= 1/(1 − p)), mean ${(yTrain.reduce((a, b) => a + b, 0) / yTrain.length).toFixed(4)}; ` +
    `eval mode: mean ${yEval.mean().item().toFixed(4)}, max ${yEval.max().item()}`);
}));

// Part 2: five ways to fight overfitting.
const all = loadMnistDigits({ split: "train" });
const testSet = new data.ImageDataset(loadMnistDigits({ split: "test" }));
const test = new data.DataLoader(testSet, { batchSize: 500, shuffle: false });
// NOTE: the per-epoch curve uses 500 test digits: evaluating all 2,000 every epoch cost more than training.
const curveSet = new data.DataLoader(testSet, { batchSize: 500, shuffle: false, indices: Int32Array.from({ length: 500 }, (_, i) => i) });
const indices = Int32Array.from({ length: limit }, (_, i) => i);
const shift = data.asSampleTransform(data.randomCrop({ size: 28, padding: 2 }));

interface Setup { readonly name: string; readonly dropout: number; readonly weightDecay: number; readonly augment: boolean; readonly smoothing: number }
const setups: Setup[] = [
  { name: "none", dropout: 0, weightDecay: 0, augment: false, smoothing: 0 },
  { name: "L2 weight decay 1e-3", dropout: 0, weightDecay: 1e-3, augment: false, smoothing: 0 },
  { name: "dropout 0.5", dropout: 0.5, weightDecay: 0, augment: false, smoothing: 0 },
  { name: "augmentation (shifts)", dropout: 0, weightDecay: 0, augment: true, smoothing: 0 },
  { name: "label smoothing 0.1", dropout: 0, weightDecay: 0, augment: false, smoothing: 0.1 },
  { name: "dropout + augmentation", dropout: 0.5, weightDecay: 0, augment: true, smoothing: 0 },
];
const rows: string[][] = [];
const curves: Array<[string, Point[]]> = [];
for (const s of setups) {
  const t0 = performance.now();
  const rng = new Rng(3);
  const model = nn.sequential(
    nn.flatten(), nn.linear(784, hidden, { rng }), nn.relu(), nn.dropout(s.dropout, { rng }),
    nn.linear(hidden, hidden, { rng }), nn.relu(), nn.dropout(s.dropout, { rng }), nn.linear(hidden, 10, { rng }),
  );
  const ds = new data.ImageDataset(all, s.augment ? { transform: shift } : {});
  const loader = new data.DataLoader(ds, { batchSize: 50, seed: 4, indices });
  const opt = optim.adam(model.parameters(), { lr, weightDecay: s.weightDecay });
  const curve: Point[] = [];
  train.fit({
    model, optimizer: opt, train: loader, val: curveSet, epochs,
    loss: (z, y) => nn.crossEntropy(z, y, { labelSmoothing: s.smoothing }),
    onEvent: (e) => { if (e.type === "epoch") curve.push([e.epoch + 1, 100 * (e.valAccuracy ?? NaN)]); },
  });
  const plain = new data.DataLoader(new data.ImageDataset(all), { batchSize: 500, shuffle: false, indices });
  const tr = train.evaluate(model, plain), te = train.evaluate(model, test);
  rows.push([s.name, `${(100 * tr.accuracy).toFixed(1)} %`, `${(100 * te.accuracy).toFixed(1)} %`, `${(100 * (tr.accuracy - te.accuracy)).toFixed(1)}`, te.loss.toFixed(3), secondsSince(t0)]);
  curves.push([s.name, curve]);
  opt.dispose();
  model.dispose();
}
console.log(`\nMLP 784 → ${hidden} → ${hidden} → 10 on ${limit} MNIST digits, Adam lr ${lr}, ${epochs} epochs; test = ${test.length} held-out digits\n`);
console.log(table(["regularization", "train accuracy", "test accuracy", "gap (points)", "test loss", "seconds"], rows));
savePlot(args, "regularization-test-accuracy", {
  title: `Test accuracy per epoch (${limit} training digits)`, xLabel: "epoch", yLabel: "accuracy on 500 test digits (%)", legend: "bottom-right",
  series: curves.map(([name, points]) => ({ name, points })),
});

