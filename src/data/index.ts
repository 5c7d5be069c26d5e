/** L6: data — sources (bytes in, typed arrays out), preprocessing, augmentation, loaders. */
export * from "./sources/index.js";
