/**
 * Node-only CIFAR loading from a directory the user names (the extracted binary tarballs
 * cifar-10-binary.tar.gz / cifar-100-binary.tar.gz; nothing is downloaded at run time). `dir` may be
 * the folder holding the .bin files or its parent (holding `cifar-10-batches-bin/` or `cifar-100-binary/`).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FormatError } from "../../core/index.js";
import {
  CIFAR100_COARSE_CLASSES, CIFAR100_FINE_CLASSES, CIFAR10_CLASSES, type Cifar100LabelKind,
  concatCifar, parseCifar10, parseCifar100, parseLabelNames,
} from "./cifar.js";
import { readFileBytes } from "./files.node.js";
import { type ImageSet, type Split, checkSplit } from "./types.js";

function resolveDir(dir: string, sub: string, probe: string, how: string): string {
  if (existsSync(join(dir, probe))) return dir;
  if (existsSync(join(dir, sub, probe))) return join(dir, sub);
  throw new FormatError(`${join(dir, probe)}: not found (also looked in ${join(dir, sub)}). ${how}`);
}

function namesOr(file: string, fallback: readonly string[]): string[] {
  return existsSync(file) ? parseLabelNames(readFileSync(file, "utf8"), file, fallback.length) : [...fallback];
}

export interface Cifar10Options {
  dir: string;
  split: Split;
}

/**
 * Loads CIFAR-10: "train" = data_batch_1.bin … data_batch_5.bin (50,000 images), "test" =
 * test_batch.bin (10,000). Shape [n, 3, 32, 32], Uint8Array 0..255; class names from
 * batches.meta.txt when present.
 */
export function loadCifar10({ dir, split }: Cifar10Options): ImageSet {
  checkSplit("loadCifar10", split);
  const files = split === "train" ? [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`) : ["test_batch.bin"];
  const how = "Download the binary version (https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz), extract it and pass the directory: loadCifar10({ dir, split }).";
  const root = resolveDir(dir, "cifar-10-batches-bin", files[0], how);
  const parts = files.map((f) => {
    const path = join(root, f);
    if (!existsSync(path)) throw new FormatError(`${path}: not found. ${how}`);
    return parseCifar10(readFileBytes(path), path);
  });
  return concatCifar(parts, namesOr(join(root, "batches.meta.txt"), CIFAR10_CLASSES));
}

export interface Cifar100Options {
  dir: string;
  split: Split;
  /** "fine" (100 classes, default) or "coarse" (20 superclasses). */
  labelKind?: Cifar100LabelKind;
}

/**
 * Loads CIFAR-100: train.bin (50,000) or test.bin (10,000), labels fine (100) or coarse (20). Shape
 * [n, 3, 32, 32], Uint8Array 0..255; names from fine_label_names.txt / coarse_label_names.txt.
 */
export function loadCifar100({ dir, split, labelKind = "fine" }: Cifar100Options): ImageSet {
  checkSplit("loadCifar100", split);
  const file = split === "train" ? "train.bin" : "test.bin";
  const how = "Download the binary version (https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz), extract it and pass the directory: loadCifar100({ dir, split }).";
  const root = resolveDir(dir, "cifar-100-binary", file, how);
  const path = join(root, file);
  const recs = parseCifar100(readFileBytes(path), path, labelKind);
  const classes =
    labelKind === "fine"
      ? namesOr(join(root, "fine_label_names.txt"), CIFAR100_FINE_CLASSES)
      : namesOr(join(root, "coarse_label_names.txt"), CIFAR100_COARSE_CLASSES);
  return concatCifar([recs], classes);
}
