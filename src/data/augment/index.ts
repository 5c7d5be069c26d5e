/**
 * Training-time augmentation on CHW float images (typed arrays, no tensors), seeded through an
 * explicit `rng` and composable: flips, padded random crops, random resized crops, color jitter,
 * PCA lighting, cutout, random erasing, small rotations/translations.
 */
export * from "./types.js";
export * from "./geometric.js";
export * from "./color.js";
export * from "./erase.js";
export * from "./compose.js";
