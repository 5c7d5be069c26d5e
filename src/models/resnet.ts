/**
 * Residual networks (He, Zhang, Ren & Sun 2015/2016, "Deep Residual Learning for Image Recognition",
 * CVPR 2016, https://arxiv.org/abs/1512.03385): each block learns a residual F(x) and outputs
 * ReLU(F(x) + shortcut(x)), so a block that is not needed can learn F = 0 and deep stacks stay trainable.
 *
 * - BasicBlock: two 3×3 convolutions (ResNet-18/34 and the CIFAR ResNets).
 * - Bottleneck: 1×1 reduce, 3×3, 1×1 expand ×4 (ResNet-50). The stride sits on the 3×3 convolution, as
 *   in torchvision ("ResNet v1.5"); the paper put it on the first 1×1.
 * - Shortcuts when the shape changes: "B" = projection (1×1 conv stride s + BN, torchvision's
 *   `downsample`), or "A" = parameter-free identity that subsamples by 2 and zero-pads the new channels
 *   (the paper's CIFAR choice, Section 4.2).
 * - Stochastic depth (Huang, Sun, Liu, Sedra & Weinberger 2016, "Deep Networks with Stochastic Depth",
 *   https://arxiv.org/abs/1603.09382): in training, block l of L drops its residual branch with
 *   probability (l/L)·pL (the linear decay rule), pL = `stochasticDepth` (Huang et al. use 0.5).
 *
 * Module names are torchvision's, so its state dicts load directly: `conv1`, `bn1`, `layer1.0.conv1`,
 * `layer1.0.bn2`, `layer2.0.downsample.0` (1×1 conv), `layer2.0.downsample.1` (BN), `fc`.
 */
import { ShapeError, ValueError, fmt, type Rng } from "../core/index.js";
import { noGrad, scope, type Tensor } from "../tensor/index.js";
import * as init from "../init/index.js";
import * as nn from "../nn/index.js";
import { scaled, zooDefaults, type HasHead, type ZooOptions } from "./common.js";

/** The parameter-free CIFAR shortcut ("option A"): x[:, :, ::s, ::s] with `padBefore`/`padAfter` zero channels. */
export class ZeroPadShortcut extends nn.Module {
  constructor(readonly stride: number, readonly padBefore: number, readonly padAfter: number) { super(); }
  forward(x: Tensor): Tensor {
    return scope(() => {
      // A 1×1 max pool with stride s is exactly strided subsampling.
      const sub = this.stride === 1 ? x : nn.functional.maxPool2d(x, 1, { stride: this.stride });
      return sub.pad([[0, 0], [this.padBefore, this.padAfter], [0, 0], [0, 0]]);
    });
  }
}

interface BlockOptions {
  readonly stride: number;
  readonly downsample: nn.Module | null;
  /** Drop probability of the residual branch (0: no stochastic depth). */
  readonly dropProb: number;
  readonly rng: Rng;
}

const conv3x3 = (i: number, o: number, stride: number, rng: Rng): nn.Conv2d => nn.conv2d(i, o, 3, { stride, padding: 1, bias: false, rng });
const conv1x1 = (i: number, o: number, stride: number, rng: Rng): nn.Conv2d => nn.conv2d(i, o, 1, { stride, bias: false, rng });

/** Shared forward: branch (ending in its last BN) + stochastic depth + shortcut, then ReLU. */
abstract class Block extends nn.Module {
  abstract readonly relu: nn.Module;
  abstract readonly downsample: nn.Module | null;
  abstract readonly stochasticDepth: nn.StochasticDepth | null;
  /** The BN whose γ is zeroed by `zeroInitResidual`. */
  abstract readonly lastBn: nn.BatchNorm2d;
  protected abstract branch(x: Tensor): Tensor;
  forward(x: Tensor): Tensor {
    return scope(() => {
      let out = this.branch(x);
      if (this.stochasticDepth) out = this.runChild("stochastic_depth", this.stochasticDepth, out);
      const identity = this.downsample ? this.runChild("downsample", this.downsample, x) : x;
      if (out.shape.join(",") !== identity.shape.join(",")) {
        throw new ShapeError(`residual branch ${fmt(out.shape)} and shortcut ${fmt(identity.shape)} differ`);
      }
      return this.runChild("relu", this.relu, out.add(identity));
    });
  }
}

/** Two 3×3 convolutions; out channels = planes. */
export class BasicBlock extends Block {
  static readonly expansion = 1;
  readonly conv1: nn.Conv2d;
  readonly bn1: nn.BatchNorm2d;
  readonly relu: nn.ReLU;
  readonly conv2: nn.Conv2d;
  readonly bn2: nn.BatchNorm2d;
  readonly downsample: nn.Module | null;
  readonly stochasticDepth: nn.StochasticDepth | null;
  constructor(inplanes: number, planes: number, o: BlockOptions) {
    super();
    this.conv1 = this.registerModule("conv1", conv3x3(inplanes, planes, o.stride, o.rng));
    this.bn1 = this.registerModule("bn1", nn.batchNorm2d(planes));
    this.relu = this.registerModule("relu", nn.relu());
    this.conv2 = this.registerModule("conv2", conv3x3(planes, planes, 1, o.rng));
    this.bn2 = this.registerModule("bn2", nn.batchNorm2d(planes));
    this.downsample = o.downsample ? this.registerModule("downsample", o.downsample) : null;
    this.stochasticDepth = o.dropProb > 0 ? this.registerModule("stochastic_depth", nn.stochasticDepth(o.dropProb, { rng: o.rng })) : null;
  }
  get lastBn(): nn.BatchNorm2d { return this.bn2; }
  protected branch(x: Tensor): Tensor {
    const h = this.runChild("relu", this.relu, this.runChild("bn1", this.bn1, this.runChild("conv1", this.conv1, x)));
    return this.runChild("bn2", this.bn2, this.runChild("conv2", this.conv2, h));
  }
}

/** 1×1 (reduce to planes) → 3×3 (stride) → 1×1 (expand to 4·planes). */
export class Bottleneck extends Block {
  static readonly expansion = 4;
  readonly conv1: nn.Conv2d;
  readonly bn1: nn.BatchNorm2d;
  readonly conv2: nn.Conv2d;
  readonly bn2: nn.BatchNorm2d;
  readonly conv3: nn.Conv2d;
  readonly bn3: nn.BatchNorm2d;
  readonly relu: nn.ReLU;
  readonly downsample: nn.Module | null;
  readonly stochasticDepth: nn.StochasticDepth | null;
  constructor(inplanes: number, planes: number, o: BlockOptions) {
    super();
    this.conv1 = this.registerModule("conv1", conv1x1(inplanes, planes, 1, o.rng));
    this.bn1 = this.registerModule("bn1", nn.batchNorm2d(planes));
    this.conv2 = this.registerModule("conv2", conv3x3(planes, planes, o.stride, o.rng));
    this.bn2 = this.registerModule("bn2", nn.batchNorm2d(planes));
    this.conv3 = this.registerModule("conv3", conv1x1(planes, planes * Bottleneck.expansion, 1, o.rng));
    this.bn3 = this.registerModule("bn3", nn.batchNorm2d(planes * Bottleneck.expansion));
    this.relu = this.registerModule("relu", nn.relu());
    this.downsample = o.downsample ? this.registerModule("downsample", o.downsample) : null;
    this.stochasticDepth = o.dropProb > 0 ? this.registerModule("stochastic_depth", nn.stochasticDepth(o.dropProb, { rng: o.rng })) : null;
  }
  get lastBn(): nn.BatchNorm2d { return this.bn3; }
  protected branch(x: Tensor): Tensor {
    const r = (name: string, m: nn.Module, t: Tensor): Tensor => this.runChild(name, m, t);
    let h = r("relu", this.relu, r("bn1", this.bn1, r("conv1", this.conv1, x)));
    h = r("relu", this.relu, r("bn2", this.bn2, r("conv2", this.conv2, h)));
    return r("bn3", this.bn3, r("conv3", this.conv3, h));
  }
}

export type BlockKind = "basic" | "bottleneck";

/** Everything that defines a ResNet; the builders below fill it in. */
export interface ResNetSpec {
  readonly block: BlockKind;
  /** Blocks per stage. */
  readonly layers: readonly number[];
  /** Channels ("planes") of each stage. */
  readonly planes: readonly number[];
  /** "imagenet": 7×7/2 conv + 3×3/2 max pool; "cifar": one 3×3 conv. */
  readonly stem: "imagenet" | "cifar";
  readonly stemChannels: number;
  readonly shortcut: "A" | "B";
  readonly classes: number;
  readonly inChannels: number;
  /** Drop probability of the last block under the linear decay rule; 0 = off. */
  readonly stochasticDepth: number;
  /** Zero γ of each block's last BN, so every block starts as the identity (Goyal et al. 2017). */
  readonly zeroInitResidual: boolean;
  readonly rng: Rng;
}

/** A ResNet: stem, stages `layer1`…, global average pool, `fc`. */
export class ResNet extends nn.Module implements HasHead {
  readonly spec: ResNetSpec;
  readonly conv1: nn.Conv2d;
  readonly bn1: nn.BatchNorm2d;
  readonly relu: nn.ReLU;
  readonly maxpool: nn.MaxPool2d | null;
  readonly stages: nn.Sequential[];
  readonly avgpool: nn.AdaptiveAvgPool2d;
  #fc: nn.Module;
  readonly headInFeatures: number;
  readonly headPath = "fc";
  constructor(spec: ResNetSpec) {
    super();
    const { rng } = spec;
    if (spec.layers.length !== spec.planes.length || spec.layers.some((n) => !(Number.isInteger(n) && n >= 1))) {
      throw new ValueError(`ResNet: layers ${fmt(spec.layers)} must be positive integers, one per stage of planes ${fmt(spec.planes)}`);
    }
    this.spec = spec;
    const imagenet = spec.stem === "imagenet";
    const c0 = spec.stemChannels;
    this.conv1 = this.registerModule("conv1", imagenet
      ? nn.conv2d(spec.inChannels, c0, 7, { stride: 2, padding: 3, bias: false, rng })
      : conv3x3(spec.inChannels, c0, 1, rng));
    this.bn1 = this.registerModule("bn1", nn.batchNorm2d(c0));
    this.relu = this.registerModule("relu", nn.relu());
    this.maxpool = imagenet ? this.registerModule("maxpool", nn.maxPool2d(3, { stride: 2, padding: 1 })) : null;
    const expansion = spec.block === "basic" ? BasicBlock.expansion : Bottleneck.expansion;
    const total = spec.layers.reduce((a, b) => a + b, 0);
    let inplanes = c0, index = 0;
    this.stages = spec.layers.map((n, s) => {
      const planes = spec.planes[s];
      const blocks: nn.Module[] = [];
      for (let b = 0; b < n; b++) {
        const stride = b === 0 && s > 0 ? 2 : 1;
        const out = planes * expansion;
        let downsample: nn.Module | null = null;
        if (stride !== 1 || inplanes !== out) {
          if (spec.shortcut === "B") downsample = nn.sequential(conv1x1(inplanes, out, stride, rng), nn.batchNorm2d(out));
          else {
            const extra = out - inplanes;
            if (extra < 0) throw new ValueError(`ResNet: option-A shortcut cannot shrink ${inplanes} to ${out} channels`);
            downsample = new ZeroPadShortcut(stride, Math.floor(extra / 2), extra - Math.floor(extra / 2));
          }
        }
        index++;
        const dropProb = spec.stochasticDepth > 0 ? (index / total) * spec.stochasticDepth : 0;
        const o = { stride, downsample, dropProb, rng };
        blocks.push(spec.block === "basic" ? new BasicBlock(inplanes, planes, o) : new Bottleneck(inplanes, planes, o));
        inplanes = out;
      }
      return this.registerModule(`layer${s + 1}`, nn.sequential(...blocks));
    });
    this.avgpool = this.registerModule("avgpool", nn.adaptiveAvgPool2d(1));
    this.headInFeatures = inplanes;
    this.#fc = this.registerModule("fc", nn.linear(inplanes, spec.classes, { rng }));
    this.#init();
  }

  /** torchvision's init: conv N(0, 2/fan_out), BN γ = 1, β = 0 (the layer defaults), optionally zero last γ. */
  #init(): void {
    noGrad(() => {
      for (const [, m] of this.namedModules()) {
        if (m instanceof nn.Conv2d) init.kaimingNormal(m.weight, { mode: "fanOut", nonlinearity: "relu", rng: this.spec.rng });
        if (this.spec.zeroInitResidual && m instanceof Block) init.zeros(m.lastBn.weight!);
      }
    });
  }

  get fc(): nn.Module { return this.#fc; }
  replaceHead(head: nn.Module): nn.Module {
    const old = this.#fc;
    this.#fc = this.registerModule("fc", head);
    return old;
  }

  /** Features before the classifier: [N, headInFeatures]. */
  features(x: Tensor): Tensor {
    return scope(() => {
      let h = this.runChild("relu", this.relu, this.runChild("bn1", this.bn1, this.runChild("conv1", this.conv1, x)));
      if (this.maxpool) h = this.runChild("maxpool", this.maxpool, h);
      this.stages.forEach((st, i) => {
        h = this.runChild(`layer${i + 1}`, st, h);
      });
      return this.runChild("avgpool", this.avgpool, h).flatten(1);
    });
  }
  forward(x: Tensor): Tensor {
    return scope(() => this.runChild("fc", this.#fc, this.features(x)));
  }
}

export interface ResNetOptions extends ZooOptions {
  /** Final-block drop probability of stochastic depth (linear decay over blocks); 0 (default) = off. */
  readonly stochasticDepth?: number;
  readonly zeroInitResidual?: boolean;
}

const IMAGENET_LAYERS = { 18: [2, 2, 2, 2], 34: [3, 4, 6, 3], 50: [3, 4, 6, 3], 101: [3, 4, 23, 3], 152: [3, 8, 36, 3] } as const;
export type ResNetDepth = keyof typeof IMAGENET_LAYERS;

/**
 * ImageNet ResNet-18/34 (BasicBlock) and -50/101/152 (Bottleneck) with torchvision's shapes and keys:
 * 7×7/2 conv, 3×3/2 max pool, four stages of 64·w, 128·w, 256·w, 512·w planes (stride 2 from the second
 * on, projection shortcuts "B"), global average pool, fc. Parameters for 1000 classes: ResNet-18
 * 11,689,512; ResNet-34 21,797,672; ResNet-50 25,557,032.
 */
export function resnet(depth: ResNetDepth, o: ResNetOptions = {}): ResNet {
  const layers = IMAGENET_LAYERS[depth];
  if (!layers) throw new ValueError(`resnet: depth must be one of ${Object.keys(IMAGENET_LAYERS).join(", ")}, got ${String(depth)}`);
  const { classes, inChannels, width, rng } = zooDefaults(`resnet${depth}`, o, 1000, 3);
  return new ResNet({
    block: depth >= 50 ? "bottleneck" : "basic", layers, planes: [64, 128, 256, 512].map((c) => scaled(c, width)),
    stem: "imagenet", stemChannels: scaled(64, width), shortcut: "B", classes, inChannels,
    stochasticDepth: o.stochasticDepth ?? 0, zeroInitResidual: o.zeroInitResidual ?? false, rng,
  });
}
export const resnet18 = (o: ResNetOptions = {}): ResNet => resnet(18, o);
export const resnet34 = (o: ResNetOptions = {}): ResNet => resnet(34, o);
export const resnet50 = (o: ResNetOptions = {}): ResNet => resnet(50, o);

export interface CifarResNetOptions extends ResNetOptions {
  /** 6n + 2 layers: 20, 32, 44, 56, 110, … (default 20). */
  readonly depth?: number;
  /** "A" (default, the paper's CIFAR choice: parameter-free zero-padding identity) or "B" (projection). */
  readonly shortcut?: "A" | "B";
}

/**
 * The CIFAR-10 ResNets of He et al. (2016, Section 4.2): a 3×3 conv with 16·w filters, then three
 * stages of n BasicBlocks on 32×32, 16×16 and 8×8 maps with 16·w, 32·w and 64·w filters, global average
 * pool and fc: 6n + 2 weighted layers. Default shortcut: option A (identity; where the size halves and
 * the channels double, subsample by 2 and zero-pad the new channels), as the paper, so ResNet-20/32/56
 * have 0.27M/0.46M/0.85M parameters (269,722 / 464,154 / 853,018 for 10 classes); option B adds a
 * 1×1 projection + BN at the two stage transitions. Inputs of every size ≥ 4×4 work (e.g. 1×28×28 Fashion-MNIST).
 */
export function resnetCifar(o: CifarResNetOptions = {}): ResNet {
  const depth = o.depth ?? 20;
  if (!(Number.isInteger(depth) && depth >= 8 && (depth - 2) % 6 === 0)) {
    throw new ValueError(`resnetCifar: depth must be 6n + 2 with n >= 1 (20, 32, 44, 56, 110), got ${depth}`);
  }
  const n = (depth - 2) / 6;
  const { classes, inChannels, width, rng } = zooDefaults(`resnet${depth}`, o, 10, 3);
  const planes = [16, 32, 64].map((c) => scaled(c, width));
  return new ResNet({
    block: "basic", layers: [n, n, n], planes, stem: "cifar", stemChannels: planes[0], shortcut: o.shortcut ?? "A",
    classes, inChannels, stochasticDepth: o.stochasticDepth ?? 0, zeroInitResidual: o.zeroInitResidual ?? false, rng,
  });
}
export const resnet20 = (o: Omit<CifarResNetOptions, "depth"> = {}): ResNet => resnetCifar({ ...o, depth: 20 });
export const resnet32 = (o: Omit<CifarResNetOptions, "depth"> = {}): ResNet => resnetCifar({ ...o, depth: 32 });
export const resnet56 = (o: Omit<CifarResNetOptions, "depth"> = {}): ResNet => resnetCifar({ ...o, depth: 56 });
