/** safetensors round trips, the byte layout ganglion writes, and reading a file written by PyTorch's side. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as g from "ganglion";
import * as io from "../../src/io/index.node.js";
import { repoRoot } from "../helpers.js";

const fixture = (name: string): string => join(repoRoot(), "test", "fixtures", "torch", name);

/** The JSON header and data start of safetensors bytes, read independently of the library. */
function rawHeader(bytes: Uint8Array): { n: number; text: string; json: Record<string, unknown> } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  return { n, text, json: JSON.parse(text) as Record<string, unknown> };
}

test("round trip keeps dtype, shape and values of all four ganglion dtypes", () => {
  const src = {
    w: g.tensor([[1.5, -2.25, 3], [4, 5, 6e-30]]),
    d: g.tensor([1 / 3, -1e300, 5e-324], { dtype: "float64" }),
    i: g.tensor([0, -1, 2147483647, -2147483648], { dtype: "int32" }),
    b: g.tensor([true, false, true], { dtype: "bool" }),
    s: g.scalar(7),
    e: g.zeros([0, 3]),
  };
  const bytes = io.serializeSafetensors(src, { note: "hello", "0": "integer-like key" });
  const { tensors, metadata } = io.parseSafetensors(bytes);
  assert.deepEqual(metadata, { note: "hello", "0": "integer-like key" });
  assert.deepEqual(Object.keys(tensors).sort(), Object.keys(src).sort());
  for (const [k, t] of Object.entries(src)) {
    const r = tensors[k];
    assert.equal(r.dtype, t.dtype, k);
    assert.deepEqual(r.shape, t.shape, k);
    assert.deepEqual(Array.from(r.dataSync()), Array.from(t.dataSync()), k);
  }
  // Aligned data is decoded through zero-copy views; the tensors must still own their values.
  bytes.fill(0xff, bytes.length - 64);
  assert.deepEqual(Array.from(tensors.w.dataSync()), Array.from(src.w.dataSync()));
  assert.deepEqual(Array.from(tensors.d.dataSync()), Array.from(src.d.dataSync()));
});

test("writes sorted keys, a space-padded header of 8n bytes, and aligned data (largest elements first)", () => {
  const bytes = io.serializeSafetensors({
    "5": g.tensor([1, 2, 3], { dtype: "int32" }),
    b: g.tensor([true], { dtype: "bool" }),
    a: g.tensor([1.0], { dtype: "float64" }),
    "10": g.tensor([2.0]),
  }, { z: "1", a: "2" });
  const { n, text, json } = rawHeader(bytes);
  assert.equal(n % 8, 0);
  assert.match(text, /^\{"__metadata__":\{"a":"2","z":"1"\},"10":.*,"5":.*,"a":.*,"b":.*\} *$/);
  assert.ok(text.length === n && /^ *$/.test(text.slice(text.lastIndexOf("}") + 1)), "padding is spaces");
  const off = (k: string): number[] => (json[k] as { data_offsets: number[] }).data_offsets;
  // f64 first, then the 4-byte tensors by name, then the bool.
  assert.deepEqual(off("a"), [0, 8]);
  assert.deepEqual(off("10"), [8, 12]);
  assert.deepEqual(off("5"), [12, 24]);
  assert.deepEqual(off("b"), [24, 25]);
  assert.deepEqual(json.b, { dtype: "BOOL", shape: [1], data_offsets: [24, 25] });
  assert.equal(bytes.length, 8 + n + 25);
  // Values are little-endian at data start + offset.
  const dv = new DataView(bytes.buffer, bytes.byteOffset + 8 + n);
  assert.equal(dv.getFloat64(0, true), 1.0);
  assert.equal(dv.getInt32(16, true), 2);
});

test("serializes views (transposed, sliced) in logical row-major order", () => {
  const base = g.tensor([[1, 2, 3], [4, 5, 6]]);
  const bytes = io.serializeSafetensors({ t: base.transpose(0, 1), s: base.slice([0, 1], [2, 3]) });
  const { tensors } = io.parseSafetensors(bytes);
  assert.deepEqual(tensors.t.shape, [3, 2]);
  assert.deepEqual(Array.from(tensors.t.dataSync()), [1, 4, 2, 5, 3, 6]);
  assert.deepEqual(Array.from(tensors.s.dataSync()), [2, 3, 5, 6]);
});

test("async serialization gives the same bytes", async () => {
  const src = { x: g.randn([3, 4], { rng: new g.Rng(1) }), n: g.tensor([3], { dtype: "int32" }) };
  assert.deepEqual(await io.serializeSafetensorsAsync(src, { k: "v" }), io.serializeSafetensors(src, { k: "v" }));
});

test("reads every dtype of a file written by the PyTorch-side script, with an unaligned data section", () => {
  const bytes = readFileSync(fixture("dtypes.safetensors"));
  const header = io.readSafetensorsHeader(bytes);
  assert.equal(header.dataStart % 2, 1, "the fixture's data starts at an odd offset");
  const { tensors, metadata } = io.parseSafetensors(bytes);
  assert.equal(metadata.made_by, "tools/goldens/make_torch_models.py");
  const want: Record<string, g.DType> = {
    f64: "float64", f32: "float32", f16: "float32", bf16: "float32", i64: "int32", i32: "int32",
    i16: "int32", i8: "int32", u8: "int32", bool: "bool", scalar: "float32", empty: "float32",
  };
  for (const [k, dtype] of Object.entries(want)) {
    const t = tensors[k];
    const e = tensors[`${k}.expected`];
    assert.equal(t.dtype, dtype, k);
    assert.deepEqual(t.shape, e.shape, k);
    const got = Array.from(t.dataSync(), Number);
    const exp = Array.from(e.dataSync(), Number);
    // Float32 cases compare after rounding the F64 expectation to float32.
    const round = dtype === "float32" ? (v: number): number => Math.fround(v) : (v: number): number => v;
    assert.deepEqual(got, exp.map(round), k);
  }
  assert.ok(Object.is(tensors.f16.dataSync()[1], -0), "f16 -0 keeps its sign");
  assert.equal(tensors.f16.dataSync()[5], 2 ** -24, "f16 subnormal");
});

test("parses a header padded with spaces and bytes at a nonzero offset of a larger buffer", () => {
  const inner = io.serializeSafetensors({ x: g.tensor([1, 2]) });
  const big = new Uint8Array(inner.length + 13);
  big.set(inner, 5);
  const { tensors } = io.parseSafetensors(big.subarray(5, 5 + inner.length));
  assert.deepEqual(Array.from(tensors.x.dataSync()), [1, 2]);
});

test("serialize rejects non-string metadata and the reserved name", () => {
  assert.throws(() => io.serializeSafetensors({ x: g.tensor([1]) }, { n: 3 as unknown as string }), /metadata\["n"\] must be a string/);
  assert.throws(() => io.serializeSafetensors({ __metadata__: g.tensor([1]) }), /may not be named "__metadata__"/);
});
