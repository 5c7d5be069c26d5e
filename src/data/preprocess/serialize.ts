/**
 * One JSON form for every preprocessor, and `chain` to run several in order. The state is a plain
 * object (numbers, arrays, strings) tagged by `kind`, so a checkpoint can store it next to the
 * weights and `preprocessorFromJSON(JSON.parse(text))` rebuilds the same transform.
 */
import { ValueError } from "../../core/index.js";
import { ChannelNormalize, type ChannelMeanState, type ChannelNormalizeState, MeanImage, type MeanImageState, Scale, type ScaleState } from "./normalize.js";
import { Pca, type PcaState, Zca, type ZcaState } from "./pca.js";
import type { FeatureBatch, Preprocessor, Samples } from "./types.js";

export interface ChainState {
  kind: "chain";
  steps: PreprocessorState[];
}

export type PreprocessorState = ScaleState | MeanImageState | ChannelMeanState | ChannelNormalizeState | PcaState | ZcaState | ChainState;

/** Every fitted preprocessor kind. */
export type AnyPreprocessor = Scale | MeanImage | ChannelNormalize | Pca | Zca | Chain;

/** Runs `steps` in order (e.g. scale(1/255) then a fitted ZCA). */
export class Chain implements Preprocessor<ChainState> {
  readonly kind = "chain";
  constructor(readonly steps: readonly AnyPreprocessor[]) {}
  apply(data: Samples, shape: readonly number[]): FeatureBatch {
    let b: FeatureBatch = { data: data instanceof Float32Array ? data : Float32Array.from(data), shape: [...shape] };
    for (const s of this.steps) b = s.apply(b.data, b.shape);
    return b;
  }
  toJSON(): ChainState {
    return { kind: "chain", steps: this.steps.map((s) => s.toJSON()) };
  }
}

/** Composes preprocessors; each one sees the previous one's output. */
export function chain(steps: readonly AnyPreprocessor[]): Chain {
  return new Chain(steps);
}

/** Rebuilds a preprocessor from its `toJSON()` object (validated: a bad field names itself). */
export function preprocessorFromJSON(state: unknown): AnyPreprocessor {
  if (typeof state !== "object" || state === null || !("kind" in state)) {
    throw new ValueError(`preprocessorFromJSON: expected an object with a "kind", got ${JSON.stringify(state)?.slice(0, 80)}`);
  }
  const s = state as PreprocessorState;
  switch (s.kind) {
    case "scale": return Scale.fromJSON(s);
    case "meanImage": return MeanImage.fromJSON(s);
    case "channelMean":
    case "channelNormalize": return ChannelNormalize.fromJSON(s);
    case "pca": return Pca.fromJSON(s);
    case "zca": return Zca.fromJSON(s);
    case "chain":
      if (!Array.isArray(s.steps)) throw new ValueError(`preprocessorFromJSON: chain "steps" must be an array, got ${JSON.stringify(s.steps)}`);
      return new Chain(s.steps.map(preprocessorFromJSON));
    default:
      throw new ValueError(`preprocessorFromJSON: unknown kind ${JSON.stringify((s as { kind: unknown }).kind)} (expected scale, meanImage, channelMean, channelNormalize, pca, zca or chain)`);
  }
}
