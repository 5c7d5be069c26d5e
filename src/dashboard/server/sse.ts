/**
 * `GET /api/runs/<name>/events`: the run's event log as server-sent events. The client first receives
 * the lines already written (in chunks of at most 1 MiB), then a `caught-up` event, then each new batch of
 * lines as training appends them — only the new bytes are read and sent. Every `events` message carries
 * its end offset as the SSE id, so a reconnecting EventSource (which sends `Last-Event-ID`) resumes where
 * it stopped instead of receiving the file again.
 *
 * Messages: `events` (data: one JSON event per data line, as written), `summary` (data: RunSummary JSON,
 * whenever it changes: status, checkpoint time), `reset` (the log was truncated: drop what you have),
 * `caught-up` (the backlog has been sent).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { once } from "node:events";
import { readLines, watchDir } from "./tail.js";
import { summarizeRun } from "./runs.js";
import type { RunsRoot } from "./paths.js";

export interface SseOptions {
  /** Poll interval for file changes (fs.watch may not fire on every file system). */
  readonly pollMs: number;
  /** A comment line is sent this often so proxies and the browser keep the connection open. */
  readonly keepAliveMs: number;
}

/** The offset to resume from: `Last-Event-ID` (reconnect) or `?from=`; 0 otherwise. */
export function resumeOffset(req: IncomingMessage, query: URLSearchParams): number {
  const raw = req.headers["last-event-id"] ?? query.get("from") ?? "0";
  const v = Number(Array.isArray(raw) ? raw[0] : raw);
  return Number.isSafeInteger(v) && v >= 0 ? v : 0;
}

/** Streams a run's events until the client goes away. The run directory must exist (checked by the caller). */
export function streamRunEvents(req: IncomingMessage, res: ServerResponse, root: RunsRoot, name: string, runDir: string, from: number, o: SseOptions): void {
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  res.write("retry: 2000\n\n");
  let offset = from;
  let closed = false;
  let busy = false;
  let again = false;
  let caughtUp = false;
  let lastSummary = "";
  const closedPromise = new Promise<void>((resolve) => res.once("close", () => resolve()));

  const write = async (text: string): Promise<void> => {
    if (closed) return;
    if (!res.write(text)) await Promise.race([once(res, "drain"), closedPromise]);
  };

  const pumpOnce = async (): Promise<void> => {
    const path = await root.runFile(name, "events.jsonl");
    if (path !== undefined) {
      for (;;) {
        const c = await readLines(path, offset);
        if (closed) return;
        if (c.truncated) {
          offset = 0;
          await write("event: reset\ndata: {}\n\n");
          continue;
        }
        const advanced = c.next > offset;
        offset = c.next;
        if (c.lines.length > 0) await write(`id: ${offset}\nevent: events\ndata: ${c.lines.join("\ndata: ")}\n\n`);
        if (!c.more || !advanced) break;
      }
    }
    const s = await summarizeRun(root, name);
    const text = s === undefined ? "" : JSON.stringify(s);
    if (text !== "" && text !== lastSummary) {
      lastSummary = text;
      await write(`event: summary\ndata: ${text}\n\n`);
    }
    if (!caughtUp) {
      caughtUp = true;
      await write("event: caught-up\ndata: {}\n\n");
    }
  };

  const pump = (): void => {
    if (closed) return;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    void (async () => {
      try {
        do {
          again = false;
          await pumpOnce();
        } while (again && !closed);
      } catch {
        // A file vanished mid-read or the socket closed: the next change or poll tries again.
      } finally {
        busy = false;
      }
    })();
  };

  const stopWatching = watchDir(runDir, pump, o.pollMs);
  const keepAlive = setInterval(() => void write(": keep-alive\n\n"), o.keepAliveMs);
  keepAlive.unref();
  res.once("close", () => {
    closed = true;
    stopWatching();
    clearInterval(keepAlive);
  });
  req.socket.setKeepAlive(true);
  pump();
}
