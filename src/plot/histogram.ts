/**
 * Histograms: binning values over equal bins, and a histogram as a chart series (a step outline, so
 * several histograms overlay in one chart, as in CS231n's activation-distribution slides).
 */
import type { Series } from "./chart.js";
import type { Point } from "./scale.js";

/** Counts over bins: bin i holds edges[i] ≤ v < edges[i+1] (the last bin includes its right edge). */
export interface Bins {
  readonly edges: readonly number[];
  readonly counts: readonly number[];
  /** Values looked at (skipped ones included, NaN not): what fractions divide by. */
  readonly total?: number;
}

export interface HistogramOptions {
  /** Number of equal bins (default 40). */
  readonly bins?: number;
  /** [lo, hi] of the bins; values outside go to the end bins. Default: the finite values' min and max. */
  readonly range?: Point;
  /** Values left out of the bins but still counted in `total` (e.g. ReLU's exact zeros). */
  readonly skip?: (v: number) => boolean;
}

/**
 * Bins `values` into `bins` equal bins over `range`.
 *
 * @example
 * const h = plot.histogram(acts, { bins: 40, range: [-1, 1] });   // h.counts.length === 40
 */
export function histogram(values: ArrayLike<number>, { bins = 40, range, skip }: HistogramOptions = {}): Bins {
  if (!(Number.isInteger(bins) && bins >= 1)) throw new RangeError(`plot.histogram: bins must be an integer >= 1, got ${bins}`);
  let [lo, hi] = range ?? [Infinity, -Infinity];
  if (!range) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (Number.isFinite(v) && !skip?.(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    }
    if (lo > hi) [lo, hi] = [0, 1];
    if (lo === hi) [lo, hi] = [lo - 0.5, hi + 0.5];
  }
  if (!(hi > lo)) throw new RangeError(`plot.histogram: range must have lo < hi, got [${lo}, ${hi}]`);
  const counts = new Array<number>(bins).fill(0);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    total++;
    if (skip?.(v)) continue;
    counts[Math.min(bins - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * bins)))]++;
  }
  const edges = Array.from({ length: bins + 1 }, (_, b) => lo + ((hi - lo) * b) / bins);
  return { edges, counts, total };
}

export interface HistogramSeriesOptions {
  /** "fraction" (count / total, the default), "count", or "density" (fraction per unit of x). */
  readonly scale?: "fraction" | "count" | "density";
  /** "step" (the default): the outline of the bars; "centers": one point per bin centre. */
  readonly style?: "step" | "centers";
  readonly color?: string;
  readonly dashed?: boolean;
}

/**
 * A histogram (from `histogram`, or any `{ edges, counts }` such as a layer-statistics event's) as a
 * series for `lineChart`.
 */
export function histogramSeries(name: string, h: Bins, { scale = "fraction", style = "step", color, dashed }: HistogramSeriesOptions = {}): Series {
  if (h.edges.length !== h.counts.length + 1) throw new RangeError(`plot.histogramSeries: ${h.counts.length} counts need ${h.counts.length + 1} edges, got ${h.edges.length}`);
  const total = h.total ?? h.counts.reduce((a, b) => a + b, 0);
  const y = (c: number, b: number): number =>
    scale === "count" ? c : scale === "fraction" ? c / (total || 1) : c / (total || 1) / (h.edges[b + 1] - h.edges[b]);
  const points: Point[] = [];
  h.counts.forEach((c, b) => {
    if (style === "centers") points.push([(h.edges[b] + h.edges[b + 1]) / 2, y(c, b)]);
    else points.push([h.edges[b], y(c, b)], [h.edges[b + 1], y(c, b)]);
  });
  return { name, points, ...(color ? { color } : {}), ...(dashed ? { dashed } : {}) };
}
