/**
 * Seeded counter-based RNG: Philox-4x32-10 (Salmon et al. 2011, "Parallel random numbers: as easy as
 * 1, 2, 3", https://doi.org/10.1145/2063384.2063405). Counter-based means the stream is a pure
 * function of (key, counter): reproducible across runs and backends, cheap to save in a checkpoint
 * (two numbers), and splittable (`fork`) without correlation.
 *
 * All random tensors are generated here on the host and uploaded, so every backend sees the same values.
 */
import { ValueError } from "./errors.js";

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the unsigned 64-bit product a*b. */
function mulhi(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const lolo = aLo * bLo;
  const lohi = aLo * bHi;
  const hilo = aHi * bLo;
  const hihi = aHi * bHi;
  const mid = (lolo >>> 16) + (lohi & 0xffff) + (hilo & 0xffff);
  return (hihi + (lohi >>> 16) + (hilo >>> 16) + (mid >>> 16)) >>> 0;
}

/** One Philox-4x32-10 block: 4 random uint32 from a 128-bit counter and a 64-bit key. */
export function philox4x32(ctr: Uint32Array, k0: number, k1: number, out: Uint32Array): void {
  let c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
  for (let r = 0; r < 10; r++) {
    const hi0 = mulhi(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

export interface RngState {
  readonly seed: number;
  readonly stream: number;
  readonly counter: number;
}

/** A Philox stream. `counter` counts 4-word blocks consumed, so the state is two small integers. */
export class Rng {
  readonly seed: number;
  readonly stream: number;
  #counter = 0;
  #ctr = new Uint32Array(4);
  #out = new Uint32Array(4);

  constructor(seed = 0, stream = 0) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new ValueError(`Rng: seed must be an integer in [0, 2^32), got ${seed}`);
    }
    this.seed = seed;
    this.stream = stream >>> 0;
  }

  get state(): RngState {
    return { seed: this.seed, stream: this.stream, counter: this.#counter };
  }

  /** Restores a saved position of this stream (checkpoint resume); seed and stream must match. */
  setState(s: RngState): void {
    if (s.seed !== this.seed || s.stream !== this.stream) {
      throw new ValueError(`Rng.setState: state of stream (seed ${s.seed}, stream ${s.stream}) does not belong to (seed ${this.seed}, stream ${this.stream})`);
    }
    this.#counter = s.counter;
  }

  static fromState(s: RngState): Rng {
    const r = new Rng(s.seed, s.stream);
    r.#counter = s.counter;
    return r;
  }

  /** A new independent stream derived from this one (consumes one block). */
  fork(): Rng {
    const w = this.uint32(2);
    return new Rng(w[0], w[1]);
  }

  /** n uniformly distributed 32-bit unsigned integers. */
  uint32(n: number): Uint32Array {
    const res = new Uint32Array(n);
    for (let i = 0; i < n; i += 4) {
      this.#ctr[0] = this.#counter >>> 0;
      this.#ctr[1] = Math.floor(this.#counter / 0x100000000) >>> 0;
      this.#ctr[2] = this.stream;
      this.#ctr[3] = 0;
      philox4x32(this.#ctr, this.seed, 0x6a09e667, this.#out);
      this.#counter++;
      for (let j = 0; j < 4 && i + j < n; j++) res[i + j] = this.#out[j];
    }
    return res;
  }

  /** n floats uniform in [low, high): 24 random mantissa bits, so exactly representable in float32. */
  uniform(n: number, low = 0, high = 1): Float32Array {
    const u = this.uint32(n);
    const res = new Float32Array(n);
    const scale = (high - low) / 16777216;
    for (let i = 0; i < n; i++) res[i] = low + (u[i] >>> 8) * scale;
    return res;
  }

  /** n normal samples (Box–Muller on pairs of uniforms in (0, 1)). */
  normal(n: number, mean = 0, std = 1): Float32Array {
    const u = this.uint32(n + (n & 1));
    const res = new Float32Array(n);
    for (let i = 0; i < n; i += 2) {
      const u1 = ((u[i] >>> 8) + 0.5) / 16777216;
      const u2 = ((u[i + 1] >>> 8) + 0.5) / 16777216;
      const r = Math.sqrt(-2 * Math.log(u1));
      res[i] = mean + std * r * Math.cos(2 * Math.PI * u2);
      if (i + 1 < n) res[i + 1] = mean + std * r * Math.sin(2 * Math.PI * u2);
    }
    return res;
  }

  /** n integers uniform in [low, high). */
  randint(n: number, low: number, high: number): Int32Array {
    if (!(Number.isInteger(low) && Number.isInteger(high) && high > low)) {
      throw new ValueError(`Rng.randint: need integers low < high, got low=${low} high=${high}`);
    }
    const u = this.uint32(n);
    const res = new Int32Array(n);
    const span = high - low;
    for (let i = 0; i < n; i++) res[i] = low + Math.floor((u[i] / 4294967296) * span);
    return res;
  }

  /** One float in [0, 1). */
  next(): number {
    return this.uniform(1)[0];
  }

  /** A seeded Fisher–Yates permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    const u = this.uint32(n);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor((u[i] / 4294967296) * (i + 1));
      const t = p[i]; p[i] = p[j]; p[j] = t;
    }
    return p;
  }
}

let globalRng = new Rng(0);

/** Seeds the default generator used when no `rng` option is given (like `torch.manual_seed`). */
export function manualSeed(seed: number): void {
  globalRng = new Rng(seed);
}

export function defaultRng(): Rng {
  return globalRng;
}
