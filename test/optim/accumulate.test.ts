/**
 * Gradient accumulation: k micro-batches of b examples (mean loss each, grads summed in .grad, then scaled
 * by 1/k) give the update of one batch of k·b examples for a model without BatchNorm, in float32 up to
 * rounding. With BatchNorm they differ: each micro-batch is normalized with its own statistics.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion";
import { assertClose } from "../helpers.js";

type Tensor = g.Tensor;
const K = 4;
const B = 5;

function data(): { x: Tensor; y: Tensor } {
  const rng = new g.Rng(11);
  const x = g.randn([K * B, 6], { rng });
  const y = g.randint(0, 3, [K * B], { rng });
  return { x, y };
}

/** Two models with identical weights. */
function twins(withBn: boolean): [g.nn.Module, g.nn.Module] {
  const make = (): g.nn.Module => {
    const rng = new g.Rng(5);
    return withBn
      ? g.nn.sequential(g.nn.linear(6, 8, { rng }), g.nn.batchNorm1d(8), g.nn.tanh(), g.nn.linear(8, 3, { rng }))
      : g.nn.sequential(g.nn.linear(6, 8, { rng }), g.nn.tanh(), g.nn.linear(8, 3, { rng }));
  };
  return [make(), make()];
}

const micro = (t: Tensor, i: number): Tensor => t.narrow(0, i * B, B);
const flatGrads = (m: g.nn.Module): number[] => m.parameters().flatMap((p) => [...p.grad!.dataSync()]);
const flatParams = (m: g.nn.Module): number[] => m.parameters().flatMap((p) => [...p.dataSync()]);

test(`accumulated gradient of ${K} micro-batches of ${B} = gradient of one batch of ${K * B} (no BatchNorm)`, () => {
  const { x, y } = data();
  const [full, acc] = twins(false);
  g.scope(() => g.nn.crossEntropy(full.forward(x), y).backward());
  for (let i = 0; i < K; i++) g.scope(() => g.nn.crossEntropy(acc.forward(micro(x, i)), micro(y, i)).backward());
  g.optim.scaleGrads(acc.parameters(), 1 / K);
  assertClose(flatGrads(acc), flatGrads(full), { atol: 1e-7, rtol: 1e-5 }, "grads");
});

for (const [name, make] of [
  ["sgd momentum", (ps: Tensor[]) => g.optim.sgd(ps, { lr: 0.1, momentum: 0.9 })],
  ["adam", (ps: Tensor[]) => g.optim.adam(ps, { lr: 0.01 })],
] as const) {
  test(`accumulateAndStep: 5 ${name} steps on ${K}×${B} micro-batches track 5 steps on batches of ${K * B}`, () => {
    const { x, y } = data();
    const [full, acc] = twins(false);
    const optFull = make(full.parameters());
    const optAcc = make(acc.parameters());
    for (let s = 0; s < 5; s++) {
      const lFull = g.scope(() => {
        const l = g.nn.crossEntropy(full.forward(x), y);
        l.backward();
        optFull.step();
        optFull.zeroGrad();
        return l.item();
      });
      const lAcc = g.optim.accumulateAndStep(optAcc, K, (i) => g.nn.crossEntropy(acc.forward(micro(x, i)), micro(y, i)));
      assert.ok(Math.abs(lAcc - lFull) < 1e-6, `step ${s}: mean micro-batch loss ${lAcc} vs batch loss ${lFull}`);
      assert.ok(acc.parameters().every((p) => p.grad === null), "grads dropped after the step");
    }
    assertClose(flatParams(acc), flatParams(full), { atol: 1e-6, rtol: 1e-5 }, `${name} parameters`);
  });
}

test("with BatchNorm the accumulated gradient differs: statistics are per micro-batch", () => {
  const { x, y } = data();
  const [full, acc] = twins(true);
  g.scope(() => g.nn.crossEntropy(full.forward(x), y).backward());
  for (let i = 0; i < K; i++) g.scope(() => g.nn.crossEntropy(acc.forward(micro(x, i)), micro(y, i)).backward());
  g.optim.scaleGrads(acc.parameters(), 1 / K);
  const a = flatGrads(acc);
  const f = flatGrads(full);
  const maxDiff = Math.max(...a.map((v, i) => Math.abs(v - f[i])));
  assert.ok(maxDiff > 1e-3, `expected a visible difference, got ${maxDiff}`);
});

test("accumulateAndStep frees each micro-batch's tensors and validates k", () => {
  const { x, y } = data();
  const [, acc] = twins(false);
  const opt = g.optim.sgd(acc.parameters(), { lr: 0.1, momentum: 0.9 });
  const step = (): number => g.optim.accumulateAndStep(opt, K, (i) => g.nn.crossEntropy(acc.forward(micro(x, i)), micro(y, i)));
  step();
  const live = g.memory().liveTensors;
  step();
  step();
  assert.equal(g.memory().liveTensors, live);
  assert.throws(() => g.optim.accumulateAndStep(opt, 0, () => x), /accumulateAndStep: invalid k 0/);
});
