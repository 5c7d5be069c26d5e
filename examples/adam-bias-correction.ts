/**
 * Adam's bias correction (Kingma & Ba 2015, https://arxiv.org/abs/1412.6980, §3; CS231n lecture 7).
 * The moment estimates start at zero, m₀ = v₀ = 0, so early on they are biased towards zero:
 * E[m_t] ≈ (1 − β1ᵗ)·E[g], E[v_t] ≈ (1 − β2ᵗ)·E[g²]. Adam divides them by (1 − βᵗ). Without that, the
 * first update is lr·(1 − β1)/√(1 − β2) ≈ 3.16·lr with the default betas (0.9, 0.999): too large while
 * the estimates are least reliable. The table follows one weight under a constant gradient g = 1.
 * A second run trains a small net with ganglion's optim.adam and with a hand-written Adam without the
 * correction (same init, same data), comparing the first steps' loss.
 *
 * Run: npm run build && node dist/examples/adam-bias-correction.js [--steps 30] [--plot dir]
 */
import { Rng, data, fromArray, keep, nn, noGrad, optim, scope, type Tensor } from "ganglion";
import { parseArgs, table } from "./lib/args.js";
import { savePlot, type Point } from "./lib/plot.js";

const args = parseArgs();
const steps = args.num("steps", 30, 15);
const [b1, b2, lr, eps] = [0.9, 0.999, 1e-3, 1e-8];

// 1. One weight, constant gradient g = 1: the update sizes by the formulas, and optim.adam's real step.
const w = keep(fromArray([0], [1], { requiresGrad: true }));
const adam = optim.adam([w], { lr, betas: [b1, b2], eps });
let m = 0, v = 0, prev = 0;
const rows: string[][] = [];
const corrected: Point[] = [], uncorrected: Point[] = [];
for (let t = 1; t <= 1000; t++) {
  m = b1 * m + (1 - b1);
  v = b2 * v + (1 - b2);
  const withBc = (lr * (m / (1 - b1 ** t))) / (Math.sqrt(v / (1 - b2 ** t)) + eps);
  const without = (lr * m) / (Math.sqrt(v) + eps);
  scope(() => {
    w.grad = keep(fromArray([1], [1]));
    adam.step();
    adam.zeroGrad();
  });
  const now = w.dataSync()[0];
  const real = prev - now;
  prev = now;
  corrected.push([t, withBc / lr]);
  uncorrected.push([t, without / lr]);
  if ([1, 2, 3, 5, 10, 50, 100, 500, 1000].includes(t)) {
    rows.push([String(t), (withBc / lr).toFixed(3), (real / lr).toFixed(3), (without / lr).toFixed(3), (m / (1 - b1 ** t)).toFixed(3), Math.sqrt(v).toFixed(4)]);
  }
}
adam.dispose();
w.dispose();
console.log(`One weight, gradient 1 at every step, betas (${b1}, ${b2}): update size / lr\n`);
console.log(table(["step t", "with correction", "optim.adam (measured)", "without correction", "m̂_t", "√v_t (uncorrected)"], rows));

// 2. A small net: ganglion's Adam vs the same update without the 1/(1 − βᵗ) factors.
const spiral = data.makeSpiral({ rng: new Rng(0) });
const x = fromArray(spiral.points, [300, 2]);
const y = fromArray(spiral.labels, [300]);
const makeModel = (): nn.Sequential => {
  const rng = new Rng(1);
  return nn.sequential(nn.linear(2, 100, { rng }), nn.relu(), nn.linear(100, 3, { rng }));
};
const netLr = 0.05;

/** Adam without bias correction, written out: m ← β1m + (1−β1)g, v ← β2v + (1−β2)g², θ ← θ − lr·m/(√v + ε). */
function uncorrectedAdam(params: Tensor[]): () => void {
  const ms = params.map((p) => keep(noGrad(() => p.mul(0))));
  const vs = params.map((p) => keep(noGrad(() => p.mul(0))));
  return () => noGrad(() => params.forEach((p, i) => {
    const g = p.grad as Tensor;
    ms[i].assign(ms[i].mul(b1).add(g.mul(1 - b1)));
    vs[i].assign(vs[i].mul(b2).add(g.square().mul(1 - b2)));
    p.assign(p.sub(ms[i].div(vs[i].sqrt().add(eps)).mul(netLr)));
    p.grad = null;
  }));
}

function lossCurve(kind: "ganglion optim.adam" | "no bias correction"): number[] {
  const model = makeModel();
  const opt = kind === "ganglion optim.adam" ? optim.adam(model.parameters(), { lr: netLr }) : undefined;
  const stepNoBc = kind === "no bias correction" ? uncorrectedAdam(model.parameters()) : undefined;
  const out: number[] = [];
  for (let t = 0; t <= steps; t++) {
    out.push(scope(() => {
      const l = nn.crossEntropy(model.forward(x), y);
      if (t === steps) return l.item();
      l.backward();
      if (opt) { opt.step(); opt.zeroGrad(); } else stepNoBc?.();
      return l.item();
    }));
  }
  opt?.dispose();
  model.dispose();
  return out;
}
const a = lossCurve("ganglion optim.adam"), b = lossCurve("no bias correction");
console.log(`\n2-layer net on the spiral, Adam lr ${netLr}: training loss after t steps\n`);
const shown = [0, 1, 2, 3, 5, 10, steps].filter((t, i, all) => t <= steps && all.indexOf(t) === i);
console.log(table(["step", ...shown.map(String)], [
  ["with correction", ...shown.map((t) => a[t].toFixed(3))],
  ["without", ...shown.map((t) => b[t].toFixed(3))],
]));
savePlot(args, "adam-bias-correction", {
  title: "Adam's update size under a constant gradient", xLabel: "step t", yLabel: "update / lr", logX: true,
  series: [{ name: "with bias correction", points: corrected }, { name: "without", points: uncorrected }],
});
