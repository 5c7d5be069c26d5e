/**
 * A run's events accumulated in the browser as they stream in: step scalars as columns, epochs,
 * evaluations, layer statistics, misclassified samples and messages. Lines that are not valid events (a hand edit, a newer
 * event type) are counted and skipped.
 */
import type { EpochEvent, EvalEvent, LayerStatsEvent, MisclassifiedEvent, StepEvent, TrainMessage } from "../types.js";

type Layer = LayerStatsEvent["layers"][number];

const isNum = (v: unknown): v is number => typeof v === "number";
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function asStep(e: Record<string, unknown>): StepEvent | undefined {
  return isNum(e.step) && isNum(e.loss) ? (e as unknown as StepEvent) : undefined;
}
function asEpoch(e: Record<string, unknown>): EpochEvent | undefined {
  return isNum(e.epoch) && isNum(e.step) ? (e as unknown as EpochEvent) : undefined;
}
function asEval(e: Record<string, unknown>): EvalEvent | undefined {
  return isNum(e.accuracy) && Array.isArray(e.confusion) ? (e as unknown as EvalEvent) : undefined;
}
function asLayerStats(e: Record<string, unknown>): LayerStatsEvent | undefined {
  if (!isNum(e.step) || !Array.isArray(e.layers)) return undefined;
  const layers = e.layers.filter((l): l is Layer => isObj(l) && typeof l.name === "string");
  return { type: "layerStats", step: e.step, layers };
}
function asMisclassified(e: Record<string, unknown>): MisclassifiedEvent | undefined {
  const shape = e.shape;
  if (!isNum(e.step) || !Array.isArray(e.images) || !Array.isArray(shape) || shape.length !== 3 || !shape.every(isNum)) return undefined;
  const images = e.images.filter((m): m is MisclassifiedEvent["images"][number] =>
    isObj(m) && isNum(m.label) && isNum(m.predicted) && typeof m.pixels === "string");
  return { ...(e as unknown as MisclassifiedEvent), images, split: typeof e.split === "string" ? e.split : "?", total: isNum(e.total) ? e.total : images.length };
}
function asMessage(e: Record<string, unknown>): TrainMessage | undefined {
  if (typeof e.text !== "string") return undefined;
  const level = e.level === "warn" || e.level === "error" ? e.level : "info";
  return { type: "message", level, text: e.text, time: isNum(e.time) ? e.time : 0 };
}

/** Exponential moving average with bias correction (flat start), as TensorBoard's smoothing slider. */
export function smooth(y: readonly number[], weight: number): number[] {
  const out: number[] = [];
  let s = 0, n = 0;
  for (const v of y) {
    if (!Number.isFinite(v)) {
      out.push(NaN);
      continue;
    }
    s = weight * s + (1 - weight) * v;
    n++;
    out.push(weight === 0 ? v : s / (1 - weight ** n));
  }
  return out;
}

export class RunModel {
  readonly stepX: number[] = [];
  readonly loss: number[] = [];
  readonly lr: number[] = [];
  readonly imagesPerSecond: number[] = [];
  readonly epochs: EpochEvent[] = [];
  readonly evals: EvalEvent[] = [];
  readonly layerStats: LayerStatsEvent[] = [];
  readonly misclassified: MisclassifiedEvent[] = [];
  readonly messages: TrainMessage[] = [];
  skipped = 0;
  /** Bumped on every change, so views can skip redraws. */
  version = 0;

  /** Adds raw JSONL lines (as they arrive over SSE). */
  addLines(lines: readonly string[]): void {
    for (const line of lines) {
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        this.skipped++;
        continue;
      }
      this.add(v);
    }
    this.version++;
  }

  add(v: unknown): void {
    if (!isObj(v)) {
      this.skipped++;
      return;
    }
    switch (v.type) {
      case "step": {
        const s = asStep(v);
        if (!s) break;
        this.stepX.push(s.step);
        this.loss.push(s.loss);
        this.lr.push(isNum(s.lr) ? s.lr : NaN);
        this.imagesPerSecond.push(isNum(s.imagesPerSecond) ? s.imagesPerSecond : NaN);
        return;
      }
      case "epoch": {
        const e = asEpoch(v);
        if (e) return void this.epochs.push(e);
        break;
      }
      case "eval": {
        const e = asEval(v);
        if (e) return void this.evals.push(e);
        break;
      }
      case "layerStats": {
        const e = asLayerStats(v);
        if (e) return void this.layerStats.push(e);
        break;
      }
      case "misclassified": {
        const e = asMisclassified(v);
        if (e) return void this.misclassified.push(e);
        break;
      }
      case "message": {
        const e = asMessage(v);
        if (e) return void this.messages.push(e);
        break;
      }
      default:
        break;
    }
    this.skipped++;
  }

  reset(): void {
    for (const a of [this.stepX, this.loss, this.lr, this.imagesPerSecond, this.epochs, this.evals, this.layerStats, this.misclassified, this.messages]) a.length = 0;
    this.skipped = 0;
    this.version++;
  }

  /** The names of layers that appear in any layerStats event, in first-seen order. */
  layerNames(filter: (l: Layer) => boolean = () => true): string[] {
    const seen = new Set<string>();
    for (const e of this.layerStats) for (const l of e.layers) if (filter(l)) seen.add(l.name);
    return [...seen];
  }

  /** One per-layer quantity over steps, for each named layer: {x: steps, y: values}. */
  layerSeries(names: readonly string[], pick: (l: Layer) => number | undefined): { x: number[]; y: (number | null)[] }[] {
    return names.map((name) => {
      const x: number[] = [], y: (number | null)[] = [];
      for (const e of this.layerStats) {
        const l = e.layers.find((q: Layer) => q.name === name);
        const v = l ? pick(l) : undefined;
        if (v === undefined || !Number.isFinite(v)) continue;
        x.push(e.step);
        y.push(v);
      }
      return { x, y };
    });
  }
}

/**
 * Opens one event stream for `names` (one run: `/api/runs/<name>/events`; several: `/api/stream`), feeding
 * `models[i]` with run i's lines; `onChange` is called (at most every `throttleMs`) after new events once
 * the backlog has arrived, `onSummary(i, json)` when a run's summary changes. Returns a closer.
 */
export function connectRuns(names: readonly string[], models: readonly RunModel[], onChange: () => void, onSummary: (run: number, summaryJson: string) => void, throttleMs = 150): () => void {
  const url = names.length === 1
    ? `/api/runs/${encodeURIComponent(names[0])}/events`
    : `/api/stream?${names.map((n) => `run=${encodeURIComponent(n)}`).join("&")}`;
  const src = new EventSource(url);
  let caughtUp = false;
  let timer: number | undefined;
  const schedule = (): void => {
    if (!caughtUp || timer !== undefined) return;
    timer = window.setTimeout(() => {
      timer = undefined;
      onChange();
    }, throttleMs);
  };
  const modelOf = (index: string): RunModel | undefined => models[Number(index)];
  src.addEventListener("events", (e) => {
    const [index, ...lines] = (e as MessageEvent<string>).data.split("\n");
    modelOf(index)?.addLines(lines);
    schedule();
  });
  src.addEventListener("reset", (e) => {
    modelOf((e as MessageEvent<string>).data)?.reset();
    schedule();
  });
  src.addEventListener("summary", (e) => {
    const { run, summary } = JSON.parse((e as MessageEvent<string>).data) as { run: number; summary: unknown };
    onSummary(run, JSON.stringify(summary));
  });
  src.addEventListener("caught-up", () => {
    if (caughtUp) return;
    caughtUp = true;
    onChange();
  });
  return () => {
    src.close();
    if (timer !== undefined) window.clearTimeout(timer);
  };
}
