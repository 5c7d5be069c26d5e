/**
 * `ganglion train --config <file>` as real processes through bin/ganglion.js: the best-config.json that
 * `ganglion tune` writes trains the trial's recipe (spiral and CNN jobs), flags given override the file,
 * and bad files give errors that name the file, the key and what was expected.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { repoRoot } from "../helpers.js";

const bin = join(repoRoot(), "bin", "ganglion.js");
const dir = mkdtempSync(join(tmpdir(), "ganglion-train-config-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]): { code: number | null; out: string; err: string } => {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: "utf8", timeout: 180_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const lastJson = <T>(out: string): T => JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as T;
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe("ganglion train --config", () => {
  it("trains the spiral study's best configuration: its steps, batch, optimizer, lr and weight decay; flags override the file", () => {
    const t = run("tune", "--job", "spiral", "--trials", "3", "--storage", `sqlite:${join(dir, "spiral.db")}`, "--out", join(dir, "spiral"), "--json");
    assert.equal(t.code, 0, t.out + t.err);
    const path = join(dir, "spiral", "best-config.json");
    const best = JSON.parse(readFileSync(path, "utf8")) as Record<string, number | string | Record<string, unknown>>;
    assert.deepEqual(Object.keys(best), ["job", "steps", "batchSize", "seed", "lr", "weightDecay", "hidden", "optimizer", "tuned"]);
    assert.deepEqual([best.job, best.steps, best.batchSize], ["spiral", 80, 60], "20 epochs of 4 mini-batches of 60 points");
    const summary = lastJson<{ best: { number: number; value: number } }>(t.out);
    assert.ok(t.out.includes(`\ntrain it: ganglion train --config ${path}\n`), t.out);
    const r = run("train", "--config", path, "--json");
    assert.equal(r.code, 0, r.out + r.err);
    assert.match(r.out, new RegExp(`^config ${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: tuned by study spiral, trial ${summary.best.number} \\(validation value ${summary.best.value}\\)`, "m"));
    const opt = best.optimizer === "adam" ? "AdamW" : "SGD";
    assert.match(r.out, new RegExp(`\\(${best.hidden} hidden\\) on the CS231n spiral, 80 ${opt} steps \\(mini-batches of 60, lr ${best.lr}, weight decay ${best.weightDecay}\\)`));
    assert.equal(lastJson<{ steps: number }>(r.out).steps, 80);
    const o = run("train", "--config", path, "--steps", "12", "--batch-size", "300", "--lr", "0.25", "--json");
    assert.equal(o.code, 0, o.out + o.err);
    assert.match(o.out, new RegExp(`12 ${opt} steps \\(full batch, lr 0\\.25, weight decay ${best.weightDecay}\\)`));
    assert.equal(lastJson<{ steps: number }>(o.out).steps, 12);
  });

  it("trains the CNN study's best configuration: width, dropout, weight decay, lr and the trial's recipe reach the run", () => {
    const space = file("cnn-space.json", JSON.stringify({
      lr: { type: "logUniform", low: 1e-3, high: 1e-2 }, weightDecay: { type: "logUniform", low: 1e-5, high: 1e-3 },
      dropout: { type: "uniform", low: 0, high: 0.5 }, width: { type: "int", low: 4, high: 8 },
    }));
    const t = run("tune", "--job", "cnn", "--dataset", "mnist", "--limit", "300", "--epochs", "1", "--batch-size", "32", "--trials", "2", "--space", space,
      "--storage", `sqlite:${join(dir, "cnn.db")}`, "--out", join(dir, "cnn"));
    assert.equal(t.code, 0, t.out + t.err);
    const path = join(dir, "cnn", "best-config.json");
    const best = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    assert.deepEqual(Object.keys(best), ["job", "dataset", "epochs", "batchSize", "limit", "seed", "augment", "labelSmoothing", "lr", "weightDecay", "dropout", "width", "tuned"]);
    const r = run("train", "--config", path, "--runs", join(dir, "runs"), "--name", "from-config", "--json");
    assert.equal(r.code, 0, r.out + r.err);
    const job = JSON.parse(readFileSync(join(dir, "runs", "from-config", "config.json"), "utf8")) as Record<string, unknown>;
    for (const k of ["dataset", "epochs", "batchSize", "limit", "seed", "augment", "labelSmoothing", "lr", "weightDecay", "dropout", "width"]) {
      assert.deepEqual(job[k], best[k], `run config ${k}`);
    }
    const res = lastJson<{ epochs: number; steps: number; dataset: string }>(r.out);
    assert.deepEqual([res.dataset, res.epochs, res.steps], ["mnist-digits", 1, Math.ceil(300 / 32)]);
  });

  it("without --config: --weight-decay and --dropout are validated job options with defaults", () => {
    const h = run("train", "--help");
    assert.match(h.out, /--config <string>\s+JSON file of job options/);
    assert.match(h.out, /--dropout <number>\s+cnn: dropout probability before the classifier \(default: 0\)/);
    assert.match(h.out, /--weight-decay <number>\s+weight decay \(cnn: AdamW's, default 5e-4; spiral: L2, default 1e-3\)/);
    for (const [args, msg] of [
      [["--dropout", "1"], /^ganglion: ganglion train: --dropout must be a number in \[0, 1\), got 1$/m],
      [["--weight-decay", "-0.1"], /--weight-decay must be a number >= 0, got -0\.1/],
      [["--lr", "0"], /--lr must be a number > 0, got 0/],
      [["--epochs", "0"], /--epochs must be an integer >= 1, got 0/],
      [["--job", "spiral", "--hidden", "0"], /--hidden must be an integer >= 1, got 0/],
    ] as const) {
      const r = run("train", ...args);
      assert.equal(r.code, 1, `${args.join(" ")}: ${r.out}`);
      assert.match(r.err, msg);
    }
    const s = run("train", "--job", "spiral", "--steps", "30", "--weight-decay", "0", "--optimizer", "adam", "--lr", "0.05", "--batch-size", "50");
    assert.equal(s.code, 0, s.err);
    assert.match(s.out, /30 AdamW steps \(mini-batches of 50, lr 0\.05, weight decay 0\)/);
  });

  it("bad files: errors name the file, the key and what was expected", () => {
    const cases: [string, string, RegExp][] = [
      ["corrupt.json", '{"job": "cnn", "lr": 0.01,', /--config \S*corrupt\.json is not valid JSON \(.*\); expected an object of job options/],
      ["array.json", "[1, 2]", /--config \S*array\.json must hold a JSON object of job options, got an array/],
      ["unknown.json", '{"job": "cnn", "momentum": 0.9}', /--config \S*unknown\.json: unknown key "momentum" \(expected some of job, dataset, epochs, batchSize, width, limit, augment, tta, labelSmoothing, dropout, weightDecay, lr, seed, tuned\)/],
      ["other.json", '{"job": "spiral", "width": 16}', /--config \S*other\.json: key "width" does not apply to job spiral \(it is a cnn option; the keys of job spiral are job, steps, hidden, batchSize, optimizer, weightDecay, lr, seed, tuned\)/],
      ["type.json", '{"job": "cnn", "epochs": "3"}', /--config \S*type\.json: key "epochs" must be an integer >= 1, got "3"/],
      ["range.json", '{"dropout": 1.5}', /--config \S*range\.json: key "dropout" must be a number in \[0, 1\), got 1\.5/],
      ["choice.json", '{"job": "spiral", "optimizer": "lbfgs"}', /key "optimizer" must be one of sgd, adam, got "lbfgs"/],
      ["bench.json", '{"job": "branin", "x1": 1, "x2": 2}', /key "job" must be one of cnn, spiral, got "branin" \("branin" is not something train can train/],
      ["tuned.json", '{"job": "cnn", "tuned": 3}', /key "tuned" must be an object .*, got number/],
      ["nojob.json", '{"hidden": 50}', /--config \S*nojob\.json: key "hidden" does not apply to job cnn/],
    ];
    for (const [name, text, msg] of cases) {
      const r = run("train", "--config", file(name, text));
      assert.equal(r.code, 1, `${name}: ${r.out}`);
      assert.match(r.err, msg, name);
    }
    const missing = run("train", "--config", join(dir, "nope.json"));
    assert.match(missing.err, /--config \S*nope\.json: cannot read it: ENOENT/);
    const clash = run("train", "--config", file("cnn.json", '{"job": "cnn"}'), "--job", "spiral");
    assert.match(clash.err, /--job spiral contradicts --config \S*cnn\.json, which is a cnn configuration/);
  });
});
