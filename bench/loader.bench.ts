/**
 * Loader throughput: images/s delivered by the PrefetchLoader (worker thread: read, normalize, pad-crop,
 * flip) on Fashion-MNIST at batch 64, and by the in-thread DataLoader, to compare with the training
 * throughput of the default CNN (the issue asks for >= 10x). Run: npm run build && node dist/bench/loader.bench.js
 */
import { loadFashionMnist, PrefetchLoader, data } from "../src/node.js";
import { loadavg } from "node:os";

const set = loadFashionMnist({ split: "train" });
const { mean, std } = data.channelStats(set);
const augment: data.AugmentSpec = [{ op: "randomCrop", padding: 2 }, { op: "randomHorizontalFlip" }];
const opts = { batchSize: 64, seed: 0, shuffle: true };

function measure(name: string, loader: data.DataLoader, batches = 300): number {
  let n = 0;
  const t0 = performance.now();
  for (const b of loader.batches(0)) {
    n += b.y.shape[0];
    b.x.dispose();
    b.y.dispose();
    if (b.index + 1 >= batches) break;
  }
  const ips = (n * 1000) / (performance.now() - t0);
  console.log(`${name.padEnd(34)} ${ips.toFixed(0).padStart(8)} images/s`);
  return ips;
}

const pre = new PrefetchLoader({ set, mean, std, augment }, opts);
measure("PrefetchLoader (worker thread)", pre);
measure("DataLoader (main thread)", new data.DataLoader(new data.ImageDataset(set, { mean, std, transform: data.asSampleTransform(data.buildAugmentation(augment)) }), opts));
console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
await pre.dispose();
