/**
 * `ganglion summary` (layer table: output sizes, parameters, receptive fields, multiply-adds) and
 * `ganglion eval` (test accuracy of one or more finished runs, and of their ensemble: the average of
 * the members' softmax probabilities).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Rng } from "../core/index.js";
import { nn, noGrad, scope, type Tensor } from "../index.js";
import { readCheckpointSync } from "../io/index.node.js";
import { ZOO_BUILDERS } from "../models/index.js";
import { evaluate } from "../train/index.js";
import { formatHelp, parseArgs, type FlagSpecs } from "./args.js";
import { setupJob, type CnnJobOptions } from "./cnn.js";

const MODELS: Readonly<Record<string, (input: readonly number[], classes: number) => nn.Module>> = ZOO_BUILDERS;

const SUMMARY_FLAGS: FlagSpecs = {
  model: { type: "string", default: "default-cnn", choices: Object.keys(MODELS), help: "model to describe" },
  input: { type: "string", default: "1x28x28", help: "input shape CxHxW (without the batch)" },
  classes: { type: "int", default: 10, help: "number of classes" },
  json: { type: "boolean", default: false, help: "print the table as JSON" },
};

export function summaryCommand(argv: string[]): number {
  if (argv.includes("--help")) {
    console.log(formatHelp("Usage: ganglion summary [options]\n\nThe layer table of a zoo model: output shapes, parameters, receptive fields, multiply-adds, activation memory.", SUMMARY_FLAGS));
    return 0;
  }
  const a = parseArgs("ganglion summary", argv, SUMMARY_FLAGS).flags;
  const input = String(a.input).split("x").map(Number);
  if (input.length !== 3 || input.some((d) => !(Number.isInteger(d) && d >= 1))) {
    throw new Error(`ganglion summary: --input must be CxHxW with positive integers, e.g. 3x224x224; got '${String(a.input)}'`);
  }
  const model = MODELS[a.model as string](input, a.classes as number);
  const s = nn.summary(model, input);
  console.log(a.json ? JSON.stringify(s) : nn.formatSummary(s));
  model.dispose();
  return 0;
}

const EVAL_FLAGS: FlagSpecs = {
  json: { type: "boolean", default: false, help: "print one JSON object as the last line" },
};

interface Member {
  readonly dir: string;
  readonly job: CnnJobOptions;
}

function readMember(dir: string): Member {
  const cfg = join(dir, "config.json");
  const ck = join(dir, "checkpoint.safetensors");
  if (!existsSync(cfg) || !existsSync(ck)) throw new Error(`ganglion eval: ${dir} is not a run directory (expected config.json and checkpoint.safetensors in it)`);
  return { dir, job: JSON.parse(readFileSync(cfg, "utf8")) as CnnJobOptions };
}

export function evalCommand(argv: string[]): number {
  if (argv.includes("--help") || argv.length === 0) {
    console.log(formatHelp("Usage: ganglion eval <run-dir> [<run-dir> ...] [options]\n\nEvaluates each run's checkpoint on its test split; with several runs, also their ensemble (averaged probabilities).", EVAL_FLAGS));
    return argv.length === 0 ? 1 : 0;
  }
  const { positional, flags } = parseArgs("ganglion eval", argv, EVAL_FLAGS);
  const members = positional.map(readMember);
  const dataset = members[0].job.dataset;
  if (members.some((m) => m.job.dataset !== dataset)) throw new Error("ganglion eval: all runs must use the same --dataset to be ensembled");
  const results: Array<{ run: string; test_accuracy: number; test_loss: number }> = [];
  const models: nn.Module[] = [];
  let testLoader;
  for (const m of members) {
    const ck = readCheckpointSync(join(m.dir, "checkpoint.safetensors"));
    // The normalization fitted at training time travels in the checkpoint, so eval applies the same transform.
    const setup = setupJob(m.job, new Rng(m.job.seed), ck.meta.normalization as unknown as { mean: number[]; std: number[] } | undefined);
    testLoader ??= setup.testLoader;
    setup.model.loadStateDict(ck.model);
    for (const t of Object.values(ck.model)) t.dispose();
    void setup.trainLoader.dispose();
    const r = evaluate(setup.model, setup.testLoader);
    results.push({ run: m.dir, test_accuracy: r.accuracy, test_loss: r.loss });
    console.log(`${m.dir}: test accuracy ${(100 * r.accuracy).toFixed(2)}% (loss ${r.loss.toFixed(4)})`);
    models.push(setup.model.eval());
  }
  let ensemble: { test_accuracy: number; test_loss: number } | undefined;
  if (models.length > 1 && testLoader) {
    // Average probabilities, then return log-probabilities so evaluate's cross-entropy is the ensemble's NLL.
    const predict = (x: Tensor): Tensor => noGrad(() => scope(() => models.map((mm) => mm.forward(x).softmax(1)).reduce((p, q) => p.add(q)).div(models.length).log()));
    const r = evaluate(predict, testLoader);
    ensemble = { test_accuracy: r.accuracy, test_loss: r.loss };
    console.log(`ensemble of ${models.length}: test accuracy ${(100 * r.accuracy).toFixed(2)}% (loss ${r.loss.toFixed(4)})`);
  }
  for (const m of models) m.dispose();
  if (flags.json) console.log(JSON.stringify({ runs: results, ensemble }));
  return 0;
}
