/** L6: data — sources (bytes in, typed arrays out), datasets, loaders, preprocessing, augmentation. */
export * from "./sources/index.js";
export * from "./dataset.js";
export * from "./loader.js";
export * from "./preprocess/index.js";
export * from "./augment/index.js";
export * from "./augment-spec.js";
