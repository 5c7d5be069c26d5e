/**
 * The float32 path: the same golden problems built from nn.Linear / nn.Conv2d modules (float32, weights
 * loaded from the fixture), each optimizer configuration run for 20 steps and compared with PyTorch's
 * float64 trajectory. float32 rounding (≈6e-8 per op, amplified by Adam/RMSProp where gradients are
 * small) bounds the agreement here; the exact-rule check at 1e-5 is trajectories.test.ts, in float64.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion";
import { loadOptimGoldens, stepOf, toTensor, type OptimCase } from "./golden.js";

type Tensor = g.Tensor;
const G = loadOptimGoldens();
/** |a − e| ≤ REL·max(|e|, FLOOR): relative, with a floor for parameters that pass near 0. */
const REL = 1e-3;
const FLOOR = 1e-2;

class TinyCnn extends g.nn.Module {
  readonly conv = this.registerModule("conv", g.nn.conv2d(1, 2, 3));
  readonly fc = this.registerModule("fc", g.nn.linear(18, 3));
  forward(x: Tensor): Tensor {
    return this.fc.forward(this.conv.forward(x).relu().flatten(1));
  }
}

const FACTORIES: Record<OptimCase["optimizer"], (p: Tensor[], o: Record<string, unknown>) => { step(): unknown; zeroGrad(): void; dispose(): void }> = {
  sgd: (p, o) => g.optim.sgd(p, o),
  adam: (p, o) => g.optim.adam(p, o),
  adamw: (p, o) => g.optim.adamw(p, o),
  adagrad: (p, o) => g.optim.adagrad(p, o),
  rmsprop: (p, o) => g.optim.rmsprop(p, o),
};

const worst: string[] = [];
for (const c of G.cases.filter((x) => !x.groups)) {
  test(`${c.name} in float32 with nn modules stays within ${REL} of torch's float64 trajectory`, () => {
    const prob = G.problems[c.problem];
    const model: g.nn.Module = c.problem === "linear" ? g.nn.linear(4, 3) : new TinyCnn();
    model.loadStateDict(Object.fromEntries(Object.entries(prob.params).map(([k, h]) => [k, toTensor(h)])));
    const x = toTensor(prob.inputs.x).cast("float32");
    const target = c.problem === "linear" ? toTensor(prob.inputs.y).cast("float32") : toTensor(prob.inputs.target);
    const lossOf = (): Tensor => (c.problem === "linear" ? g.nn.mseLoss(model.forward(x), target) : g.nn.crossEntropy(model.forward(x), target));
    const opt = FACTORIES[c.optimizer](model.parameters(), c.options);
    let w = 0;
    for (let i = 0; i < c.steps; i++) {
      g.scope(() => {
        lossOf().backward();
        opt.step();
        opt.zeroGrad();
      });
      for (const [name, p] of model.namedParameters()) {
        const e = stepOf(c.trajectory[name], i);
        const a = p.dataSync();
        for (let j = 0; j < e.length; j++) w = Math.max(w, Math.abs(a[j] - e[j]) / Math.max(Math.abs(e[j]), FLOOR));
      }
    }
    worst.push(`${c.name.padEnd(44)} ${w.toExponential(2)}`);
    assert.ok(w <= REL, `${c.name}: float32 trajectory ${w.toExponential(2)} from torch's`);
    opt.dispose();
    model.dispose();
  });
}

test("summary: float32 worst error per case", () => {
  console.log(worst.join("\n"));
});
