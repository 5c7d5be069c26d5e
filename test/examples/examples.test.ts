/**
 * Every example of the guide (docs/guide) runs here at its `--tiny` size, as the guide's readers run it
 * (`node dist/examples/<name>.js`), so the guide's code cannot rot: each must exit 0 within its time
 * limit and print the lines that show the effect its chapter explains. The regexes check the
 * qualitative claim (e.g. "ReLU beats sigmoid"), not exact numbers, which move with sizes and seeds.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../helpers.js";
import { EXAMPLES, type ExampleCheck } from "./checks.js";

const root = repoRoot();
const dist = join(root, "dist", "examples");

function run(name: string, extra: readonly string[] = []): { out: string; seconds: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(dist, `${name}.js`), "--tiny", ...extra], {
    cwd: root, encoding: "utf8", timeout: 120_000, maxBuffer: 16 << 20,
  });
  const seconds = (performance.now() - t0) / 1000;
  const out = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  assert.equal(r.status, 0, `${name} exited with ${r.status} (signal ${r.signal}) after ${seconds.toFixed(1)} s:\n${out}`);
  return { out, seconds };
}

describe("examples (the guide's code) run at their --tiny size", () => {
  it("every examples/*.ts has a check, and every check an example", () => {
    const files = readdirSync(join(root, "examples")).filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3)).sort();
    assert.deepEqual(files, EXAMPLES.map((e) => e.name).sort());
  });

  for (const ex of EXAMPLES) {
    it(`${ex.name}: ${ex.claim}`, () => check(ex));
  }

  it("--plot writes SVG figures", () => {
    const dir = mkdtempSync(join(tmpdir(), "ganglion-plots-"));
    try {
      const { out } = run("optimizers", ["--plot", dir]);
      const files = readdirSync(dir).sort();
      assert.deepEqual(files, ["optimizers-adaptive.svg", "optimizers-loss.svg", "optimizers-sgd.svg"]);
      assert.match(out, /wrote .*optimizers-loss\.svg/);
      const svg = readFileSync(join(dir, "optimizers-loss.svg"), "utf8");
      assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.match(svg, /<polyline points="[\d.]+,[\d.]+ [\d.]+,[\d.]+/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("every ts sample in the guide is an excerpt of the example it names", () => {
    const guide = join(root, "docs", "guide");
    let blocks = 0;
    for (const f of readdirSync(guide).filter((n) => n.endsWith(".md"))) {
      const text = readFileSync(join(guide, f), "utf8");
      for (const m of text.matchAll(/```ts\n([\s\S]*?)```/g)) {
        const lines = m[1].split("\n").map((l) => l.trim()).filter(Boolean);
        const named = /^\/\/ (examples\/[a-z0-9-]+\.ts)$/.exec(lines[0] ?? "");
        assert.ok(named, `${f}: a ts sample must start with "// examples/<name>.ts", got ${JSON.stringify(lines[0])}`);
        const source = new Set(readFileSync(join(root, named[1]), "utf8").split("\n").map((l) => l.trim()));
        for (const line of lines.slice(1)) assert.ok(source.has(line), `${f}: line not in ${named[1]}: ${line}`);
        blocks++;
      }
    }
    assert.ok(blocks >= 20, `only ${blocks} samples found`);
  });

  it("the guide's figures exist", () => {
    const guide = join(root, "docs", "guide");
    for (const f of readdirSync(guide).filter((n) => n.endsWith(".md"))) {
      const text = readFileSync(join(guide, f), "utf8");
      for (const m of text.matchAll(/\]\((img\/[^)]+)\)/g)) assert.ok(existsSync(join(guide, m[1])), `${f} links ${m[1]}, which is missing`);
      for (const m of text.matchAll(/examples\/([a-z0-9-]+)\.ts/g)) assert.ok(existsSync(join(root, "examples", `${m[1]}.ts`)), `${f} names examples/${m[1]}.ts, which is missing`);
    }
  });
});

function check(ex: ExampleCheck): void {
  const { out, seconds } = run(ex.name, ex.args);
  for (const re of ex.expect) assert.match(out, re, `${ex.name}: output lacks ${re}:\n${out}`);
  if (ex.verify) ex.verify(out);
  assert.ok(seconds < ex.maxSeconds, `${ex.name} took ${seconds.toFixed(1)} s at --tiny (limit ${ex.maxSeconds} s)`);
}
