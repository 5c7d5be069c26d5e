/**
 * `ganglion check`: the babysitter on the main job's setup (the default CNN on Fashion-MNIST when
 * installed, else the embedded MNIST digits; AdamW as in `ganglion train`). Runs the initial-loss,
 * gradient, tiny-subset and LR-range checks and a short monitored training run (NaN guard, layer
 * statistics, train/validation gap), then prints a table of pass/warn/fail, numbers and advice.
 * Flags break the setup on purpose (`--lr 10`, `--init large|zeros`, `--label-noise 0.5`) to see what the
 * checks say about a broken run. Exit code 0 when nothing fails, 1 when a check fails.
 */
import { existsSync, readdirSync } from "node:fs";
import { Rng } from "../core/index.js";
import { init, listBackends, optim, setBackend, type BackendName, type Tensor } from "../index.js";
import { DataLoader, ImageDataset, channelStats, type ImageSet } from "../data/index.js";
import { FASHION_MNIST_DEFAULT_DIR, loadFashionMnist, loadMnistDigits } from "../data/sources/index.node.js";
import { defaultCnn } from "../models/index.js";
import type { Module } from "../nn/index.js";
import { babysit, formatReport, type BabysitReport } from "../train/babysit/index.js";
import { formatHelp, parseArgs, type FlagSpecs, type FlagValue } from "./args.js";

/** Check groups `--checks` can select ("train" = the monitored run: NaN guard, layer stats, gap). */
export const CHECK_NAMES = ["initial-loss", "gradcheck", "overfit", "lr-range", "train"] as const;

/** Parses `--checks` ("all" or a comma list) and names the allowed values when one is unknown. */
export function parseCheckList(v: string): Set<string> {
  if (v === "all") return new Set(CHECK_NAMES);
  const names = v.split(",").map((s) => s.trim()).filter(Boolean);
  const allowed: readonly string[] = CHECK_NAMES;
  for (const n of names) if (!allowed.includes(n)) throw new Error(`ganglion check: --checks: unknown check '${n}' (allowed: all, ${CHECK_NAMES.join(", ")})`);
  return new Set(names);
}

export const CHECK_FLAGS: FlagSpecs = {
  dataset: { type: "string", default: "auto", choices: ["auto", "fashion-mnist", "mnist"], help: "data set (auto = Fashion-MNIST if installed)" },
  limit: { type: "int", default: 2000, help: "training images used by the checks" },
  "val-limit": { type: "int", default: 1000, help: "test images used as validation set" },
  "batch-size": { type: "int", default: 32, help: "batch size" },
  width: { type: "int", default: 24, help: "channels of the default CNN's first conv stage, as in `ganglion train`" },
  lr: { type: "number", default: 3e-3, help: "learning rate to check (AdamW, as in `ganglion train`)" },
  "weight-decay": { type: "number", default: 5e-4, help: "AdamW weight decay" },
  init: { type: "string", default: "default", choices: ["default", "large", "zeros"], help: "weight init: large = N(0, 1), zeros = all weights 0 (to see the checks fail)" },
  "label-noise": { type: "number", default: 0, help: "fraction of training labels shuffled (0..1)" },
  steps: { type: "int", default: 100, help: "steps of the short monitored training run (0 skips it)" },
  "lr-steps": { type: "int", default: 60, help: "steps of the LR range test" },
  "overfit-steps": { type: "int", default: 100, help: "max steps to memorize 20 examples" },
  checks: { type: "string", default: "all", help: `comma-separated subset of ${CHECK_NAMES.join(", ")}` },
  seed: { type: "int", default: 0, help: "random seed" },
  backend: { type: "string", help: "backend to run on (default: the fastest available)" },
  json: { type: "boolean", default: false, help: "print one JSON object (checks, LR curve) as the last line" },
};

export const CHECK_USAGE = "Usage: ganglion check [options]\n\nSanity checks before a long run (CS231n \"babysitting the learning process\"): initial loss ≈ ln C, gradient check, overfitting 20 examples, LR range test, NaN guard, layer statistics, train/val gap. Exit code 1 when a check fails.";

function fashionInstalled(): boolean {
  return existsSync(FASHION_MNIST_DEFAULT_DIR) && readdirSync(FASHION_MNIST_DEFAULT_DIR).some((f) => f.includes("idx"));
}

function loadData(which: string): { name: string; train: ImageSet; test: ImageSet } {
  if (which === "fashion-mnist" || (which === "auto" && fashionInstalled())) {
    return { name: "fashion-mnist", train: loadFashionMnist({ split: "train" }), test: loadFashionMnist({ split: "test" }) };
  }
  return { name: "mnist-digits", train: loadMnistDigits({ split: "train" }), test: loadMnistDigits({ split: "test" }) };
}

/** Shuffles the labels of a random `fraction` of the first `n` images among themselves (a copy). */
export function withLabelNoise(set: ImageSet, fraction: number, n: number, rng: Rng): ImageSet {
  if (fraction <= 0) return set;
  const labels = Int32Array.from(set.labels);
  const pick = rng.permutation(n).subarray(0, Math.round(fraction * n));
  const perm = rng.permutation(pick.length);
  for (let i = 0; i < pick.length; i++) labels[pick[i]] = set.labels[pick[perm[i]]];
  return { ...set, labels };
}

/** Re-initializes the weight matrices/filters (rank ≥ 2): N(0, 1) or zeros. */
export function breakInit(model: Module, how: string, rng: Rng): void {
  if (how === "default") return;
  const weights: Tensor[] = model.parameters().filter((p) => p.rank >= 2);
  for (const w of weights) {
    if (how === "large") init.normal(w, { std: 1, rng });
    else if (how === "zeros") init.zeros(w);
  }
}

export interface CheckRunResult extends BabysitReport {
  readonly dataset: string;
  readonly seconds: number;
  readonly setup: Record<string, string | number>;
}

/** Runs the babysitter on the main job's setup with the given flag values. */
export function runCheck(a: Readonly<Record<string, FlagValue>>, log: (line: string) => void): CheckRunResult {
  const t0 = performance.now();
  if (a.backend !== undefined) setBackend(a.backend as BackendName);
  const num = (k: string): number => a[k] as number;
  const rng = new Rng(num("seed"));
  const { name, train, test } = loadData(a.dataset as string);
  const n = Math.min(num("limit"), train.shape[0]);
  const noisy = withLabelNoise(train, num("label-noise"), n, new Rng(num("seed"), 0x1abe1));
  const { mean, std } = channelStats(train);
  const indices = Int32Array.from({ length: n }, (_, i) => i);
  const trainLoader = new DataLoader(new ImageDataset(noisy, { mean, std }), { batchSize: num("batch-size"), shuffle: true, seed: num("seed"), indices });
  const valIdx = Int32Array.from({ length: Math.min(num("val-limit"), test.shape[0]) }, (_, i) => i);
  const valLoader = new DataLoader(new ImageDataset(test, { mean, std }), { batchSize: 256, shuffle: false, indices: valIdx });
  const model = defaultCnn({ inChannels: train.shape[1], classes: train.classes.length, width: num("width"), imageSize: train.shape[2], rng });
  breakInit(model, a.init as string, rng);
  const lr = num("lr"), wd = num("weight-decay");
  const run = parseCheckList(String(a.checks ?? "all"));
  log(`ganglion check: default CNN (width ${num("width")}) on ${n} ${name} images, AdamW lr ${lr} wd ${wd}, init ${String(a.init)}, label noise ${num("label-noise")}`);
  try {
    const report = babysit({
      model, train: trainLoader, val: valLoader, lr,
      makeOptimizer: (params, l) => optim.adamw(params, { lr: l, weightDecay: wd }),
      makeUnregularizedOptimizer: (params, l) => optim.adam(params, { lr: l, weightDecay: 0 }),
      initialLoss: run.has("initial-loss") ? {} : false,
      gradcheck: run.has("gradcheck") ? {} : false,
      overfit: run.has("overfit") ? { steps: num("overfit-steps") } : false,
      lrRange: run.has("lr-range") ? { steps: num("lr-steps") } : false,
      trainSteps: run.has("train") ? num("steps") : 0,
      log: (l) => log(`  ${l}`),
    });
    const setup = { dataset: name, images: n, width: num("width"), lr, weightDecay: wd, init: String(a.init), labelNoise: num("label-noise"), batchSize: num("batch-size") };
    return { ...report, dataset: name, seconds: (performance.now() - t0) / 1000, setup };
  } finally {
    model.dispose();
  }
}

/** Parses and validates `ganglion check` flags (errors name the flag and the allowed values). */
export function parseCheckFlags(argv: readonly string[]): Record<string, FlagValue> {
  const a = parseArgs("ganglion check", argv, CHECK_FLAGS).flags;
  if (a.backend !== undefined) {
    const names: string[] = listBackends();
    if (!names.includes(a.backend as string)) throw new Error(`ganglion check: --backend must be one of ${names.join(", ")}, got '${String(a.backend)}'`);
  }
  for (const k of ["limit", "val-limit", "batch-size", "width", "lr-steps"]) {
    if ((a[k] as number) < 1) throw new Error(`ganglion check: --${k} must be >= 1, got ${String(a[k])}`);
  }
  if ((a.steps as number) < 0 || (a["overfit-steps"] as number) < 1) throw new Error(`ganglion check: --steps must be >= 0 and --overfit-steps >= 1`);
  if ((a["lr-steps"] as number) < 5) throw new Error(`ganglion check: --lr-steps must be >= 5, got ${String(a["lr-steps"])}`);
  if (!((a.lr as number) > 0)) throw new Error(`ganglion check: --lr must be > 0, got ${String(a.lr)}`);
  parseCheckList(String(a.checks));
  const noise = a["label-noise"] as number;
  if (!(noise >= 0 && noise <= 1)) throw new Error(`ganglion check: --label-noise must be in [0, 1], got ${noise}`);
  return a;
}

/** The `ganglion check` command; returns the exit code. */
export async function check(argv: string[]): Promise<number> {
  if (argv.includes("--help")) {
    console.log(formatHelp(CHECK_USAGE, CHECK_FLAGS));
    return 0;
  }
  const a = parseCheckFlags(argv);
  const r = runCheck(a, (line) => console.error(line));
  console.log(formatReport(r.checks));
  console.log(`(${r.seconds.toFixed(1)} s)`);
  if (a.json) {
    console.log(JSON.stringify({ status: r.status, dataset: r.dataset, seconds: r.seconds, setup: r.setup, checks: r.checks, lrCurve: r.lrCurve }));
  }
  return r.status === "fail" ? 1 : 0;
}
