/**
 * GoogLeNet / Inception-v1 (Szegedy et al. 2014, "Going Deeper with Convolutions", CVPR 2015,
 * https://arxiv.org/abs/1409.4842): nine Inception modules, each running four branches in parallel on the
 * same input — 1×1; 1×1 reduce → 3×3; 1×1 reduce → 5×5; 3×3 max pool → 1×1 projection — and
 * concatenating them along channels. The 1×1 "bottleneck" reductions keep the cost down: 22 weighted
 * layers with 12× fewer parameters than AlexNet. Global average pooling replaces the big FC layers.
 *
 * Shapes and names follow torchvision's `googlenet` so its state dicts load directly:
 * - every convolution is a `BasicConv2d`: conv (no bias) + BatchNorm (eps 0.001) + ReLU, keys
 *   `conv1.conv.weight`, `conv1.bn.running_mean` (BN was added by torchvision; not in the paper);
 * - branch keys `inception3a.branch1.conv.weight`, `inception3a.branch2.0.conv.weight`,
 *   `inception3a.branch2.1.conv.weight`, …, `inception3a.branch4.1.conv.weight`;
 * - the "5×5" branch uses a 3×3 kernel (`branch3.1`) — a known torchvision quirk kept for weight
 *   compatibility; `fiveByFive: true` gives the paper's 5×5 (and different parameter counts);
 * - max pools use ceil mode (PyTorch's `ceil_mode=True`), so 224 → 112 → 56 → 28 → 14 → 7.
 * 6,624,904 parameters for 1000 classes without the auxiliary heads (`aux1`, `aux2` add 2 × 3.2M).
 *
 * NOTE: torchvision's pretrained weights expect `transformInput: true` (they were ported from
 * TensorFlow and re-normalize ImageNet-normalized inputs to [−1, 1] per channel); the default is false.
 */
import { ValueError, type Rng } from "../core/index.js";
import { concat, fromArray, noGrad, scope, type Tensor } from "../tensor/index.js";
import * as init from "../init/index.js";
import * as nn from "../nn/index.js";
import { MaxPool2dCeil, scaled, zooDefaults, type HasHead, type ZooOptions } from "./common.js";

/** conv (bias-free) → BatchNorm(eps 0.001) → ReLU, torchvision's BasicConv2d (keys `conv.*`, `bn.*`). */
export class BasicConv2d extends nn.Module {
  readonly conv: nn.Conv2d;
  readonly bn: nn.BatchNorm2d;
  constructor(inC: number, outC: number, kernel: number, { stride = 1, padding = 0, rng }: { stride?: number; padding?: number; rng: Rng }) {
    super();
    this.conv = this.registerModule("conv", nn.conv2d(inC, outC, kernel, { stride, padding, bias: false, rng }));
    this.bn = this.registerModule("bn", nn.batchNorm2d(outC, { eps: 0.001 }));
  }
  forward(x: Tensor): Tensor {
    return scope(() => this.runChild("bn", this.bn, this.runChild("conv", this.conv, x)).relu());
  }
}

/** Channel plan of one Inception module (Table 1 of the paper). */
export interface InceptionChannels {
  readonly ch1x1: number;
  readonly ch3x3red: number;
  readonly ch3x3: number;
  readonly ch5x5red: number;
  readonly ch5x5: number;
  readonly poolProj: number;
}

/** Four parallel branches concatenated on channels: [1×1 | 3×3 | "5×5" | pool-proj]. */
export class Inception extends nn.Module {
  readonly branch1: BasicConv2d;
  readonly branch2: nn.Sequential;
  readonly branch3: nn.Sequential;
  readonly branch4: nn.Sequential;
  readonly outChannels: number;
  constructor(inC: number, c: InceptionChannels, { rng, fiveByFive = false }: { rng: Rng; fiveByFive?: boolean }) {
    super();
    this.branch1 = this.registerModule("branch1", new BasicConv2d(inC, c.ch1x1, 1, { rng }));
    this.branch2 = this.registerModule("branch2", nn.sequential(
      new BasicConv2d(inC, c.ch3x3red, 1, { rng }), new BasicConv2d(c.ch3x3red, c.ch3x3, 3, { padding: 1, rng })));
    const k = fiveByFive ? 5 : 3;
    this.branch3 = this.registerModule("branch3", nn.sequential(
      new BasicConv2d(inC, c.ch5x5red, 1, { rng }), new BasicConv2d(c.ch5x5red, c.ch5x5, k, { padding: (k - 1) / 2, rng })));
    this.branch4 = this.registerModule("branch4", nn.sequential(new MaxPool2dCeil(3, 1, 1), new BasicConv2d(inC, c.poolProj, 1, { rng })));
    this.outChannels = c.ch1x1 + c.ch3x3 + c.ch5x5 + c.poolProj;
  }
  forward(x: Tensor): Tensor {
    return scope(() => concat([
      this.runChild("branch1", this.branch1, x), this.runChild("branch2", this.branch2, x),
      this.runChild("branch3", this.branch3, x), this.runChild("branch4", this.branch4, x),
    ], 1));
  }
}

/** Auxiliary classifier (training only): 4×4 adaptive avg pool → 1×1 conv(128) → fc(1024) → ReLU → dropout 0.7 → fc. */
export class InceptionAux extends nn.Module {
  readonly pool: nn.AdaptiveAvgPool2d;
  readonly conv: BasicConv2d;
  readonly fc1: nn.Linear;
  readonly fc2: nn.Linear;
  readonly dropout: nn.Dropout;
  constructor(inC: number, classes: number, { rng, width = 1, dropout = 0.7 }: { rng: Rng; width?: number; dropout?: number }) {
    super();
    const c = scaled(128, width), h = scaled(1024, width);
    this.pool = this.registerModule("pool", nn.adaptiveAvgPool2d(4));
    this.conv = this.registerModule("conv", new BasicConv2d(inC, c, 1, { rng }));
    this.fc1 = this.registerModule("fc1", nn.linear(c * 16, h, { rng }));
    this.fc2 = this.registerModule("fc2", nn.linear(h, classes, { rng }));
    this.dropout = this.registerModule("dropout", nn.dropout(dropout, { rng }));
  }
  forward(x: Tensor): Tensor {
    return scope(() => {
      const h = this.runChild("conv", this.conv, this.runChild("pool", this.pool, x)).flatten(1);
      const z = this.runChild("dropout", this.dropout, this.runChild("fc1", this.fc1, h).relu());
      return this.runChild("fc2", this.fc2, z);
    });
  }
}

/** The nine Inception modules of the paper's Table 1, in order, with the max pools between them. */
const PLAN: ReadonlyArray<readonly [string, readonly [number, number, number, number, number, number]] | "pool3" | "pool4"> = [
  ["inception3a", [64, 96, 128, 16, 32, 32]], ["inception3b", [128, 128, 192, 32, 96, 64]], "pool3",
  ["inception4a", [192, 96, 208, 16, 48, 64]], ["inception4b", [160, 112, 224, 24, 64, 64]],
  ["inception4c", [128, 128, 256, 24, 64, 64]], ["inception4d", [112, 144, 288, 32, 64, 64]],
  ["inception4e", [256, 160, 320, 32, 128, 128]], "pool4",
  ["inception5a", [256, 160, 320, 32, 128, 128]], ["inception5b", [384, 192, 384, 48, 128, 128]],
];

export interface GoogLeNetOptions extends ZooOptions {
  /** Build the two auxiliary classifiers (after inception4a and 4d); see `forwardWithAux`. */
  readonly auxLogits?: boolean;
  /** Dropout before the final fc (0.2 as torchvision; the paper used 0.4). */
  readonly dropout?: number;
  /** Use 5×5 convolutions in the third branch, as the paper (not weight-compatible with torchvision). */
  readonly fiveByFive?: boolean;
  /** Re-normalize ImageNet-normalized input as torchvision's ported weights expect. */
  readonly transformInput?: boolean;
}

export interface GoogLeNetOutputs {
  readonly logits: Tensor;
  /** Auxiliary logits (present in training mode with auxLogits). */
  readonly aux1?: Tensor;
  readonly aux2?: Tensor;
}

/** GoogLeNet with torchvision's names (`conv1`, `maxpool1`, `conv2`, `conv3`, …, `inception5b`, `fc`). */
export class GoogLeNet extends nn.Module implements HasHead {
  readonly headPath = "fc";
  readonly headInFeatures: number;
  readonly aux1: InceptionAux | null;
  readonly aux2: InceptionAux | null;
  readonly transformInput: boolean;
  readonly #stages: Array<[string, nn.Module]> = [];
  readonly avgpool: nn.AdaptiveAvgPool2d;
  readonly dropout: nn.Dropout;
  #fc: nn.Module;
  constructor(o: GoogLeNetOptions = {}) {
    super();
    const { classes, inChannels, width, rng } = zooDefaults("googlenet", o, 1000, 3);
    this.transformInput = o.transformInput ?? false;
    if (this.transformInput && inChannels !== 3) throw new ValueError(`googlenet: transformInput needs 3 input channels, got ${inChannels}`);
    const s = (c: number): number => scaled(c, width);
    const add = <M extends nn.Module>(name: string, m: M): M => {
      this.#stages.push([name, this.registerModule(name, m)]);
      return m;
    };
    add("conv1", new BasicConv2d(inChannels, s(64), 7, { stride: 2, padding: 3, rng }));
    add("maxpool1", new MaxPool2dCeil(3, 2));
    add("conv2", new BasicConv2d(s(64), s(64), 1, { rng }));
    add("conv3", new BasicConv2d(s(64), s(192), 3, { padding: 1, rng }));
    add("maxpool2", new MaxPool2dCeil(3, 2));
    let c = s(192);
    const auxIn: Record<string, number> = {};
    for (const step of PLAN) {
      if (step === "pool3") add("maxpool3", new MaxPool2dCeil(3, 2));
      else if (step === "pool4") add("maxpool4", new MaxPool2dCeil(2, 2));
      else {
        const [name, ch] = step;
        const [ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, poolProj] = ch.map(s);
        c = add(name, new Inception(c, { ch1x1, ch3x3red, ch3x3, ch5x5red, ch5x5, poolProj }, { rng, fiveByFive: o.fiveByFive })).outChannels;
        auxIn[name] = c;
      }
    }
    this.aux1 = o.auxLogits ? this.registerModule("aux1", new InceptionAux(auxIn.inception4a, classes, { rng, width })) : null;
    this.aux2 = o.auxLogits ? this.registerModule("aux2", new InceptionAux(auxIn.inception4d, classes, { rng, width })) : null;
    this.avgpool = this.registerModule("avgpool", nn.adaptiveAvgPool2d(1));
    this.dropout = this.registerModule("dropout", nn.dropout(o.dropout ?? 0.2, { rng }));
    this.headInFeatures = c;
    this.#fc = this.registerModule("fc", nn.linear(c, classes, { rng }));
    // torchvision: conv and linear weights ~ N(0, 0.01²) truncated to [−2, 2] (a no-op at that std).
    noGrad(() => {
      for (const [, m] of this.namedModules()) if (m instanceof nn.Conv2d || m instanceof nn.Linear) init.normal(m.weight, { std: 0.01, rng });
    });
  }

  get fc(): nn.Module { return this.#fc; }
  replaceHead(head: nn.Module): nn.Module {
    const old = this.#fc;
    this.#fc = this.registerModule("fc", head);
    return old;
  }

  #transform(x: Tensor): Tensor {
    // x_ch · (std_ch / 0.5) + (mean_ch − 0.5) / 0.5, with ImageNet's mean and std.
    const mean = [0.485, 0.456, 0.406], std = [0.229, 0.224, 0.225];
    const a = fromArray(std.map((v) => v / 0.5), [1, 3, 1, 1], { dtype: x.dtype, backend: x.backend });
    const b = fromArray(mean.map((m) => (m - 0.5) / 0.5), [1, 3, 1, 1], { dtype: x.dtype, backend: x.backend });
    return x.mul(a).add(b);
  }

  /**
   * Main logits, plus the auxiliary ones in training mode when the model has them (the paper adds
   * 0.3 × each auxiliary loss to the main loss).
   */
  forwardWithAux(x: Tensor, withAux = true): GoogLeNetOutputs {
    return scope(() => {
      let h = this.transformInput ? this.#transform(x) : x;
      let aux1: Tensor | undefined, aux2: Tensor | undefined;
      for (const [name, m] of this.#stages) {
        h = this.runChild(name, m, h);
        if (!withAux || !this.training) continue;
        if (name === "inception4a" && this.aux1) aux1 = this.runChild("aux1", this.aux1, h);
        if (name === "inception4d" && this.aux2) aux2 = this.runChild("aux2", this.aux2, h);
      }
      h = this.runChild("dropout", this.dropout, this.runChild("avgpool", this.avgpool, h).flatten(1));
      return { logits: this.runChild("fc", this.#fc, h), aux1, aux2 };
    });
  }
  forward(x: Tensor): Tensor {
    return this.forwardWithAux(x, false).logits;
  }
}

/** GoogLeNet (Inception-v1); see the class for options. */
export const googlenet = (o: GoogLeNetOptions = {}): GoogLeNet => new GoogLeNet(o);
