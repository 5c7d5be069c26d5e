/**
 * Weight averaging: an averaged copy of a model's parameters (and buffers), updated after each optimizer
 * step and evaluated instead of the raw weights.
 * - Polyak–Ruppert averaging (Polyak & Juditsky 1992, https://doi.org/10.1137/0330046): the running mean
 *   θ̄ₙ = θ̄ₙ₋₁ + (θₙ − θ̄ₙ₋₁)/n — SWA (Izmailov et al. 2018, https://arxiv.org/abs/1803.05407) is this over
 *   the snapshots of a cyclic or constant-lr phase;
 * - exponential moving average (EMA): θ̄ ← decay·θ̄ + (1 − decay)·θ, an average over the last ~1/(1−decay)
 *   steps.
 * As torch.optim.swa_utils.AveragedModel, the first update() copies the weights. Integer buffers
 * (BatchNorm's num_batches_tracked) are copied, float buffers averaged (or copied: `buffers: "copy"`).
 * Averaged weights come with averaged BN statistics that do not belong to them:
 * `recomputeBatchNormStats` re-estimates those with forward passes.
 *
 * ```ts
 * const avg = optim.ema(model, { decay: 0.999 });
 * for (...) { ...; opt.step(); avg.update(); }
 * avg.swapInto(model); evaluate(model); avg.swapInto(model);   // swap back to keep training
 * ```
 */
import { GanglionError, ShapeError, ValueError, fmt, isFloat } from "../core/index.js";
import { isTensor, noGrad, onesLike, scope, zerosLike, type Tensor } from "../tensor/index.js";
import { BatchNorm1d, BatchNorm2d, type Module } from "../nn/index.js";
import { fmtValue } from "./optimizer.js";

export type AverageMode = "ema" | "polyak";

export interface AverageOptions {
  /** EMA only: the weight of the old average, in [0, 1). Default 0.999. */
  readonly decay?: number;
  /** Float buffers (BN running statistics): averaged like parameters (default) or copied. */
  readonly buffers?: "average" | "copy";
}

/** Parameters then buffers of `model` by dotted name. */
function named(model: Module): Map<string, Tensor> {
  return new Map([...model.namedParameters(), ...model.namedBuffers()]);
}

export class AveragedModel {
  readonly mode: AverageMode;
  readonly decay: number;
  readonly #model: Module;
  readonly #avg = new Map<string, Tensor>();
  readonly #averaged = new Set<string>();
  #count = 0;
  #swapped = false;

  constructor(model: Module, mode: AverageMode, { decay = 0.999, buffers = "average" }: AverageOptions = {}) {
    if (mode === "ema" && !(typeof decay === "number" && decay >= 0 && decay < 1)) throw new ValueError(`ema: invalid decay ${fmtValue(decay)}: must be a number in [0, 1)`);
    if (buffers !== "average" && buffers !== "copy") throw new ValueError(`${mode}: invalid buffers ${fmtValue(buffers)}: must be "average" or "copy"`);
    this.mode = mode;
    this.decay = decay;
    this.#model = model;
    const params = new Set([...model.namedParameters()].map(([n]) => n));
    for (const [name, t] of named(model)) {
      this.#avg.set(name, noGrad(() => t.clone()).keep());
      if (isFloat(t.dtype) && (params.has(name) || buffers === "average")) this.#averaged.add(name);
    }
  }

  /** Number of update() calls so far. */
  get count(): number {
    return this.#count;
  }

  /** Folds the model's current weights into the average (call after each optimizer step). */
  update(): void {
    if (this.#swapped) throw new GanglionError(`${this.mode}: update() while the averaged weights are swapped into the model; swapInto() again first`);
    const cur = named(this.#model);
    const n = this.#count;
    noGrad(() =>
      scope(() => {
        for (const [name, avg] of this.#avg) {
          const t = this.#lookup(cur, name);
          if (n === 0 || !this.#averaged.has(name)) avg.assign(t);
          else if (this.mode === "ema") avg.assign(avg.mul(this.decay).add(t.mul(1 - this.decay)));
          else avg.assign(avg.add(t.sub(avg).div(n + 1)));
        }
      }),
    );
    this.#count++;
  }

  /** Copies the averaged weights into `model` (default: the tracked model), e.g. a separate eval copy. */
  copyTo(model: Module = this.#model): void {
    const dst = named(model);
    noGrad(() => {
      for (const [name, avg] of this.#avg) this.#lookup(dst, name, avg).assign(avg);
    });
  }

  /**
   * Exchanges the averaged weights with `model`'s (default: the tracked model): afterwards the model holds
   * the average and this object the raw weights. Call again to swap back; update() refuses in between.
   */
  swapInto(model: Module = this.#model): void {
    const dst = named(model);
    noGrad(() =>
      scope(() => {
        for (const [name, avg] of this.#avg) {
          const t = this.#lookup(dst, name, avg);
          const raw = t.clone();
          t.assign(avg);
          avg.assign(raw);
        }
      }),
    );
    this.#swapped = !this.#swapped;
  }

  /** The averaged tensors by dotted name (live, owned by this object): what io saves as the EMA weights. */
  stateDict(): Record<string, Tensor> {
    return Object.fromEntries(this.#avg);
  }

  dispose(): void {
    for (const t of this.#avg.values()) t.dispose();
    this.#avg.clear();
  }

  #lookup(m: Map<string, Tensor>, name: string, like?: Tensor): Tensor {
    const t = m.get(name);
    if (!t) throw new GanglionError(`${this.mode}: the model has no parameter or buffer '${name}' (was the architecture changed?)`);
    if (like && t.shape.join(",") !== like.shape.join(",")) throw new ShapeError(`${this.mode}: '${name}' has shape ${fmt(t.shape)} in the model, ${fmt(like.shape)} in the average`);
    return t;
  }
}

/** Exponential moving average of `model`'s weights: θ̄ ← decay·θ̄ + (1 − decay)·θ. */
export const ema = (model: Module, o: AverageOptions = {}): AveragedModel => new AveragedModel(model, "ema", o);
/** Polyak–Ruppert average (running mean) of `model`'s weights over the update() calls. */
export const polyak = (model: Module, o: Omit<AverageOptions, "decay"> = {}): AveragedModel => new AveragedModel(model, "polyak", o);

/**
 * Re-estimates every BatchNorm's running mean and variance for the current weights (torch's
 * swa_utils.update_bn): resets them (mean 0, var 1, count 0), then runs `model.forward` on each batch in
 * training mode under noGrad with momentum 1/i for the i-th batch, i.e. the plain average of the batch
 * statistics. Restores each module's momentum and training flag afterwards. Items may be tensors or
 * `{ x }` batches. Returns the number of batches (with none, nothing is changed).
 */
export function recomputeBatchNormStats(model: Module, batches: Iterable<Tensor | { readonly x: Tensor }>): number {
  // NOTE: `momentum` is readonly in BatchNorm's public type; this helper, like torch's, sets it for the duration.
  const bns: Array<BatchNorm1d | BatchNorm2d> = [];
  for (const [, m] of model.namedModules()) if ((m instanceof BatchNorm1d || m instanceof BatchNorm2d) && m.runningMean && m.runningVar) bns.push(m);
  const training = [...model.namedModules()].map(([, m]) => [m, m.training] as const);
  const momenta = bns.map((m) => m.momentum);
  let n = 0;
  try {
    for (const item of batches) {
      const x = isTensor(item) ? item : item.x;
      if (n === 0) {
        if (bns.length === 0) return 0;
        model.train();
        noGrad(() =>
          scope(() => {
            for (const m of bns) {
              m.runningMean!.assign(zerosLike(m.runningMean!));
              m.runningVar!.assign(onesLike(m.runningVar!));
              m.numBatchesTracked?.assign(zerosLike(m.numBatchesTracked));
            }
          }),
        );
      }
      n++;
      for (const m of bns) (m as { momentum: number }).momentum = 1 / n;
      noGrad(() =>
        scope(() => {
          model.forward(x);
        }),
      );
    }
  } finally {
    bns.forEach((m, i) => ((m as { momentum: number }).momentum = momenta[i]));
    for (const [m, t] of training) m.training = t;
  }
  return n;
}
