/** The WebAssembly SIMD CPU backend: kernels emitted from TypeScript at load time, worker threads over shared memory. */
export { WasmBackend, type WasmBackendOptions } from "./backend.js";
export { wasmAvailable, relaxedSimdAvailable, sharedMemoryAvailable, canBlockThread } from "./features.js";
