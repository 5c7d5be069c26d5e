/**
 * Why weights must not start at zero (CS231n lecture 6): a 2-layer ReLU net (2 → 100 → 3) on the
 * spiral, trained the same way from four initializations.
 *
 *  - all zeros: the hidden layer outputs 0, so ∂L/∂W2 = hᵀδ = 0 and ∂L/∂W1 = (δW2 ⊙ 1[z>0])ᵀx = 0.
 *    Only the output bias learns: the net predicts the majority class (≈ 33 % on 3 balanced classes).
 *  - all 0.1 (any constant): every hidden unit computes the same function and gets the same gradient,
 *    so they stay identical forever — 100 units act as 1 (symmetry is never broken).
 *  - small random N(0, 0.01²) and He (Kaiming) normal: symmetry broken, the net fits the spiral.
 *
 * Run: npm run build && node dist/examples/zero-init.js [--steps 2000] [--plot dir]
 */
import { Rng, data, fromArray, init, nn, optim, scope, type Tensor } from "ganglion";
import { parseArgs, secondsSince, table } from "./lib/args.js";
import { savePlot, type Point } from "./lib/plot.js";

const args = parseArgs();
const steps = args.num("steps", 2000, 300);
const hidden = 100;
const spiral = data.makeSpiral({ pointsPerClass: 100, classes: 3, rng: new Rng(0) });
const x = fromArray(spiral.points, [300, 2]);
const y = fromArray(spiral.labels, [300]);

type How = "zeros" | "constant 0.1" | "N(0, 0.01²)" | "He normal";
function initialize(fc: nn.Linear, how: How, rng: Rng): void {
  switch (how) {
    case "zeros": init.zeros(fc.weight); break;
    case "constant 0.1": init.constant(fc.weight, 0.1); break;
    case "N(0, 0.01²)": init.normal(fc.weight, { std: 0.01, rng }); break;
    case "He normal": init.kaimingNormal(fc.weight, { nonlinearity: "relu", rng }); break;
  }
  if (fc.bias) init.zeros(fc.bias);
}

/** Hidden units whose incoming weights and bias differ (rounded to 1e-6). */
function distinctUnits(fc: nn.Linear): number {
  const w = fc.weight.dataSync(), b = fc.bias?.dataSync();
  const rows = new Set<string>();
  for (let i = 0; i < fc.outFeatures; i++) {
    const row = Array.from(w.subarray(i * fc.inFeatures, (i + 1) * fc.inFeatures), (v) => v.toFixed(6));
    rows.add([...row, b ? b[i].toFixed(6) : ""].join(","));
  }
  return rows.size;
}

const accuracy = (logits: Tensor): number => logits.argmax(1).eq(y).cast("float32").mean().item();

const curves: Array<[string, Point[]]> = [];
const rows: string[][] = [];
for (const how of ["zeros", "constant 0.1", "N(0, 0.01²)", "He normal"] as const) {
  const t0 = performance.now();
  const rng = new Rng(1);
  const fc1 = nn.linear(2, hidden, { rng }), fc2 = nn.linear(hidden, 3, { rng });
  initialize(fc1, how, rng);
  initialize(fc2, how, rng);
  const model = nn.sequential(fc1, nn.relu(), fc2);
  const opt = optim.sgd(model.parameters(), { lr: 0.5, momentum: 0.9 });
  const curve: Point[] = [];
  for (let step = 0; step < steps; step++) {
    const loss = scope(() => {
      const l = nn.crossEntropy(model.forward(x), y);
      l.backward();
      opt.step();
      opt.zeroGrad();
      return l.item();
    });
    if (step % 10 === 0) curve.push([step, loss]);
  }
  const [loss, acc] = scope(() => {
    const z = model.forward(x);
    return [nn.crossEntropy(z, y).item(), accuracy(z)];
  });
  rows.push([how, loss.toFixed(3), `${(100 * acc).toFixed(1)} %`, String(distinctUnits(fc1)), secondsSince(t0)]);
  curves.push([how, curve]);
  opt.dispose();
  model.dispose();
}
console.log(`2-layer net (2 → ${hidden} → 3, ReLU) on the 300-point spiral, ${steps} steps of full-batch SGD+momentum\n`);
console.log(table(["init", "final loss", "train accuracy", `distinct hidden units (of ${hidden})`, "seconds"], rows));
savePlot(args, "zero-init-loss", {
  title: "Training loss by weight initialization", xLabel: "step", yLabel: "cross-entropy", logY: true,
  series: curves.map(([name, points]) => ({ name, points })),
});
