/**
 * Data sources that run anywhere (bytes in, typed arrays out). Node-only loaders that read files
 * (loadFashionMnist, loadMnistDigits, loadCifar10, loadImageFolder, ...) are in `index.node.ts`.
 */
export { type ImageSet, type PointSet, type Split, checkImageSet, isGzip, labelHistogram } from "./types.js";
export { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, idxImageSet, parseIdx, type IdxArray, type IdxPairOptions } from "./idx.js";
export {
  CIFAR100_COARSE_CLASSES, CIFAR100_FINE_CLASSES, CIFAR10_CLASSES, CIFAR_PIXELS, concatCifar, parseCifar10, parseCifar100,
  parseLabelNames, type Cifar100LabelKind, type CifarRecords,
} from "./cifar.js";
export { mnistDigitsFromArrays, splitMnistDigits, type MnistDigitsOptions } from "./mnist-digits.js";
export { fitWindow, resampleToChw, rgbaToChw, type FitMode, type RgbaImage } from "./image.js";
export { checkImageBytes, checkJpeg, checkPng, crc32, sniffImage, type ImageKind } from "./image-check.js";
export { gatherSamples, stratifiedSplit, type StratifiedSplit } from "./split.js";
export {
  makeBlobs, makeCircles, makeSpiral, makeXor, type BlobsOptions, type CirclesOptions, type SpiralOptions, type XorOptions,
} from "./synthetic.js";
