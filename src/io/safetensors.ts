/**
 * safetensors <-> `Record<string, Tensor>` (https://github.com/huggingface/safetensors, the format's spec).
 *
 * Layout: an 8-byte little-endian u64 N, then N bytes of UTF-8 JSON
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: { string: string } }`
 * (possibly padded with trailing spaces), then the raw little-endian data; offsets count from the
 * first data byte.
 *
 * Reading validates everything before decoding anything, so a corrupt or truncated file fails with one
 * FormatError naming the file, the byte offset and what was expected, never with a RangeError from
 * deep inside a typed-array constructor. Browser-safe: bytes in, bytes out; the file helpers live in
 * `files.node.ts`.
 */
import { FormatError, ValueError, fmt, sizeOf, type DType, type TypedArray } from "../core/index.js";
import { fromArray, type CreateOptions, type Tensor } from "../tensor/index.js";
import { READABLE_DTYPES, codecOf, isReadable, isSpecDType, littleEndianBytes, writableDType, type ReadableDType } from "./dtypes.js";

/** One tensor's header entry, validated. `begin`/`end` are absolute file offsets. */
export interface SafetensorsEntry {
  readonly name: string;
  readonly dtype: ReadableDType;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

/** A validated header: entries in file order, string metadata, and where the data starts. */
export interface SafetensorsHeader {
  readonly entries: readonly SafetensorsEntry[];
  readonly metadata: Record<string, string>;
  readonly dataStart: number;
}

export interface ParseOptions {
  /** Named in every error message (a path, a URL); default "<bytes>". */
  readonly source?: string;
  /** Backend the tensors are created on (default: the current one). */
  readonly backend?: CreateOptions["backend"];
}

export interface SafetensorsContents {
  readonly tensors: Record<string, Tensor>;
  readonly metadata: Record<string, string>;
}

const METADATA_KEY = "__metadata__";

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** Reads the 8-byte length and decodes the JSON header text (no structural checks yet). */
function readHeaderJson(bytes: Uint8Array, source: string): { json: unknown; dataStart: number } {
  if (bytes.length < 8) {
    throw new FormatError(`${source}: byte 0: expected at least 8 bytes (the u64 header length), the file has ${bytes.length}`);
  }
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(bytes.length - 8)) {
    throw new FormatError(`${source}: byte 0: header length ${n} runs past the end of the file (expected at most ${bytes.length - 8}: the file has ${bytes.length} bytes)`);
  }
  const dataStart = 8 + Number(n);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, dataStart));
  } catch {
    throw new FormatError(`${source}: byte 8: expected a UTF-8 JSON header of ${n} bytes, found invalid UTF-8`);
  }
  try {
    return { json: JSON.parse(text), dataStart };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new FormatError(`${source}: byte 8: expected a JSON object header of ${n} bytes, it does not parse (${why}); starts with ${JSON.stringify(text.slice(0, 40))}`);
  }
}

function parseMetadata(v: unknown, source: string): Record<string, string> {
  if (!isPlainObject(v)) throw new FormatError(`${source}: byte 8: header "__metadata__" must be an object of strings, got ${JSON.stringify(v)}`);
  for (const [k, s] of Object.entries(v)) {
    if (typeof s !== "string") throw new FormatError(`${source}: byte 8: header "__metadata__"."${k}" must be a string, got ${JSON.stringify(s)}`);
  }
  return { ...(v as Record<string, string>) };
}

/** Checks one header entry: its dtype, shape, offsets, and that the byte count matches shape x dtype. */
function parseEntry(name: string, v: unknown, dataStart: number, fileLength: number, source: string): SafetensorsEntry {
  const where = `${source}: byte 8: tensor '${name}'`;
  if (!isPlainObject(v)) throw new FormatError(`${where}: expected {dtype, shape, data_offsets}, got ${JSON.stringify(v)}`);
  const { dtype, shape, data_offsets: offs } = v;
  if (typeof dtype !== "string") throw new FormatError(`${where}: expected a dtype string, got ${JSON.stringify(dtype)}`);
  if (!isReadable(dtype)) {
    const kind = isSpecDType(dtype) ? "unsupported" : "unknown";
    throw new FormatError(`${where}: ${kind} dtype '${dtype}' (expected one of ${READABLE_DTYPES.join(", ")})`);
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) throw new FormatError(`${where}: expected shape as an array of integers >= 0, got ${JSON.stringify(shape)}`);
  if (!Array.isArray(offs) || offs.length !== 2 || !offs.every(isCount)) {
    throw new FormatError(`${where}: expected data_offsets as [begin, end] integers >= 0, got ${JSON.stringify(offs)}`);
  }
  const [b, e] = offs as [number, number];
  const dataLength = fileLength - dataStart;
  if (b > e || e > dataLength) {
    throw new FormatError(
      `${source}: byte ${dataStart + Math.min(b, e)}: tensor '${name}' data_offsets [${b}, ${e}] out of range: ` +
        `expected 0 <= begin <= end <= ${dataLength} (the data section after the header; the file may be truncated)`,
    );
  }
  const codec = codecOf(dtype);
  const want = sizeOf(shape as number[]) * codec.size;
  if (e - b !== want) {
    throw new FormatError(
      `${source}: byte ${dataStart + b}: tensor '${name}' has ${e - b} data bytes, expected ${want} ` +
        `(shape ${fmt(shape as number[])} x ${codec.size} bytes per ${dtype})`,
    );
  }
  return { name, dtype, shape: shape as number[], begin: dataStart + b, end: dataStart + e };
}

/** Rejects two tensors claiming the same bytes (a corrupt or hand-edited header). */
function checkOverlaps(entries: readonly SafetensorsEntry[], source: string): void {
  const byStart = [...entries].filter((t) => t.end > t.begin).sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < byStart.length; i++) {
    const prev = byStart[i - 1];
    const cur = byStart[i];
    if (cur.begin < prev.end) {
      throw new FormatError(
        `${source}: byte ${cur.begin}: data of tensor '${cur.name}' [${cur.begin}, ${cur.end}) overlaps tensor '${prev.name}' [${prev.begin}, ${prev.end}) ` +
          `(absolute offsets; expected disjoint ranges)`,
      );
    }
  }
}

/** Reads and validates the header without decoding any tensor data (cheap inspection of large files). */
export function readSafetensorsHeader(bytes: Uint8Array, { source = "<bytes>" }: { source?: string } = {}): SafetensorsHeader {
  const { json, dataStart } = readHeaderJson(bytes, source);
  if (!isPlainObject(json)) throw new FormatError(`${source}: byte 8: expected the header to be a JSON object, got ${Array.isArray(json) ? "an array" : JSON.stringify(json)}`);
  let metadata: Record<string, string> = {};
  const entries: SafetensorsEntry[] = [];
  for (const [name, v] of Object.entries(json)) {
    if (name === METADATA_KEY) metadata = parseMetadata(v, source);
    else entries.push(parseEntry(name, v, dataStart, bytes.length, source));
  }
  checkOverlaps(entries, source);
  return { entries, metadata, dataStart };
}

/**
 * Decodes a safetensors file into tensors (each a fresh tensor the caller owns and disposes) and its
 * string metadata. F16/BF16 become float32, I64/I32/I16/I8/U8 int32 (I64 range-checked), BOOL bool.
 * @example
 *   const { tensors } = parseSafetensors(bytes, { source: "model.safetensors" });
 *   model.loadStateDict(tensors);
 */
export function parseSafetensors(bytes: Uint8Array, { source = "<bytes>", backend }: ParseOptions = {}): SafetensorsContents {
  const header = readSafetensorsHeader(bytes, { source });
  const tensors: Record<string, Tensor> = {};
  try {
    for (const e of header.entries) {
      const codec = codecOf(e.dtype);
      const host = codec.decode(bytes.subarray(e.begin, e.end), sizeOf(e.shape), { source, name: e.name, offset: e.begin });
      tensors[e.name] = fromArray(host, e.shape, { dtype: codec.target, backend });
    }
  } catch (err) {
    // Do not leak the tensors already made when a later one fails (e.g. an I64 out of range).
    for (const t of Object.values(tensors)) t.dispose();
    throw err;
  }
  return { tensors, metadata: header.metadata };
}

/** A tensor's values on the host, ready to write. */
export interface HostTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TypedArray;
}

function checkMetadata(metadata: Readonly<Record<string, string>>): void {
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== "string") throw new ValueError(`serializeSafetensors: metadata["${k}"] must be a string (safetensors metadata is string -> string), got ${typeof v}`);
  }
}

/**
 * Encodes host tensors as safetensors bytes. JSON keys are sorted by name (`__metadata__` first);
 * data is laid out by element size, largest first, then name — as the reference implementation
 * does — so every tensor starts at a multiple of its element size once the header is padded with
 * spaces to a multiple of 8 bytes.
 */
export function encodeSafetensors(tensors: Readonly<Record<string, HostTensor>>, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  checkMetadata(metadata);
  const names = Object.keys(tensors).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (names.includes(METADATA_KEY)) throw new ValueError(`serializeSafetensors: a tensor may not be named "${METADATA_KEY}" (reserved for metadata)`);
  const bytesOf = new Map<string, Uint8Array>();
  for (const n of names) {
    const t = tensors[n];
    if (t.data.length !== sizeOf(t.shape)) throw new ValueError(`serializeSafetensors: tensor '${n}' has ${t.data.length} values for shape ${fmt(t.shape)}`);
    writableDType(t.dtype);
    bytesOf.set(n, littleEndianBytes(t.data));
  }
  const layout = [...names].sort((a, b) => tensors[b].data.BYTES_PER_ELEMENT - tensors[a].data.BYTES_PER_ELEMENT || (a < b ? -1 : 1));
  const offsets = new Map<string, [number, number]>();
  let pos = 0;
  for (const n of layout) {
    const len = bytesOf.get(n)!.length;
    offsets.set(n, [pos, pos + len]);
    pos += len;
  }
  // NOTE: built by hand, not JSON.stringify(object): JS objects put integer-like keys ("0", "12") first,
  // which would break the sorted order for a tensor named "0".
  const parts = Object.keys(metadata).length ? [`${JSON.stringify(METADATA_KEY)}:${sortedRecord(metadata)}`] : [];
  for (const n of names) {
    const t = tensors[n];
    parts.push(`${JSON.stringify(n)}:${JSON.stringify({ dtype: writableDType(t.dtype), shape: t.shape, data_offsets: offsets.get(n) })}`);
  }
  let header = new TextEncoder().encode(`{${parts.join(",")}}`);
  const padded = Math.ceil(header.length / 8) * 8;
  if (padded !== header.length) {
    const h = new Uint8Array(padded).fill(0x20);
    h.set(header);
    header = h;
  }
  const out = new Uint8Array(8 + header.length + pos);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
  out.set(header, 8);
  for (const n of layout) out.set(bytesOf.get(n)!, 8 + header.length + offsets.get(n)![0]);
  return out;
}

/** JSON text of a string record with its keys in sorted order. */
function sortedRecord(r: Readonly<Record<string, string>>): string {
  return `{${Object.keys(r).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(r[k])}`).join(",")}}`;
}

/** Reads every tensor on the host, synchronously (reference and wasm backends). */
function hostSync(tensors: Readonly<Record<string, Tensor>>): Record<string, HostTensor> {
  return Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, { dtype: t.dtype, shape: t.shape, data: t.dataSync() }]));
}

/** Reads every tensor on the host; works on asynchronous backends too. */
export async function hostTensors(tensors: Readonly<Record<string, Tensor>>): Promise<Record<string, HostTensor>> {
  // NOTE: every read starts before the first await: on WebGPU each read is ordered on the GPU queue
  // when it is issued, so the values are one consistent snapshot even if training goes on meanwhile.
  const entries = Object.entries(tensors);
  const datas = await Promise.all(entries.map(([, t]) => t.data()));
  return Object.fromEntries(entries.map(([k, t], i) => [k, { dtype: t.dtype, shape: t.shape, data: datas[i] }]));
}

/**
 * Tensors -> safetensors bytes, writing F32/F64/I32/BOOL (the four ganglion dtypes). Reads values with
 * dataSync(), so it needs a synchronous backend; use `serializeSafetensorsAsync` on WebGPU.
 */
export function serializeSafetensors(tensors: Readonly<Record<string, Tensor>>, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  return encodeSafetensors(hostSync(tensors), metadata);
}

/** `serializeSafetensors` for every backend (awaits each tensor's data). */
export async function serializeSafetensorsAsync(tensors: Readonly<Record<string, Tensor>>, metadata: Readonly<Record<string, string>> = {}): Promise<Uint8Array> {
  return encodeSafetensors(await hostTensors(tensors), metadata);
}
