/**
 * AlexNet (Krizhevsky, Sutskever & Hinton 2012, "ImageNet Classification with Deep Convolutional Neural
 * Networks", NeurIPS, https://papers.nips.cc/paper/4824): five convolutions (11×11 stride 4 first),
 * overlapping 3×3 stride-2 max pooling, ReLU, two dropout-regularized 4096-unit layers.
 *
 * The ImageNet builder has torchvision's shapes and names, which follow the single-tower variant of
 * Krizhevsky 2014 ("One weird trick for parallelizing convolutional neural networks",
 * https://arxiv.org/abs/1404.5997: 64-192-384-256-256 filters, no grouped convolutions, no local
 * response normalization) plus an adaptive 6×6 average pool so any input ≥ 63×63 works:
 *
 *   features:   0 conv11×11/4 p2 (64) 1 ReLU 2 maxpool3/2  3 conv5×5 p2 (192) 4 ReLU 5 maxpool3/2
 *               6 conv3×3 (384) 7 ReLU 8 conv3×3 (256) 9 ReLU 10 conv3×3 (256) 11 ReLU 12 maxpool3/2
 *   avgpool:    adaptive 6×6;  flatten
 *   classifier: 0 dropout 1 linear(9216, 4096) 2 ReLU 3 dropout 4 linear(4096, 4096) 5 ReLU 6 linear(4096, classes)
 *
 * 61,100,840 parameters for 1000 classes, keys `features.0.weight` … `classifier.6.bias` exactly as
 * torchvision's state dict. On a 224×224 input the maps are 55 → 27 → 27 → 13 → 13 → 6.
 */
import * as nn from "../nn/index.js";
import { scaled, zooDefaults, type ZooOptions } from "./common.js";

export interface AlexNetOptions extends ZooOptions {
  /** Dropout probability of the classifier (0.5 as in the paper). */
  readonly dropout?: number;
}

interface Plan {
  readonly conv1: { readonly k: number; readonly s: number; readonly p: number };
  readonly conv2k: number;
  readonly pooled: number;
  readonly hidden: number;
}

function build(name: string, o: AlexNetOptions, defaultClasses: number, plan: Plan): nn.Sequential {
  const { classes, inChannels, width, rng } = zooDefaults(name, o, defaultClasses, 3);
  const p = o.dropout ?? 0.5;
  const [c1, c2, c3, c4, c5] = [64, 192, 384, 256, 256].map((c) => scaled(c, width));
  const hidden = scaled(plan.hidden, width);
  const pool = (): nn.Module => nn.maxPool2d(3, { stride: 2 });
  const features = nn.sequential(
    nn.conv2d(inChannels, c1, plan.conv1.k, { stride: plan.conv1.s, padding: plan.conv1.p, rng }), nn.relu(), pool(),
    nn.conv2d(c1, c2, plan.conv2k, { padding: (plan.conv2k - 1) / 2, rng }), nn.relu(), pool(),
    nn.conv2d(c2, c3, 3, { padding: 1, rng }), nn.relu(),
    nn.conv2d(c3, c4, 3, { padding: 1, rng }), nn.relu(),
    nn.conv2d(c4, c5, 3, { padding: 1, rng }), nn.relu(), pool(),
  );
  const classifier = nn.sequential(
    nn.dropout(p, { rng }), nn.linear(c5 * plan.pooled * plan.pooled, hidden, { rng }), nn.relu(),
    nn.dropout(p, { rng }), nn.linear(hidden, hidden, { rng }), nn.relu(),
    nn.linear(hidden, classes, { rng }),
  );
  return nn.sequential({ features, avgpool: nn.adaptiveAvgPool2d(plan.pooled), flatten: nn.flatten(1), classifier });
}

/** AlexNet with torchvision's ImageNet shapes and state-dict keys (input 3×224×224, 1000 classes). */
export function alexnet(o: AlexNetOptions = {}): nn.Sequential {
  return build("alexnet", o, 1000, { conv1: { k: 11, s: 4, p: 2 }, conv2k: 5, pooled: 6, hidden: 4096 });
}

/**
 * AlexNet for 32×32 inputs (CIFAR-10): the same layer sequence and key names, with a 5×5 stride-1 first
 * convolution (an 11×11/4 one would leave a 7×7 map after conv1), a 3×3 adaptive pool and 1024-unit
 * hidden layers: 32 → 15 → 7 → 3 spatially, 5,871,434 parameters for 10 classes.
 */
export function alexnetCifar(o: AlexNetOptions = {}): nn.Sequential {
  return build("alexnetCifar", o, 10, { conv1: { k: 5, s: 1, p: 2 }, conv2k: 5, pooled: 3, hidden: 1024 });
}
