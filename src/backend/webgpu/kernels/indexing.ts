/** PLACEHOLDER: being written this session (WebGPU issue 11). */
import { GanglionError } from "../../../core/index.js";
import type { GpuKernel } from "../types.js";
import type { PrimOp } from "../../ops.js";
const todo = <K extends PrimOp>(op: K): GpuKernel<K> => () => { throw new GanglionError(`webgpu: ${op} is not implemented yet`); };
export const concatKernel = todo("concat");
export const gatherKernel = todo("gather");
export const oneHotKernel = todo("oneHot");
export const padKernel = todo("pad");
export const scatterAddKernel = todo("scatterAdd");
