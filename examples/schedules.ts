/**
 * Learning-rate schedules (CS231n lecture 7): a schedule is a pure function step ↦ lr, set on the
 * optimizer before each step (train.fit's `schedule` option does it for you). Step decay (He et al.
 * 2016 divide by 10 at fixed epochs), cosine (Loshchilov & Hutter 2017, SGDR,
 * https://arxiv.org/abs/1608.03983), linear warmup (Goyal et al. 2017, https://arxiv.org/abs/1706.02677),
 * one-cycle (Smith & Topin 2019, https://arxiv.org/abs/1708.07120) and warm restarts (SGDR). The second
 * part trains the spiral net with a constant lr and with each schedule.
 *
 * Run: npm run build && node dist/examples/schedules.js [--steps 600] [--plot dir]
 */
import { Rng, data, fromArray, nn, optim, schedules, scope } from "ganglion";
import { parseArgs, table } from "./lib/args.js";
import { savePlot, type Point } from "./lib/plot.js";

const args = parseArgs();
const total = args.num("steps", 600, 120);
const base = 0.1;
const all: Array<[string, schedules.Schedule]> = [
  ["constant", schedules.constant(base)],
  ["step ×0.1 every 40 %", schedules.stepDecay(base, Math.round(total * 0.4), 0.1)],
  ["cosine", schedules.cosine(base, total)],
  ["warmup 10 % + cosine", schedules.linearWarmup(Math.round(total / 10), schedules.cosine(base, total - Math.round(total / 10)))],
  ["one-cycle", schedules.oneCycle(base, total)],
  ["warm restarts, 3 cycles", schedules.cosineWarmRestarts(base, Math.round(total / 3))],
];
const at = [0, 1, Math.round(total / 10), Math.round(total / 4), Math.round(total / 2), Math.round((3 * total) / 4), total - 1];
console.log(`learning rate at selected steps (base ${base}, ${total} steps)\n`);
console.log(table(["schedule", ...at.map((s) => `step ${s}`)], all.map(([name, f]) => [name, ...at.map((s) => f(s).toPrecision(3))])));

// Train the spiral net (2 → 100 → 3) with SGD+momentum under each schedule.
const spiral = data.makeSpiral({ rng: new Rng(0) });
const x = fromArray(spiral.points, [300, 2]);
const y = fromArray(spiral.labels, [300]);
const rows: string[][] = [];
for (const [name, schedule] of all) {
  const rng = new Rng(1);
  const model = nn.sequential(nn.linear(2, 100, { rng }), nn.relu(), nn.linear(100, 3, { rng }));
  const opt = optim.sgd(model.parameters(), { lr: base, momentum: 0.9 });
  let loss = NaN;
  for (let t = 0; t < total; t++) {
    opt.setOption("lr", schedule(t));
    loss = scope(() => {
      const l = nn.crossEntropy(model.forward(x), y);
      l.backward();
      opt.step();
      opt.zeroGrad();
      return l.item();
    });
  }
  const acc = scope(() => model.forward(x).argmax(1).eq(y).cast("float32").mean().item());
  rows.push([name, loss.toFixed(4), `${(100 * acc).toFixed(1)} %`]);
  opt.dispose();
  model.dispose();
}
console.log(`\nspiral net, full-batch SGD momentum 0.9, ${total} steps\n`);
console.log(table(["schedule", "final loss", "train accuracy"], rows));
savePlot(args, "schedules", {
  title: "Learning-rate schedules", xLabel: "step", yLabel: "learning rate",
  series: all.map(([name, f]) => ({ name, points: Array.from({ length: total }, (_, t): Point => [t, f(t)]) })),
});
