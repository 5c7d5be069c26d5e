/**
 * The examples' figures, drawn by ganglion's own plotting helper (`plot` of "ganglion/node": SVG charts,
 * PNG through resvg). `savePlot(args, name, chart)` writes `<--plot dir>/<name>.svg`, and `<name>.png`
 * as well with `--png`; without `--plot` it does nothing.
 */
import { join } from "node:path";
import { plot } from "ganglion/node";
import type { ExampleArgs } from "./args.js";

export type Point = plot.Point;
export type Series = plot.Series;

/** Draws `chart` and writes it under `--plot <dir>` (SVG, plus PNG at 2× with `--png`), saying so on stdout. */
export function savePlot(args: ExampleArgs, name: string, chart: plot.ChartOptions): void {
  if (!args.plotDir) return;
  const formats: plot.FigureFormat[] = args.png ? ["svg", "png"] : ["svg"];
  for (const path of plot.saveFigure(join(args.plotDir, name), plot.lineChart(chart), { formats, scale: 2 })) console.log(`wrote ${path}`);
}
