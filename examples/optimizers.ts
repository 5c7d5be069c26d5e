/**
 * CS231n lecture 7 ("Training Neural Networks II"), optimizers: SGD, SGD+momentum, Nesterov, AdaGrad,
 * RMSProp and Adam on the ill-conditioned quadratic f(x, y) = ½(x² + κ·y²) (κ = 50 by default), from
 * the same start, each with its own reasonable learning rate. The loss is steep along y and shallow
 * along x: plain SGD zig-zags across the valley and crawls along it; momentum builds up speed along x;
 * the adaptive methods (AdaGrad, RMSProp, Adam) rescale each coordinate by its gradient history.
 *
 * Run: npm run build && node dist/examples/optimizers.js [--steps 100] [--kappa 50] [--plot docs/guide/img]
 */
import { fromArray, keep, optim, scope, type Tensor } from "ganglion";
import { parseArgs, table } from "./lib/args.js";
import { savePlot, type Point, type Series } from "./lib/plot.js";

const args = parseArgs();
const steps = args.num("steps", 100, 40);
const kappa = args.num("kappa", 50);
/** Rotates the valley by this many degrees: adaptive methods lose their edge when it is not axis-aligned. */
const angle = (args.num("angle", 0) * Math.PI) / 180;
const [c, s] = [Math.cos(angle), Math.sin(angle)];
const start: Point = [-9 * c - 2.5 * s, -9 * s + 2.5 * c];

type MakeOpt = (p: Tensor[], lr: number) => optim.Optimizer<{ lr: number }>;
const optimizers: Array<[string, MakeOpt]> = [
  ["SGD", (p, lr) => optim.sgd(p, { lr })],
  ["SGD+momentum 0.9", (p, lr) => optim.sgd(p, { lr, momentum: 0.9 })],
  ["Nesterov 0.9", (p, lr) => optim.sgd(p, { lr, momentum: 0.9, nesterov: true })],
  ["AdaGrad", (p, lr) => optim.adagrad(p, { lr })],
  ["RMSProp", (p, lr) => optim.rmsprop(p, { lr })],
  ["Adam", (p, lr) => optim.adam(p, { lr })],
];
/** Every optimizer gets the best learning rate of this grid (lowest mean log f over the run). */
const LRS = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3];

/** f(w) = ½(u² + κv²) with (u, v) = Rᵀw, as a tensor expression (so autograd computes the gradient). */
const loss = (w: Tensor): Tensor => w.reshape([1, 2]).matmul(fromArray([c, -s, s, c], [2, 2])).square().mul(fromArray([0.5, 0.5 * kappa], [1, 2])).sum();

function trajectory(make: MakeOpt, lr: number): Point[] {
  const w = keep(fromArray(Float32Array.from(start), [2], { requiresGrad: true }));
  const opt = make([w], lr);
  const path: Point[] = [start];
  for (let t = 0; t < steps; t++) {
    scope(() => {
      loss(w).backward();
      opt.step();
      opt.zeroGrad();
    });
    const [x, y] = w.dataSync();
    path.push([x, y]);
  }
  opt.dispose();
  w.dispose();
  return path;
}

const f = ([x, y]: Point): number => 0.5 * ((c * x + s * y) ** 2 + kappa * (-s * x + c * y) ** 2);
/** Mean log10 f over the run: rewards getting low fast, not just the last value. */
const score = (p: readonly Point[]): number => {
  const v = p.reduce((a, q) => a + Math.log10(Math.max(f(q), 1e-30)), 0) / p.length;
  return Number.isFinite(v) ? v : Infinity;
};
const paths = optimizers.map(([name, make]) => {
  const tried = LRS.map((lr) => ({ lr, path: trajectory(make, lr) }));
  const best = tried.reduce((a, b) => (score(b.path) < score(a.path) ? b : a));
  return [`${name}, lr ${best.lr}`, best.path] as const;
});
/** The step from which f stays below `tol` (momentum methods dip below and come back up). */
const settledBelow = (p: readonly Point[], tol: number): string => {
  let last = -1;
  p.forEach((q, i) => { if (!(f(q) < tol)) last = i; });
  return last === p.length - 1 ? `> ${steps}` : String(last + 1);
};
console.log(`f(x, y) = ½(u² + ${kappa}·v²), (u, v) = (x, y) rotated by ${args.num("angle", 0)}°, start (${start.map((v) => v.toFixed(2)).join(", ")}), f = ${f(start).toFixed(2)}, ${steps} steps\n`);
console.log(table(
  ["optimizer", "f after 10", "f after 50", `f after ${steps}`, "f < 1e-3 from step"],
  paths.map(([name, p]) => [name, ...[10, 50, steps].map((k) => f(p[Math.min(k, p.length - 1)]).toExponential(2)), settledBelow(p, 1e-3)]),
));

// Ill-conditioning in one line: the largest stable SGD step is 2/κ along y, which moves x by only 2/κ of its distance.
console.log(`\nSGD needs lr < 2/κ = ${(2 / kappa).toFixed(3)} for y, so x shrinks by at most ${(1 - 2 / kappa).toFixed(3)}× per step.`);
console.log(`Best learning rate of ${LRS.join(", ")} for each optimizer (lowest mean log f over the ${steps} steps).`);

const contours: Series[] = [0.5, 2, 8, 20, 40].map((level) => ({
  name: `f = ${level}`, muted: true,
  points: Array.from({ length: 97 }, (_, i): Point => {
    const a = (2 * Math.PI * i) / 96;
    const [u, v] = [Math.sqrt(2 * level) * Math.cos(a), Math.sqrt((2 * level) / kappa) * Math.sin(a)];
    return [c * u - s * v, s * u + c * v];
  }),
}));
const suffix = angle ? `-rotated` : "";
for (const [group, names] of [["sgd", [0, 1, 2]], ["adaptive", [0, 3, 4, 5]]] as const) {
  savePlot(args, `optimizers-${group}${suffix}`, {
    title: `First 40 steps on f = ½(u² + ${kappa}v²)`, xLabel: "x", yLabel: "y", equalAspect: true,
    xRange: [-10, 10], yRange: [-6, 6], width: 760, height: 420,
    series: [...contours, ...names.map((i): Series => ({ name: paths[i][0], points: paths[i][1].slice(0, 41), markers: true }))],
  });
}
savePlot(args, `optimizers-loss${suffix}`, {
  title: "Loss per step", xLabel: "step", yLabel: "f(x, y)", logY: true, yRange: [1e-8, 100], legend: "bottom-right",
  series: paths.map(([name, p]): Series => ({ name, points: p.map((q, i): Point => [i, Math.max(f(q), 1e-12)]) })),
});
