/**
 * Every malformed safetensors input gives a FormatError naming the file (or "<bytes>"), the byte
 * offset and what was expected — never a RangeError from inside a typed-array constructor.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as g from "ganglion";
import * as io from "../../src/io/index.node.js";

/** Hand-built file: u64 length (default: the header's), header text, data bytes. */
function build(header: string | object, data: Uint8Array = new Uint8Array(0), length?: bigint): Uint8Array {
  const text = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, length ?? BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}
const headerLength = (h: object): number => new TextEncoder().encode(JSON.stringify(h)).length;

/** Asserts a FormatError whose message matches every pattern. */
function expectFormatError(f: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof g.FormatError, `expected FormatError, got ${String(e)}`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}
const parse = (b: Uint8Array) => (): unknown => io.parseSafetensors(b);

test("file shorter than 8 bytes", () => {
  expectFormatError(parse(new Uint8Array(5)), /^<bytes>: byte 0: expected at least 8 bytes \(the u64 header length\), the file has 5$/);
  expectFormatError(parse(new Uint8Array(0)), /byte 0: .*the file has 0/);
});

test("header length beyond the file", () => {
  expectFormatError(parse(build("{}", new Uint8Array(0), 1000n)), /^<bytes>: byte 0: header length 1000 runs past the end of the file \(expected at most 2: the file has 10 bytes\)$/);
  expectFormatError(parse(build("{}", new Uint8Array(0), 0xffffffffffffffffn)), /header length 18446744073709551615 runs past/);
});

test("invalid JSON header names the header offset", () => {
  expectFormatError(parse(build("{not json")), /^<bytes>: byte 8: expected a JSON object header of 9 bytes, it does not parse/, /starts with "\{not json"/);
  expectFormatError(parse(build("[1,2]")), /byte 8: expected the header to be a JSON object, got an array/);
  const badUtf8 = build("{}  ");
  badUtf8[9] = 0xff;
  expectFormatError(parse(badUtf8), /byte 8: expected a UTF-8 JSON header of 4 bytes, found invalid UTF-8/);
});

test("unknown and unsupported dtypes", () => {
  expectFormatError(parse(build({ w: { dtype: "Q7", shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4))),
    /byte 8: tensor 'w': unknown dtype 'Q7' \(expected one of F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL\)/);
  expectFormatError(parse(build({ w: { dtype: "U16", shape: [1], data_offsets: [0, 2] } }, new Uint8Array(2))), /tensor 'w': unsupported dtype 'U16'/);
});

test("malformed entries: shape, offsets, metadata", () => {
  expectFormatError(parse(build({ w: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4))), /tensor 'w': expected shape as an array of integers >= 0, got \[-1\]/);
  expectFormatError(parse(build({ w: { dtype: "F32", shape: [1], data_offsets: [0] } }, new Uint8Array(4))), /tensor 'w': expected data_offsets as \[begin, end\]/);
  expectFormatError(parse(build({ w: 3 })), /tensor 'w': expected \{dtype, shape, data_offsets\}, got 3/);
  expectFormatError(parse(build({ __metadata__: { a: 1 } })), /byte 8: header "__metadata__"."a" must be a string, got 1/);
});

test("shape/offset mismatch names the tensor, the byte count and shape x dtype size", () => {
  const h = { w: { dtype: "F32", shape: [2, 2], data_offsets: [0, 12] } };
  const n = headerLength(h);
  expectFormatError(parse(build(h, new Uint8Array(12))), new RegExp(`^<bytes>: byte ${8 + n}: tensor 'w' has 12 data bytes, expected 16 \\(shape \\[2,2\\] x 4 bytes per F32\\)$`));
});

test("out-of-range data_offsets (a truncated file) and begin > end", () => {
  const h = { a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [2], data_offsets: [8, 16] } };
  const n = headerLength(h);
  expectFormatError(parse(build(h, new Uint8Array(12))),
    new RegExp(`byte ${8 + n + 8}: tensor 'b' data_offsets \\[8, 16\\] out of range: expected 0 <= begin <= end <= 12 .*truncated`));
  expectFormatError(parse(build({ a: { dtype: "F32", shape: [0], data_offsets: [8, 4] } }, new Uint8Array(8))), /tensor 'a' data_offsets \[8, 4\] out of range/);
});

test("overlapping data_offsets name both tensors", () => {
  const h = { a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [2], data_offsets: [4, 12] } };
  const n = headerLength(h);
  expectFormatError(parse(build(h, new Uint8Array(12))), new RegExp(`^<bytes>: byte ${8 + n + 4}: data of tensor 'b' .* overlaps tensor 'a'`));
});

test("I64 value out of int32 range names the tensor, the element index and the value; nothing leaks", () => {
  const data = new Uint8Array(8 + 32);
  const dv = new DataView(data.buffer);
  dv.setFloat64(0, 1.5, true);
  [1n, -2147483648n, 2147483648n, 5n].forEach((v, i) => dv.setBigInt64(8 + 8 * i, v, true));
  const h = { a: { dtype: "F64", shape: [1], data_offsets: [0, 8] }, idx: { dtype: "I64", shape: [4], data_offsets: [8, 40] } };
  const n = headerLength(h);
  const before = g.memory().liveTensors;
  expectFormatError(parse(build(h, data)), new RegExp(`^<bytes>: byte ${8 + n + 8 + 16}: tensor 'idx' element 2 is 2147483648, expected an I64 value in the int32 range`));
  assert.equal(g.memory().liveTensors, before, "tensors decoded before the failure are disposed");
  dv.setBigInt64(24, -2147483649n, true);
  expectFormatError(parse(build(h, data)), /tensor 'idx' element 2 is -2147483649/);
});

test("errors name the source: an option, or the path for files", async () => {
  expectFormatError(() => io.parseSafetensors(new Uint8Array(3), { source: "weights.safetensors" }), /^weights\.safetensors: byte 0:/);
  const path = join(mkdtempSync(join(tmpdir(), "ganglion-io-")), "bad.safetensors");
  writeFileSync(path, build("{oops"));
  await assert.rejects(io.loadSafetensors(path), (e: unknown) => e instanceof g.FormatError && e.message.startsWith(`${path}: byte 8:`));
  assert.throws(() => io.loadSafetensorsSync(path), (e: unknown) => e instanceof g.FormatError && e.message.startsWith(`${path}: byte 8:`));
});
