/**
 * Transfer learning (CS231n lecture 7; Yosinski et al. 2014, https://arxiv.org/abs/1411.1792): pretrain
 * the classic CNN (models.classicCnn, width 8) on 2,500 MNIST digits 0–4, then learn digits 5–9 from only 100 labelled examples.
 * Compared: (a) training from scratch on the 100 examples; (b) the pretrained backbone frozen, a new
 * linear head trained on its features; (c) then everything fine-tuned, the backbone at a 3× lower lr.
 * Tested on the held-out digits 5–9. The checkpoint round-trips through safetensors bytes, as a
 * pretrained file from disk would (io.packCheckpoint / models.loadPretrained).
 *
 * Run: npm run build && node dist/examples/transfer.js [--pretrain-epochs 2] [--pretrain-per-class 500] [--epochs 20]
 */
import { Rng, data, io, loadMnistDigits, models, nn, optim, train } from "ganglion/node";
import { parseArgs, secondsSince, table } from "./lib/args.js";

const args = parseArgs();
const preEpochs = args.num("pretrain-epochs", 2, 1);
const prePerClass = args.num("pretrain-per-class", 500, 300);
const epochs = args.num("epochs", 20, 6);
const perClass = args.num("per-class", 20, 20);
const W = 8;

/** The images of `set` whose label is in `keep`, relabelled 0..k−1, at most `perClass` per class. */
function subset(set: data.ImageSet, keep: readonly number[], max = Infinity): data.ImageSet {
  const seen = new Map<number, number>();
  const idx: number[] = [];
  set.labels.forEach((l, i) => {
    const k = seen.get(l) ?? 0;
    if (keep.includes(l) && k < max) idx.push(i);
    seen.set(l, k + 1);
  });
  const px = set.shape[1] * set.shape[2] * set.shape[3];
  const images = new Uint8Array(idx.length * px);
  idx.forEach((j, k) => images.set(set.images.subarray(j * px, (j + 1) * px), k * px));
  return { images, labels: Int32Array.from(idx, (j) => keep.indexOf(set.labels[j])), shape: [idx.length, set.shape[1], set.shape[2], set.shape[3]], classes: keep.map(String) };
}

const t0 = performance.now();
const all = loadMnistDigits({ split: "train" });
const test = new data.DataLoader(new data.ImageDataset(subset(loadMnistDigits({ split: "test" }), [5, 6, 7, 8, 9])), { batchSize: 500, shuffle: false });
const make = (seed: number): nn.Sequential => models.classicCnn({ width: W, classes: 5, rng: new Rng(seed) });

// 1. Pretrain on digits 0–4 (with random 2-pixel shifts) and save a checkpoint (bytes).
const shift = data.asSampleTransform(data.randomCrop({ size: 28, padding: 2 }));
const source = subset(all, [0, 1, 2, 3, 4], prePerClass);
const pre = new data.DataLoader(new data.ImageDataset(source, { transform: shift }), { batchSize: 64, seed: 1 });
const net = make(1);
train.fit({ model: net, optimizer: optim.adam(net.parameters(), { lr: 2e-3 }), train: pre, epochs: preEpochs });
const packed = io.packCheckpoint({ model: net.stateDict(), meta: { digits: "0-4" } });
const bytes = io.serializeSafetensors(packed.tensors, packed.metadata);
net.dispose();
console.log(`pretrained on ${source.shape[0]} digits 0–4 for ${preEpochs} epoch(s): checkpoint ${(bytes.length / 1024).toFixed(0)} KiB (${secondsSince(t0)} s)`);

// 2. The few-shot task: 100 examples of digits 5–9.
const few = new data.ImageDataset(subset(all, [5, 6, 7, 8, 9], perClass));
const loader = (): data.DataLoader => new data.DataLoader(few, { batchSize: 25, seed: 5 });
const acc = (m: nn.Module): string => `${(100 * train.evaluate(m, test).accuracy).toFixed(2)} %`;

const scratch = make(2);
train.fit({ model: scratch, optimizer: optim.adam(scratch.parameters(), { lr: 3e-3 }), train: loader(), epochs: 2 * epochs });
const rows = [[`(a) from scratch, ${2 * epochs} epochs`, acc(scratch), String(models.countParameters(scratch))]];
scratch.dispose();

const sd = models.loadPretrained(bytes);
const base = make(2);
models.loadBackbone(base, sd, { skip: [models.headPath(base)] });
for (const t of Object.values(sd)) t.dispose();
const model = models.replaceHead(base, nn.linear(2 * W * 7 * 7, 5, { rng: new Rng(3) }));
models.freezeBackbone(model);
const trainable = models.trainableParameters(model).reduce((n, p) => n + p.size, 0);
train.fit({ model, optimizer: optim.adam(models.trainableParameters(model), { lr: 3e-3 }), train: loader(), epochs });
rows.push([`(b) frozen backbone, new head, ${epochs} epochs`, acc(model), String(trainable)]);
models.unfreeze(model);
train.fit({ model, optimizer: optim.adam(models.fineTuneParamGroups(model, { lr: 1e-3, backboneLr: 3e-4 })), train: loader(), epochs });
rows.push([`(c) then fine-tuned, ${epochs} more`, acc(model), String(models.countParameters(model))]);
model.dispose();

console.log(`\nlearning digits 5–9 from ${few.length} labelled examples; test: ${test.length} held-out digits 5–9 (${secondsSince(t0)} s in all)\n`);
console.log(table(["model", "test accuracy", "trained parameters"], rows));
console.log(`\nthe lecture's advice for this case: ${models.transferStrategy("small", "similar")}`);
