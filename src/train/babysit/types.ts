/**
 * The babysitter's result shape (CS231n, "Babysitting the learning process",
 * https://cs231n.github.io/neural-networks-3/#baby): every check says pass, warn or fail, shows the
 * numbers it measured, and gives advice in plain language.
 */
import type { Tensor } from "../../tensor/index.js";
import type { Optimizer } from "../../optim/index.js";

export type CheckStatus = "pass" | "warn" | "fail";

export interface CheckResult {
  /** Short identifier, e.g. "initial-loss". */
  readonly name: string;
  readonly status: CheckStatus;
  /** What was measured (loss values, accuracies, ratios...). */
  readonly numbers: Record<string, number>;
  /** One or two sentences for a person: what the numbers mean and what to change. */
  readonly advice: string;
}

/** (logits, labels) → scalar loss; cross-entropy unless a check is told otherwise. */
export type LossFn = (logits: Tensor, y: Tensor) => Tensor;

/** Builds the optimizer a check trains with (regularization off), at learning rate `lr`. */
export type MakeOptimizer = (params: Tensor[], lr: number) => Optimizer<{ lr: number }>;

const RANK: Record<CheckStatus, number> = { pass: 0, warn: 1, fail: 2 };

/** The worst status of a list (an empty list passes). */
export function worstStatus(results: ReadonlyArray<{ readonly status: CheckStatus }>): CheckStatus {
  let w: CheckStatus = "pass";
  for (const r of results) if (RANK[r.status] > RANK[w]) w = r.status;
  return w;
}

/** A number as a report shows it: 4 significant digits, exponent form for very small/large values. */
export function fmtNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e6) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}
