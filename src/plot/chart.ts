/**
 * Line and scatter charts as SVG text: several series, linear or log axes, equal aspect for 2-D
 * trajectories, a legend, and several charts side by side in one figure (`panels`). Pure string
 * building (no DOM, no browser), so it runs in Node and in the browser alike; `ganglion/node`'s
 * `plot.toPng` rasterizes the result.
 */
import { extent, formatTick, fraction, ticks, type Axis, type Point } from "./scale.js";

/** One series of a chart. */
export interface Series {
  /** Legend label. */
  readonly name: string;
  readonly points: readonly Point[];
  /** CSS colour; default: the palette's next colour. */
  readonly color?: string;
  readonly dashed?: boolean;
  /** Draw a dot at every point as well as the line. */
  readonly markers?: boolean;
  /** Draw dots only (a scatter plot). */
  readonly scatter?: boolean;
  /** Thin grey line, not in the legend (contour lines, guides). */
  readonly muted?: boolean;
}

/** Where the legend goes; "none" leaves it out. */
export type LegendPlacement = "top-right" | "bottom-right" | "top-left" | "bottom-left" | "none";

/** A chart: title, axis labels, series and axis options. */
export interface ChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  readonly logX?: boolean;
  readonly logY?: boolean;
  /** Fixed x range [lo, hi]; default: the data's extent. */
  readonly xRange?: Point;
  /** Fixed y range [lo, hi]; default: the data's extent. */
  readonly yRange?: Point;
  /** Pixels (default 640 × 400). */
  readonly width?: number;
  readonly height?: number;
  /** Same scale on both axes (trajectories on a loss surface). */
  readonly equalAspect?: boolean;
  /** Default "top-right". */
  readonly legend?: LegendPlacement;
}

/** The default colours, in the order series take them (matplotlib's "tab10"). */
export const PALETTE: readonly string[] = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
const M = { left: 64, right: 16, top: 36, bottom: 48 };

/** Escapes text for SVG element content and attribute values. */
export const escapeXml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const f1 = (v: number): string => v.toFixed(1);

function axes(o: ChartOptions, pw: number, ph: number): { x: Axis; y: Axis } {
  const all = o.series.flatMap((s) => s.points);
  let [x0, x1] = extent(all.map((p) => p[0]), !!o.logX, o.xRange);
  let [y0, y1] = extent(all.map((p) => p[1]), !!o.logY, o.yRange);
  if (o.equalAspect && !o.logX && !o.logY) {
    const k = Math.max((x1 - x0) / pw, (y1 - y0) / ph);
    const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    [x0, x1, y0, y1] = [cx - (k * pw) / 2, cx + (k * pw) / 2, cy - (k * ph) / 2, cy + (k * ph) / 2];
  }
  return { x: { lo: x0, hi: x1, log: !!o.logX }, y: { lo: y0, hi: y1, log: !!o.logY } };
}

/**
 * The SVG elements of one chart whose top-left corner is (ox, oy); `id` names its clip path (unique
 * within one document).
 */
function chartBody(o: ChartOptions, ox: number, oy: number, id: string): string[] {
  const width = o.width ?? 640, height = o.height ?? 400;
  const left = ox + M.left, top = oy + M.top;
  const pw = width - M.left - M.right, ph = height - M.top - M.bottom;
  const { x: ax, y: ay } = axes(o, pw, ph);
  const X = (v: number): number => left + pw * fraction(ax, v);
  const Y = (v: number): number => top + ph * (1 - fraction(ay, v));
  const parts: string[] = [
    `<defs><clipPath id="${id}"><rect x="${left}" y="${top}" width="${pw}" height="${ph}"/></clipPath></defs>`,
    `<text x="${ox + width / 2}" y="${oy + 20}" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(o.title)}</text>`,
  ];
  for (const v of ticks(ax)) {
    const x = f1(X(v));
    parts.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${top + ph}" stroke="#eee"/>`,
      `<text x="${x}" y="${top + ph + 16}" text-anchor="middle">${formatTick(v)}</text>`);
  }
  for (const v of ticks(ay)) {
    const y = f1(Y(v));
    parts.push(`<line x1="${left}" y1="${y}" x2="${left + pw}" y2="${y}" stroke="#eee"/>`,
      `<text x="${left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${formatTick(v)}</text>`);
  }
  parts.push(`<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`,
    `<text x="${left + pw / 2}" y="${oy + height - 10}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`,
    `<text transform="translate(${ox + 16} ${top + ph / 2}) rotate(-90)" text-anchor="middle">${escapeXml(o.yLabel)}</text>`);
  let colorIndex = 0;
  const legend: Array<{ name: string; color: string; dashed: boolean; dots: boolean }> = [];
  for (const s of o.series) {
    const color = s.muted ? "#bbb" : (s.color ?? PALETTE[colorIndex++ % PALETTE.length]);
    const xy = s.points.map((p): Point => [X(p[0]), Y(p[1])]).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (!s.scatter && xy.length > 1) {
      parts.push(`<polyline points="${xy.map(([x, y]) => `${f1(x)},${f1(y)}`).join(" ")}" fill="none" stroke="${color}" stroke-width="${s.muted ? 0.8 : 1.8}" stroke-linejoin="round" clip-path="url(#${id})"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`);
    }
    if (s.markers || s.scatter) {
      for (const [x, y] of xy) parts.push(`<circle cx="${f1(x)}" cy="${f1(y)}" r="${s.scatter ? 3 : 2.2}" fill="${color}" clip-path="url(#${id})"/>`);
    }
    if (!s.muted) legend.push({ name: s.name, color, dashed: !!s.dashed, dots: !!s.scatter });
  }
  const place = o.legend ?? "top-right";
  if (legend.length && place !== "none") {
    // NOTE: 7 px per character approximates 12 px sans-serif; the box is a little wide rather than short.
    const lw = 40 + 7 * Math.max(0, ...legend.map((l) => l.name.length)), lh = legend.length * 16 + 6;
    const lx = place.endsWith("left") ? left + 6 : left + pw - lw - 6;
    const ly = place.startsWith("bottom") ? top + ph - lh - 4 : top + 4;
    parts.push(`<rect x="${lx}" y="${ly}" width="${lw}" height="${lh}" fill="white" fill-opacity="0.85" stroke="#ddd"/>`);
    legend.forEach((l, i) => {
      const y = ly + 10 + i * 16, x = lx + 6;
      parts.push(l.dots
        ? `<circle cx="${x + 11}" cy="${y}" r="3.5" fill="${l.color}"/>`
        : `<line x1="${x}" y1="${y}" x2="${x + 22}" y2="${y}" stroke="${l.color}" stroke-width="2.5"${l.dashed ? ' stroke-dasharray="6 4"' : ""}/>`,
        `<text x="${x + 28}" y="${y}" dominant-baseline="middle">${escapeXml(l.name)}</text>`);
    });
  }
  return parts;
}

const open = (w: number, h: number): string =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">\n<rect width="${w}" height="${h}" fill="white"/>`;

/**
 * A line/scatter chart as an SVG document (white background, sans-serif 12 px).
 *
 * @example
 * const svg = plot.lineChart({ title: "loss", xLabel: "step", yLabel: "loss", logY: true,
 *   series: [{ name: "train", points: losses.map((l, i) => [i, l]) }] });
 */
export function lineChart(o: ChartOptions): string {
  return [open(o.width ?? 640, o.height ?? 400), ...chartBody(o, 0, 0, "plot"), "</svg>"].join("\n");
}

/** Options of a multi-chart figure. */
export interface PanelOptions {
  /** Charts per row (default: all in one row). */
  readonly columns?: number;
}

/**
 * Several charts in one SVG document, laid out left to right in rows of `columns`; each keeps its own
 * width and height (a row is as tall as its tallest chart).
 */
export function panels(charts: readonly ChartOptions[], { columns = charts.length }: PanelOptions = {}): string {
  if (!charts.length) throw new RangeError("plot.panels: no charts");
  if (!(Number.isInteger(columns) && columns >= 1)) throw new RangeError(`plot.panels: columns must be an integer >= 1, got ${columns}`);
  const body: string[] = [];
  let y = 0, width = 0;
  for (let r = 0; r < charts.length; r += columns) {
    const row = charts.slice(r, r + columns);
    let x = 0;
    row.forEach((c, i) => {
      body.push(...chartBody(c, x, y, `plot${r + i}`));
      x += c.width ?? 640;
    });
    width = Math.max(width, x);
    y += Math.max(...row.map((c) => c.height ?? 400));
  }
  return [open(width, y), ...body, "</svg>"].join("\n");
}
