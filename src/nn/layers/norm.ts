/** BatchNorm1d/2d and LayerNorm layers (state: gamma/beta parameters, running statistics buffers). */
import { ShapeError, ValueError, fmt, type DType } from "../../core/index.js";
import { full, zeros, type Tensor } from "../../tensor/index.js";
import * as F from "../functional/index.js";
import { Module } from "../module.js";
import { paramDtype } from "./linear.js";

export interface BatchNormOptions {
  readonly eps?: number;
  /** Weight of the new batch statistic in the running average (PyTorch's convention). */
  readonly momentum?: number;
  readonly affine?: boolean;
  readonly trackRunningStats?: boolean;
  /** Dtype of weight, bias and running statistics (float32 default; float64 for gradient checks). */
  readonly dtype?: DType;
}

/**
 * Batch normalization over axis 1. In training: batch statistics, and running averages updated; in eval:
 * the running averages (so a single example gives a deterministic output). Buffers are named as in
 * PyTorch (running_mean, running_var, num_batches_tracked) so torch state dicts load. Defaults as
 * PyTorch's: weight (γ) = 1, bias (β) = 0, running_mean = 0, running_var = 1, eps 1e-5, momentum 0.1.
 */
class BatchNorm extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  readonly numBatchesTracked: Tensor | null;
  readonly #ranks: readonly number[];
  constructor(numFeatures: number, ranks: readonly number[], { eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true, dtype }: BatchNormOptions = {}) {
    super();
    if (!(Number.isInteger(numFeatures) && numFeatures >= 1)) throw new ValueError(`BatchNorm: numFeatures must be an integer >= 1, got ${numFeatures}`);
    if (!(momentum >= 0 && momentum <= 1)) throw new ValueError(`BatchNorm: momentum must be in [0, 1], got ${momentum}`);
    if (!(eps > 0)) throw new ValueError(`BatchNorm: eps must be > 0, got ${eps}`);
    this.numFeatures = numFeatures;
    this.eps = eps;
    this.momentum = momentum;
    this.#ranks = ranks;
    const o = { dtype: paramDtype("BatchNorm", dtype) };
    this.weight = this.registerParameter("weight", affine ? full([numFeatures], 1, o) : null);
    this.bias = this.registerParameter("bias", affine ? zeros([numFeatures], o) : null);
    this.runningMean = this.registerBuffer("running_mean", trackRunningStats ? zeros([numFeatures], o) : null);
    this.runningVar = this.registerBuffer("running_var", trackRunningStats ? full([numFeatures], 1, o) : null);
    this.numBatchesTracked = this.registerBuffer("num_batches_tracked", trackRunningStats ? zeros([], { dtype: "int32" }) : null);
  }
  forward(x: Tensor): Tensor {
    if (!this.#ranks.includes(x.rank) || x.shape[1] !== this.numFeatures) {
      const want = this.#ranks.map((r) => (r === 2 ? `[N,${this.numFeatures}]` : r === 3 ? `[N,${this.numFeatures},L]` : `[N,${this.numFeatures},H,W]`)).join(" or ");
      throw new ShapeError(`expected input ${want}, got ${fmt(x.shape)}`);
    }
    if (this.training && this.numBatchesTracked) {
      const n = this.numBatchesTracked;
      const next = n.add(1);
      n.assign(next);
      next.dispose();
    }
    return F.batchNorm(x, this.runningMean, this.runningVar, this.weight, this.bias, { training: this.training, momentum: this.momentum, eps: this.eps });
  }
}

export class BatchNorm1d extends BatchNorm {
  constructor(numFeatures: number, o: BatchNormOptions = {}) { super(numFeatures, [2, 3], o); }
}
export class BatchNorm2d extends BatchNorm {
  constructor(numFeatures: number, o: BatchNormOptions = {}) { super(numFeatures, [4], o); }
}

export interface LayerNormOptions {
  readonly eps?: number;
  readonly affine?: boolean;
  /** Parameter dtype (float32 default; float64 for gradient checks). */
  readonly dtype?: DType;
}

/**
 * Layer normalization over the trailing normalizedShape dimensions, with elementwise affine; weight = 1
 * and bias = 0 at init, eps 1e-5, as PyTorch's nn.LayerNorm.
 */
export class LayerNorm extends Module {
  readonly normalizedShape: readonly number[];
  readonly eps: number;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;
  constructor(normalizedShape: number | readonly number[], { eps = 1e-5, affine = true, dtype }: LayerNormOptions = {}) {
    super();
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape;
    this.eps = eps;
    const o = { dtype: paramDtype("LayerNorm", dtype) };
    this.weight = this.registerParameter("weight", affine ? full(this.normalizedShape, 1, o) : null);
    this.bias = this.registerParameter("bias", affine ? zeros(this.normalizedShape, o) : null);
  }
  forward(x: Tensor): Tensor {
    return F.layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps);
  }
}
