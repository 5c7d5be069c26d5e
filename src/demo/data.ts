/**
 * The demo's data file (`digits.bin`, written by the browser build from the embedded MNIST digits):
 *
 *   "GDIG" | u32 version 1 | u32 train count | u32 test count | u32 height | u32 width   (little-endian)
 *   train labels (u8 each) | train images (u8, n·h·w) | test labels | test images
 */
import type { ImageSet } from "../data/index.js";

const MAGIC = [0x47, 0x44, 0x49, 0x47];
const HEADER = 24;

export interface DigitSets {
  readonly train: ImageSet;
  readonly test: ImageSet;
}

/** Packs two single-channel 8-bit image sets with 10 classes. */
export function encodeDigits(train: ImageSet, test: ImageSet): Uint8Array {
  const [, c, hgt, w] = train.shape;
  if (c !== 1 || test.shape[1] !== 1 || test.shape[2] !== hgt || test.shape[3] !== w) throw new Error("encodeDigits: expects two 1-channel sets of the same image size");
  if (!(train.images instanceof Uint8Array) || !(test.images instanceof Uint8Array)) throw new Error("encodeDigits: expects 8-bit images");
  const nTr = train.shape[0], nTe = test.shape[0], px = hgt * w;
  const out = new Uint8Array(HEADER + (nTr + nTe) * (1 + px));
  const dv = new DataView(out.buffer);
  out.set(MAGIC, 0);
  [1, nTr, nTe, hgt, w].forEach((v, i) => dv.setUint32(4 + 4 * i, v, true));
  let at = HEADER;
  for (const s of [train, test]) {
    out.set(Uint8Array.from(s.labels), at);
    at += s.labels.length;
    out.set(s.images as Uint8Array, at);
    at += s.images.length;
  }
  return out;
}

/** Unpacks `encodeDigits`' bytes; throws on a file of another format or a truncated one. */
export function decodeDigits(buf: ArrayBuffer): DigitSets {
  const bytes = new Uint8Array(buf);
  if (bytes.length < HEADER || MAGIC.some((m, i) => bytes[i] !== m)) throw new Error("digits.bin: not a ganglion digits file (bad magic)");
  const dv = new DataView(buf);
  const [version, nTr, nTe, hgt, w] = [0, 1, 2, 3, 4].map((i) => dv.getUint32(4 + 4 * i, true));
  if (version !== 1) throw new Error(`digits.bin: version ${version}, expected 1`);
  const px = hgt * w;
  if (bytes.length !== HEADER + (nTr + nTe) * (1 + px)) throw new Error(`digits.bin: ${bytes.length} bytes, expected ${HEADER + (nTr + nTe) * (1 + px)}`);
  const classes = Array.from({ length: 10 }, (_, i) => String(i));
  let at = HEADER;
  const take = (n: number): ImageSet => {
    const labels = Int32Array.from(bytes.subarray(at, at + n));
    at += n;
    const images = bytes.slice(at, at + n * px);
    at += n * px;
    return { images, labels, shape: [n, 1, hgt, w], classes: [...classes] };
  };
  const train = take(nTr);
  return { train, test: take(nTe) };
}
