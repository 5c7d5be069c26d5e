/**
 * A small SVG chart writer for the examples' figures (line charts, log axes, 2-D trajectories over
 * contour lines). Plain text out, no browser and no dependency, so `node dist/examples/x.js --plot dir`
 * can regenerate every figure of the guide.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export type Point = readonly [number, number];

export interface Series {
  readonly name: string;
  readonly points: readonly Point[];
  /** CSS colour; default from the palette by position. */
  readonly color?: string;
  readonly dashed?: boolean;
  /** Draw a dot at every point. */
  readonly markers?: boolean;
  /** Draw dots only (a scatter plot). */
  readonly scatter?: boolean;
  /** Thin grey line, not in the legend (contour lines, guides). */
  readonly muted?: boolean;
}

export interface ChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly logX?: boolean;
  readonly logY?: boolean;
  readonly xRange?: Point;
  readonly yRange?: Point;
  readonly width?: number;
  readonly height?: number;
  /** Same scale on both axes (trajectories on a loss surface). */
  readonly equalAspect?: boolean;
  /** Where the legend goes (default top-right). */
  readonly legend?: "top-right" | "bottom-right";
}

const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
const M = { left: 64, right: 16, top: 36, bottom: 48 };

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const fmtTick = (v: number): string => {
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(0) : String(Number(v.toPrecision(4)));
};

/** About `n` round tick values covering [lo, hi]. */
function linearTicks(lo: number, hi: number, n = 6): number[] {
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  const first = Math.floor(Math.log10(lo)), last = Math.ceil(Math.log10(hi));
  const every = Math.max(1, Math.ceil((last - first) / 8));
  for (let e = first; e <= last; e += every) {
    const v = 10 ** e;
    if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
  }
  return out.length >= 2 ? out : [lo, hi];
}

function extent(values: number[], log: boolean, given?: Point): Point {
  if (given) return given;
  const v = values.filter((x) => Number.isFinite(x) && (!log || x > 0));
  if (v.length === 0) return log ? [1, 10] : [0, 1];
  let lo = Math.min(...v), hi = Math.max(...v);
  if (lo === hi) [lo, hi] = log ? [lo / 2, hi * 2] : [lo - 1, hi + 1];
  if (log) return [lo, hi];
  const pad = (hi - lo) * 0.04;
  return [lo - pad, hi + pad];
}

/** The chart as an SVG document. */
export function lineChart(o: ChartOptions): string {
  const width = o.width ?? 640, height = o.height ?? 400;
  const pw = width - M.left - M.right, ph = height - M.top - M.bottom;
  const all = o.series.flatMap((s) => s.points);
  let [x0, x1] = extent(all.map((p) => p[0]), !!o.logX, o.xRange);
  let [y0, y1] = extent(all.map((p) => p[1]), !!o.logY, o.yRange);
  if (o.equalAspect) {
    const k = Math.max((x1 - x0) / pw, (y1 - y0) / ph);
    const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    [x0, x1, y0, y1] = [cx - (k * pw) / 2, cx + (k * pw) / 2, cy - (k * ph) / 2, cy + (k * ph) / 2];
  }
  const tx = (v: number): number => (o.logX ? Math.log(v / x0) / Math.log(x1 / x0) : (v - x0) / (x1 - x0));
  const ty = (v: number): number => (o.logY ? Math.log(v / y0) / Math.log(y1 / y0) : (v - y0) / (y1 - y0));
  const X = (v: number): number => M.left + pw * tx(v);
  const Y = (v: number): number => M.top + ph * (1 - ty(v));
  const inside = (p: Point): boolean => Number.isFinite(X(p[0])) && Number.isFinite(Y(p[1]));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<defs><clipPath id="plot"><rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}"/></clipPath></defs>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(o.title)}</text>`,
  ];
  for (const v of o.logX ? logTicks(x0, x1) : linearTicks(x0, x1)) {
    const x = X(v).toFixed(1);
    parts.push(`<line x1="${x}" y1="${M.top}" x2="${x}" y2="${M.top + ph}" stroke="#eee"/>`,
      `<text x="${x}" y="${M.top + ph + 16}" text-anchor="middle">${fmtTick(v)}</text>`);
  }
  for (const v of o.logY ? logTicks(y0, y1) : linearTicks(y0, y1)) {
    const y = Y(v).toFixed(1);
    parts.push(`<line x1="${M.left}" y1="${y}" x2="${M.left + pw}" y2="${y}" stroke="#eee"/>`,
      `<text x="${M.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${fmtTick(v)}</text>`);
  }
  parts.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`,
    `<text x="${M.left + pw / 2}" y="${height - 10}" text-anchor="middle">${esc(o.xLabel)}</text>`,
    `<text transform="translate(16 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`);
  let colorIndex = 0;
  const legend: Array<[string, string, boolean, boolean]> = [];
  for (const s of o.series) {
    const color = s.muted ? "#bbb" : (s.color ?? PALETTE[colorIndex++ % PALETTE.length]);
    const pts = s.points.filter(inside);
    const d = pts.map((p, i) => `${i ? "L" : "M"}${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join("");
    if (!s.scatter && pts.length > 1) {
      parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="${s.muted ? 0.8 : 1.8}" clip-path="url(#plot)"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`);
    }
    if (s.markers || s.scatter) {
      for (const p of pts) parts.push(`<circle cx="${X(p[0]).toFixed(1)}" cy="${Y(p[1]).toFixed(1)}" r="${s.scatter ? 3 : 2.2}" fill="${color}" clip-path="url(#plot)"/>`);
    }
    if (!s.muted) legend.push([s.name, color, !!s.dashed, !!s.scatter]);
  }
  const legendWidth = 40 + 7 * Math.max(0, ...legend.map(([name]) => name.length));
  const legendTop = o.legend === "bottom-right" ? M.top + ph - legend.length * 16 - 10 : M.top + 4;
  if (legend.length) parts.push(`<rect x="${M.left + pw - legendWidth - 6}" y="${legendTop}" width="${legendWidth}" height="${legend.length * 16 + 6}" fill="white" fill-opacity="0.85" stroke="#ddd"/>`);
  legend.forEach(([name, color, dashed, dots], i) => {
    const y = legendTop + 10 + i * 16, x = M.left + pw - legendWidth;
    parts.push(dots
      ? `<circle cx="${x + 11}" cy="${y}" r="3.5" fill="${color}"/>`
      : `<line x1="${x}" y1="${y}" x2="${x + 22}" y2="${y}" stroke="${color}" stroke-width="2.5"${dashed ? ' stroke-dasharray="6 4"' : ""}/>`,
      `<text x="${x + 28}" y="${y}" dominant-baseline="middle">${esc(name)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n");
}

/** Writes `<dir>/<name>.svg` (creating dir) and says so on stdout. */
export function savePlot(dir: string | undefined, name: string, o: ChartOptions): void {
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.svg`);
  writeFileSync(path, lineChart(o));
  console.log(`wrote ${path}`);
}
