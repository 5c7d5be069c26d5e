/**
 * Preprocessing fitted on the training split and saved with the model: mean image (AlexNet),
 * per-channel mean (VGG) and mean/std, PCA and ZCA whitening (own Jacobi eigensolver), all
 * JSON-serializable; plus plot-ready principal components for the dashboard.
 */
export type { FeatureBatch, Preprocessor, Samples } from "./types.js";
export { symmetricEigen, type EigenOptions, type SymmetricEigen } from "./eig.js";
export { channelMoments, covariance, featureMean, type CovarianceOptions } from "./stats.js";
export {
  ChannelNormalize, MeanImage, Scale, fitChannelMean, fitChannelNormalize, fitMeanImage, scale,
  type ChannelMeanState, type ChannelNormalizeOptions, type ChannelNormalizeState, type MeanImageState, type ScaleState,
} from "./normalize.js";
export { Pca, Zca, fitPca, fitZca, type PcaOptions, type PcaState, type ZcaOptions, type ZcaState } from "./pca.js";
export { fitColorPca, principalComponentImages, type ColorPca, type ComponentImage, type PrincipalComponentDump } from "./components.js";
export { Chain, chain, preprocessorFromJSON, type AnyPreprocessor, type ChainState, type PreprocessorState } from "./serialize.js";
