/**
 * The dashboard's web server (Node `http`, read-only). Routes:
 *
 *   GET /                               the single-page front end (bundled by `npm run build:dashboard`)
 *   GET /static/app.js, /static/app.css the bundle
 *   GET /api/info                       where runs and studies come from
 *   GET /api/runs                       RunSummary[]
 *   GET /api/runs/<name>                RunDetail (config, result, babysitter findings)
 *   GET /api/runs/<name>/events         server-sent events: the event log, then what is appended
 *   GET /api/stream?run=a&run=b         the same for several runs on one connection (comparisons)
 *   GET /api/runs/<name>/filters        FilterData of the first conv layer in checkpoint.safetensors
 *   GET /api/runs/<name>/files/<file>   config.json, result.json, babysit.json or events.jsonl as text
 *   GET /api/studies, /api/studies/<name>   StudySummary[], StudyView (when a study source is given)
 *   GET /demo                           redirects to the in-browser training demo, /#/demo
 *   GET /demo/<file>                    the browser build (dist/browser): ganglion.js, worker.web.js,
 *                                       demo-worker.js (+ .map) and the demo's digits.bin
 *
 * Only GET and HEAD are answered (anything else: 405); nothing writes or deletes. Files are read only
 * through `RunsRoot` (allow-listed names, real paths inside the runs directory). A server bound to a
 * loopback address answers only requests whose Host is a loopback name (DNS-rebinding protection).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createReadStream, existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { DashboardInfo, StudySource } from "../types.js";
import { RunsRoot } from "./paths.js";
import { listRuns, runDetail } from "./runs.js";
import { readFirstConv } from "./checkpoint.js";
import { MAX_STREAM_RUNS, resumeOffsets, streamEvents } from "./sse.js";
import { isLoopbackHost, loopbackHosts, parseRequestPath, send, sendError, sendJson, SECURITY_HEADERS, WASM_CSP } from "./http.js";
import { indexHtml } from "./page.js";

export interface DashboardOptions {
  /** The directory of run directories. */
  readonly runsDir: string;
  /** Studies to show (optional). */
  readonly studies?: StudySource;
  /** Address to bind (default 127.0.0.1). */
  readonly host?: string;
  /** Port (default 8765; 0 picks a free one). */
  readonly port?: number;
  /** Where app.js and app.css are (default: next to the compiled server, `dashboard/static`). */
  readonly staticDir?: string;
  /** File-change poll interval in ms (default 1000). */
  readonly pollMs?: number;
  /** Where the browser build is (default: `dist/browser`, found beside the compiled server). */
  readonly browserDir?: string;
}

export interface Dashboard {
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly server: Server;
  /** Whether the front end bundle was found. */
  readonly bundled: boolean;
  /** Whether the browser build (the demo's files) was found. */
  readonly demoBuilt: boolean;
  close(): Promise<void>;
}

const STATIC_FILES: Readonly<Record<string, string>> = {
  "app.js": "text/javascript; charset=utf-8",
  "app.css": "text/css; charset=utf-8",
};

const JS = "text/javascript; charset=utf-8", MAP = "application/json; charset=utf-8";
const DEMO_FILES: Readonly<Record<string, string>> = {
  "ganglion.js": JS, "ganglion.js.map": MAP, "worker.web.js": JS, "worker.web.js.map": MAP,
  "demo-worker.js": JS, "demo-worker.js.map": MAP, "digits.bin": "application/octet-stream",
};

/** The browser build's folder: `given`, else dist/browser beside the compiled server, else under the working directory. */
export function findBrowserDir(given?: string): string {
  if (given !== undefined) return resolve(given);
  const candidates = [fileURLToPath(new URL("../../../browser/", import.meta.url)), resolve("dist/browser")];
  return candidates.find((d) => existsSync(join(d, "ganglion.js"))) ?? candidates[0];
}

/** The bundle's folder: `staticDir`, else beside the compiled server, else `dist/src/dashboard/static` under the working directory. */
export function findStaticDir(given?: string): string {
  if (given !== undefined) return resolve(given);
  const candidates = [fileURLToPath(new URL("../static/", import.meta.url)), resolve("dist/src/dashboard/static")];
  return candidates.find((d) => existsSync(join(d, "app.js"))) ?? candidates[0];
}

interface Context {
  readonly root: RunsRoot;
  readonly studies?: StudySource;
  readonly staticDir: string;
  readonly browserDir: string;
  readonly pollMs: number;
}

async function route(req: IncomingMessage, res: ServerResponse, ctx: Context): Promise<void> {
  const parsed = parseRequestPath(req.url ?? "/");
  if (typeof parsed === "string") return sendError(req, res, 400, parsed);
  const [a, b, c, d, ...rest] = parsed.segments;
  if (a === undefined || (a === "index.html" && b === undefined)) return send(req, res, 200, "text/html; charset=utf-8", indexHtml());
  if (a === "favicon.ico" && b === undefined) return send(req, res, 204, "image/x-icon", "");
  if (a === "static" && b !== undefined && c === undefined) {
    const type = STATIC_FILES[b];
    if (type === undefined) return sendError(req, res, 404, "no such file");
    try {
      return send(req, res, 200, type, await readFile(join(ctx.staticDir, b)));
    } catch {
      return sendError(req, res, 404, "the front end is not built: run 'npm run build:dashboard'");
    }
  }
  if (a === "demo" && b === undefined) return send(req, res, 302, "text/plain; charset=utf-8", "", { location: "/#/demo" });
  if (a === "demo" && c === undefined) {
    const type = DEMO_FILES[b];
    if (type === undefined) return sendError(req, res, 404, "no such file");
    try {
      return send(req, res, 200, type, await readFile(join(ctx.browserDir, b)), { "content-security-policy": WASM_CSP });
    } catch {
      return sendError(req, res, 404, "the browser build is missing: run 'npm run build'");
    }
  }
  if (a !== "api" || rest.length > 0) return sendError(req, res, 404, "not found");
  if (b === "info" && c === undefined) {
    const info: DashboardInfo = { version: 1, runsDir: ctx.root.dir, studies: ctx.studies?.description ?? null };
    return sendJson(req, res, 200, info);
  }
  if (b === "runs") {
    if (c === undefined) return sendJson(req, res, 200, await listRuns(ctx.root));
    const runDir = await ctx.root.runDir(c);
    if (runDir === undefined) return sendError(req, res, 404, "no such run");
    if (d === undefined) {
      const detail = await runDetail(ctx.root, c);
      return detail ? sendJson(req, res, 200, detail) : sendError(req, res, 404, "no such run");
    }
    if (d === "events") {
      if (req.method === "HEAD") return send(req, res, 200, "text/event-stream; charset=utf-8", "");
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
      return streamEvents(req, res, ctx.root, [{ name: c, dir: runDir }], resumeOffsets(req, parsed.query, 1), { pollMs: ctx.pollMs, keepAliveMs: 15_000 });
    }
    if (d === "filters") {
      const p = await ctx.root.runFile(c, "checkpoint.safetensors");
      if (p === undefined) return sendError(req, res, 404, "this run has no checkpoint yet");
      try {
        const f = await readFirstConv(p);
        return f ? sendJson(req, res, 200, f) : sendError(req, res, 404, "the checkpoint has no 4-D conv weight");
      } catch (e) {
        return sendError(req, res, 422, `cannot read the checkpoint: ${(e as Error).message}`);
      }
    }
  }
  if (b === "runs" && c !== undefined && d === "files") return sendError(req, res, 404, "name a file");
  if (b === "stream" && c === undefined) return stream(req, res, ctx, parsed.query);
  if (b === "studies") {
    if (!ctx.studies) return c === undefined ? sendJson(req, res, 200, []) : sendError(req, res, 404, "no study storage (start with --storage URL)");
    if (c === undefined) return sendJson(req, res, 200, await ctx.studies.list());
    if (d !== undefined) return sendError(req, res, 404, "not found");
    const view = await ctx.studies.get(c);
    return view ? sendJson(req, res, 200, view) : sendError(req, res, 404, "no such study");
  }
  return sendError(req, res, 404, "not found");
}

/** `GET /api/stream?run=a&run=b`: several runs' events on one connection. */
async function stream(req: IncomingMessage, res: ServerResponse, ctx: Context, query: URLSearchParams): Promise<void> {
  const names = query.getAll("run");
  if (names.length === 0 || names.length > MAX_STREAM_RUNS) return sendError(req, res, 400, `name 1 to ${MAX_STREAM_RUNS} runs: ?run=a&run=b`);
  const runs: { name: string; dir: string }[] = [];
  for (const name of names) {
    const dir = await ctx.root.runDir(name);
    if (dir === undefined) return sendError(req, res, 404, "no such run");
    runs.push({ name, dir });
  }
  if (req.method === "HEAD") return send(req, res, 200, "text/event-stream; charset=utf-8", "");
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
  streamEvents(req, res, ctx.root, runs, resumeOffsets(req, query, runs.length), { pollMs: ctx.pollMs, keepAliveMs: 15_000 });
}

/** `GET /api/runs/<name>/files/<file>`: one allow-listed file of a run, as text. */
async function routeFile(req: IncomingMessage, res: ServerResponse, ctx: Context, name: string, file: string): Promise<void> {
  if (file === "checkpoint.safetensors") return sendError(req, res, 404, "checkpoints are not served (see /filters)");
  const p = await ctx.root.runFile(name, file);
  if (p === undefined) return sendError(req, res, 404, "no such file");
  const type = file.endsWith(".json") ? "application/json; charset=utf-8" : "text/plain; charset=utf-8";
  const size = (await stat(p)).size;
  res.writeHead(200, { ...SECURITY_HEADERS, "content-type": type, "content-length": String(size), "cache-control": "no-store", "content-disposition": "inline" });
  if (req.method === "HEAD" || size === 0) return void res.end();
  // Streamed (a log can be large); at most the size seen above, in case training appends meanwhile.
  createReadStream(p, { start: 0, end: size - 1 }).on("error", () => res.destroy()).pipe(res);
}

/** Starts the dashboard server; resolves once it is listening. */
export async function startDashboard(o: DashboardOptions): Promise<Dashboard> {
  const host = o.host ?? "127.0.0.1";
  const staticDir = findStaticDir(o.staticDir);
  const browserDir = findBrowserDir(o.browserDir);
  const ctx: Context = { root: new RunsRoot(o.runsDir), studies: o.studies, staticDir, browserDir, pollMs: o.pollMs ?? 1000 };
  let allowed = new Set<string>();
  const loopback = isLoopbackHost(host);
  const server = createServer((req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      return sendError(req, res, 405, "the dashboard is read-only: only GET and HEAD", { allow: "GET, HEAD" });
    }
    if (loopback && !allowed.has((req.headers.host ?? "").toLowerCase())) {
      return sendError(req, res, 403, "unexpected Host header (this server answers only to its loopback address)");
    }
    const parsed = parseRequestPath(req.url ?? "/");
    const seg = typeof parsed === "string" ? [] : parsed.segments;
    const job = seg[0] === "api" && seg[1] === "runs" && seg[3] === "files" && seg.length === 5
      ? routeFile(req, res, ctx, seg[2], seg[4])
      : route(req, res, ctx);
    job.catch((e: unknown) => {
      if (!res.headersSent) sendError(req, res, 500, `internal error: ${(e as Error).message}`);
      else res.destroy();
    });
  });
  server.listen(o.port ?? 8765, host);
  await new Promise<void>((resolveListen, reject) => {
    server.once("listening", () => resolveListen());
    server.once("error", reject);
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr !== null ? addr.port : (o.port ?? 8765);
  allowed = loopbackHosts(port);
  const shown = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/`, port, host, server, bundled: existsSync(join(staticDir, "app.js")), demoBuilt: existsSync(join(browserDir, "demo-worker.js")),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await o.studies?.close();
    },
  };
}
