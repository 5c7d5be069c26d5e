/**
 * Transfer learning. Done-when: pretrain the default CNN (width 8) on MNIST digits 0–4 (4,106 training
 * digits of the embedded set, 3 epochs, random 2-pixel shifts), then learn digits 5–9 from 100 labelled
 * examples (20 per digit): new head trained on the frozen backbone (20 epochs), then everything
 * fine-tuned with the backbone at 3× lower lr (20 epochs). The same model trained from scratch on the
 * same 100 examples for 40 epochs gets the better of two learning rates. Three draws of the 100
 * examples; tested on the 975 held-out digits 5–9. Recorded (2 cores, wasm backend, ~30 s):
 *   draw 1: fine-tuned 94.15%, scratch 90.36%; draw 2: 95.38% vs 91.18%; draw 3: 94.36% vs 92.62%.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as g from "ganglion/node";
import { repoRoot } from "../helpers.js";
import { digitSubset } from "./helpers.js";

const { data, models, nn, optim, train, io } = g;

describe("transfer learning helpers", () => {
  it("the lecture's table", () => {
    assert.match(models.transferStrategy("small", "similar"), /linear classifier on the top layer/);
    assert.match(models.transferStrategy("small", "different"), /earlier stage/);
    assert.match(models.transferStrategy("large", "similar"), /few layers/);
    assert.match(models.transferStrategy("large", "different"), /larger number of layers/);
  });

  it("headPath and replaceHead: in place for ResNet/GoogLeNet, rebuilt Sequentials for AlexNet-style models", () => {
    const r = models.resnet20({ width: 0.25 });
    assert.equal(models.headPath(r), "fc");
    const conv1 = r.conv1;
    assert.equal(models.replaceHead(r, nn.linear(16, 3)), r);
    assert.deepEqual(r.stateDict()["fc.weight"].shape, [3, 16]);
    assert.equal(r.conv1, conv1);
    assert.equal(Object.keys(r.stateDict()).filter((k) => k.startsWith("fc.")).length, 2);
    r.dispose();

    const a = models.alexnetCifar({ width: 1 / 16 });
    assert.equal(models.headPath(a), "classifier.6");
    const features = [...a.namedChildren()][0][1];
    const b = models.replaceHead(a, nn.linear(64, 4));
    assert.notEqual(b, a);
    assert.equal([...b.namedChildren()][0][1], features, "the backbone is shared, not copied");
    assert.deepEqual(Object.keys(b.stateDict()), Object.keys(a.stateDict()), "same key names");
    assert.deepEqual(b.stateDict()["classifier.6.weight"].shape, [4, 64]);
    assert.deepEqual(g.noGrad(() => b.eval().forward(g.zeros([2, 3, 32, 32])).shape), [2, 4]);
    assert.equal(models.headPath(models.defaultCnn()), "14");
    b.dispose();
  });

  it("freezeBackbone / unfreeze / fineTuneParamGroups", () => {
    const m = models.lenet5();
    models.freezeBackbone(m);
    assert.deepEqual(m.parameters().filter((p) => p.requiresGrad).length, 2);
    assert.deepEqual(models.trainableParameters(m).map((p) => p.shape), [[10, 84], [10]]);
    const s = nn.summary(m, [1, 28, 28]);
    assert.equal(s.totals.trainableParams, 850);
    models.unfreeze(m);
    const groups = models.fineTuneParamGroups(m, { lr: 0.01 });
    assert.deepEqual(groups.map((gr) => [[...gr.params].length, gr.options?.lr]), [[8, 0.001], [2, 0.01]]);
    const opt = optim.sgd(groups, { momentum: 0.9 });
    assert.deepEqual(opt.groups.map((gr) => gr.options.lr), [0.001, 0.01]);
    m.dispose();
  });

  it("loadPretrained: a PyTorch safetensors state dict or a ganglion checkpoint; loadBackbone skips the old head", () => {
    const bytes = readFileSync(join(repoRoot(), "test", "fixtures", "zoo", "resnet20_w025.safetensors"));
    const sd = models.loadPretrained(new Uint8Array(bytes));
    const net = models.resnet20({ width: 0.25, classes: 3 });
    assert.throws(() => net.loadStateDict(sd), /fc.weight: expected shape \[3,16\], got \[10,16\]/);
    const report = models.loadBackbone(net, sd, { skip: ["fc"] });
    assert.deepEqual(report.missing, []);
    assert.deepEqual(Array.from(net.stateDict()["layer3.2.conv2.weight"].dataSync()), Array.from(sd["layer3.2.conv2.weight"].dataSync()));
    const packed = io.packCheckpoint({ model: net.stateDict(), meta: { step: 1 } });
    const ck = models.loadPretrained(io.serializeSafetensors(packed.tensors, packed.metadata));
    assert.deepEqual(Object.keys(ck).sort(), Object.keys(net.stateDict()).sort());
    const prefixed = models.loadPretrained({ "module.a": sd["fc.bias"] }, { stripPrefix: "module." });
    assert.deepEqual(Object.keys(prefixed), ["a"]);
    const wide = models.resnet20({ width: 0.5 });
    const before = Array.from(wide.stateDict()["layer1.0.conv1.weight"].dataSync());
    assert.throws(() => models.loadBackbone(wide, sd, { skip: ["fc"] }), /conv1.weight: expected shape \[8,3,3,3\], got \[4,3,3,3\]/);
    assert.deepEqual(Array.from(wide.stateDict()["layer1.0.conv1.weight"].dataSync()), before, "a failed load copies nothing");
    wide.dispose();
    for (const t of [...Object.values(sd), ...Object.values(ck)]) t.dispose();
    net.dispose();
  });
});

describe("transfer: MNIST digits 0–4 → 5–9 from 100 labelled examples", () => {
  it("fine-tuning a pretrained CNN beats training the same CNN from scratch by a clear margin", () => {
    const t0 = performance.now();
    const all = g.loadMnistDigits({ split: "train" });
    const testB = new data.DataLoader(new data.ImageDataset(digitSubset(g.loadMnistDigits({ split: "test" }), [5, 6, 7, 8, 9])), { batchSize: 500, shuffle: false });
    const W = 8;
    const make = (seed: number): g.nn.Module => models.classicCnn({ width: W, classes: 5, rng: new g.Rng(seed) });

    // 1. Pretrain on digits 0–4 (with random 2-pixel shifts) and keep the weights as a checkpoint would.
    const shiftAug = data.asSampleTransform(data.randomCrop({ size: 28, padding: 2 }));
    const pre = new data.DataLoader(new data.ImageDataset(digitSubset(all, [0, 1, 2, 3, 4]), { transform: shiftAug }), { batchSize: 64, seed: 1 });
    const source = make(1);
    train.fit({ model: source, optimizer: optim.adam(source.parameters(), { lr: 2e-3 }), train: pre, epochs: 3 });
    const packed = io.packCheckpoint({ model: source.stateDict(), meta: { digits: "0-4" } });
    const ckBytes = io.serializeSafetensors(packed.tensors, packed.metadata);
    source.dispose();

    const gaps: number[] = [];
    for (const offset of [0, 20, 40]) {
      const few = new data.ImageDataset(digitSubset(all, [5, 6, 7, 8, 9], { perClass: 20, offset }));
      assert.equal(few.length, 100);
      const loader = (): g.data.DataLoader => new data.DataLoader(few, { batchSize: 25, seed: 5 + offset });

      // 2. Transfer: load the backbone, new head, train the head on frozen features, then fine-tune all.
      const sd = models.loadPretrained(ckBytes);
      const base = make(2 + offset);
      models.loadBackbone(base, sd, { skip: ["10"] });
      for (const t of Object.values(sd)) t.dispose();
      const model = models.replaceHead(base, nn.linear(2 * W * 7 * 7, 5, { rng: new g.Rng(3) }));
      models.freezeBackbone(model);
      train.fit({ model, optimizer: optim.adam(models.trainableParameters(model), { lr: 3e-3 }), train: loader(), epochs: 20 });
      const headOnly = train.evaluate(model, testB).accuracy;
      models.unfreeze(model);
      train.fit({ model, optimizer: optim.adam(models.fineTuneParamGroups(model, { lr: 1e-3, backboneLr: 3e-4 })), train: loader(), epochs: 20 });
      const tuned = train.evaluate(model, testB).accuracy;
      model.dispose();

      // 3. The same model from scratch on the same 100 examples, same number of epochs, better of two lrs.
      const scratch = Math.max(...[1e-3, 3e-3].map((lr) => {
        const m = make(2 + offset);
        train.fit({ model: m, optimizer: optim.adam(m.parameters(), { lr }), train: loader(), epochs: 40 });
        const acc = train.evaluate(m, testB).accuracy;
        m.dispose();
        return acc;
      }));
      console.log(`draw ${offset / 20 + 1}: head only ${(100 * headOnly).toFixed(2)}%, fine-tuned ${(100 * tuned).toFixed(2)}%, scratch ${(100 * scratch).toFixed(2)}%`);
      assert.ok(tuned > scratch, `draw ${offset / 20 + 1}: fine-tuned ${tuned} should beat scratch ${scratch}`);
      gaps.push(tuned - scratch);
    }
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    console.log(`mean gain ${(100 * mean).toFixed(2)} points in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    assert.ok(mean >= 0.02, `fine-tuning should gain >= 2 points on average, got ${(100 * mean).toFixed(2)}`);
  });
});
