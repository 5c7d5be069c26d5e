/** PrefetchLoader: a worker thread assembles the same batches as the plain DataLoader, ahead of use. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion/node";

function toySet(n: number): g.data.ImageSet {
  const images = new Uint8Array(n * 3 * 6 * 6);
  const rng = new g.Rng(4);
  const u = rng.uniform(images.length);
  for (let i = 0; i < images.length; i++) images[i] = Math.floor(u[i] * 256);
  return { images, labels: Int32Array.from({ length: n }, (_, i) => i % 4), shape: [n, 3, 6, 6], classes: ["a", "b", "c", "d"] };
}

describe("PrefetchLoader", () => {
  const set = toySet(70);
  const augment: g.data.AugmentSpec = [{ op: "randomCrop", padding: 2 }, { op: "randomHorizontalFlip" }, { op: "cutout", options: { size: 2 } }];
  const opts = { batchSize: 16, seed: 5, shuffle: true };

  it("yields exactly the plain loader's batches (augmentation included), across epochs and from a resume point", async () => {
    const pre = new g.PrefetchLoader({ set, mean: [0.5, 0.5, 0.5], std: [0.2, 0.2, 0.2], augment }, opts, { depth: 3 });
    assert.equal(pre.threaded, true);
    const plain = new g.data.DataLoader(new g.data.ImageDataset(set, { mean: [0.5, 0.5, 0.5], std: [0.2, 0.2, 0.2], transform: g.data.asSampleTransform(g.data.buildAugmentation(augment)) }), opts);
    const collect = (it: Iterable<g.data.Batch>): number[][] => [...it].map((b) => {
      const v = [...Array.from(b.x.dataSync()), ...Array.from(b.y.dataSync())];
      b.x.dispose();
      b.y.dispose();
      return v;
    });
    for (const [epoch, start] of [[0, 0], [1, 0], [1, 2]] as const) {
      assert.deepEqual(collect(pre.batches(epoch, start)), collect(plain.batches(epoch, start)), `epoch ${epoch} from ${start}`);
    }
    await pre.dispose();
  });

  it("reports a dead worker instead of hanging", async () => {
    const pre = new g.PrefetchLoader({ set, augment }, opts);
    await pre.dispose();
    assert.throws(() => [...pre.batches(0)], /PrefetchLoader: the loader worker failed: worker exited/);
  });
});
