/**
 * CIFAR-10 / CIFAR-100 binary format (Krizhevsky 2009, "Learning Multiple Layers of Features from Tiny
 * Images", https://www.cs.toronto.edu/~kriz/cifar.html). A file is a sequence of fixed-size records:
 *
 * - CIFAR-10:  1 label byte (0..9)                      + 3072 pixel bytes = 3073 bytes
 * - CIFAR-100: 1 coarse label byte (0..19) + 1 fine (0..99) + 3072 pixel bytes = 3074 bytes
 *
 * The 3072 pixel bytes are the red 32×32 plane, then green, then blue, each row-major: exactly one
 * CHW image, so records are copied as they are into NCHW. Works on bytes only (runs in browsers).
 */
import { FormatError, ValueError } from "../../core/index.js";
import { type ImageSet, formatError } from "./types.js";

export const CIFAR_PIXELS = 3 * 32 * 32;

/** batches.meta.txt of the CIFAR-10 binary version, in label order. */
export const CIFAR10_CLASSES: readonly string[] = [
  "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
];

/** coarse_label_names.txt of the CIFAR-100 binary version (20 superclasses). */
export const CIFAR100_COARSE_CLASSES: readonly string[] = [
  "aquatic_mammals", "fish", "flowers", "food_containers", "fruit_and_vegetables", "household_electrical_devices",
  "household_furniture", "insects", "large_carnivores", "large_man-made_outdoor_things", "large_natural_outdoor_scenes",
  "large_omnivores_and_herbivores", "medium_mammals", "non-insect_invertebrates", "people", "reptiles", "small_mammals",
  "trees", "vehicles_1", "vehicles_2",
];

/** fine_label_names.txt of the CIFAR-100 binary version (100 classes, alphabetical). */
export const CIFAR100_FINE_CLASSES: readonly string[] = [
  "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle", "bowl", "boy",
  "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar", "cattle", "chair", "chimpanzee", "clock",
  "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur", "dolphin", "elephant", "flatfish", "forest",
  "fox", "girl", "hamster", "house", "kangaroo", "keyboard", "lamp", "lawn_mower", "leopard", "lion", "lizard",
  "lobster", "man", "maple_tree", "motorcycle", "mountain", "mouse", "mushroom", "oak_tree", "orange", "orchid",
  "otter", "palm_tree", "pear", "pickup_truck", "pine_tree", "plain", "plate", "poppy", "porcupine", "possum",
  "rabbit", "raccoon", "ray", "road", "rocket", "rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper",
  "snail", "snake", "spider", "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone",
  "television", "tiger", "tractor", "train", "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf",
  "woman", "worm",
];

export type Cifar100LabelKind = "fine" | "coarse";

export interface CifarRecords {
  /** NCHW, [n, 3, 32, 32], 0..255. */
  images: Uint8Array;
  labels: Int32Array;
}

interface RecordLayout {
  /** Label bytes before the pixels: 1 (CIFAR-10) or 2 (CIFAR-100). */
  labelBytes: 1 | 2;
  /** Which label byte becomes the label. */
  labelIndex: 0 | 1;
  /** Exclusive upper bound of each label byte. */
  labelLimits: readonly number[];
  labelNames: readonly string[];
  format: string;
}

function parseRecords(bytes: Uint8Array, file: string, L: RecordLayout): CifarRecords {
  const rec = L.labelBytes + CIFAR_PIXELS;
  if (bytes.length === 0) throw formatError(file, 0, `empty file: expected ${L.format} records of ${rec} bytes`);
  if (bytes.length % rec !== 0) {
    const whole = Math.floor(bytes.length / rec);
    throw formatError(
      file,
      whole * rec,
      `length ${bytes.length} is not a multiple of the ${L.format} record size ${rec} (${L.labelBytes} label byte${L.labelBytes > 1 ? "s" : ""} + 3072 pixels): ` +
        `${whole} whole records, then ${bytes.length - whole * rec} stray bytes from this offset (expected ${rec})`,
    );
  }
  const n = bytes.length / rec;
  const images = new Uint8Array(n * CIFAR_PIXELS);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const at = i * rec;
    for (let b = 0; b < L.labelBytes; b++) {
      const v = bytes[at + b];
      if (v >= L.labelLimits[b]) {
        throw formatError(file, at + b, `record ${i}: ${L.labelNames[b]} label byte ${v} is out of range: expected 0..${L.labelLimits[b] - 1}`);
      }
    }
    labels[i] = bytes[at + L.labelIndex];
    images.set(bytes.subarray(at + L.labelBytes, at + rec), i * CIFAR_PIXELS);
  }
  return { images, labels };
}

/** Parses one CIFAR-10 binary batch (e.g. data_batch_1.bin: 10,000 records of 3073 bytes). */
export function parseCifar10(bytes: Uint8Array, file: string): CifarRecords {
  return parseRecords(bytes, file, { labelBytes: 1, labelIndex: 0, labelLimits: [10], labelNames: ["class"], format: "CIFAR-10" });
}

/** Parses a CIFAR-100 binary file (train.bin / test.bin: records of 3074 bytes, coarse then fine label). */
export function parseCifar100(bytes: Uint8Array, file: string, labelKind: Cifar100LabelKind): CifarRecords {
  if (labelKind !== "fine" && labelKind !== "coarse") {
    throw new ValueError(`parseCifar100: labelKind must be "fine" or "coarse", got ${JSON.stringify(labelKind)}`);
  }
  return parseRecords(bytes, file, {
    labelBytes: 2,
    labelIndex: labelKind === "coarse" ? 0 : 1,
    labelLimits: [20, 100],
    labelNames: ["coarse", "fine"],
    format: "CIFAR-100",
  });
}

/**
 * Parses a label-names file (batches.meta.txt, fine_label_names.txt, ...): one name per line, blank
 * lines ignored. `expected` is the required count.
 */
export function parseLabelNames(text: string, file: string, expected: number): string[] {
  const names = text.split(/\r?\n/).map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length !== expected) {
    throw new FormatError(`${file}: expected ${expected} class names (one per line), found ${names.length}`);
  }
  return names;
}

/** Concatenates record sets (the five CIFAR-10 training batches) into one ImageSet. */
export function concatCifar(parts: readonly CifarRecords[], classes: string[]): ImageSet {
  const n = parts.reduce((s, p) => s + p.labels.length, 0);
  const images = new Uint8Array(n * CIFAR_PIXELS);
  const labels = new Int32Array(n);
  let at = 0;
  for (const p of parts) {
    images.set(p.images, at * CIFAR_PIXELS);
    labels.set(p.labels, at);
    at += p.labels.length;
  }
  return { images, labels, shape: [n, 3, 32, 32], classes };
}
