/**
 * Ensembles (CS231n lecture 7: "train multiple independent models, at test time average their results —
 * enjoy ~2% extra performance"), snapshot ensembles, and test-time augmentation.
 *
 * - `Ensemble`: N models, their softmax probabilities averaged (or their logits). The output is the log
 *   of the averaged probabilities, so `argmax` is the ensemble's prediction and `crossEntropy` on it is
 *   the ensemble's negative log-likelihood.
 * - Snapshot ensembles (Huang, Li, Pleiss, Liu, Hopcroft & Weinberger 2017, "Snapshot Ensembles: Train 1,
 *   Get M for Free", ICLR, https://arxiv.org/abs/1704.00109): one training run with cosine annealing and
 *   warm restarts (Loshchilov & Hutter 2017, SGDR, https://arxiv.org/abs/1608.03983); at the end of each
 *   cycle the learning rate is near 0 and the model sits in a local minimum, so its weights are saved;
 *   the restart kicks it out to another minimum. The last M snapshots form the ensemble.
 * - Test-time augmentation: the average of the predictions on transformed copies of the input
 *   (horizontal flip, shifted crops), as Krizhevsky et al. 2012 averaged ten patches.
 *
 * Layering: models may not import train/ or optim/ (DESIGN.md §2), so the snapshot helper takes the
 * training loop and the schedule factory as arguments: `fit: (o) => train.fit({ ...mine, ...o })` and
 * `warmRestarts: optim.schedules.cosineWarmRestarts`.
 */
import { ValueError, fmt } from "../core/index.js";
import { flip, fromArray, keep, noGrad, scope, type Tensor } from "../tensor/index.js";
import * as nn from "../nn/index.js";

export type EnsembleMode = "probs" | "logits";

/** Combines members' outputs: log of the mean softmax ("probs") or mean logits ("logits"). */
export function averagePredictions(outputs: readonly Tensor[], mode: EnsembleMode = "probs", weights?: readonly number[]): Tensor {
  if (outputs.length === 0) throw new ValueError("averagePredictions: needs at least one output");
  const w = weights ?? outputs.map(() => 1 / outputs.length);
  if (w.length !== outputs.length) throw new ValueError(`averagePredictions: ${w.length} weights for ${outputs.length} outputs`);
  const total = w.reduce((a, b) => a + b, 0);
  if (!(total > 0) || w.some((v) => !(v >= 0))) throw new ValueError(`averagePredictions: weights must be >= 0 with a positive sum, got ${fmt(w)}`);
  return scope(() => {
    const parts = outputs.map((o, i) => (mode === "probs" ? o.softmax(-1) : o).mul(w[i] / total));
    const mean = parts.reduce((a, b) => a.add(b));
    return mode === "probs" ? mean.log() : mean;
  });
}

export interface EnsembleOptions {
  readonly mode?: EnsembleMode;
  /** Member weights (default: equal). */
  readonly weights?: readonly number[];
}

/** N models averaged; members are children "0", "1", … so the ensemble's state dict holds them all. */
export class Ensemble extends nn.Module {
  readonly members: nn.Module[];
  readonly mode: EnsembleMode;
  readonly weights: readonly number[] | undefined;
  constructor(members: readonly nn.Module[], { mode = "probs", weights }: EnsembleOptions = {}) {
    super();
    if (members.length === 0) throw new ValueError("Ensemble: needs at least one member");
    if (mode !== "probs" && mode !== "logits") throw new ValueError(`Ensemble: mode must be "probs" or "logits", got ${String(mode)}`);
    this.members = members.map((m, i) => this.registerModule(String(i), m));
    this.mode = mode;
    this.weights = weights;
  }
  forward(x: Tensor): Tensor {
    return scope(() => averagePredictions(this.members.map((m, i) => this.runChild(String(i), m, x)), this.mode, this.weights));
  }
}

/** A persistent copy of a module's state dict (parameters and buffers), detached from the live weights. */
export function copyStateDict(m: nn.Module): Record<string, Tensor> {
  return noGrad(() => Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, keep(t.clone())])));
}

export function disposeStateDict(sd: Readonly<Record<string, Tensor>>): void {
  for (const t of Object.values(sd)) t.dispose();
}

/** A saved copy of the weights at the end of a learning-rate cycle. */
export interface Snapshot {
  /** 1-based cycle index. */
  readonly cycle: number;
  /** Optimizer steps done when it was taken. */
  readonly step: number;
  readonly state: Record<string, Tensor>;
}

/** Steps at which SGDR cycles end: t0, t0 + t0·tMult, … (the first `cycles` of them). */
export function cycleEnds(t0: number, cycles: number, tMult = 1): number[] {
  if (!(Number.isInteger(t0) && t0 >= 1 && Number.isInteger(cycles) && cycles >= 1 && Number.isInteger(tMult) && tMult >= 1)) {
    throw new ValueError(`cycleEnds: t0, cycles and tMult must be integers >= 1, got ${t0}, ${cycles}, ${tMult}`);
  }
  const ends: number[] = [];
  let len = t0, at = 0;
  for (let c = 0; c < cycles; c++, len *= tMult) ends.push((at += len));
  return ends;
}

/**
 * Takes a snapshot of `model` whenever the optimizer step count reaches a cycle end. Pass `onStep` to
 * the training loop (train.fit's `onStep` has this signature). Keeps at most `keepLast` snapshots.
 */
export class SnapshotCollector {
  readonly model: nn.Module;
  readonly ends: ReadonlySet<number>;
  readonly keepLast: number;
  readonly snapshots: Snapshot[] = [];
  #taken = 0;
  constructor(model: nn.Module, { ends, keepLast = Infinity }: { ends: readonly number[]; keepLast?: number }) {
    if (!(keepLast >= 1)) throw new ValueError(`SnapshotCollector: keepLast must be >= 1, got ${keepLast}`);
    this.model = model;
    this.ends = new Set(ends);
    this.keepLast = keepLast;
  }
  readonly onStep = (pos: { readonly step: number }): void => {
    if (!this.ends.has(pos.step)) return;
    this.snapshots.push({ cycle: ++this.#taken, step: pos.step, state: copyStateDict(this.model) });
    while (this.snapshots.length > this.keepLast) disposeStateDict(this.snapshots.shift()!.state);
  };
  /**
   * An ensemble of the last `last` snapshots, each loaded into a fresh model from `makeModel` (which must
   * build the same architecture). The ensemble owns its members; the snapshots stay owned here.
   */
  ensemble(makeModel: () => nn.Module, { last = this.snapshots.length, ...o }: EnsembleOptions & { last?: number } = {}): Ensemble {
    if (this.snapshots.length === 0) throw new ValueError("SnapshotCollector.ensemble: no snapshot taken yet (did training reach the end of a cycle?)");
    const chosen = this.snapshots.slice(-Math.max(1, last));
    return new Ensemble(chosen.map((s) => {
      const m = makeModel();
      m.loadStateDict(s.state);
      return m.eval();
    }), o);
  }
  dispose(): void {
    for (const s of this.snapshots.splice(0)) disposeStateDict(s.state);
  }
}

/** What the snapshot helper hands to the caller's training loop (a subset of train.fit's options). */
export interface SnapshotFitArgs {
  readonly epochs: number;
  readonly schedule: (step: number) => number;
  readonly onStep: (pos: { readonly step: number }, loss: number) => void;
}

export interface SnapshotEnsembleOptions<R> {
  /** Runs training with the given epochs, schedule and step callback: `(o) => train.fit({ model, optimizer, train: loader, ...o })`. */
  readonly fit: (o: SnapshotFitArgs) => R;
  /** The SGDR schedule factory, `optim.schedules.cosineWarmRestarts`. */
  readonly warmRestarts: (base: number, t0: number, tMult?: number, floor?: number) => (step: number) => number;
  /** The model being trained (the one `fit` trains). */
  readonly model: nn.Module;
  /** Builds a fresh model of the same architecture for each ensemble member. */
  readonly makeModel: () => nn.Module;
  /** Optimizer steps per epoch (the loader's number of batches). */
  readonly stepsPerEpoch: number;
  readonly cycles: number;
  readonly epochsPerCycle: number;
  /** Learning rate at the start of every cycle (α0 in Huang et al.). */
  readonly lr: number;
  readonly minLr?: number;
  /** Size M of the ensemble: the last M snapshots (default: all cycles). */
  readonly keepLast?: number;
  readonly mode?: EnsembleMode;
}

export interface SnapshotEnsembleResult<R> {
  readonly ensemble: Ensemble;
  /** The last `keepLast` snapshots (owned by the caller: `disposeStateDict(s.state)`). */
  readonly snapshots: Snapshot[];
  /** What `fit` returned. */
  readonly fit: R;
}

/**
 * Snapshot-ensemble training (Huang et al. 2017): `cycles` cosine cycles of `epochsPerCycle` epochs each
 * from `lr` down to `minLr`, a snapshot at the end of each cycle, and the ensemble of the last M.
 */
export function trainSnapshotEnsemble<R>(o: SnapshotEnsembleOptions<R>): SnapshotEnsembleResult<R> {
  const { collector, args } = snapshotSetup(o);
  const result = o.fit(args);
  if (result instanceof Promise) throw new ValueError("trainSnapshotEnsemble: fit returned a Promise (fitAsync); use trainSnapshotEnsembleAsync");
  return { ensemble: collector.ensemble(o.makeModel, { mode: o.mode }), snapshots: collector.snapshots, fit: result };
}

/** `trainSnapshotEnsemble` with an asynchronous `fit` (fitAsync, e.g. on WebGPU): the ensemble is built once training ends. */
export async function trainSnapshotEnsembleAsync<R>(o: SnapshotEnsembleOptions<Promise<R>>): Promise<SnapshotEnsembleResult<R>> {
  const { collector, args } = snapshotSetup(o);
  const result = await o.fit(args);
  return { ensemble: collector.ensemble(o.makeModel, { mode: o.mode }), snapshots: collector.snapshots, fit: result };
}

function snapshotSetup<R>(o: SnapshotEnsembleOptions<R>): { collector: SnapshotCollector; args: SnapshotFitArgs } {
  for (const [k, v] of [["stepsPerEpoch", o.stepsPerEpoch], ["cycles", o.cycles], ["epochsPerCycle", o.epochsPerCycle]] as const) {
    if (!(Number.isInteger(v) && v >= 1)) throw new ValueError(`trainSnapshotEnsemble: ${k} must be an integer >= 1, got ${v}`);
  }
  const t0 = o.stepsPerEpoch * o.epochsPerCycle;
  const collector = new SnapshotCollector(o.model, { ends: cycleEnds(t0, o.cycles), keepLast: o.keepLast ?? o.cycles });
  const schedule = o.warmRestarts(o.lr, t0, 1, o.minLr ?? 0);
  return { collector, args: { epochs: o.cycles * o.epochsPerCycle, schedule, onStep: collector.onStep } };
}

/** A test-time view of a batch [N, C, H, W]: returns a tensor of the same shape. */
export type TtaView = (x: Tensor) => Tensor;

/** x reversed along W (a mirror image). */
export function hflip(x: Tensor): Tensor {
  if (x.rank !== 4) throw new ValueError(`hflip: expected [N,C,H,W], got ${fmt(x.shape)}`);
  return flip(x, 3);
}

/**
 * The crop of the zero-padded image at offset (dy, dx) from centre: content moves by (−dy, −dx) pixels,
 * the vacated border is 0 — the test-time counterpart of pad-and-random-crop augmentation.
 */
export function shift(dy: number, dx: number): TtaView {
  return (x) => {
    const [n, c, h, w] = x.shape;
    const p = Math.max(Math.abs(dy), Math.abs(dx));
    if (p === 0) return x.mul(1);
    return scope(() => x.pad([[0, 0], [0, 0], [p, p], [p, p]]).slice([0, 0, p + dy, p + dx], [n, c, p + dy + h, p + dx + w]));
  };
}

/** Identity, mirror, and the four diagonal shifts by `pad` pixels with and without the mirror (10 views). */
export function tenCropViews(pad: number): TtaView[] {
  const base: TtaView[] = [(x) => x.mul(1), shift(-pad, -pad), shift(-pad, pad), shift(pad, -pad), shift(pad, pad)];
  return [...base, ...base.map((v): TtaView => (x) => scope(() => v(hflip(x))))];
}

/** Averages the model's predictions over `views` of the input (default: identity and horizontal flip). */
export class TestTimeAugmentation extends nn.Module {
  readonly model: nn.Module;
  readonly views: readonly TtaView[];
  readonly mode: EnsembleMode;
  constructor(model: nn.Module, views: readonly TtaView[] = [(x) => x.mul(1), hflip], { mode = "probs" }: { mode?: EnsembleMode } = {}) {
    super();
    if (views.length === 0) throw new ValueError("TestTimeAugmentation: needs at least one view");
    this.model = this.registerModule("model", model);
    this.views = views;
    this.mode = mode;
  }
  forward(x: Tensor): Tensor {
    return scope(() => averagePredictions(this.views.map((v) => this.runChild("model", this.model, v(x))), this.mode));
  }
}
