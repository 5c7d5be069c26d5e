/**
 * Batch normalization (Ioffe & Szegedy 2015, https://arxiv.org/abs/1502.03167; CS231n lecture 6): a
 * 6-layer MLP (784 → 5×100 → 10) on MNIST digits, with and without BatchNorm1d after every hidden
 * linear layer, from PyTorch's default init and from a too-small init N(0, 0.01²). BN normalizes each
 * unit over the batch, ŷ = γ(x − μ_B)/√(σ²_B + ε) + β, so the scale of the weights no longer decides
 * the scale of the activations: the badly initialized net trains anyway. In eval mode BN uses the
 * running averages of μ and σ² collected during training (printed at the end).
 *
 * Run: npm run build && node dist/examples/batchnorm.js [--epochs 3] [--limit 8000] [--lr 0.05] [--plot dir]
 */
import { Rng, data, init, loadMnistDigits, nn, noGrad, optim, scope, train } from "ganglion/node";
import { parseArgs, secondsSince, table } from "./lib/args.js";
import { savePlot, type Point } from "./lib/plot.js";

const args = parseArgs();
const epochs = args.num("epochs", 3, 1);
const limit = args.num("limit", 8000, 2000);
const lr = args.num("lr", 0.05);
const trainSet = loadMnistDigits({ split: "train" });
const testSet = loadMnistDigits({ split: "test" });
const stats = data.channelStats(trainSet);
const ds = (s: data.ImageSet): data.ImageDataset => new data.ImageDataset(s, { mean: stats.mean, std: stats.std });
const indices = Int32Array.from({ length: Math.min(limit, trainSet.shape[0]) }, (_, i) => i);
const trainLoader = new data.DataLoader(ds(trainSet), { batchSize: 64, seed: 1, indices });
const testLoader = new data.DataLoader(ds(testSet), { batchSize: 500, shuffle: false });

function mlp(bn: boolean, smallInit: boolean): nn.Sequential {
  const rng = new Rng(2);
  const layers: nn.Module[] = [nn.flatten()];
  let width = 784;
  for (let i = 0; i < 5; i++) {
    const fc = nn.linear(width, 100, { rng, bias: !bn });
    if (smallInit) init.normal(fc.weight, { std: 0.01, rng });
    layers.push(fc, ...(bn ? [nn.batchNorm1d(100)] : []), nn.relu());
    width = 100;
  }
  const head = nn.linear(width, 10, { rng });
  if (smallInit) init.normal(head.weight, { std: 0.01, rng });
  return nn.sequential(...layers, head);
}

const rows: string[][] = [];
const curves: Array<[string, Point[]]> = [];
let bnModel: nn.Sequential | undefined;
for (const smallInit of [false, true]) {
  for (const bn of [false, true]) {
    const name = `${bn ? "BN" : "no BN"}, ${smallInit ? "init N(0, 0.01²)" : "default init"}`;
    const t0 = performance.now();
    const model = mlp(bn, smallInit);
    const opt = optim.sgd(model.parameters(), { lr, momentum: 0.9 });
    const curve: Point[] = [];
    const run = train.fit({
      model, optimizer: opt, train: trainLoader, val: testLoader, epochs, logEvery: 10,
      onEvent: (e) => { if (e.type === "step") curve.push([e.step, e.loss]); },
    });
    const accs = run.epochs.map((e) => `${(100 * (e.valAccuracy ?? NaN)).toFixed(1)} %`);
    rows.push([name, curve.find(([s]) => s >= 50)?.[1].toFixed(3) ?? "-", run.epochs[run.epochs.length - 1].trainLoss.toFixed(3), accs.join(" → "), secondsSince(t0)]);
    curves.push([name, curve]);
    opt.dispose();
    if (bn && !smallInit) bnModel = model;
    else model.dispose();
  }
}
console.log(`6-layer MLP on ${indices.length} MNIST digits, SGD lr ${lr} momentum 0.9, batch 64, ${epochs} epoch(s)\n`);
console.log(table(["model", "loss at step 50", "last epoch's train loss", "test accuracy per epoch", "seconds"], rows));

// What BN does to one unit's pre-activations, and the running statistics used at test time.
if (bnModel) {
  const m = bnModel;
  const bn1 = m.layers[2] as nn.BatchNorm1d;
  const first = trainLoader.batches(0).next().value;
  if (first) {
    scope(() => noGrad(() => {
      const z = (m.layers[1] as nn.Linear).forward(m.layers[0].forward(first.x));
      const col = (t: typeof z): string => {
        const c = t.slice([0, 0], [t.shape[0], 1]);
        return `mean ${c.mean().item().toFixed(3)}, std ${c.std().item().toFixed(3)}`;
      };
      const rm = bn1.runningMean?.dataSync()[0] ?? NaN, rv = bn1.runningVar?.dataSync()[0] ?? NaN;
      const gamma = bn1.weight?.dataSync()[0] ?? 1, beta = bn1.bias?.dataSync()[0] ?? 0;
      const evalOut = bn1.eval().forward(z).dataSync()[0];
      const byHand = (gamma * (z.dataSync()[0] - rm)) / Math.sqrt(rv + bn1.eps) + beta;
      const normed = bn1.train().forward(z); // NOTE: training mode also updates the running averages
      console.log(`\nunit 0 of the first hidden layer on one batch: before BN ${col(z)}; after BN ${col(normed)} (γ = ${gamma.toFixed(3)}, β = ${beta.toFixed(3)})`);
      console.log(`eval mode uses running mean ${rm.toFixed(3)}, running var ${rv.toFixed(3)}: γ(x − mean)/√(var + ε) + β = ${byHand.toFixed(4)} for the first example; BN's output ${evalOut.toFixed(4)}`);
    }));
    first.x.dispose();
    first.y.dispose();
  }
  m.dispose();
}
savePlot(args, "batchnorm-loss", {
  title: "Training loss with and without batch normalization", xLabel: "step", yLabel: "cross-entropy (batch)", logY: true,
  series: curves.map(([name, points], i) => ({ name, points, dashed: i >= 2 })),
});
