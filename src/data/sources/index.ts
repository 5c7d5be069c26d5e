/**
 * Data sources that run anywhere (bytes in, typed arrays out). Node-only loaders that read files
 * (loadFashionMnist, loadMnistDigits, loadCifar10, loadImageFolder, ...) are in `index.node.ts`.
 */
export * from "./types.js";
export * from "./idx.js";
export * from "./cifar.js";
export * from "./mnist-digits.js";
export * from "./image.js";
export * from "./image-check.js";
export * from "./split.js";
export * from "./synthetic.js";
