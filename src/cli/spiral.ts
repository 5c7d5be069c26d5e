/**
 * The engine's first job (README's main command until the CNN job lands): a 2-layer ReLU net with a
 * softmax loss on the CS231n spiral, trained full-batch with SGD + momentum and L2 weight decay.
 */
import { Rng, scope, nn, optim, fromArray, noGrad, argmax, type Tensor } from "../index.js";
import { makeSpiral } from "../data/index.js";

export interface SpiralJobOptions {
  readonly steps: number;
  readonly hidden: number;
  readonly lr: number;
  readonly seed: number;
}
export interface SpiralJobResult {
  readonly train_accuracy: number;
  readonly train_loss: number;
  readonly initial_loss: number;
  readonly steps: number;
  readonly seconds: number;
}

export function trainSpiral(o: SpiralJobOptions, log: (line: string) => void): SpiralJobResult {
  const rng = new Rng(o.seed);
  const data = makeSpiral({ pointsPerClass: 100, classes: 3, noise: 0.2, rng });
  const x = fromArray(data.points, [data.labels.length, 2]).keep();
  const y = fromArray(data.labels, [data.labels.length]).keep();
  const model = nn.sequential(nn.linear(2, o.hidden, { rng }), nn.relu(), nn.linear(o.hidden, 3, { rng }));
  const opt = optim.sgd(model.parameters(), { lr: o.lr, momentum: 0.9, weightDecay: 1e-3 });
  const t0 = performance.now();
  let loss = NaN;
  let initial = NaN;
  for (let step = 1; step <= o.steps; step++) {
    loss = scope(() => {
      const l = nn.crossEntropy(model.forward(x), y);
      l.backward();
      opt.step();
      opt.zeroGrad();
      return l.item();
    });
    if (step === 1) initial = loss;
    if (step === 1 || step % Math.max(1, Math.floor(o.steps / 10)) === 0) log(`step ${String(step).padStart(5)}/${o.steps}  loss ${loss.toFixed(4)}`);
  }
  const acc = noGrad(() =>
    scope(() => {
      const pred = argmax(model.forward(x), 1).dataSync();
      let ok = 0;
      pred.forEach((p, i) => (ok += p === data.labels[i] ? 1 : 0));
      return ok / pred.length;
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  for (const t of [x, y] as Tensor[]) t.dispose();
  model.dispose();
  opt.dispose();
  return { train_accuracy: acc, train_loss: loss, initial_loss: initial, steps: o.steps, seconds };
}
