/**
 * Shared shapes of what every data source returns. Sources work on typed arrays only (no Tensor):
 * tensors are created once per batch at collation by the DataLoader (see DESIGN.md, `data/` row).
 */
import { FormatError, ShapeError, ValueError, fmt } from "../../core/index.js";

/** A labelled image set in NCHW layout: `images[((i * c + ch) * h + y) * w + x]`. */
export interface ImageSet {
  images: Uint8Array | Float32Array;
  labels: Int32Array;
  shape: [n: number, c: number, h: number, w: number];
  classes: string[];
}

/** A labelled set of feature vectors (synthetic 2-D sets): `points[i * d + j]`. */
export interface PointSet {
  points: Float32Array;
  labels: Int32Array;
  shape: [n: number, d: number];
  classes: string[];
}

export type Split = "train" | "test";

export function checkSplit(op: string, split: unknown): Split {
  if (split !== "train" && split !== "test") {
    throw new ValueError(`${op}: split must be "train" or "test", got ${JSON.stringify(split)}`);
  }
  return split;
}

/** Checks that an ImageSet is internally consistent (sizes, label range); `op` names the caller. */
export function checkImageSet(op: string, set: ImageSet): ImageSet {
  const [n, c, h, w] = set.shape;
  if (set.images.length !== n * c * h * w) {
    throw new ShapeError(`${op}: images hold ${set.images.length} values but shape ${fmt(set.shape)} needs ${n * c * h * w}`);
  }
  if (set.labels.length !== n) {
    throw new ShapeError(`${op}: ${set.labels.length} labels for ${n} images (shape ${fmt(set.shape)})`);
  }
  for (let i = 0; i < n; i++) {
    const l = set.labels[i];
    if (l < 0 || l >= set.classes.length) {
      throw new ValueError(`${op}: label ${l} of sample ${i} is outside [0, ${set.classes.length - 1}] (${set.classes.length} classes)`);
    }
  }
  return set;
}

/** Number of samples per class: `histogram[k]` = count of label k. */
export function labelHistogram(labels: Int32Array, numClasses: number): number[] {
  const hist = new Array<number>(numClasses).fill(0);
  for (const l of labels) {
    if (l >= 0 && l < numClasses) hist[l]++;
  }
  return hist;
}

/** Formats a byte as two hex digits, for error messages. */
export function hex2(b: number): string {
  return b.toString(16).padStart(2, "0");
}

/** Formats up to `n` bytes from `offset` as hex, for "got ..." in error messages. */
export function hexBytes(bytes: Uint8Array, offset: number, n: number): string {
  const end = Math.min(bytes.length, offset + n);
  const parts: string[] = [];
  for (let i = offset; i < end; i++) parts.push(hex2(bytes[i]));
  return parts.length > 0 ? parts.join(" ") : "(end of file)";
}

/** Throws a FormatError in the one format every source uses: `<file>: byte <offset>: <what>`. */
export function formatError(file: string, offset: number, what: string): FormatError {
  return new FormatError(`${file}: byte ${offset}: ${what}`);
}

/** True when the bytes start with the gzip magic number 1f 8b (RFC 1952 §2.3.1). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}
