/** Pooling and dropout layers. */
import { ValueError, defaultRng, type Pair, type Rng } from "../../core/index.js";
import { avgPool2d, maxPool2d, type Tensor } from "../../tensor/index.js";
import * as F from "../functional/index.js";
import { Module } from "../module.js";

export interface PoolOptions {
  readonly stride?: number | Pair;
  readonly padding?: number | Pair;
}

export class MaxPool2d extends Module {
  constructor(readonly kernelSize: number | Pair, readonly options: PoolOptions = {}) { super(); }
  forward(x: Tensor): Tensor { return maxPool2d(x, this.kernelSize, this.options); }
}
export class AvgPool2d extends Module {
  constructor(readonly kernelSize: number | Pair, readonly options: PoolOptions & { countIncludePad?: boolean } = {}) { super(); }
  forward(x: Tensor): Tensor { return avgPool2d(x, this.kernelSize, this.options); }
}
/** Global (outputSize 1) or adaptive average pooling. */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: number | Pair = 1) { super(); }
  forward(x: Tensor): Tensor { return F.adaptiveAvgPool2d(x, this.outputSize); }
}
/** Inverted dropout; identity in eval mode. */
export class Dropout extends Module {
  readonly #rng: Rng;
  constructor(readonly p = 0.5, { rng = defaultRng() }: { rng?: Rng } = {}) {
    super();
    this.#rng = rng;
    if (!(p >= 0 && p < 1)) throw new ValueError(`Dropout: p must be in [0, 1), got ${p}`);
  }
  forward(x: Tensor): Tensor { return F.dropout(x, this.p, this.training, this.#rng); }
}

/**
 * Fractional max-pooling (Graham 2014, https://arxiv.org/abs/1412.6071): shrinks H and W by a
 * non-integer ratio with random (training) or fixed (eval) pooling regions; see
 * `functional.fractionalMaxPool2d` for the region sequences. Parameter-free. `rng` is public so a test
 * can re-seed it.
 * @example new FractionalMaxPool2d({ outputRatio: 1 / Math.SQRT2 }) // 32×32 → 22×22
 */
export class FractionalMaxPool2d extends Module {
  rng: Rng;
  readonly options: Omit<F.FractionalMaxPoolOptions, "training" | "rng">;
  constructor({ rng = defaultRng(), ...options }: Omit<F.FractionalMaxPoolOptions, "training">) {
    super();
    if ((options.outputSize === undefined) === (options.outputRatio === undefined)) {
      throw new ValueError("FractionalMaxPool2d: give exactly one of outputSize and outputRatio");
    }
    this.rng = rng;
    this.options = options;
  }
  forward(x: Tensor): Tensor {
    return F.fractionalMaxPool2d(x, { ...this.options, training: this.training, rng: this.rng });
  }
}
