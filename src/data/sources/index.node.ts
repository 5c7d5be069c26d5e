/** Everything in `index.ts` plus the Node-only loaders (fs, node:zlib, image decoders). */
export * from "./index.js";
export * from "./files.node.js";
export * from "./idx.node.js";
export * from "./fashion-mnist.node.js";
export * from "./mnist-digits.node.js";
export * from "./cifar.node.js";
export * from "./image-folder.node.js";
