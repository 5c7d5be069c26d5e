/**
 * Device acquisition: an adapter from `gpu` (navigator.gpu in browsers; the `webgpu` package's GPU in
 * Node, see src/node.ts), chosen by power preference, and a device with the limits the kernels want
 * requested explicitly (the defaults are the WebGPU minimums: 16 KiB workgroup storage, 128 MiB
 * bindings), capped at what the adapter offers.
 */
import { GanglionError } from "../../core/index.js";
import { WebGPUBackend } from "./backend.js";

export interface WebGPUOptions {
  /** The GPU object to use (default: `navigator.gpu`). */
  readonly gpu?: GPU;
  /** Adapter choice (default "high-performance"). */
  readonly powerPreference?: GPUPowerPreference;
  /**
   * Sleep on a timer before waiting on a read's mapping (see GpuContext.waitMapped): for GPU objects
   * whose mapAsync polls from the event loop, as Node's `webgpu` package does (ganglion/node sets it).
   */
  readonly sleepBeforeMap?: boolean;
}

const WANTED_LIMITS = [
  "maxComputeWorkgroupStorageSize",
  "maxStorageBufferBindingSize",
  "maxBufferSize",
  "maxComputeInvocationsPerWorkgroup",
  "maxComputeWorkgroupSizeX",
  "maxComputeWorkgroupSizeY",
  "maxStorageBuffersPerShaderStage",
] as const;

/** Describes an adapter in one line (vendor, architecture, device, description; whichever exist). */
export function describeAdapter(adapter: GPUAdapter): string {
  const i = adapter.info;
  const parts = [i?.vendor, i?.architecture, i?.device, i?.description].filter((s): s is string => typeof s === "string" && s.length > 0);
  return parts.length > 0 ? [...new Set(parts)].join(" / ") : "unknown adapter";
}

/** Returns a WebGPU backend, or undefined when this environment has no WebGPU adapter. */
export async function createWebGPUBackend({ gpu, powerPreference = "high-performance", sleepBeforeMap = false }: WebGPUOptions = {}): Promise<WebGPUBackend | undefined> {
  const g = gpu ?? (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!g) return undefined;
  const adapter = await g.requestAdapter({ powerPreference });
  if (!adapter) return undefined;
  const requiredLimits: Record<string, number> = {};
  for (const k of WANTED_LIMITS) requiredLimits[k] = adapter.limits[k];
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits });
  } catch (e) {
    throw new GanglionError(`webgpu: requestDevice failed on ${describeAdapter(adapter)}: ${(e as Error).message}`);
  }
  const backend = new WebGPUBackend(device, { adapter: describeAdapter(adapter) }, [g, adapter]);
  backend.ctx.sleepBeforeMap = sleepBeforeMap;
  return backend;
}
