/**
 * Crash safety of the main job: a run killed with SIGKILL mid-epoch and resumed from its last atomic
 * checkpoint ends with exactly the weights of an uninterrupted run; Ctrl-C (SIGINT) saves and exits
 * cleanly, and resuming finishes the run.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCheckpointSync } from "ganglion/node";
import { repoRoot } from "../helpers.js";

const bin = join(repoRoot(), "bin", "ganglion.js");
const JOB = ["train", "--dataset", "mnist", "--epochs", "2", "--limit", "320", "--batch-size", "32", "--width", "4", "--checkpoint-every", "3"];

function runSync(args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 180_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function weights(dir: string): Map<string, number[]> {
  const ck = readCheckpointSync(join(dir, "checkpoint.safetensors"));
  const m = new Map(Object.entries(ck.model).map(([k, t]) => [k, Array.from(t.dataSync())]));
  for (const t of Object.values(ck.model)) t.dispose();
  return m;
}

/** Starts the job and sends `signal` once its first checkpoint exists (mid-epoch 1: steps 3 of 20). */
function interrupt(args: string[], ckDir: string, signal: NodeJS.Signals): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const timer = setInterval(() => {
      if (existsSync(join(ckDir, "checkpoint.safetensors"))) {
        clearInterval(timer);
        p.kill(signal);
      }
    }, 20);
    p.on("exit", (code) => {
      clearInterval(timer);
      resolve({ code, out });
    });
    p.on("error", reject);
  });
}

describe("checkpoint and resume", () => {
  const root = mkdtempSync(join(tmpdir(), "ganglion-resume-"));
  const full = runSync([...JOB, "--runs", root, "--name", "full"]);
  assert.equal(full.code, 0, full.err);
  const reference = weights(join(root, "full"));

  it("kill -9 mid-epoch, resume: the same final weights as an uninterrupted run", async () => {
    const killed = await interrupt([...JOB, "--runs", root, "--name", "killed"], join(root, "killed"), "SIGKILL");
    assert.equal(killed.code, null, "the process should have died by SIGKILL");
    const partial = readCheckpointSync(join(root, "killed", "checkpoint.safetensors"));
    const pos = partial.meta.position as { step: number };
    for (const t of Object.values(partial.model)) t.dispose();
    assert.ok(pos.step > 0 && pos.step < 20, `killed mid-run, checkpoint at step ${pos.step}`);
    const resumed = runSync([...JOB, "--runs", root, "--name", "killed", "--resume"]);
    assert.equal(resumed.code, 0, resumed.err);
    assert.match(resumed.out, /resuming from .* step \d+/);
    assert.deepEqual(weights(join(root, "killed")), reference);
  });

  it("SIGINT saves a checkpoint and exits cleanly; --resume finishes the run", async () => {
    const stopped = await interrupt([...JOB, "--runs", root, "--name", "sigint"], join(root, "sigint"), "SIGINT");
    assert.equal(stopped.code, 130, stopped.out);
    assert.match(stopped.out, /stopped at step \d+; checkpoint saved/);
    const resumed = runSync([...JOB, "--runs", root, "--name", "sigint", "--resume"]);
    assert.equal(resumed.code, 0, resumed.err);
    assert.deepEqual(weights(join(root, "sigint")), reference);
    rmSync(root, { recursive: true, force: true });
  });

  it("--resume without a checkpoint or a name is a clear error", () => {
    assert.match(runSync(["train", "--resume"]).err, /--resume needs --name <run>/);
    assert.match(runSync(["train", "--resume", "--name", "nope", "--runs", join(tmpdir(), "ganglion-none")]).err, /--resume: no checkpoint at .*nope/);
  });
});
