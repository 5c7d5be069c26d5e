/** fit(): learns, overfits a tiny subset, keeps memory flat across epochs, reports events. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion";

const { data, nn, optim, train } = g;

function spiralLoader(batchSize: number, indices?: number[]): g.data.DataLoader {
  const set = data.makeSpiral({ pointsPerClass: 60, classes: 3, rng: new g.Rng(2) });
  return new data.DataLoader(new data.PointDataset(set), { batchSize, seed: 1, indices });
}

describe("fit", () => {
  it("trains a 2-layer net on the spiral and reports step/epoch events", () => {
    const rng = new g.Rng(0);
    const model = nn.sequential(nn.linear(2, 64, { rng }), nn.relu(), nn.linear(64, 3, { rng }));
    const opt = optim.adam(model.parameters(), { lr: 0.02 });
    const events: g.train.TrainEvent[] = [];
    const loader = spiralLoader(30);
    const before = g.memory();
    const r = train.fit({ model, optimizer: opt, train: loader, val: loader, epochs: 40, logEvery: 5, onEvent: (e) => events.push(e) });
    assert.equal(r.epochs.length, 40);
    assert.ok(r.epochs[39].trainLoss < r.epochs[0].trainLoss / 3, `loss ${r.epochs[0].trainLoss} -> ${r.epochs[39].trainLoss}`);
    assert.ok((r.lastVal?.accuracy ?? 0) > 0.9, `accuracy ${r.lastVal?.accuracy}`);
    assert.ok(events.some((e) => e.type === "step") && events.filter((e) => e.type === "epoch").length === 40);
    // Memory: only the optimizer state (2 moments per parameter) was added over 40 epochs.
    assert.equal(g.memory().liveTensors, before.liveTensors + 2 * model.parameters().length);
    opt.dispose();
    assert.equal(g.memory().liveTensors, before.liveTensors);
    model.dispose();
  });

  it("overfits a tiny subset to 100% training accuracy (the CS231n sanity check)", () => {
    const rng = new g.Rng(5);
    const model = nn.sequential(nn.linear(2, 100, { rng }), nn.relu(), nn.linear(100, 3, { rng }));
    const opt = optim.adam(model.parameters(), { lr: 0.03 });
    const tiny = spiralLoader(20, Array.from({ length: 20 }, (_, i) => i * 9));
    const r = train.fit({ model, optimizer: opt, train: tiny, epochs: 150 });
    assert.equal(r.epochs.at(-1)?.trainAccuracy, 1);
    opt.dispose();
    model.dispose();
  });

  it("resumes at a position with the same result as an uninterrupted run", () => {
    const run = (split: boolean): number[] => {
      const rng = new g.Rng(11);
      const model = nn.sequential(nn.linear(2, 16, { rng }), nn.tanh(), nn.linear(16, 3, { rng }));
      const opt = optim.sgd(model.parameters(), { lr: 0.1, momentum: 0.9 });
      const loader = spiralLoader(32);
      if (split) {
        const first = train.fit({ model, optimizer: opt, train: loader, epochs: 2 });
        train.fit({ model, optimizer: opt, train: loader, epochs: 4, start: first.position });
      } else train.fit({ model, optimizer: opt, train: loader, epochs: 4 });
      const w = Array.from(model.parameters()[0].dataSync());
      opt.dispose();
      model.dispose();
      return w;
    };
    assert.deepEqual(run(true), run(false));
  });

  it("validates its options", () => {
    const model = nn.sequential(nn.linear(2, 3));
    const opt = optim.sgd(model.parameters());
    assert.throws(() => train.fit({ model, optimizer: opt, train: spiralLoader(8), epochs: -1 }), /fit: epochs must be an integer >= 0, got -1/);
    assert.throws(() => train.fit({ model, optimizer: opt, train: spiralLoader(8), epochs: 1, accumulate: 0 }), /accumulate must be an integer >= 1/);
    model.dispose();
  });
});
