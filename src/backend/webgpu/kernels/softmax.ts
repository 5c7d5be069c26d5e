/** PLACEHOLDER: being written this session (WebGPU issue 11). */
import { GanglionError } from "../../../core/index.js";
import type { GpuKernel } from "../types.js";
import type { PrimOp } from "../../ops.js";
const todo = <K extends PrimOp>(op: K): GpuKernel<K> => () => { throw new GanglionError(`webgpu: ${op} is not implemented yet`); };
export const logSoftmaxKernel = todo("logSoftmax");
export const softmaxCrossEntropyKernel = todo("softmaxCrossEntropy");
export const softmaxKernel = todo("softmax");
