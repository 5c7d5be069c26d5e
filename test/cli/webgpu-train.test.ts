/**
 * The main job on WebGPU: `ganglion train --backend webgpu` trains the default CNN through fitAsync
 * (loss read with await), with the babysitter's layer statistics and NaN guard reading through it,
 * writes its checkpoint asynchronously, resumes from it, and evaluates. Runs
 * on whatever adapter exists (lavapipe in CI); skips visibly when there is none.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as g from "ganglion/node";
import { repoRoot } from "../helpers.js";

const bin = join(repoRoot(), "bin", "ganglion.js");
const gpu = await g.initWebGPU();
const JOB = ["train", "--backend", "webgpu", "--dataset", "mnist", "--limit", "256", "--batch-size", "32", "--width", "8"];

describe("ganglion train --backend webgpu", () => {
  if (!gpu) {
    it("SKIPPED: no WebGPU adapter", { skip: "no WebGPU adapter" }, () => {});
    return;
  }
  gpu.destroy();
  it("trains, checkpoints, resumes and evaluates on the GPU backend", () => {
    const root = mkdtempSync(join(tmpdir(), "ganglion-gpu-"));
    try {
      const run = (extra: string[]): string => {
        const r = spawnSync(process.execPath, [bin, ...JOB, "--runs", root, "--name", "gpu", ...extra], { encoding: "utf8", timeout: 240_000 });
        assert.equal(r.status, 0, `exit ${r.status}: ${r.stderr}${r.stdout}`);
        return r.stdout;
      };
      const first = run(["--epochs", "1", "--stats-every", "4"]);
      assert.match(first, /webgpu adapter: /);
      assert.ok(existsSync(join(root, "gpu", "checkpoint.safetensors")), "checkpoint written");
      const events = readFileSync(join(root, "gpu", "events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { type: string; step?: number; layers?: Array<{ name: string; histogram?: unknown; gradHistogram?: unknown }> });
      const stats = events.filter((e) => e.type === "layerStats");
      assert.deepEqual(stats.map((e) => e.step), [1, 4, 8], "layer statistics at steps 1, 4, 8");
      const layers = stats[0].layers ?? [];
      assert.ok(layers.some((l) => /\(ReLU\)/.test(l.name) && l.histogram), "activation histograms of the ReLUs");
      assert.ok(layers.some((l) => l.name === "0.weight" && l.gradHistogram), "gradient histogram of the first conv weight");
      const second = run(["--epochs", "2", "--resume"]);
      assert.match(second, /resuming from .* at epoch 2/);
      const result = JSON.parse(readFileSync(join(root, "gpu", "result.json"), "utf8")) as { backend: string; test_accuracy: number; steps: number };
      assert.equal(result.backend, "webgpu");
      assert.equal(result.steps, 16, "2 epochs of 8 steps");
      // 256 digits, 2 epochs, width 8: well above chance (10%) if the GPU kernels train correctly.
      assert.ok(result.test_accuracy > 0.3, `test accuracy ${result.test_accuracy}`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
