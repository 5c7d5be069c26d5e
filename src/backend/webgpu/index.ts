/** The WebGPU backend (WGSL kernels, pooled buffers, batched command encoding, async readback). */
export { WebGPUBackend, type WebGPUBackendInfo } from "./backend.js";
export { createWebGPUBackend, describeAdapter, type WebGPUOptions } from "./device.js";
