/**
 * The dashboard's HTTP API shapes, shared by the Node server (`server/`) and the browser front end
 * (`web/`). Types only: the front end bundle must not pull in any runtime code of the library.
 *
 * Study views are plain JSON built by whoever owns the study storage (the CLI adapts
 * `tune/storage` + `tune/study_results` to `StudySource`), so the dashboard never imports the tensor
 * runtime or a database driver.
 */
import type { EpochEvent, EvalEvent, LayerStatsEvent, MessageEvent, MisclassifiedEvent, StepEvent, TrainEvent } from "../train/events.js";
import type { TunePlotData } from "../tune/study_results.js";

export type { EpochEvent, EvalEvent, LayerStatsEvent, MisclassifiedEvent, StepEvent, TrainEvent, TunePlotData };
/** The training log's message event (renamed: the DOM has a MessageEvent of its own). */
export type TrainMessage = MessageEvent;

/** A JSON value as parsed from a file. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * running: no result.json and the event log changed recently; finished: result.json exists;
 * stopped: result.json says the run was interrupted; idle: neither (crashed, or paused).
 */
export type RunStatus = "running" | "finished" | "stopped" | "idle";

/** One run directory as the run list shows it. */
export interface RunSummary {
  /** The directory's name (the run's id in every URL). */
  readonly name: string;
  /** A display name from config.json (`name` or `title`), if any: shown as text, never as markup. */
  readonly title: string | null;
  readonly status: RunStatus;
  /** Last change of anything in the directory we read (ms since the epoch). */
  readonly modified: number;
  /** Size of events.jsonl in bytes (0 when there is none). */
  readonly eventsBytes: number;
  /** Modification time of checkpoint.safetensors, or null when there is none. */
  readonly checkpointModified: number | null;
  /** A few headline numbers from result.json (test_accuracy, …), if present. */
  readonly headline: Readonly<Record<string, number>>;
}

/** One finding of the babysitter (same fields as `train/babysit`'s CheckResult). */
export interface BabysitFinding {
  readonly name: string;
  readonly status: string;
  readonly numbers: Readonly<Record<string, number>>;
  readonly advice: string;
}

/** Everything about a run except its events (those stream from `/api/runs/<name>/events`). */
export interface RunDetail {
  readonly summary: RunSummary;
  readonly config: JsonValue;
  readonly result: JsonValue;
  /** From babysit.json when the run directory has one. */
  readonly babysit: readonly BabysitFinding[] | null;
}

/** The first convolution's weight, for drawing the filters as images. */
export interface FilterData {
  /** Tensor name in the checkpoint (e.g. `model.0.weight`). */
  readonly tensor: string;
  readonly dtype: string;
  /** [out channels, in channels, kh, kw]. */
  readonly shape: readonly [number, number, number, number];
  /** Row-major values. */
  readonly values: readonly number[];
}

export type TrialState = "waiting" | "running" | "complete" | "pruned" | "failed";
export type ParamValueJson = number | string | boolean;

/** A study as the study list shows it. */
export interface StudySummary {
  readonly name: string;
  readonly direction: "minimize" | "maximize";
  /** How many trials the study wants. */
  readonly nTrials: number;
  /** How many exist. */
  readonly trials: number;
  readonly counts: Readonly<Record<TrialState, number>>;
  /** The best complete value, or null. */
  readonly best: number | null;
  readonly createdAt: number;
}

/** A search-space parameter as the plots need it: how to lay out its axis. */
export interface StudyParam {
  readonly name: string;
  readonly kind: "linear" | "log" | "categorical";
  readonly low?: number;
  readonly high?: number;
  readonly choices?: readonly ParamValueJson[];
}

/** One row of the trials table. */
export interface StudyTrialRow {
  readonly number: number;
  readonly state: TrialState;
  readonly value: number | null;
  readonly config: Readonly<Record<string, ParamValueJson>>;
  readonly metrics: Readonly<Record<string, number | string | boolean | null>>;
  readonly attempts: number;
  readonly seconds: number | null;
  readonly message: string | null;
}

/** Everything the study page shows. Trials are ranked best first. */
export interface StudyView {
  readonly summary: StudySummary;
  readonly params: readonly StudyParam[];
  readonly trials: readonly StudyTrialRow[];
  readonly plot: TunePlotData;
}

/** Where studies come from (the CLI wires this to `tune/storage`; tests may use a fixed list). */
export interface StudySource {
  /** Where the studies live, without passwords (for the page header). */
  readonly description: string;
  list(): Promise<StudySummary[]>;
  get(name: string): Promise<StudyView | undefined>;
  close(): Promise<void>;
}

/** `GET /api/info`. */
export interface DashboardInfo {
  readonly version: 1;
  readonly runsDir: string;
  readonly studies: string | null;
}
