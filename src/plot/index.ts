/**
 * `plot`: charts as SVG text — line and scatter charts with several series and log axes, histograms,
 * several charts in one figure. Pure functions (no DOM, no files), so they work in Node and in the
 * browser; `ganglion/node`'s `plot` adds `toPng` (rasterizing with resvg) and `saveFigure`. The guide's
 * figures (`examples/`) and `ganglion train --plot` are drawn with it.
 */
export { lineChart, panels, escapeXml, PALETTE, type ChartOptions, type Series, type LegendPlacement, type PanelOptions } from "./chart.js";
export { histogram, histogramSeries, type Bins, type HistogramOptions, type HistogramSeriesOptions } from "./histogram.js";
export { extent, formatTick, linearTicks, logTicks, type Point } from "./scale.js";
