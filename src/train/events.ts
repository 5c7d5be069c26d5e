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
    /** Activation entries: `path (Type)`, the module's path in the model and its type ("2 (ReLU)"); parameter entries: the dotted name ("0.weight"). */
    readonly name: string;
    /** Mean over all elements (the batch's output, or the parameter's entries). */
    readonly mean: number;
    /** Population standard deviation over the same elements: √(mean((x − mean)²)), ÷N. */
    readonly std: number;
    readonly deadFraction?: number;
    readonly saturatedFraction?: number;
    readonly gradNorm?: number;
    readonly updateRatio?: number;
    /** Activation entries: the layer output's values over fixed edges. */
    readonly histogram?: Histogram;
    /** Parameter entries: the gradient's values over fixed symmetric-log edges (GRAD_EDGES). */
    readonly gradHistogram?: Histogram;
  }>;
}
export interface Histogram {
  readonly edges: readonly number[];
  readonly counts: readonly number[];
}
/** A sample of misclassified evaluation images (the most confident mistakes), for the dashboard's grid. */
export interface MisclassifiedEvent {
  readonly type: "misclassified";
  readonly split: string;
  readonly step: number;
  readonly epoch?: number;
  /** [channels, height, width] of every image. */
  readonly shape: readonly [number, number, number];
  /** How many samples of the split were misclassified in all. */
  readonly total: number;
  readonly classes?: readonly string[];
  readonly images: ReadonlyArray<{
    /** Index of the sample in the evaluated dataset. */
    readonly index: number;
    readonly label: number;
    readonly predicted: number;
    /** Softmax probability of the predicted class. */
    readonly confidence: number;
    /** Base64 of the 8-bit CHW pixels (channels × height × width bytes). */
    readonly pixels: string;
  }>;
  readonly time: number;
}
export interface MessageEvent {
  readonly type: "message";
  readonly level: "info" | "warn" | "error";
  readonly text: string;
  readonly time: number;
}
export type TrainEvent = StepEvent | EpochEvent | EvalEvent | LayerStatsEvent | MisclassifiedEvent | MessageEvent;
