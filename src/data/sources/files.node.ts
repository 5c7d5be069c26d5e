/**
 * Node-only byte access for the sources: reading a file, undoing gzip (detected by its magic 1f 8b,
 * not by the file name), and turning fs errors into messages that say what to do.
 */
import { existsSync, readFileSync } from "node:fs";
import { constants, gunzipSync } from "node:zlib";
import { FormatError } from "../../core/index.js";
import { isGzip } from "./types.js";

export interface FileBytes {
  bytes: Uint8Array;
  /** Empty, or a sentence to append to a truncation error (the gzip stream ended early). */
  note: string;
}

/** Reads a file; if it is gzip-compressed, returns the decompressed bytes. */
export function readMaybeGzip(path: string): FileBytes {
  const raw = readFileBytes(path);
  if (!isGzip(raw)) return { bytes: raw, note: "" };
  try {
    return { bytes: new Uint8Array(gunzipSync(raw)), note: "" };
  } catch (e) {
    // NOTE: a truncated .gz makes gunzipSync throw with no offset. Decompressing again with
    // Z_SYNC_FLUSH yields the bytes that did arrive, so the format parser can report exactly how
    // many it got versus how many the header asks for.
    let partial: Uint8Array;
    try {
      partial = new Uint8Array(gunzipSync(raw, { finishFlush: constants.Z_SYNC_FLUSH }));
    } catch {
      throw new FormatError(`${path}: byte 0: corrupt gzip stream (${raw.length} compressed bytes): ${(e as Error).message}`);
    }
    return {
      bytes: partial,
      note: ` (the gzip stream of ${raw.length} compressed bytes ends early: ${(e as Error).message}; byte offsets count decompressed bytes)`,
    };
  }
}

/** Reads a whole file as bytes, with the path in the error. */
export function readFileBytes(path: string): Uint8Array {
  try {
    const b = readFileSync(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    throw new FormatError(`${path}: cannot read: ${(e as Error).message}`);
  }
}

/** The first of `candidates` that exists, or undefined. */
export function firstExisting(candidates: readonly string[]): string | undefined {
  return candidates.find((p) => existsSync(p));
}
