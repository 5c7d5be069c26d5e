/**
 * VGG (Simonyan & Zisserman 2014, "Very Deep Convolutional Networks for Large-Scale Image Recognition",
 * https://arxiv.org/abs/1409.1556): stacks of 3×3 stride-1 pad-1 convolutions (two stacked 3×3 see 5×5,
 * three see 7×7, with fewer parameters and more non-linearities) separated by 2×2 max pooling, channels
 * doubling 64 → 512, then three fully connected layers. Configurations A, B, D, E of the paper's
 * Table 1 are VGG-11, -13, -16, -19; the `bn` variants add BatchNorm after every convolution (not in the
 * paper; Ioffe & Szegedy 2015).
 *
 * Shapes and names are torchvision's: `features.<i>` numbers conv, [BN,] ReLU and pool layers in order,
 * an adaptive 7×7 average pool, and `classifier` = 0 linear(25088, 4096) 1 ReLU 2 dropout 3 linear(4096,
 * 4096) 4 ReLU 5 dropout 6 linear(4096, classes). Parameters for 1000 classes: VGG-11 132,863,336,
 * VGG-13 133,047,848, VGG-16 138,357,544, VGG-19 143,667,240 (+ 2·Σchannels for BN).
 * Initialization as torchvision: conv N(0, 2/fan_out) with zero bias, linear N(0, 0.01²) with zero bias.
 */
import { ValueError } from "../core/index.js";
import * as nn from "../nn/index.js";
import { heInit, scaled, zooDefaults, type ZooOptions } from "./common.js";

/** Table 1 of the paper: numbers are 3×3 conv widths, "M" a 2×2 max pool. */
export const VGG_CONFIGS = {
  11: [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
  13: [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
  16: [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
  19: [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
} as const satisfies Record<number, ReadonlyArray<number | "M">>;
export type VggDepth = keyof typeof VGG_CONFIGS;

export interface VggOptions extends ZooOptions {
  readonly depth?: VggDepth;
  /** BatchNorm after every convolution (torchvision's `vgg16_bn`). */
  readonly batchNorm?: boolean;
  /** Dropout probability in the classifier (0.5). */
  readonly dropout?: number;
  /** Side of the adaptive average pool before the classifier (7 for ImageNet; 1 suits 32×32 inputs). */
  readonly pooled?: number;
  /** Hidden units of the classifier (4096). */
  readonly hidden?: number;
  /** "torchvision" (default) re-draws the weights as torchvision does; "default" keeps PyTorch's layer defaults. */
  readonly init?: "torchvision" | "default";
}

/** VGG-11/13/16/19 with or without BatchNorm, torchvision's shapes and keys. */
export function vgg(o: VggOptions = {}): nn.Sequential {
  const depth = o.depth ?? 16;
  const name = `vgg${depth}${o.batchNorm ? "_bn" : ""}`;
  const cfg: ReadonlyArray<number | "M"> | undefined = VGG_CONFIGS[depth];
  if (!cfg) throw new ValueError(`vgg: depth must be one of 11, 13, 16, 19, got ${String(depth)}`);
  const { classes, inChannels, width, rng } = zooDefaults(name, o, 1000, 3);
  const pooled = o.pooled ?? 7;
  const hidden = scaled(o.hidden ?? 4096, width);
  const p = o.dropout ?? 0.5;
  const layers: nn.Module[] = [];
  let c = inChannels;
  for (const v of cfg) {
    if (v === "M") {
      layers.push(nn.maxPool2d(2, { stride: 2 }));
      continue;
    }
    const out = scaled(v, width);
    layers.push(nn.conv2d(c, out, 3, { padding: 1, rng }));
    if (o.batchNorm) layers.push(nn.batchNorm2d(out));
    layers.push(nn.relu());
    c = out;
  }
  const classifier = nn.sequential(
    nn.linear(c * pooled * pooled, hidden, { rng }), nn.relu(), nn.dropout(p, { rng }),
    nn.linear(hidden, hidden, { rng }), nn.relu(), nn.dropout(p, { rng }),
    nn.linear(hidden, classes, { rng }),
  );
  const model = nn.sequential({ features: nn.sequential(...layers), avgpool: nn.adaptiveAvgPool2d(pooled), flatten: nn.flatten(1), classifier });
  if ((o.init ?? "torchvision") === "torchvision") heInit(model, { rng, linear: "normal001" });
  return model;
}

export const vgg11 = (o: Omit<VggOptions, "depth"> = {}): nn.Sequential => vgg({ ...o, depth: 11 });
export const vgg13 = (o: Omit<VggOptions, "depth"> = {}): nn.Sequential => vgg({ ...o, depth: 13 });
export const vgg16 = (o: Omit<VggOptions, "depth"> = {}): nn.Sequential => vgg({ ...o, depth: 16 });
export const vgg19 = (o: Omit<VggOptions, "depth"> = {}): nn.Sequential => vgg({ ...o, depth: 19 });
export const vgg11Bn = (o: Omit<VggOptions, "depth" | "batchNorm"> = {}): nn.Sequential => vgg({ ...o, depth: 11, batchNorm: true });
export const vgg13Bn = (o: Omit<VggOptions, "depth" | "batchNorm"> = {}): nn.Sequential => vgg({ ...o, depth: 13, batchNorm: true });
export const vgg16Bn = (o: Omit<VggOptions, "depth" | "batchNorm"> = {}): nn.Sequential => vgg({ ...o, depth: 16, batchNorm: true });
export const vgg19Bn = (o: Omit<VggOptions, "depth" | "batchNorm"> = {}): nn.Sequential => vgg({ ...o, depth: 19, batchNorm: true });
