/**
 * The browser build in real headless Chromium: the dashboard's #/demo page trains the default CNN on the
 * embedded digits in a Web Worker on the Wasm backend with 2 threads (the dashboard's COOP/COEP headers
 * make the page cross-origin isolated) until the loss has fallen and the test accuracy is above 70%;
 * Stop ends a run. The bundle also works from a plain page: on the main thread (one thread: Atomics.wait
 * is not allowed there), and without cross-origin isolation the worker trains on one thread; asked for
 * WebGPU where there is no adapter, it says so and trains on Wasm.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { startDashboard, type Dashboard } from "../../src/dashboard/server/index.js";
import type { DemoResult, FromWorker } from "../../src/demo/protocol.js";
import { tempDir } from "./fixtures.js";
import { inkedPixels, launchOrSkip, openPage, screenshot, type Browser } from "./browser.js";

const BROWSER_DIR = resolve("dist/browser");

/** A bare static server for dist/browser and two test pages; COOP/COEP only when `isolated`. */
async function staticServer(isolated: boolean): Promise<{ url: string; server: Server }> {
  const pages: Record<string, string> = {
    "/main.html": `<!doctype html><link rel="icon" href="data:,"><script type="module">
      const g = await import("/ganglion.js");
      const x = g.fromArray(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
      const y = g.matmul(x, x.transpose(0, 1)).relu();
      const b = g.getBackend();
      window.result = { backend: b.name, threads: b.threads, shared: b.sharedMemory, isolated: crossOriginIsolated, y: Array.from(y.dataSync()) };
    </script>`,
    "/worker.html": `<!doctype html><link rel="icon" href="data:,"><script type="module">
      window.messages = [];
      const w = new Worker("/demo-worker.js", { type: "module" });
      w.onmessage = (e) => window.messages.push(e.data);
      w.onerror = (e) => window.messages.push({ type: "error", message: String(e.message) });
      w.postMessage({ type: "start", dataUrl: "/digits.bin", config: { trainSize: 320, testSize: 200, epochs: 1, batchSize: 32, lr: 0.003, width: 4, seed: 1, statsEvery: 5, backend: "webgpu" } });
    </script>`,
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const headers: Record<string, string> = isolated ? { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" } : {};
    const send = (type: string, body: string | Buffer): void => {
      res.writeHead(200, { ...headers, "content-type": type });
      res.end(body);
    };
    if (pages[path]) return send("text/html", pages[path]);
    if (/^\/[a-z.-]+\.(js|bin)$/.test(path)) {
      readFile(join(BROWSER_DIR, path.slice(1))).then((b) => send(path.endsWith(".js") ? "text/javascript" : "application/octet-stream", b), () => {
        res.writeHead(404);
        res.end();
      });
      return;
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  return { url: `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`, server };
}

describe("browser build and in-browser training demo (Chromium)", () => {
  let d: Dashboard;
  let b: Browser | undefined;
  const servers: Server[] = [];
  before(async () => {
    d = await startDashboard({ runsDir: tempDir(), port: 0 });
    assert.ok(d.bundled && d.demoBuilt, "the browser build is missing: run 'npm run build'");
  });
  after(async () => {
    await b?.close();
    await d?.close();
    for (const s of servers) s.close();
  });

  it("the demo page trains a CNN in a Web Worker on 2 Wasm threads: loss falls, test accuracy > 70%, same numbers on 1 thread", async (t) => {
    b ??= await launchOrSkip(t);
    if (!b) return;
    const { page, errors } = await openPage(b);
    await page.goto(`${d.url}?train=1000&test=500&epochs=2&width=8&threads=2&auto=1#/demo`);
    await page.waitForSelector("#app[data-state='running']", { timeout: 60_000 });
    assert.equal(await page.getAttribute("#app", "data-isolated"), "true");
    assert.equal(await page.getAttribute("#app", "data-threads"), "2");
    assert.match(await page.locator(".demo-info").innerText(), /backend wasm · 2 threads · cross-origin isolated/);
    // Live: the loss curve gains points while training runs.
    await page.waitForFunction(() => Number(document.getElementById("app")?.dataset.steps) >= 10, null, { timeout: 60_000 });
    await page.waitForSelector("#app[data-state='done']", { timeout: 240_000 });
    const ds = await page.evaluate(() => ({ ...document.getElementById("app")?.dataset }));
    const result = JSON.parse(ds.result ?? "{}") as DemoResult;
    assert.equal(result.steps, 62); // 2 epochs of floor(1000 / 32) batches (the last, partial one dropped)
    assert.equal(Number(ds.steps), 62);
    assert.ok(Number(ds.lossLast) < 0.6 * Number(ds.lossFirst), `loss ${ds.lossFirst} -> ${ds.lossLast}`);
    assert.ok(result.testAccuracy > 0.7, `test accuracy ${result.testAccuracy}`);
    assert.match(await page.locator(".tiles").innerText(), /\d+\.\d\d%/);
    await page.waitForSelector("[data-chart='demo-loss'][data-points='62']");
    await page.waitForSelector("[data-chart='demo-accuracy'][data-points='2']");
    assert.ok(await inkedPixels(page, "[data-chart='demo-loss'] canvas") > 500, "loss chart is blank");
    assert.equal(await page.locator("canvas.filter").count(), 8);
    await page.waitForSelector(".mistakes[data-count='24']");
    assert.ok(await inkedPixels(page, "canvas.mistake-img") > 24 * 50, "misclassified digits are blank");
    await page.waitForSelector(".grad-hists[data-layers='11']"); // 3 conv weights, 3 BN weight/bias pairs, the linear weight and bias
    // Layer names keep their class names in the minified bundle.
    assert.match(await page.locator(".hists").first().innerText(), /3 \(ReLU\)/);
    await screenshot(page, "demo");
    await page.setViewportSize({ width: 1400, height: 1300 });
    await screenshot(page, "demo-top", false);
    // The same run on one thread: every parallel kernel is bit-identical across thread counts.
    await page.goto("about:blank");
    await page.goto(`${d.url}?train=1000&test=500&epochs=2&width=8&threads=1&auto=1#/demo`);
    await page.waitForSelector("#app[data-state='done']", { timeout: 240_000 });
    assert.equal(await page.getAttribute("#app", "data-threads"), "1");
    const one = await page.evaluate(() => ({ ...document.getElementById("app")?.dataset }));
    assert.deepEqual([one.lossFirst, one.lossLast, JSON.parse(one.result ?? "{}").testAccuracy], [ds.lossFirst, ds.lossLast, result.testAccuracy]);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("Stop ends training after the current step", async (t) => {
    b ??= await launchOrSkip(t);
    if (!b) return;
    const { page, errors } = await openPage(b);
    await page.goto(`${d.url}?train=8000&epochs=5&width=8&auto=1#/demo`);
    await page.waitForFunction(() => Number(document.getElementById("app")?.dataset.steps) >= 5, null, { timeout: 60_000 });
    await page.click("#demo-stop");
    await page.waitForSelector("#app[data-state='stopped']", { timeout: 30_000 });
    const result = JSON.parse((await page.getAttribute("#app", "data-result")) ?? "{}") as DemoResult;
    assert.ok(result.stopped && result.steps >= 5 && result.steps < 1250, JSON.stringify(result));
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("the library bundle runs on a page's main thread (Wasm on one thread: no Atomics.wait there)", async (t) => {
    b ??= await launchOrSkip(t);
    if (!b) return;
    const s = await staticServer(true);
    servers.push(s.server);
    const { page, errors } = await openPage(b);
    await page.goto(`${s.url}/main.html`);
    await page.waitForFunction(() => "result" in window, null, { timeout: 30_000 });
    const r = await page.evaluate(() => (window as unknown as { result: unknown }).result) as { backend: string; threads: number; shared: boolean; isolated: boolean; y: number[] };
    assert.deepEqual(r, { backend: "wasm", threads: 1, shared: true, isolated: true, y: [14, 32, 32, 77] });
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("without cross-origin isolation the worker trains on one thread (and asked for WebGPU without an adapter, on Wasm)", async (t) => {
    b ??= await launchOrSkip(t);
    if (!b) return;
    const s = await staticServer(false);
    servers.push(s.server);
    const { page, errors } = await openPage(b);
    await page.goto(`${s.url}/worker.html`);
    await page.waitForFunction(() => (window as unknown as { messages: FromWorker[] }).messages.some((m) => m.type === "done" || m.type === "error"), null, { timeout: 120_000 });
    const msgs = await page.evaluate(() => (window as unknown as { messages: FromWorker[] }).messages);
    const err = msgs.find((m) => m.type === "error");
    assert.equal(err, undefined, JSON.stringify(err));
    const info = msgs.find((m) => m.type === "info");
    assert.ok(info?.type === "info");
    assert.deepEqual([info.info.backend, info.info.threads, info.info.crossOriginIsolated, info.info.sharedMemory], ["wasm", 1, false, false]);
    // Headless Chromium with --disable-gpu has no WebGPU adapter.
    assert.match(info.info.note ?? "", /WebGPU.*training on Wasm/);
    const steps = msgs.flatMap((m) => (m.type === "events" ? m.events : [])).filter((e) => e.type === "step");
    assert.equal(steps.length, 10);
    const done = msgs.find((m) => m.type === "done");
    assert.ok(done?.type === "done" && done.result.steps === 10 && done.result.testAccuracy > 0.1, JSON.stringify(done));
    assert.deepEqual(errors, []);
    await page.close();
  });
});
