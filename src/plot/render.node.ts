/**
 * Node-only: rasterizing a chart's SVG to PNG with resvg (the Rust SVG renderer, through the npm
 * package `@resvg/resvg-js`: a prebuilt native module, no browser, no canvas), and writing figures to
 * files. Text uses the system's fonts (sans-serif); on a machine without any, the PNG has no labels
 * while the SVG is unaffected.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { Resvg } from "@resvg/resvg-js";

/** A PNG image: the file's bytes and its size in pixels. */
export interface Png {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

export interface PngOptions {
  /** Pixels per SVG unit (default 1; 2 for sharp figures on high-density screens). */
  readonly scale?: number;
}

/**
 * Rasterizes an SVG document (from `lineChart`, `panels`, or any other) to PNG.
 *
 * @example
 * const png = plot.toPng(plot.lineChart(chart), { scale: 2 });   // png.width === 1280 for a 640-wide chart
 */
export function toPng(svg: string, { scale = 1 }: PngOptions = {}): Png {
  if (!(scale > 0 && scale <= 16)) throw new RangeError(`plot.toPng: scale must be in (0, 16], got ${scale}`);
  const r = new Resvg(svg, { fitTo: { mode: "zoom", value: scale }, font: { loadSystemFonts: true } }).render();
  return { data: r.asPng(), width: r.width, height: r.height };
}

/** Figure formats `saveFigure` writes. */
export type FigureFormat = "svg" | "png";

export interface SaveFigureOptions extends PngOptions {
  /** Default ["svg"]. */
  readonly formats?: readonly FigureFormat[];
}

/**
 * Writes an SVG document as `<base>.svg` and/or `<base>.png` (creating the folder) and returns the paths
 * written, in the order of `formats`.
 *
 * @example
 * plot.saveFigure("runs/a/curves", plot.lineChart(chart), { formats: ["svg", "png"] });
 */
export function saveFigure(base: string, svg: string, { formats = ["svg"], scale }: SaveFigureOptions = {}): string[] {
  mkdirSync(dirname(base), { recursive: true });
  return formats.map((f) => {
    const path = `${base}.${f}`;
    writeFileSync(path, f === "svg" ? svg : toPng(svg, { scale }).data);
    return path;
  });
}
