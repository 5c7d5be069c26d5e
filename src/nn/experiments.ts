/**
 * The weight-initialization experiment of CS231n lecture 6 ("Training Neural Networks I"): push a batch of
 * unit Gaussian data through a deep MLP (10 layers of 500 units, no biases) and look at the
 * distribution of each layer's activations under different initializations.
 *
 *   - small random, W ~ N(0, 0.01²): each tanh layer multiplies the activation std by ≈ 0.01·√500 ≈ 0.2,
 *     so activations collapse to zero, and with them the gradients on the weights (∂L/∂W = xᵀ·∂L/∂y);
 *   - large random, W ~ N(0, 1): pre-activations have std ≈ √500 · std(x), tanh saturates at ±1 and its
 *     local gradient (1 − tanh²) is zero: nothing learns;
 *   - Xavier (Glorot & Bengio 2010, http://proceedings.mlr.press/v9/glorot10a.html), Var(W) = 1/fanIn
 *     here (2/(fanIn+fanOut) with fanIn = fanOut): keeps the variance through a linear (or tanh near 0)
 *     layer, so tanh activations stay spread over all layers;
 *   - He (He et al. 2015, https://arxiv.org/abs/1502.01852), Var(W) = 2/fanIn: ReLU zeroes half its
 *     inputs, halving the second moment, and the factor 2 restores it. With Xavier, a ReLU net's
 *     activation variance halves at every layer (std × 1/√2), so deep layers fade out.
 *
 * Both the runnable example (examples/init-activations.ts) and its test call these functions.
 */
import { ValueError, Rng } from "../core/index.js";
import { noGrad, randn, scope, type Tensor } from "../tensor/index.js";
import * as init from "../init/index.js";
import { Linear } from "./layers/linear.js";

export type ActivationInit = "small" | "large" | "xavier" | "he";
export type ActivationNonlinearity = "tanh" | "relu";

export interface ActivationStatsOptions {
  readonly layers?: number;
  readonly width?: number;
  /** Number of input examples (rows of the unit Gaussian input). */
  readonly batch?: number;
  readonly seed?: number;
}

export interface LayerActivationStats {
  /** 1-based layer index. */
  readonly layer: number;
  readonly mean: number;
  readonly std: number;
  /** Fraction of activations with |a| > 0.99 (tanh saturation). */
  readonly saturated: number;
  /** Fraction of activations exactly 0 (dead ReLUs). */
  readonly zero: number;
}

/** Fills a Linear weight [out, in] with the named initialization. */
function initWeight(w: Tensor, how: ActivationInit, rng: Rng): void {
  switch (how) {
    case "small":
      init.normal(w, { std: 0.01, rng });
      return;
    case "large":
      init.normal(w, { std: 1, rng });
      return;
    case "xavier":
      init.xavierNormal(w, { rng });
      return;
    case "he":
      init.kaimingNormal(w, { nonlinearity: "relu", rng });
      return;
    default:
      throw new ValueError(`activationStats: unknown init ${String(how satisfies never)}`);
  }
}

function stats(layer: number, a: ArrayLike<number>): LayerActivationStats {
  let s = 0, s2 = 0, sat = 0, zero = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    s += v;
    s2 += v * v;
    if (Math.abs(v) > 0.99) sat++;
    if (v === 0) zero++;
  }
  const n = a.length;
  const mean = s / n;
  return { layer, mean, std: Math.sqrt(Math.max(s2 / n - mean * mean, 0)), saturated: sat / n, zero: zero / n };
}

/** Per-layer activation statistics of a deep MLP with the given nonlinearity and weight init. */
export function activationStats(
  nonlinearity: ActivationNonlinearity, how: ActivationInit,
  { layers = 10, width = 500, batch = 1000, seed = 0 }: ActivationStatsOptions = {},
): LayerActivationStats[] {
  if (nonlinearity !== "tanh" && nonlinearity !== "relu") throw new ValueError(`activationStats: nonlinearity must be "tanh" or "relu", got ${String(nonlinearity)}`);
  for (const [k, v] of [["layers", layers], ["width", width], ["batch", batch]] as const) {
    if (!(Number.isInteger(v) && v >= 1)) throw new ValueError(`activationStats: ${k} must be an integer >= 1, got ${v}`);
  }
  const rng = new Rng(seed);
  return scope(() => noGrad(() => {
    let h = randn([batch, width], { rng });
    const out: LayerActivationStats[] = [];
    for (let l = 1; l <= layers; l++) {
      const fc = new Linear(width, width, { bias: false, rng });
      initWeight(fc.weight, how, rng);
      const z = fc.forward(h);
      h = nonlinearity === "tanh" ? z.tanh() : z.relu();
      fc.dispose();
      out.push(stats(l, h.dataSync()));
    }
    return out;
  }));
}

export interface InitExperimentResult {
  readonly nonlinearity: ActivationNonlinearity;
  readonly init: ActivationInit;
  readonly layers: LayerActivationStats[];
}

/** The CS231n slide's runs: tanh with small, large and Xavier init; ReLU with Xavier and He init. */
export const SLIDE_RUNS: ReadonlyArray<readonly [ActivationNonlinearity, ActivationInit]> = [
  ["tanh", "small"], ["tanh", "large"], ["tanh", "xavier"], ["relu", "xavier"], ["relu", "he"],
];

/** Runs activationStats for each [nonlinearity, init] pair (default: the slide's five). */
export function initExperiment(
  o: ActivationStatsOptions = {}, runs: ReadonlyArray<readonly [ActivationNonlinearity, ActivationInit]> = SLIDE_RUNS,
): InitExperimentResult[] {
  return runs.map(([nonlinearity, how]) => ({ nonlinearity, init: how, layers: activationStats(nonlinearity, how, o) }));
}

const INIT_LABEL: Record<ActivationInit, string> = { small: "N(0,0.01²)", large: "N(0,1)", xavier: "Xavier", he: "He" };

/** A table: one row per layer, mean/std (and saturation for tanh) per run. */
export function formatInitExperiment(results: readonly InitExperimentResult[]): string {
  const cols = results.map((r) => `${r.nonlinearity} ${INIT_LABEL[r.init]}`);
  const cell = (s: LayerActivationStats, r: InitExperimentResult): string =>
    `${s.mean.toExponential(1)} / ${s.std.toExponential(2)}${r.nonlinearity === "tanh" ? ` ${(100 * s.saturated).toFixed(0)}%` : ""}`;
  const n = Math.max(0, ...results.map((r) => r.layers.length));
  const rows = Array.from({ length: n }, (_, i) => [String(i + 1), ...results.map((r) => (r.layers[i] ? cell(r.layers[i], r) : ""))]);
  const head = ["layer", ...cols];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const line = (cells: string[]): string => cells.map((v, c) => v.padStart(widths[c])).join("  ");
  return [
    `activation mean / std per layer${results.some((r) => r.nonlinearity === "tanh") ? " (tanh: % of |a| > 0.99)" : ""}`,
    line(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line),
  ].join("\n");
}
