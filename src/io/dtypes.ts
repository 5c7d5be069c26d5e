/**
 * safetensors dtype codecs: how each on-disk element type becomes one of ganglion's four dtypes, and back.
 *
 * Reading widens or narrows to what ganglion computes with: F16/BF16 -> float32 (exact, every half and
 * bfloat16 value is a float32), I64 -> int32 (checked: PyTorch stores labels, indices and BatchNorm's
 * `num_batches_tracked` as int64, but their values fit), I16/I8/U8 -> int32, BOOL -> bool. Writing emits
 * only the four native types (F32, F64, I32, BOOL), so a file written by ganglion reads back bit-exact.
 *
 * safetensors data is little-endian. Every JS engine in practice runs little-endian, so the fast path
 * copies bytes straight into a typed array; a big-endian host swaps bytes first (`swapInPlace`).
 */
import { FormatError, type DType, type TypedArray } from "../core/index.js";

/** The dtypes this reader accepts. */
export type ReadableDType = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "I16" | "I8" | "U8" | "BOOL";
/** The dtypes this writer emits, one per ganglion dtype. */
export type WritableDType = "F64" | "F32" | "I32" | "BOOL";

/** Where an element run lives, so a decoding error can name the tensor, the file and the byte. */
export interface DecodeContext {
  readonly source: string;
  readonly name: string;
  /** Absolute byte offset of the tensor's first element in the file. */
  readonly offset: number;
}

interface Codec {
  /** Bytes per element on disk. */
  readonly size: number;
  /** The ganglion dtype it decodes to. */
  readonly target: DType;
  /** Decodes `n` elements from `src` (exactly n * size bytes, any alignment); the result may alias `src`. */
  decode(src: Uint8Array, n: number, ctx: DecodeContext): TypedArray;
}

/** True on little-endian hosts (all mainstream ones); decides whether bytes need swapping. */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses the bytes of each `size`-byte element in place (big-endian hosts only). */
export function swapInPlace(bytes: Uint8Array, size: number): void {
  if (size === 1) return;
  for (let i = 0; i < bytes.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

/**
 * Host-order typed array over `src`: a zero-copy view when the host is little-endian and `src` is
 * aligned, else an aligned (and, on big-endian hosts, byte-swapped) copy. A view aliases the caller's
 * bytes; that is safe here because tensor creation copies the values into backend storage.
 * NOTE: the copy is `new Uint8Array(src)`, not `src.slice()`: on a Node Buffer, slice() is a view.
 */
function hostArrayOf<T>(src: Uint8Array, size: number, make: (buf: ArrayBufferLike, byteOffset: number, n: number) => T): T {
  if (HOST_LITTLE_ENDIAN && src.byteOffset % size === 0) return make(src.buffer, src.byteOffset, src.length / size);
  const copy = new Uint8Array(src);
  if (!HOST_LITTLE_ENDIAN) swapInPlace(copy, size);
  return make(copy.buffer, 0, copy.length / size);
}

let halfTable: Float32Array | undefined;
/** float16 bits -> float32 value for all 65536 patterns, built on first use (256 KiB). */
function halfToFloatTable(): Float32Array {
  if (halfTable) return halfTable;
  halfTable = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 0x1f;
    const m = h & 0x3ff;
    // NOTE: e = 0 is subnormal (no implicit 1, exponent -14); e = 31 is Inf (m = 0) or NaN.
    halfTable[h] = e === 0 ? sign * m * 2 ** -24 : e === 31 ? (m ? NaN : sign * Infinity) : sign * (1 + m / 1024) * 2 ** (e - 15);
  }
  return halfTable;
}

/** Widens 2-byte elements to int32, signed or not. */
function widen16(src: Uint8Array, n: number, signed: boolean): Int32Array {
  const out = new Int32Array(n);
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  for (let i = 0; i < n; i++) out[i] = signed ? dv.getInt16(2 * i, true) : dv.getUint16(2 * i, true);
  return out;
}

const CODECS: { readonly [K in ReadableDType]: Codec } = {
  F64: { size: 8, target: "float64", decode: (s) => hostArrayOf(s, 8, (b, o, n) => new Float64Array(b, o, n)) },
  F32: { size: 4, target: "float32", decode: (s) => hostArrayOf(s, 4, (b, o, n) => new Float32Array(b, o, n)) },
  F16: {
    size: 2,
    target: "float32",
    decode: (s, n) => {
      const table = halfToFloatTable();
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = table[s[2 * i] | (s[2 * i + 1] << 8)];
      return out;
    },
  },
  BF16: {
    size: 2,
    target: "float32",
    decode: (s, n) => {
      // bfloat16 is the top half of a float32: shift the 16 bits up and reinterpret.
      const bits = new Uint32Array(n);
      for (let i = 0; i < n; i++) bits[i] = ((s[2 * i] | (s[2 * i + 1] << 8)) << 16) >>> 0;
      return new Float32Array(bits.buffer);
    },
  },
  I64: { size: 8, target: "int32", decode: decodeInt64 },
  I32: { size: 4, target: "int32", decode: (s) => hostArrayOf(s, 4, (b, o, n) => new Int32Array(b, o, n)) },
  I16: { size: 2, target: "int32", decode: (s, n) => widen16(s, n, true) },
  I8: { size: 1, target: "int32", decode: (s, n) => Int32Array.from(new Int8Array(s.buffer, s.byteOffset, n)) },
  U8: { size: 1, target: "int32", decode: (s, n) => Int32Array.from(s.subarray(0, n)) },
  // NOTE: any nonzero byte reads as true, as PyTorch does when it reinterprets bytes as bool.
  BOOL: { size: 1, target: "bool", decode: (s, n) => Uint8Array.from(s.subarray(0, n), (b) => (b ? 1 : 0)) },
};

/**
 * int64 -> int32, failing on the first value outside [-2^31, 2^31): silently wrapping a large index
 * would corrupt a model far from the cause, so the error names the tensor, the element and the value.
 */
function decodeInt64(src: Uint8Array, n: number, ctx: DecodeContext): Int32Array {
  const out = new Int32Array(n);
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  for (let i = 0; i < n; i++) {
    const lo = dv.getInt32(8 * i, true);
    const hi = dv.getInt32(8 * i + 4, true);
    // The value fits in int32 exactly when the high word is the sign extension of the low word.
    if (hi !== lo >> 31) {
      const value = dv.getBigInt64(8 * i, true);
      throw new FormatError(
        `${ctx.source}: byte ${ctx.offset + 8 * i}: tensor '${ctx.name}' element ${i} is ${value}, ` +
          `expected an I64 value in the int32 range [-2147483648, 2147483647] (ganglion stores integers as int32)`,
      );
    }
    out[i] = lo;
  }
  return out;
}

/** Every dtype name the safetensors spec defines, so "unsupported" and "unknown" read differently. */
const SPEC_DTYPES = new Set(["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]);

export const READABLE_DTYPES = Object.keys(CODECS) as ReadableDType[];

export function isReadable(d: string): d is ReadableDType {
  return Object.prototype.hasOwnProperty.call(CODECS, d);
}
export function isSpecDType(d: string): boolean {
  return SPEC_DTYPES.has(d);
}
export function codecOf(d: ReadableDType): Codec {
  return CODECS[d];
}

/** The on-disk dtype ganglion writes for each of its dtypes. */
export function writableDType(d: DType): WritableDType {
  switch (d) {
    case "float64":
      return "F64";
    case "float32":
      return "F32";
    case "int32":
      return "I32";
    case "bool":
      return "BOOL";
    default:
      throw new FormatError(`safetensors: no on-disk dtype for ${d satisfies never}`);
  }
}

/** Little-endian bytes of a host typed array (a view when the host is little-endian, else a swapped copy). */
export function littleEndianBytes(a: TypedArray): Uint8Array {
  const view = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  if (HOST_LITTLE_ENDIAN || a.BYTES_PER_ELEMENT === 1) return view;
  const copy = view.slice();
  swapInPlace(copy, a.BYTES_PER_ELEMENT);
  return copy;
}
