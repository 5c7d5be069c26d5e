/**
 * Ensembles: probability/logit averaging, snapshot ensembles (Huang et al. 2017) and test-time
 * augmentation. The accuracy checks use a 1,000-digit slice of the embedded MNIST set and the small
 * default CNN (width 4), tested on the 2,000 held-out digits; recorded figures (2 cores, wasm backend):
 *   five independently seeded CNNs, 8 epochs each: members 92.35–94.50%, ensemble 94.95% (NLL 0.176 vs
 *   best member 0.195);
 *   snapshot ensemble, one run of 5 SGDR cycles × 3 epochs (SGD momentum 0.9, lr 0.05 → 0), last 3
 *   snapshots: snapshots 93.70 / 93.90 / 94.05%, ensemble 94.25% (NLL 0.210 vs best 0.213).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion/node";
import { everyNth } from "./helpers.js";

const { data, models, optim, train, schedules } = g;

function mnistLoaders(): { trainSet: g.data.ImageDataset; indices: number[]; test: g.data.DataLoader } {
  const all = g.loadMnistDigits({ split: "train" });
  const test = new data.DataLoader(new data.ImageDataset(g.loadMnistDigits({ split: "test" })), { batchSize: 500, shuffle: false });
  return { trainSet: new data.ImageDataset(all), indices: everyNth(1000, all.labels.length), test };
}

describe("ensembles", () => {
  it("averagePredictions: log of mean softmax (probs) or mean logits, weights normalized", () => {
    const a = g.tensor([[2, 0, 0]]), b = g.tensor([[0, 2, 0]]);
    const p = models.averagePredictions([a, b]).exp().dataSync();
    const pa = a.softmax(-1).dataSync(), pb = b.softmax(-1).dataSync();
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(p[i] - (pa[i] + pb[i]) / 2) < 1e-6);
    assert.deepEqual(Array.from(models.averagePredictions([a, b], "logits", [3, 1]).dataSync()), [1.5, 0.5, 0]);
    assert.throws(() => models.averagePredictions([a, b], "probs", [1]), /2 outputs/);
  });

  it("five independently trained CNNs: the probability-averaged ensemble beats its best member", () => {
    const { trainSet, indices, test } = mnistLoaders();
    const members: g.nn.Module[] = [];
    const results: g.train.EvalResult[] = [];
    for (let s = 0; s < 5; s++) {
      const m = models.classicCnn({ width: 4, dropout: 0, rng: new g.Rng(100 + s) });
      const loader = new data.DataLoader(trainSet, { batchSize: 50, seed: 10 + s, indices });
      train.fit({ model: m, optimizer: optim.adam(m.parameters(), { lr: 0.003 }), train: loader, epochs: 8 });
      results.push(train.evaluate(m, test));
      members.push(m);
    }
    const ens = new models.Ensemble(members);
    assert.deepEqual(Object.keys(ens.stateDict()).slice(0, 2), ["0.0.weight", "0.1.weight"], "members are children 0..4");
    const r = train.evaluate(ens, test);
    const best = Math.max(...results.map((x) => x.accuracy));
    const bestLoss = Math.min(...results.map((x) => x.loss));
    console.log(`members ${results.map((x) => (100 * x.accuracy).toFixed(2)).join(" ")} %, ensemble ${(100 * r.accuracy).toFixed(2)} % (NLL ${r.loss.toFixed(4)} vs best ${bestLoss.toFixed(4)})`);
    assert.ok(r.accuracy > best, `ensemble ${r.accuracy} should beat its best member ${best}`);
    assert.ok(r.loss < bestLoss, `ensemble NLL ${r.loss} should be below the best member's ${bestLoss}`);
    const logits = train.evaluate(new models.Ensemble(members, { mode: "logits" }), test);
    assert.ok(logits.accuracy > best, "logit averaging also beats the best member here");
    ens.dispose();
  });

  it("snapshot ensemble: SGDR cycles, one snapshot per cycle end, the last 3 averaged beat each of them", () => {
    const { trainSet, indices, test } = mnistLoaders();
    const make = (): g.nn.Module => models.classicCnn({ width: 4, dropout: 0, rng: new g.Rng(7) });
    const model = make();
    const loader = new data.DataLoader(trainSet, { batchSize: 50, seed: 3, indices });
    const opt = optim.sgd(model.parameters(), { lr: 0.05, momentum: 0.9 });
    const lrs: number[] = [];
    const res = models.trainSnapshotEnsemble({
      fit: (o) => train.fit({ model, optimizer: opt, train: loader, ...o, onStep: (pos, l) => { lrs.push(opt.groups[0].options.lr); o.onStep(pos, l); } }),
      warmRestarts: schedules.cosineWarmRestarts, model, makeModel: make, stepsPerEpoch: loader.numBatches,
      cycles: 5, epochsPerCycle: 3, lr: 0.05, keepLast: 3,
    });
    const t0 = loader.numBatches * 3;
    assert.deepEqual(res.snapshots.map((s) => [s.cycle, s.step]), [[3, 3 * t0], [4, 4 * t0], [5, 5 * t0]]);
    assert.equal(lrs[0], 0.05);
    assert.equal(lrs[t0], 0.05, "the lr restarts after each cycle");
    assert.ok(lrs[t0 - 1] < 0.001, `the lr is annealed to ~0 at a cycle end (${lrs[t0 - 1]})`);
    const members = res.ensemble.members.map((m) => train.evaluate(m, test));
    const r = train.evaluate(res.ensemble, test);
    const best = Math.max(...members.map((x) => x.accuracy));
    const bestLoss = Math.min(...members.map((x) => x.loss));
    console.log(`snapshots ${members.map((x) => (100 * x.accuracy).toFixed(2)).join(" ")} %, ensemble ${(100 * r.accuracy).toFixed(2)} % (NLL ${r.loss.toFixed(4)} vs best ${bestLoss.toFixed(4)})`);
    assert.ok(r.accuracy >= best, `snapshot ensemble ${r.accuracy} should match or beat its best snapshot ${best}`);
    assert.ok(r.loss < bestLoss, `snapshot ensemble NLL ${r.loss} should be below the best snapshot's ${bestLoss}`);
    // The last snapshot is the trained model's final state.
    const last = res.snapshots[2].state;
    for (const [k, t] of Object.entries(model.stateDict())) assert.deepEqual(Array.from(t.dataSync()), Array.from(last[k].dataSync()), k);
    for (const s of res.snapshots) models.disposeStateDict(s.state);
    res.ensemble.dispose();
    model.dispose();
  });

  it("cycleEnds and SnapshotCollector keep the last M copies, detached from the live weights", () => {
    assert.deepEqual(models.cycleEnds(10, 3), [10, 20, 30]);
    assert.deepEqual(models.cycleEnds(2, 3, 2), [2, 6, 14]);
    const m = g.nn.linear(2, 2);
    const c = new models.SnapshotCollector(m, { ends: [1, 2, 3], keepLast: 2 });
    for (let step = 1; step <= 3; step++) {
      g.noGrad(() => m.weight.assign(g.full([2, 2], step)));
      c.onStep({ step });
    }
    assert.deepEqual(c.snapshots.map((s) => s.state.weight.dataSync()[0]), [2, 3]);
    const ens = c.ensemble(() => g.nn.linear(2, 2), { last: 1, mode: "logits" });
    assert.equal((ens.members[0] as g.nn.Linear).weight.dataSync()[0], 3);
    c.dispose();
    ens.dispose();
    m.dispose();
  });
});

describe("test-time augmentation", () => {
  it("hflip mirrors W; shift moves content and zero-fills; flipping twice is the identity", () => {
    const x = g.arange(0, 12).reshape([1, 1, 3, 4]).cast("float32");
    assert.deepEqual(models.hflip(x).toArray(), [[[[3, 2, 1, 0], [7, 6, 5, 4], [11, 10, 9, 8]]]]);
    assert.deepEqual(Array.from(models.hflip(models.hflip(x)).dataSync()), Array.from(x.dataSync()));
    assert.deepEqual(models.shift(0, 1)(x).toArray(), [[[[1, 2, 3, 0], [5, 6, 7, 0], [9, 10, 11, 0]]]]);
    assert.deepEqual(models.shift(-1, 0)(x).toArray(), [[[[0, 0, 0, 0], [0, 1, 2, 3], [4, 5, 6, 7]]]]);
    assert.equal(models.tenCropViews(2).length, 10);
  });

  it("averages the model's probabilities over the views; a flip-symmetric input gives the plain output", () => {
    const net = models.lenet5({ rng: new g.Rng(1) }).eval();
    const tta = new models.TestTimeAugmentation(net);
    const x = g.randn([2, 1, 28, 28], { rng: new g.Rng(2) });
    const got = g.noGrad(() => tta.forward(x).exp().dataSync());
    const want = g.noGrad(() => net.forward(x).softmax(-1).add(net.forward(models.hflip(x)).softmax(-1)).div(2).dataSync());
    for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-6);
    const sym = x.add(models.hflip(x));
    const a = g.noGrad(() => tta.forward(sym).dataSync()), b = g.noGrad(() => net.forward(sym).logSoftmax(-1).dataSync());
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-5);
    net.dispose();
  });
});
