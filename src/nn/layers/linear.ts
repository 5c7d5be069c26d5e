/** Linear and Conv2d layers with PyTorch's default initialization. */
import { DTypeError, ShapeError, ValueError, defaultRng, fmt, isFloat, type DType, type Pair, type Rng } from "../../core/index.js";
import { conv2d, empty, scope, type Tensor } from "../../tensor/index.js";
import * as init from "../../init/index.js";
import { Module } from "../module.js";

/**
 * PyTorch's default for Linear/Conv (torch.nn.Linear.reset_parameters): kaiming_uniform with a = √5,
 * i.e. U(±1/√fanIn) for the weight, and U(±1/√fanIn) for the bias.
 */
function defaultInit(w: Tensor, b: Tensor | null, rng: Rng): void {
  init.kaimingUniform(w, { nonlinearity: "leakyRelu", slope: Math.sqrt(5), rng });
  if (b) {
    const bound = 1 / Math.sqrt(init.fans(w.shape).fanIn);
    init.uniform(b, { low: -bound, high: bound, rng });
  }
}

/** The parameter dtype option (PyTorch's `dtype=` factory argument): a float dtype, float32 by default. */
export function paramDtype(layer: string, dtype: DType = "float32"): DType {
  if (!isFloat(dtype)) throw new DTypeError(`${layer}: parameters must have a float dtype, got ${dtype}`);
  return dtype;
}

export interface LinearOptions {
  readonly bias?: boolean;
  readonly rng?: Rng;
  /** Parameter dtype (float32 default; float64 for gradient checks). */
  readonly dtype?: DType;
}

/**
 * y = x·Wᵀ + b, W: [out, in]. Default init as PyTorch's nn.Linear: W, b ~ U(±1/√in).
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(inFeatures: number, outFeatures: number, { bias = true, rng = defaultRng(), dtype }: LinearOptions = {}) {
    super();
    for (const [k, v] of [["inFeatures", inFeatures], ["outFeatures", outFeatures]] as const) {
      if (!(Number.isInteger(v) && v >= 1)) throw new ValueError(`Linear: ${k} must be an integer >= 1, got ${v}`);
    }
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const dt = paramDtype("Linear", dtype);
    this.weight = this.registerParameter("weight", empty([outFeatures, inFeatures], { dtype: dt }))!;
    this.bias = this.registerParameter("bias", bias ? empty([outFeatures], { dtype: dt }) : null);
    defaultInit(this.weight, this.bias, rng);
  }
  forward(x: Tensor): Tensor {
    return this.forwardWithWeight(x, this.weight);
  }
  /** The forward pass with `weight` in place of this.weight (DropConnect's masked weight). */
  forwardWithWeight(x: Tensor, weight: Tensor): Tensor {
    if (x.rank < 1 || x.shape[x.rank - 1] !== this.inFeatures) {
      throw new ShapeError(`expected input [..., ${this.inFeatures}], got ${fmt(x.shape)}`);
    }
    return scope(() => {
      const y = x.matmul(weight.T);
      return this.bias ? y.add(this.bias) : y;
    });
  }
}

export interface Conv2dLayerOptions {
  readonly stride?: number | Pair;
  /** Zero padding per side, or "same" (stride 1: output size = input size). */
  readonly padding?: number | Pair | "same";
  readonly dilation?: number | Pair;
  readonly groups?: number;
  readonly bias?: boolean;
  readonly rng?: Rng;
  /** Parameter dtype (float32 default; float64 for gradient checks). */
  readonly dtype?: DType;
}

/**
 * 2-D convolution layer: weight [out, in/groups, kh, kw], bias [out]. Default init as PyTorch's
 * nn.Conv2d: W, b ~ U(±1/√fanIn), fanIn = in/groups·kh·kw.
 */
export class Conv2d extends Module {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly dilation: Pair;
  readonly groups: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(inChannels: number, outChannels: number, kernelSize: number | Pair, o: Conv2dLayerOptions = {}) {
    super();
    const pair = (v: number | Pair): Pair => (typeof v === "number" ? [v, v] : v);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.kernelSize = pair(kernelSize);
    this.stride = pair(o.stride ?? 1);
    this.dilation = pair(o.dilation ?? 1);
    this.groups = o.groups ?? 1;
    if (o.padding === "same") {
      if (this.stride.some((s) => s !== 1)) throw new ValueError(`Conv2d: padding "same" needs stride 1, got ${fmt(this.stride)}`);
      const need = this.kernelSize.map((k, i) => this.dilation[i] * (k - 1));
      if (need.some((n) => n % 2 !== 0)) throw new ValueError(`Conv2d: padding "same" needs an odd effective kernel, got ${fmt(this.kernelSize)}`);
      this.padding = [need[0] / 2, need[1] / 2];
    } else this.padding = pair(o.padding ?? 0);
    if (inChannels % this.groups !== 0 || outChannels % this.groups !== 0) {
      throw new ValueError(`Conv2d: inChannels ${inChannels} and outChannels ${outChannels} must be divisible by groups ${this.groups}`);
    }
    const dt = paramDtype("Conv2d", o.dtype);
    this.weight = this.registerParameter("weight", empty([outChannels, inChannels / this.groups, ...this.kernelSize], { dtype: dt }))!;
    this.bias = this.registerParameter("bias", o.bias === false ? null : empty([outChannels], { dtype: dt }));
    defaultInit(this.weight, this.bias, o.rng ?? defaultRng());
  }
  forward(x: Tensor): Tensor {
    return this.forwardWithWeight(x, this.weight);
  }
  /** The forward pass with `weight` in place of this.weight (DropConnect's masked weight). */
  forwardWithWeight(x: Tensor, weight: Tensor): Tensor {
    if (x.rank !== 4 || x.shape[1] !== this.inChannels) {
      throw new ShapeError(`expected input [N,${this.inChannels},H,W], got ${fmt(x.shape)}`);
    }
    return scope(() => {
      const y = conv2d(x, weight, { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups });
      return this.bias ? y.add(this.bias.reshape([1, -1, 1, 1])) : y;
    });
  }
}
