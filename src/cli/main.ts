/**
 * The `ganglion` command line. Node-only; library code never imports this folder.
 */
import { readFileSync } from "node:fs";
import { VERSION } from "../index.js";
import { formatHelp, parseArgs, type FlagSpecs } from "./args.js";
import { trainSpiral } from "./spiral.js";

const USAGE = `ganglion ${VERSION} — train convolutional neural networks in TypeScript

Usage: ganglion <command> [options]

Commands:
  train      train a model and report its accuracy (today: the 2-layer net on the CS231n spiral)

Run 'ganglion <command> --help' for a command's options. 'ganglion --version' prints the version.`;

const TRAIN_FLAGS: FlagSpecs = {
  steps: { type: "int", default: 1000, help: "optimizer steps (full batch)" },
  hidden: { type: "int", default: 100, help: "hidden units" },
  lr: { type: "number", default: 0.5, help: "learning rate" },
  seed: { type: "int", default: 0, help: "random seed" },
  json: { type: "boolean", default: false, help: "print one JSON object as the last line" },
};

async function train(argv: string[]): Promise<number> {
  if (argv.includes("--help")) {
    console.log(formatHelp("Usage: ganglion train [options]", TRAIN_FLAGS));
    return 0;
  }
  const a = parseArgs("ganglion train", argv, TRAIN_FLAGS).flags;
  const steps = a.steps as number;
  if (steps < 1) throw new Error(`ganglion train: --steps must be >= 1, got ${steps}`);
  console.log(`ganglion train: 2-layer ReLU net (${a.hidden} hidden) on the CS231n spiral, ${steps} SGD steps`);
  const r = trainSpiral({ steps, hidden: a.hidden as number, lr: a.lr as number, seed: a.seed as number }, (l) => console.log(l));
  console.log(`train accuracy ${(100 * r.train_accuracy).toFixed(1)}%  (loss ${r.initial_loss.toFixed(3)} -> ${r.train_loss.toFixed(4)}, ln 3 = ${Math.log(3).toFixed(3)}) in ${r.seconds.toFixed(1)} s`);
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
    default:
      console.error(`ganglion: unknown command '${cmd}' (commands: train). Run 'ganglion --help'.`);
      return 2;
  }
}
