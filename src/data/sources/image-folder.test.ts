import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { FormatError } from "../../core/index.js";
import { rgbaToChw } from "./image.js";
import { checkImageBytes, crc32 } from "./image-check.js";
import { decodeImage, loadImageFolder } from "./image-folder.node.js";
import { fixtureDir } from "./test-fixtures.node.js";

test("crc32 matches the standard check value", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
});

test("image folder: classes from sorted sub-folders, PNG + JPEG, RGB CHW at the asked size", () => {
  const set = loadImageFolder({ dir: fixtureDir("images"), size: 8 });
  assert.deepEqual(set.classes, ["cat", "dog"]);
  assert.deepEqual(set.shape, [4, 3, 8, 8]);
  assert.deepEqual([...set.labels], [0, 0, 1, 1]);
  const px = (i: number, c: number, y: number, x: number): number => set.images[((i * 3 + c) * 8 + y) * 8 + x];
  // a.png is 8×8 already: exact copy (R = 30x, G = 30y, B = 100).
  assert.equal(px(0, 0, 3, 5), 150);
  assert.equal(px(0, 1, 3, 5), 90);
  assert.equal(px(0, 2, 7, 7), 100);
  // b.png is gray 90; c.jpg is solid (200, 50, 10) at quality 100 (JPEG is lossy: ±3).
  assert.equal(px(1, 2, 4, 4), 90);
  for (const [c, v] of [[0, 200], [1, 50], [2, 10]]) assert.ok(Math.abs(px(2, c, 4, 4) - v) <= 3, `${px(2, c, 4, 4)} vs ${v}`);
  const gray = loadImageFolder({ dir: fixtureDir("images"), size: [4, 6], channels: 1, fit: "stretch" });
  assert.deepEqual(gray.shape, [4, 1, 4, 6]);
  assert.ok(Math.abs(gray.images[3 * 24 + 5] - Math.round(0.299 * 20 + 0.587 * 120 + 0.114 * 240)) <= 3);
});

test("resampling: identity at the same size, mean kept when shrinking, center crop keeps the middle", () => {
  const w = 6, h = 4;
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set([i * 10, 255 - i * 10, 7, 255], i * 4);
  const same = rgbaToChw({ width: w, height: h, data }, h, w, 3);
  for (let i = 0; i < w * h; i++) assert.equal(same[i], i * 10);
  const small = rgbaToChw({ width: w, height: h, data }, 2, 3, 3, "stretch");
  const mean = (a: ArrayLike<number>): number => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
  assert.ok(Math.abs(mean(small.subarray(0, 6)) - mean(same.subarray(0, 24))) < 1.5);
  // Crop of a 6×4 image to 2×2 takes the centered 4×4 window (columns 1..4).
  const crop = rgbaToChw({ width: w, height: h, data }, 4, 4, 3, "crop");
  assert.equal(crop[0], 10);
});

test("undecodable images: signature, truncated chunk, bad CRC, truncated JPEG — file and offset named", () => {
  const png = new Uint8Array(readFileSync(fixtureDir("images", "cat", "a.png")));
  const jpg = new Uint8Array(readFileSync(fixtureDir("images", "dog", "c.jpg")));
  assert.throws(() => checkImageBytes(new TextEncoder().encode("GIF89a......"), "x.gif"), /^FormatError: x\.gif: byte 0: expected a PNG signature .* got 47 49 46 38 39 61 2e 2e$/);
  assert.throws(() => checkImageBytes(png.subarray(0, 50), "t.png"), /t\.png: byte 33: truncated PNG: chunk "IDAT" declares \d+ data bytes/);
  const flipped = png.slice();
  flipped[45] ^= 0xff;
  assert.throws(() => checkImageBytes(flipped, "c.png"), /c\.png: byte \d+: corrupt PNG: CRC of chunk "IDAT"/);
  assert.throws(() => checkImageBytes(jpg.subarray(0, jpg.length - 2), "t.jpg"), /t\.jpg: byte \d+: truncated JPEG: expected a marker \(ff xx\) or the end-of-image marker ff d9/);
  assert.throws(() => checkImageBytes(jpg.subarray(0, 30), "h.jpg"), /h\.jpg: byte 2\d?: truncated JPEG: segment ff [0-9a-f]+ declares/);
  assert.doesNotThrow(() => decodeImage(png, "a.png"));
});

test("a broken file inside an image folder names that file", () => {
  const dir = mkdtempSync(join(tmpdir(), "imgs-"));
  cpSync(fixtureDir("images"), dir, { recursive: true });
  writeFileSync(join(dir, "dog", "e.jpg"), Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00]));
  assert.throws(() => loadImageFolder({ dir, size: 8 }), (e: unknown) => {
    assert.ok(e instanceof FormatError);
    assert.ok(e.message.startsWith(join(dir, "dog", "e.jpg") + ": byte 4: truncated JPEG"), e.message);
    return true;
  });
  assert.throws(() => loadImageFolder({ dir, size: 0 }), /size must be a positive integer or \[height, width\], got 0/);
  assert.throws(() => loadImageFolder({ dir: "/nonexistent", size: 8 }), /\/nonexistent: cannot list the image folder/);
});
