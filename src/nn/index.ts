/**
 * L5: nn — Module system, layers, functional math, losses. Factories in PyTorch's vocabulary
 * (`nn.conv2d(1, 32, 5, { padding: 2 })`) return layer instances; classes are exported too.
 */
import type { DType, Pair } from "../core/index.js";
import { Conv2d, Linear, type Conv2dLayerOptions, type LinearOptions } from "./layers/linear.js";
import { ELU, Flatten, GELU, Identity, LeakyReLU, Maxout, PReLU, ReLU, Sigmoid, Softmax, Tanh } from "./layers/activation.js";
import { AdaptiveAvgPool2d, AvgPool2d, Dropout, FractionalMaxPool2d, MaxPool2d, type PoolOptions } from "./layers/pool.js";
import { DropConnect, StochasticDepth, type StochasticDepthOptions } from "./layers/stochastic.js";
import type { FractionalMaxPoolOptions } from "./functional/fractional.js";
import { BatchNorm1d, BatchNorm2d, LayerNorm, type BatchNormOptions, type LayerNormOptions } from "./layers/norm.js";
import { ModuleDict, ModuleList, Residual, Sequential } from "./layers/container.js";
import { Module as ModuleBase, type Module } from "./module.js";
import type { Rng } from "../core/index.js";

export { Module, LayerError, setForwardHook, type ForwardHook, type LoadReport } from "./module.js";
export { Conv2d, Linear, type Conv2dLayerOptions, type LinearOptions } from "./layers/linear.js";
export { ELU, Flatten, GELU, Identity, LeakyReLU, Maxout, PReLU, ReLU, Sigmoid, Softmax, Tanh } from "./layers/activation.js";
export { AdaptiveAvgPool2d, AvgPool2d, Dropout, FractionalMaxPool2d, MaxPool2d, type PoolOptions } from "./layers/pool.js";
export { DropConnect, StochasticDepth, type StochasticDepthOptions } from "./layers/stochastic.js";
export { BatchNorm1d, BatchNorm2d, LayerNorm, type BatchNormOptions, type LayerNormOptions } from "./layers/norm.js";
export { summary, formatSummary, type SummaryOptions, type SummaryResult, type SummaryRow, type SummaryTotals } from "./summary.js";
export {
  activationStats, initExperiment, formatInitExperiment, SLIDE_RUNS,
  type ActivationInit, type ActivationNonlinearity, type LayerActivationStats, type ActivationStatsOptions, type InitExperimentResult,
} from "./experiments.js";
export { ModuleDict, ModuleList, Residual, Sequential } from "./layers/container.js";
export * as functional from "./functional/index.js";
export { crossEntropy, nllLoss, mseLoss, bceWithLogits, svmLoss, type Reduction, type CrossEntropyOptions } from "./functional/loss.js";

export const linear = (i: number, o: number, opts?: LinearOptions): Linear => new Linear(i, o, opts);
export const conv2d = (i: number, o: number, k: number | Pair, opts?: Conv2dLayerOptions): Conv2d => new Conv2d(i, o, k, opts);
/** `sequential(a, b, c)` names children "0", "1", "2"; `sequential({ features, classifier })` uses the keys. */
export function sequential(...layers: Module[]): Sequential;
export function sequential(named: Readonly<Record<string, Module>>): Sequential;
export function sequential(...args: Array<Module | Readonly<Record<string, Module>>>): Sequential {
  const [first] = args;
  if (args.length === 1 && !isModule(first)) return new Sequential(first);
  return new Sequential(...args.filter(isModule));
}
function isModule(m: unknown): m is Module {
  return m instanceof ModuleBase;
}
export const moduleList = (items?: Module[]): ModuleList => new ModuleList(items);
export const moduleDict = (items?: Record<string, Module>): ModuleDict => new ModuleDict(items);
export const residual = (body: Module, shortcut?: Module | null): Residual => new Residual(body, shortcut ?? null);
export const relu = (): ReLU => new ReLU();
export const sigmoid = (): Sigmoid => new Sigmoid();
export const tanh = (): Tanh => new Tanh();
export const leakyRelu = (slope?: number): LeakyReLU => new LeakyReLU(slope);
export const elu = (alpha?: number): ELU => new ELU(alpha);
export const gelu = (approximate?: "none" | "tanh"): GELU => new GELU(approximate);
export const prelu = (numParameters?: number, init?: number, o?: { dtype?: DType }): PReLU => new PReLU(numParameters, init, o);
export const maxout = (pieces: number): Maxout => new Maxout(pieces);
export const softmax = (axis?: number): Softmax => new Softmax(axis);
export const identity = (): Identity => new Identity();
export const flatten = (start?: number, end?: number): Flatten => new Flatten(start, end);
export const maxPool2d = (k: number | Pair, o?: PoolOptions): MaxPool2d => new MaxPool2d(k, o);
export const avgPool2d = (k: number | Pair, o?: PoolOptions & { countIncludePad?: boolean }): AvgPool2d => new AvgPool2d(k, o);
export const adaptiveAvgPool2d = (size?: number | Pair): AdaptiveAvgPool2d => new AdaptiveAvgPool2d(size);
export const dropout = (p?: number, o?: { rng?: Rng }): Dropout => new Dropout(p, o);
export const batchNorm1d = (n: number, o?: BatchNormOptions): BatchNorm1d => new BatchNorm1d(n, o);
export const batchNorm2d = (n: number, o?: BatchNormOptions): BatchNorm2d => new BatchNorm2d(n, o);
export const layerNorm = (shape: number | readonly number[], o?: LayerNormOptions): LayerNorm => new LayerNorm(shape, o);
export const fractionalMaxPool2d = (o: Omit<FractionalMaxPoolOptions, "training">): FractionalMaxPool2d => new FractionalMaxPool2d(o);
export const dropConnect = (layer: Linear | Conv2d, p?: number, o?: { rng?: Rng }): DropConnect => new DropConnect(layer, p, o);
export const stochasticDepth = (p: number, o?: StochasticDepthOptions): StochasticDepth => new StochasticDepth(p, o);
