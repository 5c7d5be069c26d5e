/**
 * `ganglion/node`: everything in `ganglion`, plus the Node-only parts — file I/O (safetensors, atomic
 * checkpoints) and dataset loaders that read files (Fashion-MNIST, MNIST digits from the `mnist`
 * package, CIFAR, image folders). Importing it registers the backends like the main entry.
 */
export * from "./index.js";
export * from "./io/index.node.js";
export * from "./data/sources/index.node.js";
export { PrefetchLoader, type PrefetchRecipe } from "./data/prefetch.node.js";
