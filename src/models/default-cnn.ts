/**
 * The main job's default CNN: two conv-BN-ReLU-pool blocks and a linear classifier — small enough to
 * train on two CPU cores in minutes, deep enough for > 99% on MNIST digits.
 *   [C,28,28] → conv5×5(32, pad 2) → BN → ReLU → maxpool2 → [32,14,14]
 *             → conv5×5(64, pad 2) → BN → ReLU → maxpool2 → [64,7,7] → dropout → linear(3136 → classes)
 */
import { defaultRng, type Rng } from "../core/index.js";
import * as nn from "../nn/index.js";

export interface DefaultCnnOptions {
  readonly inChannels?: number;
  readonly classes?: number;
  readonly width?: number;
  readonly imageSize?: number;
  readonly dropout?: number;
  readonly rng?: Rng;
}

export function defaultCnn({ inChannels = 1, classes = 10, width = 32, imageSize = 28, dropout = 0.25, rng = defaultRng() }: DefaultCnnOptions = {}): nn.Sequential {
  const w1 = width, w2 = 2 * width;
  const s = Math.floor(Math.floor(imageSize / 2) / 2);
  return nn.sequential(
    nn.conv2d(inChannels, w1, 5, { padding: 2, bias: false, rng }), nn.batchNorm2d(w1), nn.relu(), nn.maxPool2d(2),
    nn.conv2d(w1, w2, 5, { padding: 2, bias: false, rng }), nn.batchNorm2d(w2), nn.relu(), nn.maxPool2d(2),
    nn.flatten(), nn.dropout(dropout, { rng }), nn.linear(w2 * s * s, classes, { rng }),
  );
}
