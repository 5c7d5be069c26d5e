/** The plotting helper (`plot`): SVG charts, histograms, multi-chart figures, and PNG output in Node. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import { plot } from "ganglion/node";

const chart: plot.ChartOptions = {
  title: "loss <&> accuracy", xLabel: "step", yLabel: "loss", logY: true,
  series: [
    { name: "train", points: [[1, 2.3], [2, 1.1], [3, 0.4], [4, 0.2]] },
    { name: "val", points: [[2, 1.5], [4, 0.6]], dashed: true, markers: true },
    { name: "test", points: [[4, 0.5]], scatter: true },
    { name: "contour", points: [[1, 1], [4, 1]], muted: true },
  ],
};

/** The `points` attributes of the chart's polylines, as coordinate pairs. */
const polylines = (svg: string): number[][][] =>
  [...svg.matchAll(/<polyline points="([^"]+)"/g)].map((m) => m[1].split(" ").map((p) => p.split(",").map(Number)));

describe("plot", () => {
  it("lineChart: an SVG document with one polyline per drawn line, escaped text, a legend without muted series", () => {
    const svg = plot.lineChart(chart);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="640" height="400"/);
    assert.match(svg, /<\/svg>$/);
    assert.match(svg, /loss &lt;&amp;&gt; accuracy/);
    const lines = polylines(svg);
    assert.equal(lines.length, 3); // train, val, contour; the scatter series has dots only
    assert.equal(lines[0].length, 4);
    for (const [x, y] of lines.flat()) assert.ok(x >= 64 && x <= 624 && y >= 36 && y <= 352, `${x},${y} outside the plot area`);
    // log y: the train curve falls, so its pixel y rises; 1e0 is a tick label
    assert.ok(lines[0][3][1] > lines[0][0][1]);
    assert.match(svg, />1<\/text>/);
    assert.equal((svg.match(/<circle /g) ?? []).length, 2 + 1 + 1); // val markers, the test dot, its legend dot
    assert.ok(!svg.includes(">contour<"), "muted series stay out of the legend");
  });

  it("log axes skip non-positive values; ticks are round numbers", () => {
    const svg = plot.lineChart({ title: "t", xLabel: "x", yLabel: "y", logX: true, series: [{ name: "s", points: [[0, 1], [1e-3, 2], [1, 3], [10, 4]] }] });
    assert.equal(polylines(svg)[0].length, 3);
    assert.deepEqual(plot.logTicks(1e-3, 10), [1e-3, 1e-2, 1e-1, 1, 10]);
    assert.deepEqual(plot.logTicks(0.15, 0.6), [0.2, 0.5]);
    assert.deepEqual(plot.linearTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.equal(plot.formatTick(3e-5), "3e-5");
  });

  it("histogram: equal bins, end bins take what is outside, skipped values still count in total", () => {
    const h = plot.histogram([0, 0, 0.1, 0.6, 0.9, 5, -1, NaN], { bins: 2, range: [0, 1], skip: (v) => v === 0 });
    assert.deepEqual(h.edges, [0, 0.5, 1]);
    assert.deepEqual(h.counts, [2, 3]); // 0.1 and -1 | 0.6, 0.9, 5
    assert.equal(h.total, 7);
    const s = plot.histogramSeries("h", h);
    assert.deepEqual(s.points, [[0, 2 / 7], [0.5, 2 / 7], [0.5, 3 / 7], [1, 3 / 7]]);
    assert.deepEqual(plot.histogramSeries("h", h, { scale: "count", style: "centers" }).points, [[0.25, 2], [0.75, 3]]);
    assert.throws(() => plot.histogram([1], { bins: 0 }), /bins must be an integer >= 1, got 0/);
  });

  it("panels: charts side by side, one clip path each", () => {
    const svg = plot.panels([chart, { ...chart, width: 300 }, chart], { columns: 2 });
    assert.match(svg, /^<svg [^>]*width="940" height="800"/);
    assert.deepEqual([...svg.matchAll(/clipPath id="(\w+)"/g)].map((m) => m[1]), ["plot0", "plot1", "plot2"]);
  });

  it("toPng and saveFigure: a real PNG of the chart's size (times scale), with drawn pixels", () => {
    const png = plot.toPng(plot.lineChart(chart), { scale: 2 });
    assert.deepEqual([png.width, png.height], [1280, 800]);
    assert.deepEqual([...png.data.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const img = PNG.sync.read(Buffer.from(png.data));
    assert.deepEqual([img.width, img.height], [1280, 800]);
    let colored = 0;
    for (let i = 0; i < img.data.length; i += 4) if (img.data[i + 2] > img.data[i] + 60) colored++; // the blue train curve
    assert.ok(colored > 500, `only ${colored} blue pixels`);
    const dir = mkdtempSync(join(tmpdir(), "ganglion-plot-"));
    try {
      const paths = plot.saveFigure(join(dir, "sub", "fig"), plot.lineChart(chart), { formats: ["svg", "png"] });
      assert.deepEqual(paths, [join(dir, "sub", "fig.svg"), join(dir, "sub", "fig.png")]);
      assert.match(readFileSync(paths[0], "utf8"), /^<svg /);
      assert.equal(PNG.sync.read(readFileSync(paths[1])).width, 640);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
