import assert from "node:assert/strict";
import { test } from "node:test";
import { Rng } from "../../core/index.js";
import { colorJitter, pcaLighting } from "./color.js";
import { asSampleTransform, augmentBatch, compose, randomApply } from "./compose.js";
import { cutout, randomErasing } from "./erase.js";
import { affine, centerCrop, cropPadded, flipHorizontal, randomAffine, randomCrop, randomHorizontalFlip, randomResizedCrop, randomRotation, randomTranslation } from "./geometric.js";
import type { ChwImage } from "./types.js";

function ramp(c: number, h: number, w: number): ChwImage {
  const data = new Float32Array(c * h * w);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 37) % 101) / 100;
  return { data, shape: [c, h, w] };
}

const img = ramp(3, 6, 7);

test("flip twice = identity; p = 0 / 1", () => {
  const f = flipHorizontal(img);
  assert.notDeepEqual(f.data, img.data);
  assert.equal(f.data[0], img.data[6]);
  assert.deepEqual(flipHorizontal(f).data, img.data);
  const rng = new Rng(0);
  assert.equal(randomHorizontalFlip({ p: 0 })(img, rng), img);
  assert.deepEqual(randomHorizontalFlip({ p: 1 })(img, rng).data, f.data);
  assert.throws(() => randomHorizontalFlip({ p: 2 }), /randomHorizontalFlip: p must be a probability in \[0, 1\], got 2/);
});

test("random crop with pad 0 and full size = identity; with padding it shifts within bounds", () => {
  const rng = new Rng(1);
  assert.deepEqual(randomCrop()(img, rng).data, img.data);
  assert.deepEqual(randomCrop({ size: [6, 7], padding: 0 })(img, rng).data, img.data);
  const one: ChwImage = { data: new Float32Array(1 * 8 * 8).fill(1), shape: [1, 8, 8] };
  for (let s = 0; s < 20; s++) {
    const out = randomCrop({ padding: 2 })(one, rng);
    assert.deepEqual(out.shape, [1, 8, 8]);
    // The zero border is a shift (dy, dx) with |dy|, |dx| <= 2: ones form an (8-|dy|)×(8-|dx|) block.
    const ones = out.data.reduce((a, v) => a + v, 0);
    assert.ok([64, 56, 48, 49, 42, 36].includes(ones), `${ones} ones`);
  }
  assert.throws(() => randomCrop({ size: 10 })(img, rng), /randomCrop: crop \[10,10\] is larger than the padded image \[6,7\]/);
  assert.deepEqual(centerCrop(img, [6, 7]).data, img.data);
  assert.deepEqual(centerCrop(img, 2).shape, [3, 2, 2]);
});

test("cropPadded matches a naive padded crop for every offset and fill", () => {
  const src = ramp(2, 5, 6);
  for (const pad of [0, 1, 3]) {
    for (let y0 = 0; y0 <= 5 + 2 * pad - 4; y0++) {
      for (let x0 = 0; x0 <= 6 + 2 * pad - 3; x0++) {
        const out = cropPadded(src, y0, x0, 4, 3, pad, -1);
        for (let ch = 0; ch < 2; ch++) {
          for (let y = 0; y < 4; y++) {
            for (let x = 0; x < 3; x++) {
              const sy = y0 + y - pad, sx = x0 + x - pad;
              const want = sy >= 0 && sy < 5 && sx >= 0 && sx < 6 ? src.data[(ch * 5 + sy) * 6 + sx] : -1;
              assert.equal(out.data[(ch * 4 + y) * 3 + x], want);
            }
          }
        }
      }
    }
  }
});

test("same seed → same output; another seed → another", () => {
  const aug = compose([
    randomCrop({ padding: 2 }), randomHorizontalFlip(), colorJitter({ brightness: 0.4, contrast: 0.4, saturation: 0.4 }),
    randomAffine({ degrees: 10, translate: [0.1, 0.1] }), cutout({ size: 3 }), randomErasing({ p: 1, value: "random" }),
  ]);
  const a = aug(img, new Rng(42));
  const b = aug(img, new Rng(42));
  const c = aug(img, new Rng(43));
  assert.deepEqual(a.data, b.data);
  assert.notDeepEqual(a.data, c.data);
  assert.deepEqual(a.shape, img.shape);
});

test("cutout zeroes a size×size square clipped at the border", () => {
  const ones: ChwImage = { data: new Float32Array(2 * 10 * 10).fill(1), shape: [2, 10, 10] };
  const rng = new Rng(3);
  let interior = 0;
  for (let s = 0; s < 50; s++) {
    const out = cutout({ size: 4 })(ones, rng);
    let y0 = 10, y1 = -1, x0 = 10, x1 = -1, zeros = 0;
    for (let y = 0; y < 10; y++) {
      for (let x = 0; x < 10; x++) {
        if (out.data[y * 10 + x] !== 0) continue;
        zeros++;
        y0 = Math.min(y0, y); y1 = Math.max(y1, y); x0 = Math.min(x0, x); x1 = Math.max(x1, x);
      }
    }
    const bh = y1 - y0 + 1, bw = x1 - x0 + 1;
    assert.equal(zeros, bh * bw, "zeros form one rectangle");
    assert.ok(bh <= 4 && bw <= 4 && bh >= 2 && bw >= 2);
    if (y0 > 0 && x0 > 0 && y1 < 9 && x1 < 9) { interior++; assert.equal(zeros, 16); }
    // Both channels are masked identically.
    assert.deepEqual(out.data.subarray(0, 100), out.data.subarray(100, 200));
  }
  assert.ok(interior >= 5, `${interior} interior squares`);
  assert.equal(cutout({ size: 4, p: 0 })(ones, rng), ones);
  assert.throws(() => cutout({ size: 0 }), /cutout: size must be an integer >= 1, got 0/);
});

test("random erasing: one rectangle inside the image, area within scale", () => {
  const ones: ChwImage = { data: new Float32Array(20 * 20).fill(1), shape: [1, 20, 20] };
  const rng = new Rng(4);
  for (let s = 0; s < 30; s++) {
    const out = randomErasing({ p: 1, scale: [0.1, 0.2], ratio: [0.5, 2] })(ones, rng);
    const zeros = out.data.reduce((a, v) => a + (v === 0 ? 1 : 0), 0);
    assert.ok(zeros === 0 || (zeros >= 0.07 * 400 && zeros <= 0.26 * 400), `${zeros} erased`);
  }
  assert.equal(randomErasing({ p: 0 })(ones, rng), ones);
  assert.throws(() => randomErasing({ scale: [0.5, 0.1] }), /scale must be \[lo, hi\] with 0 <= lo <= hi <= 1, got \[0.5,0.1\]/);
});

test("random resized crop: full area at the image's ratio = identity; output size fixed", () => {
  const rng = new Rng(5);
  assert.deepEqual(randomResizedCrop({ scale: [1, 1], ratio: [7 / 6, 7 / 6] })(img, rng).data, img.data);
  const out = randomResizedCrop({ size: [4, 5] })(img, rng);
  assert.deepEqual(out.shape, [3, 4, 5]);
  const lo = Math.min(...img.data), hi = Math.max(...img.data);
  assert.ok(out.data.every((v) => v >= lo - 1e-6 && v <= hi + 1e-6), "bilinear stays within the input range");
});

test("affine: 0° is identity, 90° is rot90, integer shifts move pixels and fill zeros", () => {
  assert.deepEqual(affine(img, 0, 0, 0).data, img.data);
  const sq = ramp(1, 4, 4);
  const r = affine(sq, 90, 0, 0);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) assert.ok(Math.abs(r.data[y * 4 + x] - sq.data[x * 4 + 3 - y]) < 1e-6);
  const t = affine(sq, 0, 1, 2);
  for (let y = 0; y < 4; y++) {
    for (let x = 0; x < 4; x++) {
      const want = y - 2 >= 0 && x - 1 >= 0 ? sq.data[(y - 2) * 4 + x - 1] : 0;
      assert.ok(Math.abs(t.data[y * 4 + x] - want) < 1e-6);
    }
  }
  const rng = new Rng(6);
  assert.deepEqual(randomRotation({ degrees: 0 })(img, rng).data, img.data);
  assert.deepEqual(randomTranslation({ fraction: 0.2 })(img, rng).shape, img.shape);
  assert.throws(() => randomAffine({ translate: [0.1, 2] }), /translate must be two fractions in \[0, 1\], got \[0.1,2\]/);
  assert.throws(() => randomAffine({ degrees: -1 }), /degrees must be a finite number >= 0, got -1/);
});

test("color jitter: off = identity; brightness scales; saturation 0 gives gray; clamped", () => {
  const rng = new Rng(7);
  assert.deepEqual(colorJitter()(img, rng).data, img.data);
  const b = colorJitter({ brightness: 0.5 })(img, rng);
  const ratio = b.data[5] / img.data[5];
  assert.ok(ratio >= 0.5 && ratio <= 1.5);
  for (let i = 0; i < img.data.length; i++) assert.ok(Math.abs(b.data[i] - Math.min(1, img.data[i] * ratio)) < 1e-5);
  // A saturation factor is drawn from [0, 2]; force 0 by using a huge contrast-free jitter many times:
  // instead check the definition directly: output = f·x + (1 - f)·gray per pixel, same f for all.
  const s = colorJitter({ saturation: 1, clamp: null })(img, rng);
  const plane = 42;
  const g = (d: Float32Array, i: number): number => 0.299 * d[i] + 0.587 * d[plane + i] + 0.114 * d[2 * plane + i];
  const f = (s.data[0] - g(img.data, 0)) / (img.data[0] - g(img.data, 0));
  for (const i of [3, 17, 40]) assert.ok(Math.abs(s.data[plane + i] - (f * img.data[plane + i] + (1 - f) * g(img.data, i))) < 1e-5);
  const bright = colorJitter({ brightness: 5 })({ data: new Float32Array(12).fill(0.9), shape: [3, 2, 2] }, new Rng(1));
  assert.ok(bright.data.every((v) => v <= 1 && v >= 0));
  assert.throws(() => colorJitter({ contrast: -0.1 }), /contrast must be a finite number >= 0, got -0.1/);
});

test("PCA lighting adds one RGB shift per image", () => {
  const aug = pcaLighting({ eigenvalues: [0.2, 0.02, 0.005], eigenvectors: [[0.58, 0.58, 0.58], [0.7, 0, -0.7], [0.4, -0.8, 0.4]] });
  const out = aug(img, new Rng(8));
  for (let ch = 0; ch < 3; ch++) {
    const d0 = out.data[ch * 42] - img.data[ch * 42];
    for (const i of [5, 41]) assert.ok(Math.abs(out.data[ch * 42 + i] - img.data[ch * 42 + i] - d0) < 1e-6);
  }
  assert.throws(() => aug(ramp(1, 2, 2), new Rng(0)), /pcaLighting: expected an RGB image, got \[1,2,2\]/);
});

test("augmentBatch: per-image, seeded, shape-checked", () => {
  const n = 5;
  const batch = new Float32Array(n * img.data.length);
  for (let i = 0; i < n; i++) batch.set(img.data, i * img.data.length);
  const aug = compose([randomCrop({ size: 4, padding: 1 }), randomApply(flipHorizontal, 0.5)]);
  const a = augmentBatch(aug, batch, [n, 3, 6, 7], new Rng(9));
  assert.deepEqual(a.shape, [n, 3, 4, 4]);
  assert.deepEqual(augmentBatch(aug, batch, [n, 3, 6, 7], new Rng(9)).data, a.data);
  assert.notDeepEqual(a.data.subarray(0, 48), a.data.subarray(48, 96));
  assert.throws(() => augmentBatch(aug, batch, [n, 3, 6, 6], new Rng(0)), /augmentBatch: expected an NCHW batch .* got shape \[5,3,6,6\] with 630 values/);
  let k = 0;
  const varying = (x: ChwImage): ChwImage => centerCrop(x, 2 + (k++ % 2));
  assert.throws(() => augmentBatch(varying, batch, [n, 3, 6, 7], new Rng(0)), /image 1 came out \[3,3,3\] but image 0 came out \[3,2,2\]/);
});

test("asSampleTransform adapts to the loader's (img, shape, rng) => Float32Array", () => {
  const t = asSampleTransform(compose([randomCrop({ padding: 1 }), randomHorizontalFlip()]));
  const out = t(img.data, img.shape, new Rng(10));
  assert.equal(out.length, img.data.length);
  assert.deepEqual(t(img.data, img.shape, new Rng(10)), out);
  assert.throws(() => asSampleTransform(randomCrop({ size: 3 }))(img.data, img.shape, new Rng(0)), /turned an image \[3,6,7\] into \[3,3,3\]/);
});
