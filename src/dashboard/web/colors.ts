/** Colours: a categorical palette for series and a perceptual ramp for values (heatmaps, scatter). */

/** Distinct, colour-blind-friendly series colours (Okabe–Ito order, then a few more). */
export const PALETTE = ["#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#f0e442", "#000000", "#7f7f7f", "#8c564b", "#17becf", "#bcbd22"];

export function seriesColor(i: number): string {
  return PALETTE[i % PALETTE.length];
}

/** Stops of a dark-blue → green → yellow ramp (sampled from the viridis colour map). */
const RAMP: readonly (readonly [number, number, number])[] = [
  [68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37],
];

/** RGB of t ∈ [0, 1] on the ramp. */
export function rampRgb(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const a = RAMP[i], b = RAMP[i + 1];
  return [0, 1, 2].map((k) => Math.round(a[k] + f * (b[k] - a[k]))) as [number, number, number];
}

export function ramp(t: number): string {
  const [r, g, b] = rampRgb(t);
  return `rgb(${r},${g},${b})`;
}

/** A CSS gradient of the ramp (for colour-bar legends). */
export function rampGradient(): string {
  return `linear-gradient(to right, ${RAMP.map(([r, g, b]) => `rgb(${r},${g},${b})`).join(", ")})`;
}
