/** Everything in `index.ts` plus the Node-only loaders (fs, node:zlib, image decoders). */
export * from "./index.js";
export { firstExisting, readFileBytes, readMaybeGzip, type FileBytes } from "./files.node.js";
export { loadIdx, readIdxFile } from "./idx.node.js";
export {
  FASHION_MNIST_CLASSES, FASHION_MNIST_DEFAULT_DIR, MNIST_CLASSES, findIdxPair, loadFashionMnist, loadMnistIdx, type IdxDatasetOptions,
} from "./fashion-mnist.node.js";
export { loadAllMnistDigits, loadMnistDigits } from "./mnist-digits.node.js";
export { loadCifar10, loadCifar100, type Cifar100Options, type Cifar10Options } from "./cifar.node.js";
export { decodeImage, listImageFolder, loadImageFolder, type ImageFolderOptions } from "./image-folder.node.js";
