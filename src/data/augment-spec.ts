/**
 * Augmentation as data: a JSON-able list of steps that can cross a thread boundary (functions cannot),
 * turned into an Augmentation pipeline wherever it runs — in the main thread or a loader worker.
 */
import { ValueError } from "../core/index.js";
import {
  colorJitter, compose, cutout, randomAffine, randomCrop, randomErasing, randomHorizontalFlip, randomRotation,
  type Augmentation, type ColorJitterOptions, type CutoutOptions, type RandomErasingOptions,
} from "./augment/index.js";

export type AugmentStep =
  | { readonly op: "randomCrop"; readonly padding?: number }
  | { readonly op: "randomHorizontalFlip"; readonly p?: number }
  | { readonly op: "cutout"; readonly options: CutoutOptions }
  | { readonly op: "randomErasing"; readonly options?: RandomErasingOptions }
  | { readonly op: "colorJitter"; readonly options: ColorJitterOptions }
  | { readonly op: "randomRotation"; readonly degrees: number }
  | { readonly op: "randomTranslate"; readonly fraction: number };

export type AugmentSpec = readonly AugmentStep[];

export function buildAugmentation(spec: AugmentSpec): Augmentation {
  return compose(
    spec.map((s): Augmentation => {
      switch (s.op) {
        case "randomCrop":
          return randomCrop({ padding: s.padding ?? 0 });
        case "randomHorizontalFlip":
          return randomHorizontalFlip({ p: s.p ?? 0.5 });
        case "cutout":
          return cutout(s.options);
        case "randomErasing":
          return randomErasing(s.options);
        case "colorJitter":
          return colorJitter(s.options);
        case "randomRotation":
          return randomRotation({ degrees: s.degrees });
        case "randomTranslate":
          return randomAffine({ translate: [s.fraction, s.fraction] });
        default:
          throw new ValueError(`augmentation: unknown step ${JSON.stringify(s satisfies never)}`);
      }
    }),
  );
}
