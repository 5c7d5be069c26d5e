/**
 * The main job's NaN/Inf guard: a learning rate of 1e30 makes the loss non-finite within a few steps;
 * `ganglion train` stops, says what went non-finite and what to change, writes the last finite weights
 * to last-good.safetensors (loadable), evaluates those, and exits with status 1.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCheckpointSync } from "ganglion/node";
import { repoRoot } from "../helpers.js";

describe("ganglion train NaN guard", () => {
  it("stops a diverging run, saves the last finite weights and exits 1", () => {
    const root = mkdtempSync(join(tmpdir(), "ganglion-nan-"));
    try {
      const r = spawnSync(process.execPath, [join(repoRoot(), "bin", "ganglion.js"), "train", "--dataset", "mnist", "--limit", "256", "--width", "4", "--epochs", "3", "--lr", "1e30", "--runs", root, "--name", "nan"], { encoding: "utf8", timeout: 180_000 });
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /training stopped early: .*(NaN|Inf|non-finite)/);
      assert.match(r.stderr, /last-good\.safetensors/);
      const file = join(root, "nan", "last-good.safetensors");
      assert.ok(existsSync(file));
      const ck = readCheckpointSync(file);
      for (const t of Object.values(ck.model)) {
        assert.ok(t.dataSync().every(Number.isFinite), "last-good weights are finite");
        t.dispose();
      }
      const result = JSON.parse(readFileSync(join(root, "nan", "result.json"), "utf8")) as { non_finite?: string; steps: number };
      assert.ok(result.non_finite, "result.json records why training stopped");
      assert.ok(result.steps < 3 * 8, `stopped at step ${result.steps}`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
