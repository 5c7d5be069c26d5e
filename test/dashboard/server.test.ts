/**
 * The dashboard server over plain HTTP: run listing and details, the filters endpoint, server-sent events
 * that send only what is new (and resume from Last-Event-ID), path traversal in every spelling, symbolic
 * links out of the runs directory, read-only methods, and the Host check. Loopback only.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { appendFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startDashboard, readLines, type Dashboard } from "../../src/dashboard/server/index.js";
import type { FilterData, RunDetail, RunSummary } from "../../src/dashboard/types.js";
import { appendEvents, syntheticEvents, tempDir, writeFinishedRun } from "./fixtures.js";

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; body: string }

/** A raw request (no URL normalisation: the path goes on the wire exactly as given). */
function raw(port: number, path: string, method = "GET", headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Reads an SSE stream until `until` holds for the text so far; returns the text. */
function sse(port: number, path: string, until: (text: string) => boolean, headers: Record<string, string> = {}, onOpen?: () => void): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`SSE: condition not met in 10 s; got:\n${text.slice(0, 2000)}`));
    }, 10_000);
    const req = request({ host: "127.0.0.1", port, path, headers: { host: `127.0.0.1:${port}`, accept: "text/event-stream", ...headers } }, (res) => {
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers["content-type"]), /text\/event-stream/);
      onOpen?.();
      res.on("data", (c: Buffer) => {
        text += c.toString("utf8");
        if (until(text)) {
          clearTimeout(timer);
          req.destroy();
          resolve(text);
        }
      });
    });
    req.on("error", (e) => {
      if (!text) reject(e);
    });
    req.end();
  });
}

interface Ev { type: string; step?: number; run: number }

/** The JSON events carried by `events` messages of an SSE text (the first data line is the run's index). */
function eventsIn(text: string): Ev[] {
  const out: Ev[] = [];
  for (const block of text.split("\n\n")) {
    if (!block.includes("event: events")) continue;
    const [run, ...lines] = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6));
    for (const line of lines) out.push({ ...(JSON.parse(line) as { type: string; step?: number }), run: Number(run) });
  }
  return out;
}

const SECRET = "TOP-SECRET-OUTSIDE-THE-RUNS-DIR";
const BASE = tempDir();

describe("dashboard server", () => {
  let d: Dashboard;
  let runs: string;
  before(async () => {
    const base = BASE;
    runs = join(base, "runs");
    mkdirSync(runs);
    writeFinishedRun(runs, "done", { steps: 60, stepsPerEpoch: 20 });
    mkdirSync(join(runs, "live"));
    // Outside the runs directory: a secret file and a run-like directory, reachable only through links.
    const outside = join(base, "outside");
    mkdirSync(outside);
    writeFileSync(join(outside, "config.json"), JSON.stringify({ secret: SECRET }));
    writeFileSync(join(outside, "events.jsonl"), `${JSON.stringify({ type: "message", level: "info", text: SECRET, time: 0 })}\n`);
    symlinkSync(outside, join(runs, "escape-dir"));
    mkdirSync(join(runs, "linked-files"));
    symlinkSync(join(outside, "config.json"), join(runs, "linked-files", "config.json"));
    symlinkSync(join(outside, "events.jsonl"), join(runs, "linked-files", "events.jsonl"));
    writeFileSync(join(runs, "done", "secret.txt"), SECRET);
    mkdirSync(join(runs, ".hidden"));
    writeFileSync(join(runs, ".hidden", "config.json"), JSON.stringify({ secret: SECRET }));
    d = await startDashboard({ runsDir: runs, port: 0, pollMs: 100 });
  });
  after(async () => d.close());

  it("binds loopback and lists run directories, not links out of the runs directory", async () => {
    assert.equal(d.host, "127.0.0.1");
    assert.equal((d.server.address() as { address: string }).address, "127.0.0.1");
    const r = await raw(d.port, "/api/runs");
    assert.equal(r.status, 200);
    const list = JSON.parse(r.body) as RunSummary[];
    assert.deepEqual(list.map((x) => x.name).sort(), ["done"]);
    assert.equal(list[0].status, "finished");
    assert.equal(list[0].headline.test_accuracy, 0.912);
    assert.ok(!r.body.includes(SECRET));
  });

  it("serves a run's details, babysitter findings and first conv filters (natural order of names)", async () => {
    const det = JSON.parse((await raw(d.port, "/api/runs/done")).body) as RunDetail;
    assert.equal(det.summary.name, "done");
    assert.equal(det.babysit?.length, 2);
    assert.equal(det.babysit?.[1].status, "warn");
    const f = JSON.parse((await raw(d.port, "/api/runs/done/filters")).body) as FilterData;
    assert.equal(f.tensor, "model.2.weight");
    assert.deepEqual(f.shape, [16, 3, 5, 5]);
    assert.equal(f.values.length, 16 * 75);
    assert.ok(Math.abs(f.values[0] - 0.2 * Math.sin(1.6 * -2)) < 1e-6);
    assert.equal((await raw(d.port, "/api/runs/live/filters")).status, 404);
  });

  it("streams the event log, then only the lines appended (a half-written line waits for its newline)", async () => {
    const live = join(runs, "live");
    const o = { steps: 200, stepsPerEpoch: 50, every: 1000 };
    appendEvents(live, syntheticEvents(o, 0, 10));
    const next = syntheticEvents(o, 10, 15);
    const text = await sse(d.port, "/api/runs/live/events", (t) => eventsIn(t).filter((e) => e.type === "step").length >= 15, {}, () => {
      setTimeout(() => {
        const lines = next.map((e) => JSON.stringify(e));
        appendFileSync(join(live, "events.jsonl"), `${lines.slice(0, 2).join("\n")}\n${lines[2].slice(0, 20)}`);
        setTimeout(() => appendFileSync(join(live, "events.jsonl"), `${lines[2].slice(20)}\n${lines.slice(3).join("\n")}\n`), 300);
      }, 300);
    });
    const steps = eventsIn(text).filter((e) => e.type === "step").map((e) => e.step);
    assert.deepEqual(steps, Array.from({ length: 15 }, (_, i) => i + 1), "every step exactly once, in order");
    assert.match(text, /event: caught-up/);
    assert.match(text, /event: summary/);
    // Resume: with Last-Event-ID = the last id, nothing old comes again; a new line does.
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    const last = ids[ids.length - 1];
    assert.equal(last, readFileSync(join(live, "events.jsonl")).length);
    const again = await sse(d.port, "/api/runs/live/events", (t) => eventsIn(t).length >= 1, { "last-event-id": String(last) }, () => {
      setTimeout(() => appendEvents(live, syntheticEvents(o, 15, 16)), 200);
    });
    assert.deepEqual(eventsIn(again).map((e) => e.step), [16]);
  });

  it("streams several runs on one connection, each event tagged with its run, resumable per run", async () => {
    const [a, b] = ["multi-a", "multi-b"].map((n) => {
      mkdirSync(join(runs, n));
      return join(runs, n);
    });
    const o = { steps: 100, stepsPerEpoch: 50, every: 1000 };
    appendEvents(a, syntheticEvents(o, 0, 3));
    appendEvents(b, syntheticEvents(o, 0, 5));
    const steps = (t: string): Ev[] => eventsIn(t).filter((e) => e.type === "step");
    const text = await sse(d.port, "/api/stream?run=multi-a&run=multi-b", (t) => steps(t).length >= 10, {}, () => {
      setTimeout(() => appendEvents(a, syntheticEvents(o, 3, 5)), 200);
    });
    const ev = steps(text);
    assert.deepEqual(ev.filter((e) => e.run === 0).map((e) => e.step), [1, 2, 3, 4, 5]);
    assert.deepEqual(ev.filter((e) => e.run === 1).map((e) => e.step), [1, 2, 3, 4, 5]);
    const ids = [...text.matchAll(/^id: (\d+),(\d+)$/gm)];
    const last = ids[ids.length - 1];
    assert.equal(Number(last[1]), readFileSync(join(a, "events.jsonl")).length);
    assert.equal(Number(last[2]), readFileSync(join(b, "events.jsonl")).length);
    const again = await sse(d.port, "/api/stream?run=multi-a&run=multi-b", (t) => eventsIn(t).length >= 1, { "last-event-id": `${last[1]},${last[2]}` }, () => {
      setTimeout(() => appendEvents(b, syntheticEvents(o, 5, 6)), 200);
    });
    assert.deepEqual(eventsIn(again).map((e) => [e.run, e.step]), [[1, 6]]);
    assert.equal((await raw(d.port, "/api/stream")).status, 400);
    assert.equal((await raw(d.port, `/api/stream?${Array(17).fill("run=done").join("&")}`)).status, 400);
    assert.equal((await raw(d.port, "/api/stream?run=done&run=nope")).status, 404);
  });

  it("reads JSONL incrementally: complete lines only, CRs dropped, truncation detected", async () => {
    const p = join(BASE, "e.jsonl");
    writeFileSync(p, '{"a":1}\r\n{"b":2}\n{"c":');
    const c1 = await readLines(p, 0);
    assert.deepEqual(c1.lines, ['{"a":1}', '{"b":2}']);
    appendFileSync(p, "3}\n");
    const c2 = await readLines(p, c1.next);
    assert.deepEqual(c2.lines, ['{"c":3}']);
    writeFileSync(p, "{}\n");
    assert.equal((await readLines(p, c2.next)).truncated, true);
    const big = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ i })).join("\n") + "\n";
    writeFileSync(p, big);
    let off = 0, n = 0;
    for (;;) {
      const c = await readLines(p, off, 4096);
      n += c.lines.length;
      off = c.next;
      if (!c.more) break;
    }
    assert.equal(n, 5000);
  });

  it("rejects path traversal in every spelling and never serves a file outside the runs directory", async () => {
    const bad: [string, number][] = [
      ["/api/runs/../../etc/passwd", 400],
      ["/api/runs/..%2f..%2fetc/files/config.json", 400],
      ["/api/runs/%2e%2e/files/config.json", 400],
      ["/api/runs/%2E%2E/%2E%2E/outside/files/config.json", 400],
      ["/api/runs/.%2e/outside/files/config.json", 400],
      ["/api/runs/done/files/..%2f..%2foutside%2fconfig.json", 400],
      ["/api/runs/done/files/%2e%2e", 400],
      ["/api/runs/%2Fetc%2Fpasswd", 400],
      ["/api/runs/%2Fetc/files/passwd", 400],
      ["/api/runs/..%5c..%5coutside/files/config.json", 400],
      ["/api/runs/done%00/files/config.json", 400],
      ["/static/../../package.json", 400],
      ["/static/..%2f..%2f..%2fpackage.json", 400],
      ["/static/%2e%2e/%2e%2e/%2e%2e/package.json", 400],
      ["/api/runs/%zz", 400],
      ["http://127.0.0.1/etc/passwd", 400],
      ["//etc/passwd", 404],
      ["/etc/passwd", 404],
      ["/api/runs/escape-dir", 404],
      ["/api/runs/escape-dir/files/config.json", 404],
      ["/api/runs/escape-dir/events", 404],
      ["/api/stream?run=escape-dir", 404],
      ["/api/stream?run=..%2Foutside", 404],
      ["/api/stream?run=..", 404],
      ["/api/stream?run=done&run=%2Fetc", 404],
      ["/api/runs/linked-files/files/config.json", 404],
      ["/api/runs/linked-files/files/events.jsonl", 404],
      ["/api/runs/done/files/secret.txt", 404],
      ["/api/runs/done/files/checkpoint.safetensors", 404],
      ["/api/runs/.hidden/files/config.json", 404],
      ["/static/package.json", 404],
    ];
    for (const [path, status] of bad) {
      const r = await raw(d.port, path);
      assert.equal(r.status, status, `${path}: expected ${status}, got ${r.status} ${r.body}`);
      assert.ok(!r.body.includes(SECRET), `${path} leaked the secret`);
      assert.ok(!r.body.includes("root:"), `${path} served /etc/passwd`);
    }
    const linked = await raw(d.port, "/api/runs/linked-files");
    assert.ok(!linked.body.includes(SECRET));
    const ok = await raw(d.port, "/api/runs/done/files/events.jsonl");
    assert.equal(ok.status, 200);
    assert.equal(ok.body, readFileSync(join(runs, "done", "events.jsonl"), "utf8"));
  });

  it("answers only GET and HEAD: writes and deletes get 405 and change nothing", async () => {
    const before = readFileSync(join(runs, "done", "events.jsonl"), "utf8");
    for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"]) {
      for (const path of ["/", "/api/runs", "/api/runs/done", "/api/runs/done/files/events.jsonl", "/api/studies"]) {
        const r = await raw(d.port, path, method);
        assert.equal(r.status, 405, `${method} ${path}`);
        assert.equal(r.headers.allow, "GET, HEAD");
      }
    }
    const head = await raw(d.port, "/api/runs", "HEAD");
    assert.equal(head.status, 200);
    assert.equal(head.body, "");
    assert.equal(readFileSync(join(runs, "done", "events.jsonl"), "utf8"), before);
  });

  it("sends security headers and refuses foreign Host headers (DNS rebinding)", async () => {
    const r = await raw(d.port, "/");
    assert.equal(r.status, 200);
    assert.match(String(r.headers["content-security-policy"]), /script-src 'self'/);
    assert.equal(r.headers["x-content-type-options"], "nosniff");
    assert.match(r.body, /<script type="module" src="\/static\/app.js">/);
    assert.equal((await raw(d.port, "/api/runs", "GET", { host: "evil.example:80" })).status, 403);
    assert.equal((await raw(d.port, "/api/runs", "GET", { host: `localhost:${d.port}` })).status, 200);
    assert.equal((await raw(d.port, "/api/studies")).body, "[]");
  });

  it("serves the browser build for the demo: allow-listed files only, Wasm allowed by their CSP, cross-origin isolated", async () => {
    assert.ok(d.demoBuilt, "run 'npm run build' (build:browser)");
    const lib = await raw(d.port, "/demo/ganglion.js");
    assert.equal(lib.status, 200);
    assert.match(String(lib.headers["content-type"]), /^text\/javascript/);
    assert.match(String(lib.headers["content-security-policy"]), /script-src 'self' 'wasm-unsafe-eval'/);
    assert.equal(lib.headers["cross-origin-embedder-policy"], "require-corp");
    assert.equal(lib.headers["cross-origin-opener-policy"], "same-origin");
    const page = await raw(d.port, "/");
    assert.doesNotMatch(String(page.headers["content-security-policy"]), /wasm-unsafe-eval/);
    assert.equal(page.headers["cross-origin-embedder-policy"], "require-corp");
    for (const f of ["worker.web.js", "demo-worker.js", "digits.bin"]) assert.equal((await raw(d.port, `/demo/${f}`, "HEAD")).status, 200, f);
    const redirect = await raw(d.port, "/demo");
    assert.equal(redirect.status, 302);
    assert.equal(redirect.headers.location, "/#/demo");
    for (const p of ["/demo/app.js", "/demo/..%2Fsrc%2Findex.js", "/demo/%2e%2e/package.json", "/demo/ganglion.js/x", "/demo/index.html"]) {
      assert.ok([400, 404].includes((await raw(d.port, p)).status), p);
    }
  });
});
