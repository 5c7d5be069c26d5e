/** Optimizer base behaviour shared by every optimizer: step(closure), zeroGrad, state ownership. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion";

type Tensor = g.Tensor;

function quadratic(): { w: Tensor; loss: () => Tensor } {
  const w = g.tensor([1, -2, 3], { dtype: "float64", requiresGrad: true }).keep();
  return { w, loss: () => w.square().sum() };
}

test("step(closure) evaluates the closure with gradients enabled, then updates; returns the loss", () => {
  const a = quadratic();
  const b = quadratic();
  const optA = g.optim.rmsprop([a.w], { lr: 0.1, centered: true });
  const optB = g.optim.rmsprop([b.w], { lr: 0.1, centered: true });
  for (let i = 0; i < 3; i++) {
    const la = g.noGrad(() =>
      optA.step(() => {
        optA.zeroGrad();
        const l = a.loss();
        l.backward();
        return l;
      }),
    );
    const lb = g.scope(() => {
      const l = b.loss();
      l.backward();
      optB.step();
      optB.zeroGrad();
      return l.item();
    });
    assert.equal(la, lb);
  }
  assert.deepEqual([...a.w.dataSync()], [...b.w.dataSync()]);
  assert.equal(g.optim.sgd([a.w]).step(), undefined, "no closure: no loss");
});

test("zeroGrad drops gradients by default, or zeroes them in place", () => {
  const { w, loss } = quadratic();
  const opt = g.optim.adagrad([w]);
  loss().backward();
  opt.zeroGrad({ setToNone: false });
  assert.deepEqual([...w.grad!.dataSync()], [0, 0, 0]);
  w.grad!.assign(g.tensor([Number.NaN, 1, 2], { dtype: "float64" }));
  opt.zeroGrad({ setToNone: false });
  assert.deepEqual([...w.grad!.dataSync()], [0, 0, 0], "a NaN gradient is cleared too");
  opt.zeroGrad();
  assert.equal(w.grad, null);
});

for (const [name, make, keys] of [
  ["adagrad", (w: Tensor) => g.optim.adagrad([w], { lr: 0.1 }), ["step", "sum"]],
  ["rmsprop", (w: Tensor) => g.optim.rmsprop([w], { centered: true, momentum: 0.9 }), ["step", "squareAvg", "gradAvg", "momentumBuffer"]],
] as const) {
  test(`${name}: per-parameter state is owned (flat tensor count across steps, freed by dispose)`, () => {
    const { w, loss } = quadratic();
    const before = g.memory().liveTensors;
    const opt = make(w);
    const step = (): void => g.scope(() => {
      loss().backward();
      opt.step();
      opt.zeroGrad();
    });
    step();
    const live = g.memory().liveTensors;
    step();
    step();
    assert.equal(g.memory().liveTensors, live);
    assert.deepEqual(Object.keys(opt.stateDict().state[0]).sort(), [...keys].sort());
    assert.equal(opt.stateDict().state[0].step, 3);
    opt.dispose();
    assert.equal(g.memory().liveTensors, before);
  });
}
