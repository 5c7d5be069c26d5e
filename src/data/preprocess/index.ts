/**
 * Preprocessing fitted on the training split and saved with the model: mean image (AlexNet),
 * per-channel mean (VGG) and mean/std, PCA and ZCA whitening (own Jacobi eigensolver), all
 * JSON-serializable; plus plot-ready principal components for the dashboard.
 */
export * from "./types.js";
export * from "./eig.js";
export * from "./stats.js";
export * from "./normalize.js";
export * from "./pca.js";
export * from "./components.js";
export * from "./serialize.js";
