/**
 * The zoo by name, for command lines (`ganglion summary --model resnet18 --input 3x224x224`): each entry
 * builds the model for an input shape [C, H, W] and a number of classes.
 */
import type * as nn from "../nn/index.js";
import { alexnet, alexnetCifar } from "./alexnet.js";
import { classicCnn, defaultCnn } from "./default-cnn.js";
import { googlenet } from "./googlenet.js";
import { lenet5 } from "./lenet.js";
import { resnet, resnetCifar } from "./resnet.js";
import { vgg, type VggDepth } from "./vgg.js";

export type ZooBuilder = (input: readonly number[], classes: number) => nn.Module;

export interface ZooEntry {
  readonly build: ZooBuilder;
  /** The input the architecture was designed for, CxHxW. */
  readonly input: string;
}

const vggEntry = (depth: VggDepth, batchNorm: boolean): ZooEntry => ({
  build: ([c], classes) => vgg({ depth, batchNorm, inChannels: c, classes }),
  input: "3x224x224",
});

/** Every zoo model by its torchvision-style name. */
export const ZOO: Readonly<Record<string, ZooEntry>> = {
  "default-cnn": { build: ([c, h], classes) => defaultCnn({ inChannels: c, imageSize: h, classes }), input: "1x28x28" },
  "classic-cnn": { build: ([c, h], classes) => classicCnn({ inChannels: c, imageSize: h, classes }), input: "1x28x28" },
  lenet5: { build: ([c, h], classes) => lenet5({ inChannels: c, imageSize: h, classes }), input: "1x28x28" },
  alexnet: { build: ([c], classes) => alexnet({ inChannels: c, classes }), input: "3x224x224" },
  "alexnet-cifar": { build: ([c], classes) => alexnetCifar({ inChannels: c, classes }), input: "3x32x32" },
  vgg11: vggEntry(11, false), vgg13: vggEntry(13, false), vgg16: vggEntry(16, false), vgg19: vggEntry(19, false),
  vgg11_bn: vggEntry(11, true), vgg13_bn: vggEntry(13, true), vgg16_bn: vggEntry(16, true), vgg19_bn: vggEntry(19, true),
  googlenet: { build: ([c], classes) => googlenet({ inChannels: c, classes }), input: "3x224x224" },
  resnet18: { build: ([c], classes) => resnet(18, { inChannels: c, classes }), input: "3x224x224" },
  resnet34: { build: ([c], classes) => resnet(34, { inChannels: c, classes }), input: "3x224x224" },
  resnet50: { build: ([c], classes) => resnet(50, { inChannels: c, classes }), input: "3x224x224" },
  resnet20: { build: ([c], classes) => resnetCifar({ depth: 20, inChannels: c, classes }), input: "3x32x32" },
  resnet32: { build: ([c], classes) => resnetCifar({ depth: 32, inChannels: c, classes }), input: "3x32x32" },
  resnet56: { build: ([c], classes) => resnetCifar({ depth: 56, inChannels: c, classes }), input: "3x32x32" },
};

/** The builders alone, in the shape `ganglion summary`'s model table uses. */
export const ZOO_BUILDERS: Readonly<Record<string, ZooBuilder>> = Object.fromEntries(Object.entries(ZOO).map(([k, e]) => [k, e.build]));
