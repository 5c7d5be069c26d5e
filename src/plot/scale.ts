/**
 * Axis arithmetic for the charts: data extents, round tick values on linear and log axes, tick labels,
 * and the map from data to pixel coordinates. Pure functions, no DOM.
 */

/** A data point [x, y]. */
export type Point = readonly [number, number];

/** One axis of a chart: its data range, whether it is logarithmic, and its pixel span. */
export interface Axis {
  readonly lo: number;
  readonly hi: number;
  readonly log: boolean;
}

/** A tick label: 0, 0.25, 1500, 3e-5, 2e+4 (at most four significant digits). */
export function formatTick(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(0) : String(Number(v.toPrecision(4)));
}

/** About `n` round tick values (1, 2 or 5 times a power of ten apart) covering [lo, hi]. */
export function linearTicks(lo: number, hi: number, n = 6): number[] {
  const raw = (hi - lo) / n;
  if (!(raw > 0) || !Number.isFinite(raw)) return [lo];
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  // Multiples of the step, rounded to 12 digits (0.6, not 0.6000000000000001).
  for (let k = Math.ceil(lo / step); k * step <= hi + step * 1e-9; k++) out.push(k === 0 ? 0 : Number((k * step).toPrecision(12)));
  return out;
}

/**
 * Ticks of a log axis: the powers of ten inside [lo, hi] (every k-th when there are more than 8); on a
 * range under two decades 1, 2 and 5 times them; on one too short even for that, linear ticks.
 */
export function logTicks(lo: number, hi: number): number[] {
  const first = Math.floor(Math.log10(lo)), last = Math.ceil(Math.log10(hi));
  const inside = (v: number): boolean => v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9);
  const every = Math.max(1, Math.ceil((last - first) / 8));
  const out: number[] = [];
  for (let e = first; e <= last; e += every) if (inside(10 ** e)) out.push(10 ** e);
  if (out.length >= 2) return out;
  const fine: number[] = [];
  for (let e = first; e <= last; e++) for (const k of [1, 2, 5]) if (inside(k * 10 ** e)) fine.push(Number((k * 10 ** e).toPrecision(12)));
  return fine.length >= 2 ? fine : linearTicks(lo, hi, 4);
}

/**
 * The range an axis shows for `values`: `given` when set; else the finite values' min and max (positive
 * values only on a log axis), padded by 4% on a linear axis. A single value is widened so the range is
 * never empty.
 */
export function extent(values: readonly number[], log: boolean, given?: Point): Point {
  if (given) return given;
  let lo = Infinity, hi = -Infinity;
  for (const x of values) {
    if (!Number.isFinite(x) || (log && x <= 0)) continue;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  if (lo > hi) return log ? [1, 10] : [0, 1];
  if (lo === hi) [lo, hi] = log ? [lo / 2, hi * 2] : [lo - 1, hi + 1];
  if (log) return [lo, hi];
  const pad = (hi - lo) * 0.04;
  return [lo - pad, hi + pad];
}

/** Where `v` falls on the axis, 0 at `lo` and 1 at `hi` (NaN for v ≤ 0 on a log axis). */
export function fraction(a: Axis, v: number): number {
  return a.log ? Math.log(v / a.lo) / Math.log(a.hi / a.lo) : (v - a.lo) / (a.hi - a.lo);
}

/** Tick values of an axis. */
export function ticks(a: Axis): number[] {
  return a.log ? logTicks(a.lo, a.hi) : linearTicks(a.lo, a.hi);
}
