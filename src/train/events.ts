/**
 * Typed training events (types only, so the dashboard can share them). Every run's event log is an
 * append-only JSONL of these objects.
 */
export interface StepEvent {
  readonly type: "step";
  readonly step: number;
  readonly epoch: number;
  readonly batch: number;
  readonly loss: number;
  readonly lr: number;
  readonly imagesPerSecond: number;
  readonly time: number;
}
export interface EpochEvent {
  readonly type: "epoch";
  readonly epoch: number;
  readonly step: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly valLoss?: number;
  readonly valAccuracy?: number;
  readonly seconds: number;
  readonly lr: number;
  readonly time: number;
}
export interface EvalEvent {
  readonly type: "eval";
  readonly split: string;
  readonly loss: number;
  readonly accuracy: number;
  readonly top5?: number;
  readonly perClassAccuracy: readonly number[];
  readonly confusion: readonly (readonly number[])[];
  readonly time: number;
}
export interface LayerStatsEvent {
  readonly type: "layerStats";
  readonly step: number;
  readonly layers: ReadonlyArray<{
    readonly name: string;
    readonly mean: number;
    readonly std: number;
    readonly deadFraction?: number;
    readonly saturatedFraction?: number;
    readonly gradNorm?: number;
    readonly updateRatio?: number;
    readonly histogram?: { readonly edges: readonly number[]; readonly counts: readonly number[] };
  }>;
}
export interface MessageEvent {
  readonly type: "message";
  readonly level: "info" | "warn" | "error";
  readonly text: string;
  readonly time: number;
}
export type TrainEvent = StepEvent | EpochEvent | EvalEvent | LayerStatsEvent | MessageEvent;
