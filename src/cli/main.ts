/**
 * The `ganglion` command line. Node-only; library code never imports this folder.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { VERSION, setBackend, listBackends, type BackendName } from "../index.js";
import { initWebGPU } from "../node.js";
import { formatHelp, parseArgs } from "./args.js";
import { TRAIN_FLAGS, readTrainConfig, resolveTrainPlan } from "./train_config.js";
import { trainSpiral } from "./spiral.js";
import { trainCnn } from "./cnn.js";
import { progressPrinter } from "./progress.js";
import { RunDir, defaultRunName } from "./run-dir.js";
import { writeCurves } from "./curves.js";
import { evalCommand, summaryCommand } from "./eval-summary.js";
import { tune } from "./tune.js";
import { dashboardCommand, demoCommand } from "./dashboard.js";
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
  demo       train a CNN in your browser (Wasm backend in a Web Worker): http://127.0.0.1:8765/#/demo

Run 'ganglion <command> --help' for a command's options. 'ganglion --version' prints the version.`;

const TRAIN_USAGE = `Usage: ganglion train [options]

Trains the default CNN (Fashion-MNIST if installed, else the embedded MNIST digits) with AdamW and a
one-cycle learning rate, and reports the test accuracy. Writes runs/<name>/: config.json, events.jsonl
(what 'ganglion dashboard' and --plot read), checkpoint.safetensors, result.json. Ctrl-C saves a
checkpoint; --name <run> --resume continues it. --job spiral trains the CS231n spiral net instead.`;

async function train(argv: string[]): Promise<number> {
  if (argv.includes("--help")) {
    console.log(formatHelp(TRAIN_USAGE, TRAIN_FLAGS));
    return 0;
  }
  const parsed = parseArgs("ganglion train", argv, TRAIN_FLAGS);
  const a = parsed.flags;
  const file = a.config !== undefined ? readTrainConfig(a.config as string) : undefined;
  const plan = resolveTrainPlan(parsed, file);
  if (a.backend === "webgpu") {
    // WebGPU starts asynchronously (adapter + device); it is registered once it exists.
    const gpu = await initWebGPU();
    if (!gpu) throw new Error("ganglion train: --backend webgpu: no WebGPU adapter found (needs a GPU with a Vulkan/Metal/D3D12 driver, or Mesa's lavapipe; the optional 'webgpu' package must be installed)");
    console.log(`webgpu adapter: ${gpu.info.adapter}`);
  }
  if (a.backend !== undefined) {
    const names: string[] = listBackends();
    if (!names.includes(a.backend as string)) throw new Error(`ganglion train: --backend must be one of ${names.join(", ")}, got '${String(a.backend)}'`);
    setBackend(a.backend as BackendName);
  }
  if (file) {
    const t = file.tuned;
    console.log(`config ${file.path}${t ? `: tuned by study ${String(t.study)}, trial ${String(t.trial)} (validation value ${String(t.value)})` : ""}`);
  }
  if (plan.job === "spiral") {
    const o = plan.options;
    const batch = o.batchSize !== undefined && o.batchSize < 300 ? `mini-batches of ${o.batchSize}` : "full batch";
    console.log(`ganglion train: 2-layer ReLU net (${o.hidden} hidden) on the CS231n spiral, ${o.steps} ${o.optimizer === "adam" ? "AdamW" : "SGD"} steps (${batch}, lr ${o.lr}, weight decay ${o.weightDecay})`);
    if (a.plot) console.log("--plot: the spiral job keeps no run directory or event log; nothing to plot (it applies to the cnn job)");
    const r = trainSpiral(o, (l) => console.log(l));
    console.log(`train accuracy ${(100 * r.train_accuracy).toFixed(1)}%  (loss ${r.initial_loss.toFixed(3)} -> ${r.train_loss.toFixed(4)}, ln 3 = ${Math.log(3).toFixed(3)}) in ${r.seconds.toFixed(1)} s`);
    if (a.json) console.log(JSON.stringify(r));
    return 0;
  }
  const job = plan.options;
  const epochs = job.epochs;
  if (a.resume && a.name === undefined) throw new Error("ganglion train: --resume needs --name <run> (the run to continue)");
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
  if (a.plot) console.log(`curves: ${writeCurves(run.path, `ganglion train ${run.path.split(/[\\/]/).pop() ?? ""}`).join(", ")}`);
  if (r.stopped) {
    console.log(`stopped at step ${r.steps}; checkpoint saved. Continue with: ganglion train --name ${run.path.split(/[\\/]/).pop()} --resume`);
    if (a.json) console.log(JSON.stringify(r));
    return 130;
  }
  console.log(`test accuracy ${(100 * r.test_accuracy).toFixed(2)}% (test loss ${r.test_loss.toFixed(4)}${r.tta === "flip" ? ", mirror-averaged" : ""}) on ${r.dataset} after ${epochs} epochs: training ${r.seconds.toFixed(1)} s (${r.images_per_second.toFixed(0)} images/s, backend ${r.backend}), ${r.wall_seconds.toFixed(1)} s in all`);
  if (a.json) console.log(JSON.stringify(r));
  if (r.non_finite) {
    console.error(`ganglion train: training stopped early: ${r.non_finite}`);
    console.error(`the last finite weights (the test accuracy above is theirs) are in ${join(run.path, "last-good.safetensors")}`);
    return 1;
  }
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
    case "demo":
      return demoCommand(rest);
    default:
      console.error(`ganglion: unknown command '${cmd}' (commands: train, tune, check, eval, summary, dashboard, demo). Run 'ganglion --help'.`);
      return 2;
  }
}
