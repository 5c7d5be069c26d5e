/** The `ganglion` command line, run as a real process. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import * as g from "ganglion";
import { tmpdir } from "node:os";
import { repoRoot } from "../helpers.js";

const bin = join(repoRoot(), "bin", "ganglion.js");
const run = (...args: string[]): { code: number | null; out: string; err: string } => {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe("ganglion CLI", () => {
  it("--version and --help", () => {
    const v = run("--version");
    assert.equal(v.code, 0);
    assert.match(v.out.trim(), /^\d+\.\d+\.\d+$/);
    const h = run("--help");
    assert.equal(h.code, 0);
    assert.match(h.out, /Commands:\n\s+train/);
    assert.match(run("train", "--help").out, /--epochs <int>/);
  });
  it("rejects unknown commands, flags and bad values with the allowed ones", () => {
    assert.match(run("frobnicate").err, /unknown command 'frobnicate' \(commands: train, tune, check, eval, summary, dashboard, demo\)/);
    const f = run("train", "--bogus", "1");
    assert.equal(f.code, 1);
    assert.match(f.err, /unknown flag --bogus \(allowed: --job, --dataset,/);
    assert.match(run("train", "--epochs", "x").err, /--epochs must be an integer, got 'x'/);
    assert.match(run("train", "--dataset", "imagenet").err, /--dataset must be one of auto, fashion-mnist, mnist, got 'imagenet'/);
  });
  it("trains the spiral job and prints JSON last", () => {
    const r = run("train", "--job", "spiral", "--steps", "300", "--json");
    assert.equal(r.code, 0, r.err);
    const last = JSON.parse(r.out.trim().split("\n").at(-1) ?? "{}") as { train_accuracy: number; initial_loss: number };
    assert.ok(last.train_accuracy >= 0.97, `accuracy ${last.train_accuracy}`);
    assert.ok(Math.abs(last.initial_loss - Math.log(3)) < 0.05, `initial loss ${last.initial_loss} vs ln 3`);
  });
  it("trains the CNN job on a slice of the embedded MNIST digits", () => {
    const runs = mkdtempSync(join(tmpdir(), "ganglion-cli-"));
    const r = run("train", "--dataset", "mnist", "--epochs", "1", "--limit", "1024", "--batch-size", "32", "--width", "8", "--runs", runs, "--name", "t", "--stats-every", "10", "--json");
    const events = existsSync(join(runs, "t", "events.jsonl"))
      ? readFileSync(join(runs, "t", "events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as g.train.TrainEvent)
      : [];
    rmSync(runs, { recursive: true, force: true });
    assert.equal(r.code, 0, r.err);
    // Layer statistics for the dashboard: activation histograms and per-parameter gradient histograms.
    const stats = events.filter((e): e is g.train.LayerStatsEvent => e.type === "layerStats");
    assert.deepEqual(stats.map((e) => e.step), [1, 10, 20, 30]);
    const conv = stats[1].layers.find((l) => l.name === "0.weight");
    assert.equal(conv?.gradHistogram?.counts.reduce((a, b) => a + b, 0), 8 * 9);
    assert.ok(stats[1].layers.some((l) => l.histogram && l.name.endsWith("(ReLU)")));
    // The most confident test mistakes, as 28×28 bytes with true and predicted labels.
    const mis = events.filter((e): e is g.train.MisclassifiedEvent => e.type === "misclassified");
    assert.equal(mis.length, 1);
    assert.equal(mis[0].split, "test");
    assert.deepEqual(mis[0].shape, [1, 28, 28]);
    assert.equal(mis[0].images.length, Math.min(32, mis[0].total));
    for (const im of mis[0].images) {
      assert.notEqual(im.label, im.predicted);
      assert.equal(g.train.base64ToBytes(im.pixels).length, 784);
    }
    const last = JSON.parse(r.out.trim().split("\n").at(-1) ?? "{}") as { test_accuracy: number; epochs: number };
    assert.equal(last.epochs, 1);
    assert.ok(last.test_accuracy > 0.6, `test accuracy ${last.test_accuracy} after 32 steps on 1,024 images`);
    assert.match(r.out, /test accuracy \d+\.\d+% .* on mnist-digits/);
  });
});
