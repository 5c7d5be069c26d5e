import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { FormatError } from "../../core/index.js";
import { FASHION_MNIST_CLASSES, FASHION_MNIST_DEFAULT_DIR, loadFashionMnist, loadMnistIdx } from "./fashion-mnist.node.js";
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, idxImageSet, parseIdx } from "./idx.js";
import { loadIdx } from "./idx.node.js";
import { fixtureDir } from "./test-fixtures.node.js";
import { labelHistogram } from "./types.js";

const pixel = (i: number, y: number, x: number): number => (37 * i + 13 * y + 7 * x) % 256;

function header(magic: number, ...dims: number[]): number[] {
  const out: number[] = [];
  for (const v of [magic, ...dims]) out.push((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  return out;
}

const labels3 = Uint8Array.from([...header(IDX_LABELS_MAGIC, 3), 0, 1, 2]);
const images3 = Uint8Array.from([...header(IDX_IMAGES_MAGIC, 3, 2, 2), ...Array.from({ length: 12 }, (_, i) => i)]);
const classes = ["a", "b", "c"];

test("parseIdx reads dims and data", () => {
  const a = parseIdx(images3, "x", IDX_IMAGES_MAGIC);
  assert.deepEqual(a.dims, [3, 2, 2]);
  assert.deepEqual([...a.data], Array.from({ length: 12 }, (_, i) => i));
  const set = idxImageSet(images3, labels3, { classes });
  assert.deepEqual(set.shape, [3, 1, 2, 2]);
  assert.deepEqual([...set.labels], [0, 1, 2]);
});

test("wrong IDX magic names the file, byte 0 and both magics", () => {
  assert.throws(() => idxImageSet(labels3, labels3, { imagesFile: "imgs.idx", classes }), (e: unknown) => {
    assert.ok(e instanceof FormatError);
    assert.match(e.message, /^imgs\.idx: byte 0: wrong IDX magic number: expected 0x00000803 .*got 0x00000801/);
    return true;
  });
});

test("truncated IDX file gives expected vs actual byte count", () => {
  const cut = images3.subarray(0, images3.length - 5);
  assert.throws(() => parseIdx(cut, "cut.idx", IDX_IMAGES_MAGIC), /^FormatError: cut\.idx: byte 23: truncated: dimensions \[3,2,2\] need 16 \+ 12 = 28 bytes, the file has 23$/);
  assert.throws(() => parseIdx(images3.subarray(0, 10), "h.idx", IDX_IMAGES_MAGIC), /h\.idx: byte 10: truncated header: expected 16 bytes/);
  assert.throws(() => parseIdx(images3.subarray(0, 2), "m.idx", IDX_IMAGES_MAGIC), /m\.idx: byte 0: truncated/);
});

test("trailing bytes and gzip input are reported", () => {
  const long = Uint8Array.from([...images3, 9, 9]);
  assert.throws(() => parseIdx(long, "l.idx", IDX_IMAGES_MAGIC), /l\.idx: byte 28: 2 unexpected trailing bytes/);
  assert.throws(() => parseIdx(new Uint8Array(gzipSync(images3)), "z.gz", IDX_IMAGES_MAGIC), /z\.gz: byte 0: found the gzip magic/);
});

test("image/label count mismatch names both files", () => {
  const labels2 = Uint8Array.from([...header(IDX_LABELS_MAGIC, 2), 0, 1]);
  assert.throws(
    () => idxImageSet(images3, labels2, { imagesFile: "i.idx", labelsFile: "l.idx", classes }),
    /^FormatError: l\.idx: byte 4: label count 2 does not match the image count 3 in i\.idx/,
  );
});

test("label byte out of range gives its offset", () => {
  const bad = Uint8Array.from([...header(IDX_LABELS_MAGIC, 3), 0, 7, 2]);
  assert.throws(() => idxImageSet(images3, bad, { labelsFile: "l.idx", classes }), /l\.idx: byte 9: label 7 of sample 1 is out of range: expected 0\.\.2/);
});

test("fixture IDX files load, gzipped (train) and plain (test)", () => {
  const train = loadMnistIdx({ dir: fixtureDir("idx"), split: "train" });
  assert.deepEqual(train.shape, [12, 1, 6, 5]);
  assert.deepEqual([...train.labels], Array.from({ length: 12 }, (_, i) => i % 10));
  assert.equal(train.images[((7 * 1 + 0) * 6 + 4) * 5 + 3], pixel(7, 4, 3));
  const t = loadMnistIdx({ dir: fixtureDir("idx"), split: "test" });
  assert.deepEqual(t.shape, [5, 1, 6, 5]);
  assert.deepEqual([...t.labels], [9, 8, 7, 6, 5]);
  assert.equal(t.images[4 * 30 + 29], pixel(4, 5, 4));
});

test("a truncated .gz reports the decompressed byte count and the gzip note", () => {
  const dir = mkdtempSync(join(tmpdir(), "idx-"));
  const gz = readFileSync(fixtureDir("idx", "train-images-idx3-ubyte.gz"));
  writeFileSync(join(dir, "imgs.gz"), gz.subarray(0, Math.floor(gz.length / 2)));
  assert.throws(
    () => loadIdx(join(dir, "imgs.gz"), fixtureDir("idx", "train-labels-idx1-ubyte.gz"), ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]),
    /imgs\.gz: byte \d+: truncated: dimensions \[12,6,5\] need 16 \+ 360 = 376 bytes, the file has \d+ \(the gzip stream .* ends early/,
  );
});

test("loadFashionMnist on a missing directory says how to install it", () => {
  assert.throws(() => loadFashionMnist({ dir: "/nonexistent/fm", split: "train" }), /train-images-idx3-ubyte\.gz: not found.*apt-get install dataset-fashion-mnist/);
  assert.throws(() => loadFashionMnist({ dir: "/x", split: "val" as "train" }), /split must be "train" or "test", got "val"/);
});

const haveFashion = existsSync(join(FASHION_MNIST_DEFAULT_DIR, "train-images-idx3-ubyte.gz"));

test("Fashion-MNIST from the Debian package: 60,000 + 10,000, balanced labels", { skip: haveFashion ? false : "apt-get install dataset-fashion-mnist" }, () => {
  const train = loadFashionMnist({ split: "train" });
  const t = loadFashionMnist({ split: "test" });
  assert.deepEqual(train.shape, [60000, 1, 28, 28]);
  assert.deepEqual(t.shape, [10000, 1, 28, 28]);
  assert.deepEqual(labelHistogram(train.labels, 10), new Array(10).fill(6000));
  assert.deepEqual(labelHistogram(t.labels, 10), new Array(10).fill(1000));
  assert.deepEqual(train.classes, FASHION_MNIST_CLASSES);
  // First training image is an ankle boot (label 9) in the official files.
  assert.equal(train.labels[0], 9);
  let mean = 0;
  for (const v of train.images) mean += v;
  mean /= train.images.length;
  assert.ok(Math.abs(mean / 255 - 0.286) < 0.002, `mean pixel ${mean / 255}`);
});
