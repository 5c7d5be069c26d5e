/**
 * Training-time augmentation on CHW float images (typed arrays, no tensors), seeded through an
 * explicit `rng` and composable: flips, padded random crops, random resized crops, color jitter,
 * PCA lighting, cutout, random erasing, small rotations/translations.
 */
export type { Augmentation, ChwImage } from "./types.js";
export {
  affine, centerCrop, cropPadded, flipHorizontal, randomAffine, randomCrop, randomHorizontalFlip, randomResizedCrop,
  randomRotation, randomTranslation, resizeWindow,
  type RandomAffineOptions, type RandomCropOptions, type RandomResizedCropOptions,
} from "./geometric.js";
export { colorJitter, pcaLighting, type ColorJitterOptions, type PcaLightingOptions } from "./color.js";
export { cutout, randomErasing, type CutoutOptions, type RandomErasingOptions } from "./erase.js";
export { asSampleTransform, augmentBatch, compose, randomApply } from "./compose.js";
