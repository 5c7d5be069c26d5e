/**
 * Incremental reading of an append-only JSONL file: each call returns the complete lines written since
 * the last one (a half-written last line waits for its newline), so a live view is sent only what is
 * new, never the whole file again.
 */
import { open } from "node:fs/promises";
import { watch, type FSWatcher } from "node:fs";

/** What one read produced. */
export interface TailChunk {
  /** Complete lines (without their newline), possibly empty strings filtered out. */
  readonly lines: string[];
  /** The byte offset to read from next time. */
  readonly next: number;
  /** The file got shorter than `from` (rewritten or truncated): start over from 0. */
  readonly truncated: boolean;
  /** More complete lines are waiting beyond this chunk. */
  readonly more: boolean;
}

/**
 * Reads complete lines from byte `from`, at most `maxBytes` at a time (a line longer than that is read
 * whole). A missing file reads as empty.
 */
export async function readLines(path: string, from: number, maxBytes = 1 << 20): Promise<TailChunk> {
  let fh;
  try {
    fh = await open(path, "r");
  } catch {
    return { lines: [], next: from, truncated: false, more: false };
  }
  try {
    const size = (await fh.stat()).size;
    if (size < from) return { lines: [], next: 0, truncated: true, more: size > 0 };
    let want = Math.min(size - from, maxBytes);
    for (;;) {
      if (want <= 0) return { lines: [], next: from, truncated: false, more: false };
      const buf = Buffer.alloc(want);
      const { bytesRead } = await fh.read(buf, 0, want, from);
      const end = buf.lastIndexOf(10, bytesRead - 1);
      if (end < 0) {
        // No newline yet: either a line still being written, or one longer than the window.
        if (from + bytesRead >= size) return { lines: [], next: from, truncated: false, more: false };
        want = Math.min(size - from, want * 2);
        continue;
      }
      // A carriage return would end an SSE field early, so none survives (valid JSON has none raw).
      const lines = buf.toString("utf8", 0, end).split("\n").map((l) => l.replace(/\r/g, "")).filter((l) => l.trim() !== "");
      const next = from + end + 1;
      return { lines, next, truncated: false, more: next < size };
    }
  } finally {
    await fh.close();
  }
}

/**
 * Calls `onChange` when anything in `dir` may have changed: `fs.watch` for promptness, plus a poll
 * every `pollMs` (if > 0) for file systems where watching does not work (network mounts, some
 * containers). Returns a function that stops both.
 */
export function watchDir(dir: string, onChange: () => void, pollMs: number): () => void {
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dir, { persistent: false }, () => onChange());
    watcher.on("error", () => {
      watcher?.close();
      watcher = undefined;
    });
  } catch {
    watcher = undefined;
  }
  const timer = pollMs > 0 ? setInterval(onChange, pollMs) : undefined;
  timer?.unref();
  return () => {
    if (timer !== undefined) clearInterval(timer);
    watcher?.close();
  };
}
