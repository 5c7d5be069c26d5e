import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { FormatError } from "../../core/index.js";
import { CIFAR100_FINE_CLASSES, CIFAR100_COARSE_CLASSES, CIFAR10_CLASSES, parseCifar10, parseCifar100, parseLabelNames } from "./cifar.js";
import { loadCifar10, loadCifar100 } from "./cifar.node.js";
import { fixtureDir } from "./test-fixtures.node.js";

const pixel = (i: number, c: number, y: number, x: number): number => (37 * i + 71 * c + 13 * y + 7 * x) % 256;

test("built-in class lists have the official sizes", () => {
  assert.equal(CIFAR10_CLASSES.length, 10);
  assert.equal(CIFAR100_FINE_CLASSES.length, 100);
  assert.equal(CIFAR100_COARSE_CLASSES.length, 20);
  assert.equal(new Set(CIFAR100_FINE_CLASSES).size, 100);
});

test("CIFAR-10 fixture: five training batches concatenated, R/G/B planes in CHW", () => {
  const train = loadCifar10({ dir: fixtureDir("cifar10"), split: "train" });
  assert.deepEqual(train.shape, [10, 3, 32, 32]);
  assert.deepEqual([...train.labels], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(train.classes, CIFAR10_CLASSES);
  // Image 3 is record 1 of data_batch_2.bin.
  for (const [c, y, x] of [[0, 0, 0], [1, 5, 31], [2, 31, 7]]) {
    assert.equal(train.images[((3 * 3 + c) * 32 + y) * 32 + x], pixel(1, c, y, x));
  }
  const t = loadCifar10({ dir: fixtureDir("cifar10"), split: "test" });
  assert.deepEqual(t.shape, [3, 3, 32, 32]);
  assert.deepEqual([...t.labels], [7, 6, 5]);
});

test("CIFAR-100 fixture: fine and coarse labels, found in the cifar-100-binary sub-folder", () => {
  const fine = loadCifar100({ dir: fixtureDir("cifar100"), split: "train" });
  assert.deepEqual(fine.shape, [4, 3, 32, 32]);
  assert.deepEqual([...fine.labels], [3, 10, 17, 24]);
  assert.equal(fine.classes.length, 100);
  assert.equal(fine.classes[3], "fine_3");
  const coarse = loadCifar100({ dir: fixtureDir("cifar100"), split: "test", labelKind: "coarse" });
  assert.deepEqual([...coarse.labels], [19, 18]);
  assert.equal(coarse.classes[19], "coarse_19");
  assert.equal(coarse.images[3 * 1024 + 2 * 1024 + 5], pixel(1, 2, 0, 5));
});

test("CIFAR file length not a multiple of the record size: offset of the stray bytes", () => {
  const bytes = new Uint8Array(3073 * 2 + 100);
  assert.throws(() => parseCifar10(bytes, "b.bin"), (e: unknown) => {
    assert.ok(e instanceof FormatError);
    assert.match(e.message, /^b\.bin: byte 6146: length 6246 is not a multiple of the CIFAR-10 record size 3073 .*2 whole records, then 100 stray bytes/);
    return true;
  });
  assert.throws(() => parseCifar100(new Uint8Array(3073), "c.bin", "fine"), /c\.bin: byte 0: length 3073 is not a multiple of the CIFAR-100 record size 3074/);
  assert.throws(() => parseCifar10(new Uint8Array(0), "e.bin"), /e\.bin: byte 0: empty file/);
});

test("CIFAR label byte out of range: record index and offset", () => {
  const bytes = new Uint8Array(3073 * 3);
  bytes[2 * 3073] = 10;
  assert.throws(() => parseCifar10(bytes, "b.bin"), /^FormatError: b\.bin: byte 6146: record 2: class label byte 10 is out of range: expected 0\.\.9$/);
  const b100 = new Uint8Array(3074 * 2);
  b100[3074 + 1] = 100;
  assert.throws(() => parseCifar100(b100, "t.bin", "coarse"), /t\.bin: byte 3075: record 1: fine label byte 100 is out of range: expected 0\.\.99/);
});

test("a CIFAR-10 directory with a damaged batch names that batch; missing dir says where to get it", () => {
  const dir = mkdtempSync(join(tmpdir(), "cifar-"));
  for (let b = 1; b <= 5; b++) {
    const src = readFileSync(fixtureDir("cifar10", `data_batch_${b}.bin`));
    writeFileSync(join(dir, `data_batch_${b}.bin`), b === 4 ? src.subarray(0, 5000) : src);
  }
  assert.throws(() => loadCifar10({ dir, split: "train" }), new RegExp(`${dir}/data_batch_4\\.bin: byte 3073: length 5000`));
  assert.throws(() => loadCifar10({ dir: "/nonexistent", split: "test" }), /test_batch\.bin: not found.*cifar-10-binary\.tar\.gz/);
});

test("label names file with the wrong count", () => {
  assert.throws(() => parseLabelNames("a\nb\n", "meta.txt", 10), /meta\.txt: expected 10 class names \(one per line\), found 2/);
});
