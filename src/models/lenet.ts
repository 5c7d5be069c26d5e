/**
 * LeNet-5 (LeCun, Bottou, Bengio & Haffner 1998, "Gradient-Based Learning Applied to Document
 * Recognition", Proc. IEEE 86(11), http://yann.lecun.com/exdb/publis/pdf/lecun-98.pdf):
 *
 *   [1,32,32] → C1 conv5×5(6) → tanh → S2 pool2 → [6,14,14] → C3 conv5×5(16) → tanh → S4 pool2 → [16,5,5]
 *             → C5 conv5×5(120) → tanh → [120,1,1] → F6 linear(84) → tanh → output linear(classes)
 *
 * 61,706 parameters for 10 classes. On 28×28 MNIST the first convolution pads by 2 (as the paper's
 * 32×32 inputs were the 28×28 digits centred with a 2-pixel border).
 *
 * NOTE: simplifications of the paper, as in every modern re-implementation: C3 connects to all six S2
 * maps (the paper's sparse connection table has 1,516 weights instead of 2,416), the subsampling layers
 * are plain average (or max) pooling without their trainable coefficient and bias, the squashing
 * function is tanh (or ReLU) rather than 1.7159·tanh(2a/3), and the output is a linear layer trained with
 * cross-entropy instead of Euclidean RBF units.
 */
import { ValueError } from "../core/index.js";
import * as nn from "../nn/index.js";
import { checkCount, scaled, zooDefaults, type ZooOptions } from "./common.js";

export interface LeNetOptions extends ZooOptions {
  /** Input height = width (default 28; 32 for the paper's padded digits). */
  readonly imageSize?: number;
  /** Zero padding of C1 (default: 2 for 28×28 inputs, else 0). */
  readonly padding?: number;
  readonly activation?: "tanh" | "relu";
  readonly pool?: "avg" | "max";
}

/**
 * LeNet-5 as a Sequential, children "0".."11": 0 C1, 1 act, 2 S2, 3 C3, 4 act, 5 S4, 6 C5, 7 act,
 * 8 flatten, 9 F6, 10 act, 11 output — the indices a PyTorch `nn.Sequential` of the same layers has.
 */
export function lenet5(o: LeNetOptions = {}): nn.Sequential {
  const { classes, inChannels, width, rng } = zooDefaults("lenet5", o, 10, 1);
  const size = checkCount("lenet5", "imageSize", o.imageSize ?? 28);
  const padding = o.padding ?? (size === 28 ? 2 : 0);
  const act = (): nn.Module => (o.activation === "relu" ? nn.relu() : nn.tanh());
  const pool = (): nn.Module => (o.pool === "max" ? nn.maxPool2d(2) : nn.avgPool2d(2));
  const [c1, c3, c5, f6] = [6, 16, 120, 84].map((c) => scaled(c, width));
  // Spatial size after C1, S2, C3, S4, C5 (5×5 valid convolutions, 2×2 pooling).
  const s4 = Math.floor((Math.floor((size + 2 * padding - 4) / 2) - 4) / 2);
  const s5 = s4 - 4;
  if (s5 < 1) throw new ValueError(`lenet5: a ${size}×${size} input (padding ${padding}) is too small: C5 would be ${s5}×${s5}`);
  return nn.sequential(
    nn.conv2d(inChannels, c1, 5, { padding, rng }), act(), pool(),
    nn.conv2d(c1, c3, 5, { rng }), act(), pool(),
    nn.conv2d(c3, c5, 5, { rng }), act(),
    nn.flatten(), nn.linear(c5 * s5 * s5, f6, { rng }), act(), nn.linear(f6, classes, { rng }),
  );
}
