/** nn.functional: the math of layers and losses as functions of tensors. */
export * from "./activation.js";
export * from "./loss.js";
export * from "./norm.js";
export * from "./pool.js";
export * from "./fractional.js";
export { conv2d, maxPool2d, avgPool2d, softmax, logSoftmax, matmul } from "../../tensor/index.js";
