/**
 * `ganglion/node`: everything in `ganglion`, plus the Node-only parts — file I/O (safetensors, atomic
 * checkpoints) and dataset loaders that read files (Fashion-MNIST, MNIST digits from the `mnist`
 * package, CIFAR, image folders). Importing it registers the backends like the main entry.
 */
import { initWebGPU as initWebGPUWith, type WebGPUBackend } from "./index.js";
export * from "./index.js";
export * from "./io/index.node.js";
export * from "./data/sources/index.node.js";
export { PrefetchLoader, type PrefetchRecipe } from "./data/prefetch.node.js";
// NOTE: an explicit export wins over the `export *` above: `plot` here is the Node flavour (adds PNG).
export * as plot from "./plot/index.node.js";

export interface NodeWebGPUOptions {
  /** Adapter choice (default "high-performance"). */
  readonly powerPreference?: GPUPowerPreference;
  /** Dawn toggles passed to the `webgpu` package's create(), e.g. "enable-dawn-features=...". */
  readonly dawnFlags?: readonly string[];
}

/**
 * Starts the WebGPU backend in Node through the optional `webgpu` package (Dawn). Returns undefined
 * when the package is not installed or no adapter exists (a machine without a GPU or Vulkan driver;
 * Mesa's lavapipe works: see .ci/run).
 */
export async function initWebGPU(opts: NodeWebGPUOptions = {}): Promise<WebGPUBackend | undefined> {
  let mod: { create(flags: string[]): GPU };
  try {
    mod = (await import("webgpu")) as { create(flags: string[]): GPU };
  } catch {
    return undefined;
  }
  // Dawn's Node binding polls for mapAsync from setImmediate: sleep first (GpuContext.waitMapped).
  return initWebGPUWith({ gpu: mod.create([...(opts.dawnFlags ?? [])]), powerPreference: opts.powerPreference, sleepBeforeMap: true });
}
