/**
 * The benchmark models of issue 7, as plain layer lists that each framework's runner builds with its
 * own API (ganglion nn, TensorFlow.js core ops, PyTorch nn): the same layers, shapes and parameter
 * counts everywhere. ReLU after every conv and hidden linear layer; SGD; batch 64.
 */
export type LayerSpec =
  | { readonly kind: "conv"; readonly cin: number; readonly cout: number; readonly k: number; readonly pad: number }
  | { readonly kind: "bn"; readonly c: number }
  | { readonly kind: "relu" }
  | { readonly kind: "maxpool" }
  | { readonly kind: "flatten" }
  | { readonly kind: "dropout"; readonly p: number }
  | { readonly kind: "linear"; readonly fin: number; readonly fout: number };

export interface ModelSpec {
  readonly name: ModelName;
  /** Per-example input shape: [features] or [C, H, W]. */
  readonly input: readonly number[];
  readonly classes: number;
  readonly layers: readonly LayerSpec[];
}

export const MODEL_NAMES = ["mlp", "lenet", "cifar-convnet", "cifar-convnet-bn", "default-cnn"] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

const conv = (cin: number, cout: number, k: number, pad: number): LayerSpec => ({ kind: "conv", cin, cout, k, pad });
const linear = (fin: number, fout: number): LayerSpec => ({ kind: "linear", fin, fout });
const relu: LayerSpec = { kind: "relu" }, pool: LayerSpec = { kind: "maxpool" }, flatten: LayerSpec = { kind: "flatten" };
const bn = (c: number): LayerSpec => ({ kind: "bn", c });

/** [conv3x3 -> (BN) -> ReLU] x2, pool, [conv3x3 -> (BN) -> ReLU] x2, pool, fc256, fc10. */
function cifar(withBn: boolean): LayerSpec[] {
  const block = (cin: number, cout: number): LayerSpec[] => [conv(cin, cout, 3, 1), ...(withBn ? [bn(cout)] : []), relu];
  return [...block(3, 32), ...block(32, 32), pool, ...block(32, 64), ...block(64, 64), pool, flatten, linear(64 * 8 * 8, 256), relu, linear(256, 10)];
}

export const MODELS: Record<ModelName, ModelSpec> = {
  mlp: { name: "mlp", input: [784], classes: 10, layers: [linear(784, 512), relu, linear(512, 512), relu, linear(512, 10)] },
  lenet: {
    name: "lenet", input: [1, 28, 28], classes: 10,
    layers: [conv(1, 32, 5, 2), relu, pool, conv(32, 64, 5, 2), relu, pool, flatten, linear(64 * 7 * 7, 128), relu, linear(128, 10)],
  },
  "cifar-convnet": { name: "cifar-convnet", input: [3, 32, 32], classes: 10, layers: cifar(false) },
  "cifar-convnet-bn": { name: "cifar-convnet-bn", input: [3, 32, 32], classes: 10, layers: cifar(true) },
  // ganglion's default model (src/models/default-cnn.ts): three conv3x3-BN-pool-ReLU stages (24, 48, 96), dropout, linear.
  "default-cnn": {
    name: "default-cnn", input: [1, 28, 28], classes: 10,
    layers: [
      conv(1, 24, 3, 1), bn(24), pool, relu, conv(24, 48, 3, 1), bn(48), pool, relu, conv(48, 96, 3, 1), bn(96), pool, relu,
      flatten, { kind: "dropout", p: 0.25 }, linear(96 * 3 * 3, 10),
    ],
  },
};

export const BATCH = 64;
export const GEMM_SIZES = [256, 512, 1024] as const;
export const LEARNING_RATE = 0.01;

/** What one runner reports for one model. */
export interface ModelResult {
  readonly trainImagesPerSec?: number;
  readonly inferImagesPerSec?: number;
  /** Why a measurement is missing (unsupported kernel, too slow for the time budget). */
  readonly trainNote?: string;
  readonly inferNote?: string;
}

/** What one runner process reports: per model, GEMM, its peak RSS, and a description of the setup. */
export interface RunnerResult {
  readonly framework: string;
  readonly setup: string;
  readonly models: Partial<Record<ModelName, ModelResult>>;
  readonly gemmGflops?: Partial<Record<string, number>>;
  readonly peakRssMb: number;
  readonly error?: string;
}
