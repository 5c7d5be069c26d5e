/**
 * `ganglion train`'s options: the flags, and `--config <file>`, a JSON object of job options — the
 * best-config.json that `ganglion tune` writes, or one written by hand. Its keys are the camelCase names
 * of the job's flags (`batchSize` for --batch-size, `weightDecay` for --weight-decay, …), plus `job` and
 * the `tuned` note that `ganglion tune` adds (where the configuration came from). A flag given on the
 * command line overrides the file; the file overrides the defaults.
 *
 * Every value, from a flag or from the file, is checked against the same table; a bad one is an error
 * that names its source (the flag, or the file and the key) and what was expected.
 */
import { readFileSync } from "node:fs";
import { ValueError } from "../core/index.js";
import type { FlagSpecs, FlagValue, Parsed } from "./args.js";
import { CNN_DEFAULTS, type CnnJobOptions } from "./cnn.js";
import type { SpiralJobOptions } from "./spiral.js";

export const TRAIN_JOBS = ["cnn", "spiral"] as const;
export type TrainJob = (typeof TRAIN_JOBS)[number];

export const TRAIN_FLAGS: FlagSpecs = {
  job: { type: "string", default: "cnn", choices: TRAIN_JOBS, help: "what to train" },
  dataset: { type: "string", default: "auto", choices: ["auto", "fashion-mnist", "mnist"], help: "cnn: data set (auto = Fashion-MNIST if installed)" },
  epochs: { type: "int", default: 18, help: "cnn: epochs (18: ~8 minutes on Fashion-MNIST on 2 cores)" },
  "batch-size": { type: "int", help: "batch size (cnn: default 64; spiral: default the full batch)" },
  width: { type: "int", default: 24, help: "cnn: channels of the first conv stage (each of the three stages doubles them)" },
  limit: { type: "int", help: "cnn: use only the first N training images" },
  augment: { type: "boolean", default: true, help: "cnn: horizontal flips on Fashion-MNIST, random pad-crops on the digits; --augment=false turns it off" },
  tta: { type: "string", default: "auto", choices: ["auto", "flip", "none"], help: "cnn: test-time augmentation (auto: average with the mirror image on Fashion-MNIST, none on digits)" },
  "label-smoothing": { type: "number", default: 0.1, help: "cnn: label smoothing of the cross-entropy" },
  "stats-every": { type: "int", default: 100, help: "cnn: per-layer statistics (activation and gradient histograms) every N steps for the dashboard; 0 = off" },
  dropout: { type: "number", default: CNN_DEFAULTS.dropout, help: "cnn: dropout probability before the classifier" },
  "weight-decay": { type: "number", help: "weight decay (cnn: AdamW's, default 5e-4; spiral: L2, default 1e-3)" },
  steps: { type: "int", default: 1000, help: "spiral: optimizer steps" },
  hidden: { type: "int", default: 100, help: "spiral: hidden units" },
  optimizer: { type: "string", default: "sgd", choices: ["sgd", "adam"], help: "spiral: SGD with momentum 0.9, or AdamW" },
  lr: { type: "number", help: "learning rate (cnn: peak of one-cycle, default 0.003; spiral: 0.5)" },
  seed: { type: "int", default: 0, help: "random seed" },
  backend: { type: "string", help: "backend to run on (default: the fastest available)" },
  runs: { type: "string", default: "runs", help: "cnn: directory of run directories" },
  name: { type: "string", help: "cnn: run name (default: the start time); --resume continues it" },
  resume: { type: "boolean", default: false, help: "cnn: continue the named run from its last checkpoint" },
  "checkpoint-every": { type: "int", default: 200, help: "cnn: save a checkpoint every N steps (and on Ctrl-C)" },
  plot: { type: "boolean", default: false, help: "cnn: after training, draw the loss and accuracy curves from the run's events.jsonl as runs/<name>/curves.svg and curves.png" },
  json: { type: "boolean", default: false, help: "print one JSON object as the last line" },
  config: { type: "string", help: "JSON file of job options, e.g. the best-config.json of 'ganglion tune' (flags given override it)" },
};

/** The flags each job reads that a config file may set (its keys are their camelCase names). */
const JOB_FLAGS: Readonly<Record<TrainJob, readonly string[]>> = {
  cnn: ["dataset", "epochs", "batch-size", "width", "limit", "augment", "tta", "label-smoothing", "dropout", "weight-decay", "lr", "seed"],
  spiral: ["steps", "hidden", "batch-size", "optimizer", "weight-decay", "lr", "seed"],
};

const atLeast = (min: number): [string, (v: number) => boolean] => [`>= ${min}`, (v) => v >= min];
/** Ranges of the numeric flags (their type, int or number, is the flag spec's). */
const RANGES: Readonly<Record<string, [string, (v: number) => boolean]>> = {
  epochs: atLeast(1), "batch-size": atLeast(1), width: atLeast(1), limit: atLeast(1), steps: atLeast(1), hidden: atLeast(1),
  seed: atLeast(0), "checkpoint-every": atLeast(1), "stats-every": atLeast(0),
  lr: ["> 0", (v) => v > 0],
  "weight-decay": atLeast(0),
  "label-smoothing": ["in [0, 1)", (v) => v >= 0 && v < 1],
  dropout: ["in [0, 1)", (v) => v >= 0 && v < 1],
};

export const configKey = (flag: string): string => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Why `v` is not a valid value of `flag` ("an integer >= 1", …), or undefined when it is. Checks the JSON
 * type too, for values read from a file.
 */
function problem(flag: string, v: unknown): string | undefined {
  const spec = TRAIN_FLAGS[flag];
  const [range, ok] = RANGES[flag] ?? ["", () => true];
  switch (spec.type) {
    case "boolean":
      return typeof v === "boolean" ? undefined : "true or false";
    case "string":
      if (spec.choices) return typeof v === "string" && spec.choices.includes(v) ? undefined : `one of ${spec.choices.join(", ")}`;
      return typeof v === "string" ? undefined : "a string";
    default: {
      const what = `${spec.type === "int" ? "an integer" : "a number"}${range ? ` ${range}` : ""}`;
      const typed = typeof v === "number" && Number.isFinite(v) && (spec.type !== "int" || Number.isInteger(v));
      return typed && ok(v as number) ? undefined : what;
    }
  }
}

/** A config file, read and checked: values by flag name. */
export interface TrainConfigFile {
  readonly path: string;
  readonly job: TrainJob | undefined;
  readonly values: Readonly<Record<string, FlagValue>>;
  /** Where `ganglion tune` found it (study, trial, value), if it says. */
  readonly tuned: Readonly<Record<string, unknown>> | undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const kindOf = (v: unknown): string => (v === null ? "null" : Array.isArray(v) ? "an array" : typeof v);

/** Reads and checks a train config file; every error names the file and the key. */
export function readTrainConfig(path: string): TrainConfigFile {
  const where = `ganglion train: --config ${path}`;
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ValueError(`${where}: cannot read it: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ValueError(`${where} is not valid JSON (${(e as Error).message}); expected an object of job options such as {"job": "cnn", "lr": 0.003}`);
  }
  if (!isObject(json)) throw new ValueError(`${where} must hold a JSON object of job options, got ${kindOf(json)}`);
  const job = json.job;
  if (job !== undefined && !(TRAIN_JOBS as readonly unknown[]).includes(job)) {
    const note = typeof job === "string" ? ` ("${job}" is not something train can train: a study of a benchmark function has no train config)` : "";
    throw new ValueError(`${where}: key "job" must be one of ${TRAIN_JOBS.join(", ")}, got ${JSON.stringify(job)}${note}`);
  }
  const jobName = job as TrainJob | undefined;
  const allowed = jobName ? JOB_FLAGS[jobName] : [...new Set([...JOB_FLAGS.cnn, ...JOB_FLAGS.spiral])];
  const values: Record<string, FlagValue> = {};
  for (const [key, v] of Object.entries(json)) {
    if (key === "job") continue;
    if (key === "tuned") {
      if (!isObject(v)) throw new ValueError(`${where}: key "tuned" must be an object (where ganglion tune found this configuration), got ${kindOf(v)}`);
      continue;
    }
    const flag = allowed.find((f) => configKey(f) === key);
    if (!flag) {
      const other = TRAIN_JOBS.find((j) => JOB_FLAGS[j].some((f) => configKey(f) === key));
      const keys = ["job", ...allowed.map(configKey), "tuned"].join(", ");
      throw new ValueError(other && jobName
        ? `${where}: key "${key}" does not apply to job ${jobName} (it is a ${other} option; the keys of job ${jobName} are ${keys})`
        : `${where}: unknown key "${key}" (expected some of ${keys})`);
    }
    const bad = problem(flag, v);
    if (bad) throw new ValueError(`${where}: key "${key}" must be ${bad}, got ${JSON.stringify(v)}`);
    values[flag] = v as FlagValue;
  }
  return { path, job: jobName, values, tuned: isObject(json.tuned) ? json.tuned : undefined };
}

export type TrainPlan =
  | { readonly job: "cnn"; readonly options: CnnJobOptions }
  | { readonly job: "spiral"; readonly options: SpiralJobOptions };

/**
 * The job to train from the parsed flags and an optional config file: a flag given on the command line,
 * else the file's value, else the flag's default. Checks every value (the error names its source).
 */
export function resolveTrainPlan(parsed: Parsed, file?: TrainConfigFile): TrainPlan {
  const { flags, given } = parsed;
  if (file?.job !== undefined && given.has("job") && flags.job !== file.job) {
    throw new ValueError(`ganglion train: --job ${String(flags.job)} contradicts --config ${file.path}, which is a ${file.job} configuration`);
  }
  const job = (given.has("job") ? flags.job : (file?.job ?? flags.job)) as TrainJob;
  if (file && !file.job) {
    for (const flag of Object.keys(file.values)) {
      if (!JOB_FLAGS[job].includes(flag)) throw new ValueError(`ganglion train: --config ${file.path}: key "${configKey(flag)}" does not apply to job ${job}`);
    }
  }
  const get = (flag: string): FlagValue => (given.has(flag) || !file || !(flag in file.values) ? flags[flag] : file.values[flag]);
  for (const flag of Object.keys(TRAIN_FLAGS)) {
    const v = get(flag);
    if (v === undefined || !given.has(flag)) continue; // file values were checked when read; defaults are valid
    const bad = problem(flag, v);
    if (bad) throw new ValueError(`ganglion train: --${flag} must be ${bad}, got ${String(v)}`);
  }
  const num = (flag: string): number | undefined => get(flag) as number | undefined;
  if (job === "spiral") {
    return {
      job, options: {
        steps: num("steps") as number, hidden: num("hidden") as number, lr: num("lr") ?? 0.5, seed: num("seed") as number,
        weightDecay: num("weight-decay") ?? 1e-3, optimizer: get("optimizer") as "sgd" | "adam", batchSize: num("batch-size"),
      },
    };
  }
  return {
    job, options: {
      dataset: get("dataset") as CnnJobOptions["dataset"], epochs: num("epochs") as number, batchSize: num("batch-size") ?? 64,
      lr: num("lr") ?? 3e-3, width: num("width") as number, seed: num("seed") as number, limit: num("limit"), augment: get("augment") as boolean,
      labelSmoothing: num("label-smoothing") as number, weightDecay: num("weight-decay") ?? CNN_DEFAULTS.weightDecay, dropout: num("dropout") as number,
      statsEvery: num("stats-every") as number, tta: get("tta") as CnnJobOptions["tta"],
    },
  };
}
