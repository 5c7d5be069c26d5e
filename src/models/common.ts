/**
 * Shared pieces of the zoo: the options every builder takes, channel scaling, PyTorch's ceil-mode max
 * pooling, torchvision's initializations, and the "replaceable head" contract used by transfer learning.
 */
import { ValueError, defaultRng, type Pair, type Rng } from "../core/index.js";
import { noGrad, type Tensor } from "../tensor/index.js";
import * as init from "../init/index.js";
import * as nn from "../nn/index.js";

/** Options shared by every zoo builder. */
export interface ZooOptions {
  /** Number of output classes (default 1000 for the ImageNet models, 10 for the small ones). */
  readonly classes?: number;
  /** Input channels (3 for RGB, 1 for grayscale). */
  readonly inChannels?: number;
  /**
   * Channel multiplier: every channel count of the paper's architecture is scaled by it (rounded, at
   * least 1). 1 gives the published architecture (and torchvision's parameter count).
   */
  readonly width?: number;
  /** Generator for the initial weights. */
  readonly rng?: Rng;
}

/** `c` scaled by the width multiplier, rounded, at least 1. */
export function scaled(c: number, width: number): number {
  if (!(width > 0)) throw new ValueError(`zoo: width must be > 0, got ${width}`);
  return Math.max(1, Math.round(c * width));
}

export function checkCount(model: string, what: string, v: number): number {
  if (!(Number.isInteger(v) && v >= 1)) throw new ValueError(`${model}: ${what} must be an integer >= 1, got ${v}`);
  return v;
}

/** Resolved common options. */
export function zooDefaults(model: string, o: ZooOptions, classes: number, inChannels: number): { classes: number; inChannels: number; width: number; rng: Rng } {
  const r = { classes: o.classes ?? classes, inChannels: o.inChannels ?? inChannels, width: o.width ?? 1, rng: o.rng ?? defaultRng() };
  checkCount(model, "classes", r.classes);
  checkCount(model, "inChannels", r.inChannels);
  if (!(r.width > 0)) throw new ValueError(`${model}: width must be > 0, got ${r.width}`);
  return r;
}

/**
 * The bottom/right padding (with −∞) that turns floor-mode pooling into PyTorch's `ceil_mode=True`:
 * out = ⌈(H + 2P − K)/S⌉ + 1, minus one when the last window would start in the right padding.
 */
export function ceilModeExtra(size: number, k: number, s: number, p: number): number {
  let out = Math.ceil((size + 2 * p - k) / s) + 1;
  if ((out - 1) * s >= size + p) out -= 1;
  return Math.max(0, (out - 1) * s + k - (size + 2 * p));
}

/** Pads the bottom and right edges with −∞ so the following floor-mode pool acts in ceil mode. */
export class CeilModePad extends nn.Module {
  constructor(readonly kernel: Pair, readonly stride: Pair, readonly padding: Pair) { super(); }
  forward(x: Tensor): Tensor {
    const eh = ceilModeExtra(x.shape[2], this.kernel[0], this.stride[0], this.padding[0]);
    const ew = ceilModeExtra(x.shape[3], this.kernel[1], this.stride[1], this.padding[1]);
    if (eh === 0 && ew === 0) return x.mul(1);
    return x.pad([[0, 0], [0, 0], [0, eh], [0, ew]], -Infinity);
  }
}

/**
 * PyTorch's `MaxPool2d(k, stride, padding, ceil_mode=True)` (GoogLeNet uses it): a CeilModePad then a
 * plain MaxPool2d, so summaries still check the pooling arithmetic. No parameters, so it does not
 * change state-dict keys.
 */
export class MaxPool2dCeil extends nn.Module {
  readonly pad: CeilModePad;
  readonly pool: nn.MaxPool2d;
  constructor(kernel: number, stride: number, padding = 0) {
    super();
    this.pad = this.registerModule("pad", new CeilModePad([kernel, kernel], [stride, stride], [padding, padding]));
    this.pool = this.registerModule("pool", new nn.MaxPool2d(kernel, { stride, padding }));
  }
  forward(x: Tensor): Tensor {
    return this.runChild("pool", this.pool, this.runChild("pad", this.pad, x));
  }
}

/**
 * A model whose classifier can be swapped in place (transfer learning): ResNet and GoogLeNet. The
 * Sequential-built models (LeNet, AlexNet, VGG) are handled by `transfer.replaceHead` instead.
 */
export interface HasHead {
  /** Dotted path of the classifier (`fc`). */
  readonly headPath: string;
  /** Input features of the classifier. */
  readonly headInFeatures: number;
  /** Installs `head` as the classifier and returns the old one (not disposed). */
  replaceHead(head: nn.Module): nn.Module;
}

export function hasHead(m: nn.Module): m is nn.Module & HasHead {
  const h = m as Partial<HasHead>;
  return typeof h.replaceHead === "function" && typeof h.headPath === "string";
}

/**
 * torchvision's ResNet/VGG initialization: conv weights ~ N(0, 2/fan_out) (He et al. 2015, "Delving Deep
 * into Rectifiers", https://arxiv.org/abs/1502.01852, fan-out mode), conv biases 0, BatchNorm γ = 1 and
 * β = 0; for Linear layers either torch's default (`linear: "default"`) or N(0, 0.01²) with bias 0 (VGG).
 */
export function heInit(model: nn.Module, { rng, linear = "default" }: { rng: Rng; linear?: "default" | "normal001" }): void {
  noGrad(() => {
    for (const [, m] of model.namedModules()) {
      if (m instanceof nn.Conv2d) {
        init.kaimingNormal(m.weight, { mode: "fanOut", nonlinearity: "relu", rng });
        if (m.bias) init.zeros(m.bias);
      } else if (m instanceof nn.Linear && linear === "normal001") {
        init.normal(m.weight, { std: 0.01, rng });
        if (m.bias) init.zeros(m.bias);
      }
    }
  });
}

/** Number of elements of every parameter: what torchvision's docs call "params". */
export function countParameters(m: nn.Module): number {
  return m.parameters().reduce((s, p) => s + p.size, 0);
}
