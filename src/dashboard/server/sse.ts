/**
 * Event logs as server-sent events, for one run (`GET /api/runs/<name>/events`) or several on one
 * connection (`GET /api/stream?run=a&run=b`, the comparison view: browsers allow only six HTTP/1.1
 * connections per host, so one stream per run would starve the page). A client first receives the lines
 * already written (in chunks of at most 1 MiB), then `caught-up`, then each batch of new lines as training
 * appends them: only the new bytes are read and sent. Every `events` message carries the end offsets of
 * all streamed logs as its SSE id (`123,456`), so a reconnecting EventSource (which sends
 * `Last-Event-ID`) resumes where it stopped instead of receiving the files again.
 *
 * Messages (`i` = the run's index in the request):
 *   events     data: `i`, then one JSON event per data line, as written
 *   summary    data: `{"run": i, "summary": RunSummary}` whenever it changes (status, checkpoint time)
 *   reset      data: `i` — that log was truncated: drop what you have
 *   caught-up  the backlog of every run has been sent
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { once } from "node:events";
import { readLines, watchDir } from "./tail.js";
import { summarizeRun } from "./runs.js";
import type { RunsRoot } from "./paths.js";

/** At most this many runs on one stream. */
export const MAX_STREAM_RUNS = 16;

export interface SseOptions {
  /** Poll interval for file changes (fs.watch may not fire on every file system). */
  readonly pollMs: number;
  /** A comment line is sent this often so proxies and the browser keep the connection open. */
  readonly keepAliveMs: number;
}

/** Offsets to resume from, one per run: `Last-Event-ID` (reconnect) or `?from=`; zeros otherwise. */
export function resumeOffsets(req: IncomingMessage, query: URLSearchParams, n: number): number[] {
  const header = req.headers["last-event-id"];
  const raw = (Array.isArray(header) ? header[0] : header) ?? query.get("from") ?? "";
  const parts = raw.split(",").map(Number);
  return Array.from({ length: n }, (_, i) => (Number.isSafeInteger(parts[i]) && parts[i] >= 0 ? parts[i] : 0));
}

interface Tail {
  readonly name: string;
  offset: number;
  lastSummary: string;
}

/** Streams the runs' events until the client goes away. Every run directory must exist (checked by the caller). */
export function streamEvents(req: IncomingMessage, res: ServerResponse, root: RunsRoot, runs: readonly { name: string; dir: string }[], from: readonly number[], o: SseOptions): void {
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  res.write("retry: 2000\n\n");
  const tails: Tail[] = runs.map((r, i) => ({ name: r.name, offset: from[i] ?? 0, lastSummary: "" }));
  let closed = false;
  let busy = false;
  let again = false;
  let caughtUp = false;
  const closedPromise = new Promise<void>((resolve) => res.once("close", () => resolve()));

  const write = async (text: string): Promise<void> => {
    if (closed) return;
    if (!res.write(text)) await Promise.race([once(res, "drain"), closedPromise]);
  };
  const id = (): string => tails.map((t) => t.offset).join(",");

  const pumpRun = async (t: Tail, i: number): Promise<void> => {
    const path = await root.runFile(t.name, "events.jsonl");
    if (path !== undefined) {
      for (;;) {
        const c = await readLines(path, t.offset);
        if (closed) return;
        if (c.truncated) {
          t.offset = 0;
          await write(`event: reset\ndata: ${i}\n\n`);
          continue;
        }
        const advanced = c.next > t.offset;
        t.offset = c.next;
        if (c.lines.length > 0) await write(`id: ${id()}\nevent: events\ndata: ${i}\ndata: ${c.lines.join("\ndata: ")}\n\n`);
        if (!c.more || !advanced) break;
      }
    }
    const s = await summarizeRun(root, t.name);
    const text = s === undefined ? "" : JSON.stringify(s);
    if (text !== "" && text !== t.lastSummary) {
      t.lastSummary = text;
      await write(`event: summary\ndata: {"run":${i},"summary":${text}}\n\n`);
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
          for (let i = 0; i < tails.length && !closed; i++) await pumpRun(tails[i], i);
          if (!caughtUp && !closed) {
            caughtUp = true;
            await write("event: caught-up\ndata: {}\n\n");
          }
        } while (again && !closed);
      } catch {
        // A file vanished mid-read or the socket closed: the next change or poll tries again.
      } finally {
        busy = false;
      }
    })();
  };

  const stops = [...new Set(runs.map((r) => r.dir))].map((dir) => watchDir(dir, pump, 0));
  const poll = setInterval(pump, o.pollMs);
  poll.unref();
  const keepAlive = setInterval(() => void write(": keep-alive\n\n"), o.keepAliveMs);
  keepAlive.unref();
  res.once("close", () => {
    closed = true;
    for (const s of stops) s();
    clearInterval(poll);
    clearInterval(keepAlive);
  });
  req.socket.setKeepAlive(true);
  pump();
}
