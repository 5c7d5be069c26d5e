/**
 * `ganglion dashboard` as a process: prints its URL, serves the runs directory on loopback, stops
 * cleanly on SIGINT; flags are checked; binding anything but loopback comes with a warning.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../helpers.js";
import { hostWarning, studySourceFromStorage } from "../../src/cli/dashboard.js";
import { openStorage } from "../../src/tune/storage/index.js";
import type { RunSummary } from "../../src/dashboard/types.js";
import { tempDir, writeFinishedRun, writeStudy } from "./fixtures.js";

const ENTRY = join(repoRoot(), "dist", "src", "cli", "dashboard.js");
const script = (args: string[]): string =>
  `import(${JSON.stringify(ENTRY)}).then(async (m) => { process.exitCode = await m.dashboardCommand(${JSON.stringify(args)}); }).catch((e) => { console.error(e.message); process.exitCode = 2; });`;

describe("ganglion dashboard (command)", () => {
  it("prints its loopback URL, serves the runs, and exits 0 on SIGINT", async () => {
    const runs = tempDir();
    writeFinishedRun(runs, "r1", { steps: 20, stepsPerEpoch: 10 });
    const child = spawn(process.execPath, ["--input-type=module", "-e", script(["--runs", runs, "--port", "0"])], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 10_000);
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString();
        const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.on("exit", () => reject(new Error(`exited early: ${out}`)));
    });
    const list = (await (await fetch(`${url}api/runs`)).json()) as RunSummary[];
    assert.deepEqual(list.map((r) => r.name), ["r1"]);
    const code = await new Promise<number | null>((resolve) => {
      child.on("exit", (c) => resolve(c));
      child.kill("SIGINT");
    });
    assert.equal(code, 0);
  });

  it("checks its flags and prints help", () => {
    const help = spawnSync(process.execPath, ["--input-type=module", "-e", script(["--help"])], { encoding: "utf8" });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /--runs/);
    assert.match(help.stdout, /--storage/);
    assert.match(help.stdout, /--host/);
    const bad = spawnSync(process.execPath, ["--input-type=module", "-e", script(["--port", "http"])], { encoding: "utf8" });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--port must be an integer/);
    const range = spawnSync(process.execPath, ["--input-type=module", "-e", script(["--port", "70000"])], { encoding: "utf8" });
    assert.match(range.stderr, /--port must be 0…65535/);
  });

  it("ganglion demo prints the demo's URL and serves the browser build", async () => {
    const bin = join(repoRoot(), "bin", "ganglion.js");
    const child = spawn(process.execPath, [bin, "demo", "--runs", tempDir(), "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 10_000);
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString();
        const m = /(http:\/\/127\.0\.0\.1:\d+\/)#\/demo/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.on("exit", () => reject(new Error(`exited early: ${out}`)));
    });
    assert.doesNotMatch(out, /browser build is missing/);
    const r = await fetch(`${url}demo/ganglion.js`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get("content-security-policy") ?? "", /'wasm-unsafe-eval'/);
    const code = await new Promise<number | null>((resolve) => {
      child.on("exit", (c) => resolve(c));
      child.kill("SIGINT");
    });
    assert.equal(code, 0);
  });

  it("warns when bound to anything but loopback", () => {
    for (const h of ["127.0.0.1", "localhost", "::1"]) assert.equal(hostWarning(h), undefined);
    for (const h of ["0.0.0.0", "::", "192.168.1.5"]) assert.match(hostWarning(h) ?? "", /WARNING: listening on .* not loopback/);
  });

  it("adapts a study storage: summaries, ranked trials, parameter axes and the lecture's scatter", async () => {
    const url = await writeStudy(tempDir(), "s1", 20);
    const src = studySourceFromStorage(await openStorage(url));
    try {
      const list = await src.list();
      assert.equal(list.length, 1);
      assert.equal(list[0].name, "s1");
      assert.equal(list[0].trials, 20);
      assert.equal(list[0].counts.complete + list[0].counts.pruned, 20);
      const v = await src.get("s1");
      assert.ok(v);
      assert.deepEqual(v.params.map((p) => [p.name, p.kind]), [["lr", "log"], ["weight_decay", "log"], ["dropout", "linear"]]);
      const values = v.trials.filter((t) => t.state === "complete").map((t) => t.value as number);
      assert.deepEqual(values, [...values].sort((a, b) => b - a), "complete trials ranked best first (maximize)");
      assert.equal(v.plot.scatter?.x.param, "lr");
      assert.equal(v.plot.scatter?.y?.param, "weight_decay");
      assert.equal(v.plot.scatter?.x.log, true);
      assert.equal(v.plot.bestSoFar.length, 20);
      assert.equal(await src.get("nope"), undefined);
    } finally {
      await src.close();
    }
  });
});
