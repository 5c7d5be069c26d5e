/**
 * Reads the first convolution's weight out of a run's `checkpoint.safetensors` without loading the
 * rest of the file: the format is an 8-byte little-endian header length N, N bytes of JSON
 * `{ name: { dtype, shape, data_offsets: [begin, end] } }` and then the raw little-endian data, so we read
 * the header, choose the tensor and read only its bytes. (The dashboard may not import the tensor
 * runtime, so this is a small reader of its own, for 4-D float tensors only.)
 */
import { open } from "node:fs/promises";
import type { FilterData } from "../types.js";

/** Headers are a few kilobytes; refuse absurd ones rather than allocate them. */
const MAX_HEADER_BYTES = 16 << 20;
/** Enough for 1024 filters of 3×32×32; more is not a picture anyone can read. */
export const MAX_FILTER_VALUES = 1 << 20;
const BYTES: Readonly<Record<string, number>> = { F32: 4, F64: 8, F16: 2, BF16: 2 };

export class CheckpointError extends Error {
  override name = "CheckpointError";
}

interface Entry {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

/** Compares dotted names with numeric parts as numbers: `model.2.weight` < `model.10.weight`. */
export function naturalCompare(a: string, b: string): number {
  const pa = a.split(/(\d+)/), pb = b.split(/(\d+)/);
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] === pb[i]) continue;
    const na = Number(pa[i]), nb = Number(pb[i]);
    if (i % 2 === 1 && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
    return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length;
}

function entries(header: unknown): Entry[] {
  if (typeof header !== "object" || header === null || Array.isArray(header)) throw new CheckpointError("header is not a JSON object");
  const out: Entry[] = [];
  for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__" || typeof v !== "object" || v === null) continue;
    const { dtype, shape, data_offsets: off } = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== "string" || !Array.isArray(shape) || !Array.isArray(off) || off.length !== 2) continue;
    if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0) || !off.every((d) => Number.isSafeInteger(d) && d >= 0)) continue;
    out.push({ name, dtype, shape: shape as number[], begin: off[0] as number, end: off[1] as number });
  }
  return out;
}

/**
 * The first conv weight: 4-D float tensors named `…weight`, not optimizer state, in natural order of
 * their names (so `model.0.weight` comes before `model.4.weight`).
 */
export function chooseFirstConv(list: readonly Entry[]): Entry | undefined {
  return list
    .filter((e) => e.shape.length === 4 && /(^|\.)weight$/.test(e.name) && !e.name.startsWith("optim.") && BYTES[e.dtype] !== undefined)
    .sort((a, b) => naturalCompare(a.name, b.name))[0];
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Decodes little-endian floats of `dtype` into plain numbers. */
export function decodeFloats(bytes: Uint8Array, dtype: string): number[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = BYTES[dtype];
  if (size === undefined) throw new CheckpointError(`dtype ${dtype} is not a float type`);
  const n = bytes.byteLength / size;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    if (dtype === "F32") out[i] = v.getFloat32(4 * i, true);
    else if (dtype === "F64") out[i] = v.getFloat64(8 * i, true);
    else if (dtype === "F16") out[i] = halfToFloat(v.getUint16(2 * i, true));
    else {
      const b = new DataView(new ArrayBuffer(4));
      b.setUint32(0, v.getUint16(2 * i, true) << 16, true);
      out[i] = b.getFloat32(0, true);
    }
  }
  return out.map((x) => (Number.isFinite(x) ? x : 0));
}

/** Reads the first conv layer's weight from a safetensors file; undefined when the model has no conv. */
export async function readFirstConv(path: string): Promise<FilterData | undefined> {
  const fh = await open(path, "r");
  try {
    const size = (await fh.stat()).size;
    const head = Buffer.alloc(8);
    if (size < 8 || (await fh.read(head, 0, 8, 0)).bytesRead !== 8) throw new CheckpointError("file is shorter than the 8-byte header length");
    const n = head.readBigUInt64LE(0);
    if (n > BigInt(Math.min(MAX_HEADER_BYTES, size - 8))) throw new CheckpointError(`header length ${n} is larger than the file allows`);
    const text = Buffer.alloc(Number(n));
    await fh.read(text, 0, text.length, 8);
    let header: unknown;
    try {
      header = JSON.parse(text.toString("utf8"));
    } catch {
      throw new CheckpointError("header is not valid JSON");
    }
    const e = chooseFirstConv(entries(header));
    if (e === undefined) return undefined;
    const count = e.shape.reduce((a, b) => a * b, 1);
    const dataStart = 8 + Number(n);
    if (count > MAX_FILTER_VALUES) throw new CheckpointError(`${e.name} has ${count} values (more than ${MAX_FILTER_VALUES} to draw)`);
    if (e.end - e.begin !== count * (BYTES[e.dtype] ?? 0) || dataStart + e.end > size) throw new CheckpointError(`${e.name}: data offsets [${e.begin}, ${e.end}] do not match its shape or the file size`);
    const data = Buffer.alloc(e.end - e.begin);
    await fh.read(data, 0, data.length, dataStart + e.begin);
    const [o, i, kh, kw] = e.shape;
    return { tensor: e.name, dtype: e.dtype, shape: [o, i, kh, kw], values: decodeFloats(data, e.dtype) };
  } finally {
    await fh.close();
  }
}
