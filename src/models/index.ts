/**
 * L8: models — the zoo (each an nn.Module factory), ensembles and transfer-learning helpers.
 *
 * | builder | paper | params (1000 classes unless noted) |
 * | --- | --- | --- |
 * | `defaultCnn` (3 stages of conv3×3-BN-ReLU-pool) | the main job's model | 61,042 (10 classes) |
 * | `classicCnn` (2 stages of conv5×5-BN-ReLU-pool) | the earlier main-job model | 83,562 (10 classes) |
 * | `lenet5` | LeCun et al. 1998 | 61,706 (10 classes) |
 * | `alexnet`, `alexnetCifar` | Krizhevsky et al. 2012 | 61,100,840; CIFAR 5,871,434 (10) |
 * | `vgg` (11/13/16/19, ±BN) | Simonyan & Zisserman 2014 | VGG-16 138,357,544 |
 * | `googlenet` | Szegedy et al. 2014 | 6,624,904 (no aux heads) |
 * | `resnet18/34/50` | He et al. 2015/2016 | 11,689,512 / 21,797,672 / 25,557,032 |
 * | `resnet20/32/56` (CIFAR, option A) | He et al. 2016 §4.2 | 269,722 / 464,154 / 853,018 (10) |
 *
 * State-dict keys equal torchvision's, so its weights (saved as safetensors) load with loadStateDict.
 */
export { defaultCnn, classicCnn, type DefaultCnnOptions, type ClassicCnnOptions } from "./default-cnn.js";
export {
  scaled, ceilModeExtra, CeilModePad, MaxPool2dCeil, hasHead, heInit, countParameters,
  type ZooOptions, type HasHead,
} from "./common.js";
export { lenet5, type LeNetOptions } from "./lenet.js";
export { alexnet, alexnetCifar, type AlexNetOptions } from "./alexnet.js";
export {
  vgg, vgg11, vgg13, vgg16, vgg19, vgg11Bn, vgg13Bn, vgg16Bn, vgg19Bn, VGG_CONFIGS, type VggDepth, type VggOptions,
} from "./vgg.js";
export {
  GoogLeNet, googlenet, BasicConv2d, Inception, InceptionAux,
  type GoogLeNetOptions, type GoogLeNetOutputs, type InceptionChannels,
} from "./googlenet.js";
export {
  ResNet, BasicBlock, Bottleneck, ZeroPadShortcut, resnet, resnet18, resnet34, resnet50, resnetCifar, resnet20, resnet32, resnet56,
  type ResNetSpec, type ResNetOptions, type CifarResNetOptions, type ResNetDepth, type BlockKind,
} from "./resnet.js";
export { ZOO, ZOO_BUILDERS, type ZooBuilder, type ZooEntry } from "./registry.js";
export {
  Ensemble, averagePredictions, copyStateDict, disposeStateDict, cycleEnds, SnapshotCollector, trainSnapshotEnsemble, trainSnapshotEnsembleAsync,
  hflip, shift, tenCropViews, TestTimeAugmentation,
  type EnsembleMode, type EnsembleOptions, type Snapshot, type SnapshotFitArgs, type SnapshotEnsembleOptions,
  type SnapshotEnsembleResult, type TtaView,
} from "./ensemble.js";
export {
  transferStrategy, loadPretrained, loadBackbone, headPath, replaceHead, freezeBackbone, unfreeze, trainableParameters,
  fineTuneParamGroups,
} from "./transfer.js";
