/**
 * ganglion's public entry. Registrations happen here, as explicit calls (no side-effect imports):
 * the reference backend, and the autograd engine that Tensor.backward() calls.
 */
import { registerBackend } from "./backend/index.js";
import { ReferenceBackend } from "./backend/reference/index.js";
import { WasmBackend, wasmAvailable } from "./backend/wasm/index.js";
import { createWebGPUBackend, type WebGPUBackend, type WebGPUOptions } from "./backend/webgpu/index.js";
import { backward } from "./autograd/index.js";
import { installBackward } from "./tensor/index.js";

registerBackend("reference", () => new ReferenceBackend(), 0);
// The Wasm SIMD backend is the default wherever WebAssembly SIMD exists (threads when memory can be shared).
if (wasmAvailable()) registerBackend("wasm", () => new WasmBackend(), 10);
installBackward(backward);

export * from "./core/index.js";
export {
  registerBackend, setBackend, getBackend, listBackends, getBackendByName, OP_INFO, PRIM_OPS,
  type Backend, type BackendName, type BackendMemory, type View, type PrimOp, type OpAttrs,
} from "./backend/index.js";
export { ReferenceBackend, referenceKernels, referenceGemm } from "./backend/reference/index.js";
export { WasmBackend, wasmAvailable, type WasmBackendOptions } from "./backend/wasm/index.js";
export * from "./tensor/index.js";
export * from "./autograd/index.js";
export * as nn from "./nn/index.js";
export * as init from "./init/index.js";
export * as optim from "./optim/index.js";
export * as schedules from "./optim/schedules/index.js";
export * as data from "./data/index.js";
export * as train from "./train/index.js";
export * as models from "./models/index.js";
export * as tune from "./tune/index.js";
export * as io from "./io/index.js";
export * as plot from "./plot/index.js";
export { WebGPUBackend, describeAdapter, type WebGPUOptions, type WebGPUBackendInfo } from "./backend/webgpu/index.js";
export const VERSION = "0.1.0";

let webgpu: WebGPUBackend | undefined;
/**
 * Starts the WebGPU backend (adapter and device requests are asynchronous, so it cannot be created on
 * first use like the CPU backends) and registers it as "webgpu". Returns it, or undefined when this
 * environment has no WebGPU adapter. `setBackend("webgpu")` then makes it the default. In Node, use
 * `initWebGPU` from "ganglion/node", which supplies the GPU from the `webgpu` package.
 */
export async function initWebGPU(opts: WebGPUOptions = {}): Promise<WebGPUBackend | undefined> {
  if (webgpu) return webgpu;
  const b = await createWebGPUBackend(opts);
  if (!b) return undefined;
  webgpu = b;
  registerBackend("webgpu", () => b, 20);
  return b;
}
