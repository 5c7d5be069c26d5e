/**
 * The during-training half of the babysitter in one object for `fit`: the NaN/Inf guard (check 4), the
 * per-layer statistics (check 5), and at the end the train/validation gap (check 6).
 *
 *   const sitter = babysitTraining(model, { every: 50, emit: log });
 *   const r = await fitAsync({ model, optimizer, train, val, epochs, monitors: [sitter], onEvent: log });
 *   const results = sitter.finish({ trainAccuracy, valAccuracy, classes });
 * (`fit({ babysit: true })` does this itself.) As a monitor its reads go through the loop, so it works
 * on WebGPU too; `onStep` is the synchronous form for CPU backends.
 */
import type { Module } from "../../nn/index.js";
import type { LayerStatsEvent } from "../events.js";
import type { TypedArray } from "../../core/index.js";
import type { FitPosition, StepMonitor } from "../fit.js";
import { drive, type ReadRequest } from "../reads.js";
import { nanGuard, type NanGuard, type NanGuardOptions } from "./nan-guard.js";
import { layerStatsMonitor, type LayerStatsMonitor } from "./layer-stats.js";
import { diagnoseGap, type GapInput, type GapOptions } from "./gap.js";
import type { CheckResult } from "./types.js";

export type OnStep = (pos: FitPosition, loss: number) => void | "stop";

/** Calls every handler; "stop" if any of them says so. */
export function combineOnStep(...handlers: ReadonlyArray<OnStep | undefined>): OnStep {
  return (pos, loss) => {
    let stop = false;
    for (const h of handlers) if (h?.(pos, loss) === "stop") stop = true;
    return stop ? "stop" : undefined;
  };
}

export interface BabysitTrainingOptions {
  /** Layer statistics every this many steps (default 50). */
  readonly every?: number;
  readonly emit?: (e: LayerStatsEvent) => void;
  readonly nan?: NanGuardOptions;
  readonly gap?: GapOptions;
}

export interface TrainingBabysitter extends StepMonitor {
  readonly onStep: OnStep;
  readonly guard: NanGuard;
  readonly stats: LayerStatsMonitor;
  /** Removes the hooks and returns the NaN-guard, layer-statistics and (given accuracies) gap checks. */
  finish(gap?: GapInput): CheckResult[];
  dispose(): void;
}

export function babysitTraining(model: Module, o: BabysitTrainingOptions = {}): TrainingBabysitter {
  const stats = layerStatsMonitor(model, { every: o.every, emit: o.emit });
  const guard = nanGuard(model, o.nan);
  // NOTE: the guard runs last so the statistics of the step that went non-finite are still recorded.
  function* step(pos: FitPosition, loss: number): Generator<ReadRequest, void | "stop", TypedArray[]> {
    yield* stats.step(pos, loss);
    return yield* guard.step(pos, loss);
  }
  let disposed = false;
  const dispose = (): void => {
    if (disposed) return;
    disposed = true;
    guard.dispose();
    stats.dispose();
  };
  return {
    step, onStep: (pos, loss) => drive("babysitTraining", step(pos, loss)), guard, stats, dispose,
    finish(gap?: GapInput): CheckResult[] {
      const out = [guard.result(), stats.result()];
      if (gap && !guard.finding) out.push(diagnoseGap(gap, o.gap));
      dispose();
      return out;
    },
  };
}
