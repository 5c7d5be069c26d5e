/**
 * Check 6 — train/validation gap at the end of a run (CS231n, "Train/Val accuracy",
 * https://cs231n.github.io/neural-networks-3/#accuracy): a big gap between training and validation
 * accuracy means overfitting (more regularization, more data, augmentation, a smaller model); no gap
 * with both low means underfitting (a bigger model, longer training, less regularization). Validation
 * clearly above training points at training-time noise: heavy dropout/augmentation, or wrong labels.
 */
import type { EpochEvent } from "../events.js";
import type { CheckResult, CheckStatus } from "./types.js";

export interface GapInput {
  readonly trainAccuracy: number;
  readonly valAccuracy: number;
  readonly trainLoss?: number;
  readonly valLoss?: number;
  /** Number of classes (chance accuracy = 1/classes). */
  readonly classes?: number;
  /** Optimizer steps the run took (shown with the numbers; short runs are judged with a lower bar). */
  readonly steps?: number;
  /** Epoch history, for the validation-loss trend. */
  readonly history?: readonly EpochEvent[];
}

export interface GapOptions {
  /** Train − val accuracy above this is overfitting (default 0.1). */
  readonly overfitGap?: number;
  /** Val − train accuracy above this is suspicious (default 0.05). */
  readonly inverseGap?: number;
  /** Training accuracy below this, with no gap, is underfitting (default 0.9). */
  readonly goodAccuracy?: number;
}

const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;

/** Overfitting, underfitting, suspicious inverse gap, or fine — with the numbers. */
export function diagnoseGap(input: GapInput, { overfitGap = 0.1, inverseGap = 0.05, goodAccuracy = 0.9 }: GapOptions = {}): CheckResult {
  const { trainAccuracy: tr, valAccuracy: va, classes } = input;
  const chance = classes ? 1 / classes : 0;
  const gap = tr - va;
  const numbers: Record<string, number> = { trainAccuracy: tr, valAccuracy: va, gap };
  if (input.trainLoss !== undefined) numbers.trainLoss = input.trainLoss;
  if (input.valLoss !== undefined) numbers.valLoss = input.valLoss;
  if (classes) numbers.chance = chance;
  if (input.steps !== undefined) numbers.steps = input.steps;
  // Validation loss turning up while training loss keeps falling: the classic overfitting curve.
  const h = (input.history ?? []).filter((e) => e.valLoss !== undefined && Number.isFinite(e.valLoss));
  let valRising = false;
  if (h.length >= 3) {
    const best = Math.min(...h.map((e) => e.valLoss!));
    const last = h[h.length - 1];
    valRising = last.valLoss! > 1.1 * best && last.trainLoss < h[h.length - 2].trainLoss;
    numbers.bestValLoss = best;
  }
  let status: CheckStatus;
  let advice: string;
  if (!Number.isFinite(tr) || !Number.isFinite(va)) {
    status = "fail";
    advice = "Accuracy is not a number: training diverged (see the NaN guard).";
  } else if (classes && tr < chance + 0.5 * (1 - chance) * 0.1 && va < chance + 0.5 * (1 - chance) * 0.1) {
    status = "fail";
    advice = `Training (${pct(tr)}) and validation (${pct(va)}) accuracy are at chance (${pct(chance)}): the model is not learning at all. Check the learning rate (range test), the labels, and that the model can overfit a tiny subset.`;
  } else if (gap > overfitGap || valRising) {
    status = "warn";
    advice = `Overfitting: training accuracy ${pct(tr)} vs validation ${pct(va)} (gap ${pct(gap)})${valRising ? ", and the validation loss is rising while the training loss falls" : ""}. Add regularization (weight decay, dropout), more data or augmentation, use a smaller model, or stop earlier.`;
  } else if (-gap > inverseGap) {
    status = "warn";
    advice = `Validation accuracy ${pct(va)} is above training accuracy ${pct(tr)} by ${pct(-gap)}: training sees something harder than validation — heavy dropout/augmentation, or wrong training labels (label noise). If the model still overfits a tiny subset, check the labels.`;
  } else if (tr < goodAccuracy) {
    status = "warn";
    advice = `Underfitting: training ${pct(tr)} and validation ${pct(va)} accuracy are both low with little gap. Use a bigger model, train longer or with a better learning rate, and lower the regularization.`;
  } else {
    status = "pass";
    advice = `Training ${pct(tr)} and validation ${pct(va)} accuracy are close (gap ${pct(gap)}): no sign of over- or underfitting. If the gap stays this small, a bigger model may do better.`;
  }
  if (input.steps !== undefined) advice = `After ${input.steps} steps: ${advice}`;
  return { name: "train-val-gap", status, numbers, advice };
}
