/**
 * Line charts on uPlot: a card with a title, an optional log-scale toggle and a plot that follows its
 * container's width. Data changes reuse the plot (`setData`); a change of series or of scale rebuilds it.
 * The card's `data-points` attribute holds the number of x values drawn (tests wait on it).
 */
import uPlot from "uplot";
import { h, checkbox } from "./dom.js";

export interface ChartSeries {
  readonly label: string;
  readonly color: string;
  readonly width?: number;
  /** Draw points only (no line). */
  readonly pointsOnly?: boolean;
  readonly dash?: readonly number[];
  /** Draw a step line (best-so-far curves). */
  readonly stepped?: boolean;
}

export interface ChartOptions {
  readonly title: string;
  /** `data-chart` id of the card. */
  readonly id: string;
  readonly xLabel: string;
  readonly yLabel?: string;
  /** Start on a log y scale. */
  readonly log?: boolean;
  /** Offer a log-scale checkbox (default true). */
  readonly logToggle?: boolean;
  readonly xLog?: boolean;
  /** Ticks of the x axis at whole numbers only (epochs, trial numbers). */
  readonly xIntegers?: boolean;
  readonly height?: number;
  /** Fixed y range (linear scale only), e.g. [0, 1] for fractions. */
  readonly yRange?: readonly [number, number];
  /** Extra controls for the toolbar. */
  readonly controls?: readonly Node[];
  /** Called after each draw with the plot (for overlays such as scatter points). */
  readonly onDraw?: (u: uPlot) => void;
}

/** Data as columns: x values, then one column per series (null = gap). */
export type Columns = [number[], ...(number | null)[][]];

/** Log-axis tick labels: powers of ten only (1e-4, 0.001, …) once the axis spans more than two decades, else 1-2-5. */
export function logTickLabels(splits: readonly number[]): string[] {
  const finite = splits.filter((v) => v > 0);
  const decades = finite.length ? Math.log10(Math.max(...finite) / Math.min(...finite)) : 0;
  return splits.map((v) => {
    if (!(v > 0)) return "";
    const e = Math.floor(Math.log10(v) + 1e-9);
    const m = Math.round(v / 10 ** e);
    if (!(m === 1 || (decades <= 2 && (m === 2 || m === 5)))) return "";
    return e >= -3 && e <= 4 ? String(Number(v.toPrecision(1))) : `${m}e${e}`;
  });
}

/** Joins series with different x values into columns over the union of x (sorted), with nulls as gaps. */
export function alignSeries(list: readonly { readonly x: readonly number[]; readonly y: readonly (number | null)[] }[]): Columns {
  const xs = [...new Set(list.flatMap((s) => s.x))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const cols = list.map((s) => {
    const col = new Array<number | null>(xs.length).fill(null);
    s.x.forEach((x, i) => (col[index.get(x) as number] = s.y[i] ?? null));
    return col;
  });
  return [xs, ...cols];
}

export class LineChart {
  readonly root: HTMLElement;
  private readonly plotEl: HTMLElement;
  private readonly emptyEl: HTMLElement;
  private plot: uPlot | undefined;
  private series: readonly ChartSeries[] = [];
  private data: Columns = [[]];
  private log: boolean;
  private readonly observer: ResizeObserver;

  constructor(private readonly o: ChartOptions) {
    this.log = o.log ?? false;
    this.plotEl = h("div", { class: "plot" });
    this.emptyEl = h("p", { class: "muted empty" }, "no data yet");
    const tools = h("div", { class: "tools" }, ...(o.controls ?? []));
    if (o.logToggle ?? true) tools.appendChild(checkbox("log scale", this.log, (v) => this.setLog(v)));
    this.root = h("section", { class: "card chart", data: { chart: o.id, points: "0" } }, h("div", { class: "card-head" }, h("h3", {}, o.title), tools), this.plotEl, this.emptyEl);
    this.observer = new ResizeObserver(() => this.resize());
    this.observer.observe(this.plotEl);
  }

  /** Replaces the data (and the series, if they differ from the current ones). */
  set(series: readonly ChartSeries[], data: Columns): void {
    const same = series.length === this.series.length && series.every((s, i) => s.label === this.series[i].label && s.color === this.series[i].color);
    this.series = series;
    this.data = data;
    const n = data[0].length;
    this.root.dataset.points = String(n);
    this.emptyEl.hidden = n > 0;
    if (!same || !this.plot) this.build();
    else this.plot.setData(this.shaped());
  }

  setLog(v: boolean): void {
    this.log = v;
    this.root.dataset.log = String(v);
    this.build();
  }

  /** Redraws (for overlays that changed without the data changing). */
  redraw(): void {
    this.plot?.redraw();
  }

  dispose(): void {
    this.observer.disconnect();
    this.plot?.destroy();
    this.plot = undefined;
  }

  /** Log scales cannot show values <= 0: those become gaps. */
  private shaped(): uPlot.AlignedData {
    const [x, ...ys] = this.data;
    const pos = (v: number | null): number | null => (v === null || !Number.isFinite(v) || (this.log && v <= 0) ? null : v);
    const xs = this.o.xLog ? x.map((v) => (v > 0 ? v : NaN)) : x;
    return [xs, ...ys.map((c) => c.map(pos))] as uPlot.AlignedData;
  }

  private width(): number {
    return Math.max(200, Math.floor(this.plotEl.clientWidth || this.root.clientWidth || 480));
  }

  private resize(): void {
    if (this.plot) this.plot.setSize({ width: this.width(), height: this.o.height ?? 220 });
  }

  private build(): void {
    this.plot?.destroy();
    if (this.data[0].length === 0) {
      this.plot = undefined;
      return;
    }
    const yScale: uPlot.Scale = this.log ? { distr: 3, log: 10 } : this.o.yRange ? { range: [this.o.yRange[0], this.o.yRange[1]] } : {};
    const opts: uPlot.Options = {
      width: this.width(),
      height: this.o.height ?? 220,
      scales: { x: { time: false, ...(this.o.xLog ? { distr: 3, log: 10 } : {}) }, y: yScale },
      axes: [
        {
          label: this.o.xLabel, size: 40,
          ...(this.o.xLog ? { values: (_u: uPlot, splits: number[]) => logTickLabels(splits) } : {}),
          ...(this.o.xIntegers ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] } : {}),
        },
        { label: this.o.yLabel ?? "", size: 56, ...(this.log ? { values: (_u: uPlot, splits: number[]) => logTickLabels(splits) } : {}) },
      ],
      legend: { show: true, live: true },
      cursor: { drag: { x: true, y: false } },
      series: [
        { label: this.o.xLabel },
        ...this.series.map((s): uPlot.Series => ({
          label: s.label, stroke: s.color, width: s.width ?? 1.5, spanGaps: true,
          ...(s.dash ? { dash: [...s.dash] } : {}),
          ...(s.pointsOnly ? { paths: () => null, points: { show: true, size: 6, fill: s.color, stroke: s.color } } : { points: { show: false } }),
          ...(s.stepped && uPlot.paths.stepped ? { paths: uPlot.paths.stepped({ align: 1 }) } : {}),
        })),
      ],
      hooks: this.o.onDraw ? { draw: [(u: uPlot) => this.o.onDraw?.(u)] } : {},
    };
    this.plot = new uPlot(opts, this.shaped(), this.plotEl);
  }
}
