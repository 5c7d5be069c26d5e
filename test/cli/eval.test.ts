/** `ganglion summary` and `ganglion eval` (single runs and their ensemble) as real processes. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../helpers.js";

const bin = join(repoRoot(), "bin", "ganglion.js");
const run = (...args: string[]): { code: number | null; out: string; err: string } => {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 180_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe("ganglion summary / eval", () => {
  it("summary prints parameter counts, receptive fields and JSON", () => {
    const t = run("summary", "--input", "1x28x28");
    assert.equal(t.code, 0, t.err);
    assert.match(t.out, /Total params:\s+61,042/);
    const j = JSON.parse(run("summary", "--json").out) as { rows: Array<{ outputShape: number[] }> };
    assert.deepEqual(j.rows[3].outputShape, [1, 24, 14, 14]);
    assert.match(run("summary", "--input", "28x28").err, /--input must be CxHxW/);
  });
  it("evaluates runs and their ensemble", () => {
    const root = mkdtempSync(join(tmpdir(), "ganglion-eval-"));
    for (const seed of ["1", "2"]) {
      const r = run("train", "--dataset", "mnist", "--epochs", "1", "--limit", "1024", "--batch-size", "32", "--width", "4", "--augment=false", "--seed", seed, "--runs", root, "--name", `s${seed}`);
      assert.equal(r.code, 0, r.err);
    }
    const e = run("eval", join(root, "s1"), join(root, "s2"), "--json");
    assert.equal(e.code, 0, e.err);
    const j = JSON.parse(e.out.trim().split("\n").at(-1) ?? "{}") as { runs: Array<{ test_accuracy: number }>; ensemble: { test_accuracy: number } };
    assert.equal(j.runs.length, 2);
    assert.ok(j.ensemble.test_accuracy > 0.5, `ensemble accuracy ${j.ensemble.test_accuracy}`);
    assert.match(run("eval", root).err, /is not a run directory \(expected config.json and checkpoint.safetensors/);
    rmSync(root, { recursive: true, force: true });
  });
});
