/**
 * `ganglion/node`: the Node-only parts — file I/O (safetensors, atomic checkpoints) and dataset loaders
 * that read files (Fashion-MNIST, MNIST digits from the `mnist` package, CIFAR, image folders).
 */
export * from "./io/index.node.js";
export * from "./data/sources/index.node.js";
