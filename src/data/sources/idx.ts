/**
 * IDX format, as used by MNIST and Fashion-MNIST (LeCun et al., http://yann.lecun.com/exdb/mnist/):
 * a 4-byte magic `00 00 <type> <ndims>`, then `ndims` big-endian uint32 dimensions, then the data in
 * row-major order. Images are `00 00 08 03` (ubyte, [n, rows, cols]); labels `00 00 08 01` (ubyte, [n]).
 *
 * Works on bytes only, so it runs in browsers; gzip is detected but must be undone by the caller
 * (`idx.node.ts` does it with node:zlib). Every error names the file, the byte offset and what was
 * expected.
 */
import { ValueError } from "../../core/index.js";
import { type ImageSet, formatError, hexBytes, isGzip } from "./types.js";

/** IDX magic of a ubyte image file: type 0x08, 3 dimensions. */
export const IDX_IMAGES_MAGIC = 0x00000803;
/** IDX magic of a ubyte label file: type 0x08, 1 dimension. */
export const IDX_LABELS_MAGIC = 0x00000801;

export interface IdxArray {
  dims: number[];
  /** A view into the input bytes (no copy). */
  data: Uint8Array;
}

function readU32BE(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

function magicHex(m: number): string {
  return `0x${m.toString(16).padStart(8, "0")}`;
}

/**
 * Parses one IDX file of unsigned bytes. `expectedMagic` (e.g. IDX_IMAGES_MAGIC) fixes the data type
 * and rank; `file` is only used in error messages. `note` is appended to a truncation error (used to
 * say that a gzip stream ended early).
 */
export function parseIdx(bytes: Uint8Array, file: string, expectedMagic: number, note = ""): IdxArray {
  if (isGzip(bytes)) {
    throw formatError(file, 0, "found the gzip magic 1f 8b: decompress the file first (readIdxFile in Node does this)");
  }
  const ndims = expectedMagic & 0xff;
  if (bytes.length < 4) {
    throw formatError(file, 0, `truncated: expected the 4-byte IDX magic ${magicHex(expectedMagic)}, the file has ${bytes.length} bytes${note}`);
  }
  const magic = readU32BE(bytes, 0);
  if (magic !== expectedMagic) {
    const kind = expectedMagic === IDX_IMAGES_MAGIC ? "an image file" : expectedMagic === IDX_LABELS_MAGIC ? "a label file" : "this file";
    throw formatError(
      file,
      0,
      `wrong IDX magic number: expected ${magicHex(expectedMagic)} (${kind}: unsigned bytes, ${ndims} dimension${ndims === 1 ? "" : "s"}), got ${magicHex(magic)} (bytes ${hexBytes(bytes, 0, 4)})`,
    );
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw formatError(file, bytes.length, `truncated header: expected ${headerBytes} bytes (magic + ${ndims} dimensions), the file has ${bytes.length}${note}`);
  }
  const dims: number[] = [];
  let count = 1;
  for (let d = 0; d < ndims; d++) {
    dims.push(readU32BE(bytes, 4 + 4 * d));
    count *= dims[d];
  }
  const expected = headerBytes + count;
  if (bytes.length < expected) {
    throw formatError(
      file,
      bytes.length,
      `truncated: dimensions [${dims.join(",")}] need ${headerBytes} + ${count} = ${expected} bytes, the file has ${bytes.length}${note}`,
    );
  }
  if (bytes.length > expected) {
    throw formatError(file, expected, `${bytes.length - expected} unexpected trailing bytes: dimensions [${dims.join(",")}] end the data at byte ${expected}, the file has ${bytes.length}`);
  }
  return { dims, data: bytes.subarray(headerBytes, expected) };
}

export interface IdxPairOptions {
  /** File names used in error messages. */
  imagesFile?: string;
  labelsFile?: string;
  /** Class names; a label byte >= classes.length is an error. */
  classes: string[];
}

/**
 * Builds an ImageSet ([n, 1, rows, cols], Uint8Array 0..255) from an IDX image file and an IDX label
 * file (both already decompressed). The images are copied so the result owns its buffer.
 */
export function idxImageSet(imageBytes: Uint8Array, labelBytes: Uint8Array, opts: IdxPairOptions): ImageSet {
  const { imagesFile = "images.idx", labelsFile = "labels.idx", classes } = opts;
  if (!Array.isArray(classes) || classes.length === 0 || classes.length > 256) {
    throw new ValueError(`idxImageSet: classes must be a list of 1..256 names, got ${JSON.stringify(classes)}`);
  }
  const img = parseIdx(imageBytes, imagesFile, IDX_IMAGES_MAGIC);
  const lab = parseIdx(labelBytes, labelsFile, IDX_LABELS_MAGIC);
  const [n, rows, cols] = img.dims;
  if (lab.dims[0] !== n) {
    throw formatError(labelsFile, 4, `label count ${lab.dims[0]} does not match the image count ${n} in ${imagesFile} (byte 4 of both files holds the count)`);
  }
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const l = lab.data[i];
    if (l >= classes.length) {
      throw formatError(labelsFile, 8 + i, `label ${l} of sample ${i} is out of range: expected 0..${classes.length - 1} (${classes.length} classes)`);
    }
    labels[i] = l;
  }
  return { images: img.data.slice(), labels, shape: [n, 1, rows, cols], classes: [...classes] };
}
