/**
 * Data preprocessing (CS231n lecture 6).
 *
 * Part 1 — why zero-centered inputs: a neuron w·x with all-positive inputs x gets the gradient
 * ∂L/∂w = (∂L/∂(w·x))·x, whose components all share the sign of one scalar. Each update then moves w
 * into the (+,+) or (−,−) quadrant direction, so reaching a w* with mixed signs takes a zig-zag. Here a
 * logistic neuron learns two Gaussian blobs centred at (4, 5) and (5, 4) (w* ∝ (1, −1)) with batch-size-1
 * SGD, on the raw points and on the same points minus their mean (data.fitMeanImage).
 *
 * Part 2 — what each transform does to the covariance of correlated 2-D data: mean subtraction, per-feature
 * standardization, PCA (decorrelate: diagonal covariance) and PCA/ZCA whitening (identity covariance).
 * Part 3 — the statistics of real images (MNIST digits): fit on the training split, apply to every split.
 *
 * Run: npm run build && node dist/examples/preprocessing.js [--steps 400] [--plot dir]
 */
import { Rng, data, fromArray, keep, nn, optim, scope, loadMnistDigits } from "ganglion/node";
import { parseArgs, table } from "./lib/args.js";
import { savePlot, type Point } from "./lib/plot.js";

const args = parseArgs();
const steps = args.num("steps", 400, 200);
const rng = new Rng(0);

// Part 1: the zig-zag.
const blobs = data.makeBlobs({ pointsPerClass: 100, centers: [[4, 5], [5, 4]], std: 0.5, rng });
const center = data.fitMeanImage(blobs.points, blobs.shape);
const centered = center.apply(blobs.points, blobs.shape).data;

function trainNeuron(points: Float32Array): { path: Point[]; mixed: number; loss: number; acc: number } {
  const w = keep(fromArray([0, 0], [1, 2], { requiresGrad: true }));
  const opt = optim.sgd([w], { lr: 0.1 });
  const order = new Rng(1).permutation(blobs.labels.length);
  const path: Point[] = [[0, 0]];
  let mixed = 0;
  for (let t = 0; t < steps; t++) {
    const i = order[t % order.length];
    scope(() => {
      const xi = fromArray(points.subarray(2 * i, 2 * i + 2), [1, 2]);
      const target = fromArray([blobs.labels[i]], [1, 1]);
      nn.bceWithLogits(xi.matmul(w.T), target).backward();
      const [g1, g2] = (w.grad ?? w).dataSync();
      if (g1 * g2 < 0) mixed++;
      opt.step();
      opt.zeroGrad();
    });
    const [a, b] = w.dataSync();
    path.push([a, b]);
  }
  const [loss, acc] = scope(() => {
    const x = fromArray(points, [blobs.labels.length, 2]);
    const y = fromArray(Float32Array.from(blobs.labels), [blobs.labels.length, 1]);
    const z = x.matmul(w.T);
    return [nn.bceWithLogits(z, y).item(), z.gt(0).cast("float32").eq(y).cast("float32").mean().item()];
  });
  opt.dispose();
  w.dispose();
  return { path, mixed: mixed / steps, loss, acc };
}

const raw = trainNeuron(blobs.points);
const cen = trainNeuron(centered);
console.log(`Part 1: logistic neuron w·x (no bias) on 2 blobs at (4, 5) and (5, 4), ${steps} SGD steps of batch 1, lr 0.1\n`);
console.log(table(["inputs", "updates with mixed-sign ∂L/∂w", "final loss", "accuracy", "w after training"], [
  ["raw (all positive)", `${(100 * raw.mixed).toFixed(0)} %`, raw.loss.toFixed(3), `${(100 * raw.acc).toFixed(1)} %`, fmtW(raw.path)],
  ["zero-centered", `${(100 * cen.mixed).toFixed(0)} %`, cen.loss.toFixed(3), `${(100 * cen.acc).toFixed(1)} %`, fmtW(cen.path)],
]));
function fmtW(path: readonly Point[]): string {
  const [a, b] = path[path.length - 1];
  return `(${a.toFixed(2)}, ${b.toFixed(2)})`;
}
savePlot(args, "preprocessing-zigzag", {
  title: `Path of w over the first 60 updates`, xLabel: "w1", yLabel: "w2", equalAspect: true,
  series: [
    { name: "raw inputs (all positive)", points: raw.path.slice(0, 61), markers: true },
    { name: "zero-centered inputs", points: cen.path.slice(0, 61), markers: true },
  ],
});

// Part 2: covariance after each transform, on correlated 2-D data.
const n = 2000;
const z = rng.normal(2 * n);
const corr = new Float32Array(2 * n);
for (let i = 0; i < n; i++) {
  corr[2 * i] = 3 + 2 * z[2 * i];
  corr[2 * i + 1] = 1 + 1.2 * z[2 * i] + 0.4 * z[2 * i + 1];
}
const shape = [n, 2];
const transforms: Array<[string, (d: Float32Array) => Float32Array]> = [
  ["raw", (d) => d],
  ["mean subtracted", (d) => data.fitMeanImage(d, shape).apply(d, shape).data],
  ["standardized", (d) => data.fitChannelNormalize(d, shape).apply(d, shape).data],
  ["PCA (decorrelated)", (d) => data.fitPca(d, shape).apply(d, shape).data],
  ["PCA whitened", (d) => data.fitPca(d, shape, { whiten: true }).apply(d, shape).data],
  ["ZCA whitened", (d) => data.fitZca(d, shape).apply(d, shape).data],
];
const rows = transforms.map(([name, f]) => {
  const { mean, cov } = data.covariance(f(corr), n, 2);
  const m = (v: number): string => v.toFixed(3);
  return [name, `(${m(mean[0])}, ${m(mean[1])})`, `[[${m(cov[0])}, ${m(cov[1])}], [${m(cov[2])}, ${m(cov[3])}]]`];
});
console.log(`\nPart 2: ${n} correlated 2-D points, mean and covariance after each transform (fitted on the same points)\n`);
console.log(table(["transform", "mean", "covariance"], rows));

// Part 3: real images.
const train = loadMnistDigits({ split: "train" });
const test = loadMnistDigits({ split: "test" });
const norm = data.fitChannelNormalize(train.images, train.shape);
const st = norm.toJSON();
const scaled = data.scale(1 / 255).apply(train.images, train.shape);
const norm01 = data.fitChannelNormalize(scaled.data, scaled.shape).toJSON();
const testOut = norm.apply(test.images, test.shape).data;
let s = 0, s2 = 0;
for (const v of testOut) { s += v; s2 += v * v; }
const tm = s / testOut.length;
console.log(`\nPart 3: MNIST digits (${train.shape[0]} train / ${test.shape[0]} test images, ${train.shape.slice(1).join("×")})`);
console.log(`per-channel statistics fitted on the training split: mean ${st.mean[0].toFixed(2)}, std ${"std" in st ? st.std[0].toFixed(2) : "-"} (bytes); ${norm01.mean[0].toFixed(4)}, ${"std" in norm01 ? norm01.std[0].toFixed(4) : "-"} after scaling to [0, 1]`);
console.log(`the test split after the training split's normalization: mean ${tm.toFixed(4)}, std ${Math.sqrt(s2 / testOut.length - tm * tm).toFixed(4)}`);
