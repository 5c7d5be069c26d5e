/** PLACEHOLDER: being written this session (WebGPU issue 11). */
import { GanglionError } from "../../../core/index.js";
import type { ReduceOp } from "../../ops.js";
import type { GpuKernel } from "../types.js";
export function reduceKernel<K extends ReduceOp>(op: K): GpuKernel<K> { return () => { throw new GanglionError(`webgpu: ${op} is not implemented yet`); }; }
export function argReduceKernel<K extends "argmax" | "argmin">(op: K): GpuKernel<K> { return () => { throw new GanglionError(`webgpu: ${op} is not implemented yet`); }; }
