/**
 * `ganglion train --plot`: the training curves of a run directory, drawn from its event log
 * (`events.jsonl`) with the library's plotting helper — the training loss at every logged step (and
 * each epoch's mean), the training and validation accuracy per epoch and the final test accuracy, all
 * against the optimizer step — written beside the log as `curves.svg` and `curves.png`.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { plot } from "../node.js";
import type { EpochEvent, EvalEvent, StepEvent, TrainEvent } from "../train/index.js";

/** The events of a run's `events.jsonl`, in order; lines that are not JSON objects are skipped. */
export function readRunEvents(runPath: string): TrainEvent[] {
  const file = join(runPath, "events.jsonl");
  if (!existsSync(file)) return [];
  const out: TrainEvent[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as unknown;
      if (e !== null && typeof e === "object" && typeof (e as { type?: unknown }).type === "string") out.push(e as TrainEvent);
    } catch {
      // A run killed mid-write can leave a partial last line.
    }
  }
  return out;
}

/**
 * The last event of each key (a resumed run logs the steps after its checkpoint again), sorted by key.
 */
function lastByKey<E>(events: readonly E[], key: (e: E) => number): E[] {
  const m = new Map<number, E>();
  for (const e of events) m.set(key(e), e);
  return [...m.entries()].sort((a, b) => a[0] - b[0]).map(([, e]) => e);
}

const finite = (p: plot.Point): boolean => Number.isFinite(p[0]) && Number.isFinite(p[1]);

/**
 * The two charts of a run's curves, both against the optimizer step: the loss (every logged step's batch
 * loss; each epoch's mean training loss at the middle of its epoch; validation loss at the epoch's end)
 * and the accuracy (each epoch's training accuracy at mid-epoch, validation at the epoch's end, the
 * final test accuracy at the last step).
 */
export function curveCharts(events: readonly TrainEvent[], title = "training"): plot.ChartOptions[] {
  const steps = lastByKey(events.filter((e): e is StepEvent => e.type === "step"), (e) => e.step);
  const epochs = lastByKey(events.filter((e): e is EpochEvent => e.type === "epoch"), (e) => e.epoch);
  const test = events.filter((e): e is EvalEvent => e.type === "eval" && e.split === "test").at(-1);
  const mid = epochs.map((e, i) => (e.step + (i > 0 ? epochs[i - 1].step : 0)) / 2);
  const lastStep = Math.max(0, ...steps.map((e) => e.step), ...epochs.map((e) => e.step));
  const series = (name: string, pts: plot.Point[], o: Partial<plot.Series> = {}): plot.Series[] =>
    pts.some(finite) ? [{ name, points: pts.filter(finite), ...o }] : [];
  const val = (e: EpochEvent): boolean => e.valAccuracy !== undefined;
  const loss = [
    ...series("train loss (logged steps)", steps.map((e) => [e.step, e.loss])),
    ...series("train loss (epoch mean)", epochs.map((e, i) => [mid[i], e.trainLoss]), { markers: true }),
    ...series("val loss", epochs.filter(val).map((e) => [e.step, e.valLoss ?? NaN]), { dashed: true, markers: true }),
  ];
  const acc = [
    ...series("train (epoch mean)", epochs.map((e, i) => [mid[i], 100 * e.trainAccuracy]), { markers: true }),
    ...series("val", epochs.filter(val).map((e) => [e.step, 100 * (e.valAccuracy ?? NaN)]), { dashed: true, markers: true }),
    ...(test ? series(`test (${(100 * test.accuracy).toFixed(2)}%)`, [[lastStep, 100 * test.accuracy]], { scatter: true }) : []),
  ];
  const size = { width: 560, height: 360 };
  return [
    { title: `${title}: loss`, xLabel: "step", yLabel: "loss", series: loss, ...size },
    { title: `${title}: accuracy`, xLabel: "step", yLabel: "accuracy (%)", series: acc, legend: "bottom-right", ...size },
  ];
}

/**
 * Draws the curves of the run in `runPath` from its event log and writes `curves.svg` and `curves.png`
 * there (PNG at 2×); returns the paths written. Throws when the log has no step or epoch event.
 */
export function writeCurves(runPath: string, title?: string): string[] {
  const events = readRunEvents(runPath);
  if (!events.some((e) => e.type === "step" || e.type === "epoch")) {
    throw new Error(`ganglion train --plot: ${join(runPath, "events.jsonl")} has no step or epoch events to plot`);
  }
  return plot.saveFigure(join(runPath, "curves"), plot.panels(curveCharts(events, title)), { formats: ["svg", "png"], scale: 2 });
}
