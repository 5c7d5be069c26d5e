/**
 * Structural checks of PNG and JPEG bytes before decoding, so that a corrupt file gives one clear
 * error naming the byte offset and what was expected there, instead of a decoder failing somewhere
 * inside (decoders report "unexpected end of data" with no position).
 *
 * PNG: 8-byte signature, then chunks `length(4, BE) type(4) data crc32(4)` from IHDR to IEND
 * (RFC 2083 / ISO 15948 §5.3). JPEG: SOI `FF D8`, marker segments `FF xx length(2, BE)`, entropy-coded
 * data after SOS, then EOI `FF D9` (ITU-T T.81 Annex B).
 */
import { formatError, hexBytes } from "./types.js";

export type ImageKind = "png" | "jpeg";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Which decoder a file needs, from its first bytes; throws if it is neither PNG nor JPEG. */
export function sniffImage(bytes: Uint8Array, file: string): ImageKind {
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return "png";
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return "jpeg";
  throw formatError(file, 0, `expected a PNG signature (89 50 4e 47 0d 0a 1a 0a) or a JPEG start-of-image marker (ff d8), got ${hexBytes(bytes, 0, 8)}`);
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO 3309, the one PNG uses) of `bytes[start, end)`. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

function chunkType(b: Uint8Array, o: number): string {
  return String.fromCharCode(b[o], b[o + 1], b[o + 2], b[o + 3]);
}

/** Walks the PNG chunk list: every chunk inside the file, CRCs right, IHDR first, IEND last. */
export function checkPng(bytes: Uint8Array, file: string): void {
  let at = 8;
  let first = true;
  for (;;) {
    if (at + 12 > bytes.length) {
      throw formatError(file, at, `truncated PNG: expected a chunk header (12 bytes) or the IEND chunk, the file ends at byte ${bytes.length}`);
    }
    const len = u32(bytes, at);
    const type = chunkType(bytes, at + 4);
    if (first && type !== "IHDR") throw formatError(file, at + 4, `expected the IHDR chunk first, got "${type}"`);
    first = false;
    const end = at + 12 + len;
    if (end > bytes.length) {
      throw formatError(file, at, `truncated PNG: chunk "${type}" declares ${len} data bytes and ends at byte ${end}, the file has ${bytes.length}`);
    }
    const want = u32(bytes, end - 4);
    const got = crc32(bytes, at + 4, end - 4);
    if (want !== got) {
      throw formatError(file, end - 4, `corrupt PNG: CRC of chunk "${type}" (data from byte ${at + 8}) is 0x${got.toString(16)}, the file says 0x${want.toString(16)}`);
    }
    if (type === "IEND") return;
    at = end;
  }
}

/** Walks the JPEG marker segments up to EOI: every segment length inside the file. */
export function checkJpeg(bytes: Uint8Array, file: string): void {
  let at = 2;
  for (;;) {
    if (at + 2 > bytes.length) {
      throw formatError(file, at, `truncated JPEG: expected a marker (ff xx) or the end-of-image marker ff d9, the file ends at byte ${bytes.length}`);
    }
    if (bytes[at] !== 0xff) throw formatError(file, at, `expected a JPEG marker (ff xx), got ${hexBytes(bytes, at, 2)}`);
    const marker = bytes[at + 1];
    if (marker === 0xff) { at++; continue; } // fill byte
    if (marker === 0xd9) return; // EOI
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { at += 2; continue; } // TEM, RSTn: no length
    if (at + 4 > bytes.length) throw formatError(file, at + 2, `truncated JPEG: expected the 2-byte length of marker ff ${marker.toString(16)}`);
    const len = (bytes[at + 2] << 8) | bytes[at + 3];
    if (len < 2 || at + 2 + len > bytes.length) {
      throw formatError(file, at + 2, `truncated JPEG: segment ff ${marker.toString(16)} declares ${len} bytes (up to byte ${at + 2 + len}), the file has ${bytes.length}`);
    }
    at += 2 + len;
    if (marker === 0xda) at = skipEntropyData(bytes, at); // SOS: scan data follows
  }
}

/** Returns the offset of the next marker after entropy-coded data (ff 00 and RSTn are data). */
function skipEntropyData(bytes: Uint8Array, at: number): number {
  for (let i = at; i + 1 < bytes.length; i++) {
    if (bytes[i] !== 0xff) continue;
    const m = bytes[i + 1];
    if (m === 0x00 || m === 0xff || (m >= 0xd0 && m <= 0xd7)) continue;
    return i;
  }
  return bytes.length;
}

/** Sniffs the kind and checks the structure; returns the kind. */
export function checkImageBytes(bytes: Uint8Array, file: string): ImageKind {
  const kind = sniffImage(bytes, file);
  if (kind === "png") checkPng(bytes, file);
  else checkJpeg(bytes, file);
  return kind;
}
