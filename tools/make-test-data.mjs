#!/usr/bin/env node
/**
 * Writes the tiny data fixtures of src/data/sources tests into test/fixtures/data/, in exactly the
 * official formats: IDX (gzipped and not), CIFAR-10 and CIFAR-100 binary, and an image folder of
 * PNG and JPEG files. Deterministic: rerunning gives the same bytes. Run: node tools/make-test-data.mjs
 *
 * Pixel values follow `pixel(i, c, y, x) = (37 i + 71 c + 13 y + 7 x) mod 256` (i = index of the image
 * in its file) so tests can recompute any value; labels are given per file below.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "test", "fixtures", "data");
const pixel = (i, c, y, x) => (37 * i + 71 * c + 13 * y + 7 * x) % 256;

function write(rel, bytes) {
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  console.log(`${rel} (${bytes.length} bytes)`);
}

function u32be(v) {
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
}

/** IDX images [n, rows, cols] and labels [n]; label of image i is labelOf(i). */
function idxPair(n, rows, cols, labelOf) {
  const img = [...u32be(0x803), ...u32be(n), ...u32be(rows), ...u32be(cols)];
  for (let i = 0; i < n; i++) for (let y = 0; y < rows; y++) for (let x = 0; x < cols; x++) img.push(pixel(i, 0, y, x));
  const lab = [...u32be(0x801), ...u32be(n)];
  for (let i = 0; i < n; i++) lab.push(labelOf(i));
  return [Uint8Array.from(img), Uint8Array.from(lab)];
}

// IDX: train gzipped (12 images 6×5, label i % 10), test uncompressed (5 images, label 9 - i).
const [trImg, trLab] = idxPair(12, 6, 5, (i) => i % 10);
write("idx/train-images-idx3-ubyte.gz", gzipSync(trImg, { level: 9 }));
write("idx/train-labels-idx1-ubyte.gz", gzipSync(trLab, { level: 9 }));
const [teImg, teLab] = idxPair(5, 6, 5, (i) => 9 - i);
write("idx/t10k-images-idx3-ubyte", teImg);
write("idx/t10k-labels-idx1-ubyte", teLab);

/** CIFAR records: `labels(i)` gives the label bytes of record i. */
function cifarFile(n, labels) {
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push(...labels(i));
    for (let c = 0; c < 3; c++) for (let y = 0; y < 32; y++) for (let x = 0; x < 32; x++) out.push(pixel(i, c, y, x));
  }
  return Uint8Array.from(out);
}

// CIFAR-10: 5 training batches of 2 records (batch b, record r → label (2b + r) % 10), test of 3 (label 7 - i).
for (let b = 0; b < 5; b++) write(`cifar10/data_batch_${b + 1}.bin`, cifarFile(2, (i) => [(2 * b + i) % 10]));
write("cifar10/test_batch.bin", cifarFile(3, (i) => [7 - i]));
write("cifar10/batches.meta.txt", Buffer.from("airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n"));

// CIFAR-100, inside the official sub-folder: record i → coarse i % 20, fine (7 i + 3) % 100.
write("cifar100/cifar-100-binary/train.bin", cifarFile(4, (i) => [i % 20, (7 * i + 3) % 100]));
write("cifar100/cifar-100-binary/test.bin", cifarFile(2, (i) => [19 - i, 99 - i]));
const fine = Array.from({ length: 100 }, (_, k) => `fine_${k}`);
const coarse = Array.from({ length: 20 }, (_, k) => `coarse_${k}`);
write("cifar100/cifar-100-binary/fine_label_names.txt", Buffer.from(fine.join("\n") + "\n"));
write("cifar100/cifar-100-binary/coarse_label_names.txt", Buffer.from(coarse.join("\n") + "\n"));

/** RGBA buffer of width × height from f(x, y) → [r, g, b]. */
function rgba(width, height, f) {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = f(x, y);
      data.set([r, g, b, 255], (y * width + x) * 4);
    }
  }
  return data;
}

function png(width, height, f, colorType = 2) {
  const p = new PNG({ width, height, colorType, inputColorType: 6, inputHasAlpha: true });
  p.data = rgba(width, height, f);
  return PNG.sync.write(p, { colorType, inputColorType: 6, inputHasAlpha: true });
}

// Image folder: classes "cat" (PNG) and "dog" (JPEG), sorted → labels 0, 1.
write("images/cat/a.png", png(8, 8, (x, y) => [x * 30, y * 30, 100]));
write("images/cat/b.png", png(12, 6, () => [90, 90, 90], 0)); // grayscale PNG, 2:1 aspect
write("images/dog/c.jpg", jpeg.encode({ width: 16, height: 16, data: rgba(16, 16, () => [200, 50, 10]) }, 100).data);
write("images/dog/d.jpeg", jpeg.encode({ width: 8, height: 16, data: rgba(8, 16, () => [20, 120, 240]) }, 100).data);
