/** Node-only IDX loading: reads the two files (gzipped or not) and builds the ImageSet. */
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, type IdxArray, idxImageSet, parseIdx } from "./idx.js";
import { readMaybeGzip } from "./files.node.js";
import type { ImageSet } from "./types.js";

/** Reads and parses one IDX file; gzip is detected by the magic bytes, not the name. */
export function readIdxFile(path: string, expectedMagic: number): IdxArray {
  const { bytes, note } = readMaybeGzip(path);
  return parseIdx(bytes, path, expectedMagic, note);
}

/** Loads an IDX image file and its label file as an ImageSet ([n, 1, rows, cols], 0..255). */
export function loadIdx(imagesPath: string, labelsPath: string, classes: string[]): ImageSet {
  const img = readMaybeGzip(imagesPath);
  const lab = readMaybeGzip(labelsPath);
  // NOTE: parse each file alone first so a truncated gzip gets its note in the message.
  parseIdx(img.bytes, imagesPath, IDX_IMAGES_MAGIC, img.note);
  parseIdx(lab.bytes, labelsPath, IDX_LABELS_MAGIC, lab.note);
  return idxImageSet(img.bytes, lab.bytes, { imagesFile: imagesPath, labelsFile: labelsPath, classes });
}
