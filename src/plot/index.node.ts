/** `plot` in `ganglion/node`: the SVG charts of `./index.ts`, plus PNG rendering and writing figures to files. */
export * from "./index.js";
export { toPng, saveFigure, type Png, type PngOptions, type FigureFormat, type SaveFigureOptions } from "./render.node.js";
