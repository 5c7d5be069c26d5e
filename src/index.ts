/**
 * ganglion's public entry. Registrations happen here, as explicit calls (no side-effect imports):
 * the reference backend, and the autograd engine that Tensor.backward() calls.
 */
import { registerBackend } from "./backend/index.js";
import { ReferenceBackend } from "./backend/reference/index.js";
import { WasmBackend, wasmAvailable } from "./backend/wasm/index.js";
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
export const VERSION = "0.1.0";
