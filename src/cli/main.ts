/**
 * The `ganglion` command line. Node-only; library code never imports this folder.
 */
import { readFileSync } from "node:fs";
import { VERSION, setBackend, listBackends, type BackendName } from "../index.js";
import { formatHelp, parseArgs, type FlagSpecs } from "./args.js";
import { trainSpiral } from "./spiral.js";
import { trainCnn } from "./cnn.js";
import { progressPrinter } from "./progress.js";
import { RunDir, defaultRunName } from "./run-dir.js";
import { evalCommand, summaryCommand } from "./eval-summary.js";
import { tune } from "./tune.js";
import { dashboardCommand } from "./dashboard.js";
import { check } from "./check.js";

const USAGE = `ganglion ${VERSION} — train convolutional neural networks in TypeScript

Usage: ganglion <command> [options]

Commands:
  train      train the default CNN (Fashion-MNIST if installed, else MNIST digits) and report test accuracy
  tune       hyperparameter search: a study in SQLite or PostgreSQL, N worker processes, results table and best config
  check      babysitter: initial loss ≈ ln C, gradient check, overfit 20 examples, LR range test, with advice
  eval       test accuracy of finished runs and of their ensemble
  summary    layer table: output sizes, parameters, receptive fields, multiply-adds
  dashboard  live training dashboard in the browser (runs; studies with --storage): http://127.0.0.1:8765

Run 'ganglion <command> --help' for a command's options. 'ganglion --version' prints the version.`;

const TRAIN_FLAGS: FlagSpecs = {
  job: { type: "string", default: "cnn", choices: ["cnn", "spiral"], help: "what to train" },
  dataset: { type: "string", default: "auto", choices: ["auto", "fashion-mnist", "mnist"], help: "cnn: data set (auto = Fashion-MNIST if installed)" },
  epochs: { type: "int", default: 10, help: "cnn: epochs" },
  "batch-size": { type: "int", default: 64, help: "cnn: batch size" },
  width: { type: "int", default: 32, help: "cnn: channels of the first conv block" },
  limit: { type: "int", help: "cnn: use only the first N training images" },
  augment: { type: "boolean", default: true, help: "cnn: random pad-crop (and flips on Fashion-MNIST); --augment=false turns it off" },
  "label-smoothing": { type: "number", default: 0.1, help: "cnn: label smoothing of the cross-entropy" },
  "stats-every": { type: "int", default: 100, help: "cnn: per-layer statistics (activation and gradient histograms) every N steps for the dashboard; 0 = off" },
  steps: { type: "int", default: 1000, help: "spiral: optimizer steps (full batch)" },
  hidden: { type: "int", default: 100, help: "spiral: hidden units" },
  lr: { type: "number", help: "learning rate (cnn: peak of one-cycle, default 0.003; spiral: 0.5)" },
  seed: { type: "int", default: 0, help: "random seed" },
  backend: { type: "string", help: "backend to run on (default: the fastest available)" },
  runs: { type: "string", default: "runs", help: "cnn: directory of run directories" },
  name: { type: "string", help: "cnn: run name (default: the start time); --resume continues it" },
  resume: { type: "boolean", default: false, help: "cnn: continue the named run from its last checkpoint" },
  "checkpoint-every": { type: "int", default: 200, help: "cnn: save a checkpoint every N steps (and on Ctrl-C)" },
  json: { type: "boolean", default: false, help: "print one JSON object as the last line" },
};

async function train(argv: string[]): Promise<number> {
  if (argv.includes("--help")) {
    console.log(formatHelp("Usage: ganglion train [options]", TRAIN_FLAGS));
    return 0;
  }
  const a = parseArgs("ganglion train", argv, TRAIN_FLAGS).flags;
  if (a.backend !== undefined) {
    const names: string[] = listBackends();
    if (!names.includes(a.backend as string)) throw new Error(`ganglion train: --backend must be one of ${names.join(", ")}, got '${String(a.backend)}'`);
    setBackend(a.backend as BackendName);
  }
  for (const k of ["steps", "epochs", "batch-size", "width", "hidden"]) {
    if ((a[k] as number) < 1) throw new Error(`ganglion train: --${k} must be >= 1, got ${String(a[k])}`);
  }
  if (a.job === "spiral") {
    const steps = a.steps as number;
    console.log(`ganglion train: 2-layer ReLU net (${a.hidden} hidden) on the CS231n spiral, ${steps} SGD steps`);
    const r = trainSpiral({ steps, hidden: a.hidden as number, lr: (a.lr as number | undefined) ?? 0.5, seed: a.seed as number }, (l) => console.log(l));
    console.log(`train accuracy ${(100 * r.train_accuracy).toFixed(1)}%  (loss ${r.initial_loss.toFixed(3)} -> ${r.train_loss.toFixed(4)}, ln 3 = ${Math.log(3).toFixed(3)}) in ${r.seconds.toFixed(1)} s`);
    if (a.json) console.log(JSON.stringify(r));
    return 0;
  }
  const epochs = a.epochs as number;
  const batchSize = a["batch-size"] as number;
  if (a.resume && a.name === undefined) throw new Error("ganglion train: --resume needs --name <run> (the run to continue)");
  const job = { dataset: a.dataset as "auto", epochs, batchSize, lr: (a.lr as number | undefined) ?? 3e-3, width: a.width as number, seed: a.seed as number, limit: a.limit as number | undefined, augment: a.augment as boolean, labelSmoothing: a["label-smoothing"] as number, statsEvery: a["stats-every"] as number };
  const run = new RunDir(a.runs as string, (a.name as string | undefined) ?? defaultRunName());
  if (a.resume && !run.hasCheckpoint()) throw new Error(`ganglion train: --resume: no checkpoint at ${run.checkpoint}`);
  if (!a.resume) run.writeConfig(job);
  let printer: ReturnType<typeof progressPrinter> | undefined;
  let interrupted = false;
  const onSigint = (): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.log("\ninterrupted: saving a checkpoint after this step (Ctrl-C again to quit at once)");
  };
  process.on("SIGINT", onSigint);
  const r = await trainCnn(job, {
    log: (line) => console.log(line),
    onStart: ({ totalSteps }) => (printer = progressPrinter(totalSteps)),
    onEvent: (e) => printer?.(e),
    run, resume: a.resume as boolean, checkpointEvery: a["checkpoint-every"] as number, stopRequested: () => interrupted,
  }).finally(() => process.off("SIGINT", onSigint));
  console.log(`run directory: ${run.path}`);
  if (r.stopped) {
    console.log(`stopped at step ${r.steps}; checkpoint saved. Continue with: ganglion train --name ${run.path.split(/[\\/]/).pop()} --resume`);
    if (a.json) console.log(JSON.stringify(r));
    return 130;
  }
  console.log(`test accuracy ${(100 * r.test_accuracy).toFixed(2)}% (test loss ${r.test_loss.toFixed(4)}) on ${r.dataset} after ${epochs} epochs in ${r.seconds.toFixed(1)} s (${r.images_per_second.toFixed(0)} images/s, backend ${r.backend})`);
  if (a.json) console.log(JSON.stringify(r));
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === "--help" || cmd === "help") {
    console.log(USAGE);
    return cmd === undefined ? 1 : 0;
  }
  if (cmd === "--version" || cmd === "-v") {
    const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };
    console.log(pkg.version);
    return 0;
  }
  switch (cmd) {
    case "train":
      return train(rest);
    case "tune":
      return tune(rest);
    case "check":
      return check(rest);
    case "eval":
      return evalCommand(rest);
    case "summary":
      return summaryCommand(rest);
    case "dashboard":
      return dashboardCommand(rest);
    default:
      console.error(`ganglion: unknown command '${cmd}' (commands: train, tune, check, eval, summary, dashboard). Run 'ganglion --help'.`);
      return 2;
  }
}
