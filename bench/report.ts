/**
 * Formats a benchmark run: tables of training and inference images/s, ganglion/peer ratios, peak RSS
 * and GEMM GFLOP/s, as plain text (terminal) or Markdown (bench/RESULTS.md).
 */
import type { ModelName, RunnerResult } from "./models.js";

export interface Cell {
  readonly framework: string;
  readonly model: ModelName;
  readonly result: RunnerResult;
}

export interface RunReport {
  readonly date: string;
  readonly machine: string;
  readonly node: string;
  /** 1-minute load averages sampled during the run. */
  readonly load: { readonly min: number; readonly mean: number; readonly max: number; readonly samples: number };
  readonly frameworks: readonly string[];
  readonly models: readonly ModelName[];
  readonly cells: readonly Cell[];
  readonly gemm: readonly RunnerResult[];
  readonly notes: readonly string[];
}

const fmtNum = (v: number | undefined): string => (v === undefined ? "—" : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toPrecision(2));
const fmtRatio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined ? "—" : `${(a / b).toFixed(2)}×`);

function cell(r: RunReport, fw: string, m: ModelName): RunnerResult | undefined {
  return r.cells.find((c) => c.framework === fw && c.model === m)?.result;
}

function table(header: readonly string[], rows: readonly (readonly string[])[], markdown: boolean): string {
  if (markdown) {
    const line = (cs: readonly string[]): string => `| ${cs.join(" | ")} |`;
    return [line(header), line(header.map((_, i) => (i === 0 ? "---" : "---:"))), ...rows.map(line)].join("\n");
  }
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cs: readonly string[]): string => cs.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  ");
  return [line(header), ...rows.map(line)].join("\n");
}

function metricTable(r: RunReport, key: "trainImagesPerSec" | "inferImagesPerSec", markdown: boolean): string {
  const peers = r.frameworks.filter((f) => f !== "ganglion");
  const header = ["model", ...r.frameworks, ...peers.map((p) => `ganglion/${p}`)];
  const rows = r.models.map((m) => {
    const vals = r.frameworks.map((f) => cell(r, f, m)?.models[m]?.[key]);
    const g = cell(r, "ganglion", m)?.models[m]?.[key];
    return [m, ...vals.map(fmtNum), ...peers.map((p) => fmtRatio(g, cell(r, p, m)?.models[m]?.[key]))];
  });
  return table(header, rows, markdown);
}

function rssTable(r: RunReport, markdown: boolean): string {
  const peers = r.frameworks.filter((f) => f !== "ganglion");
  const header = ["model", ...r.frameworks, ...peers.map((p) => `ganglion/${p}`)];
  const rows = r.models.map((m) => {
    const g = cell(r, "ganglion", m)?.peakRssMb;
    return [m, ...r.frameworks.map((f) => fmtNum(cell(r, f, m)?.peakRssMb)), ...peers.map((p) => fmtRatio(g, cell(r, p, m)?.peakRssMb))];
  });
  return table(header, rows, markdown);
}

function gemmTable(r: RunReport, markdown: boolean): string {
  const cols = [...new Set(r.gemm.flatMap((g) => Object.keys(g.gemmGflops ?? {})))];
  const header = ["framework", ...cols.map((c) => `N=${c}`)];
  const rows = r.gemm.map((g) => [g.framework, ...cols.map((c) => fmtNum(g.gemmGflops?.[c]))]);
  return table(header, rows, markdown);
}

/** Notes on missing numbers (unsupported kernels, skipped slow steps), one per framework and model. */
function missing(r: RunReport): string[] {
  const out: string[] = [];
  for (const c of r.cells) {
    const m = c.result.models[c.model];
    if (c.result.error) out.push(`${c.framework} ${c.model}: ${c.result.error}`);
    if (m?.trainNote) out.push(`${c.framework} ${c.model} training: ${m.trainNote}`);
    if (m?.inferNote) out.push(`${c.framework} ${c.model} inference: ${m.inferNote}`);
  }
  return out;
}

export function formatReport(r: RunReport, markdown = false): string {
  const h = (s: string): string => (markdown ? `### ${s}` : `== ${s}`);
  const setups = [...new Map(r.cells.map((c) => [c.framework, c.result.setup])).entries()].map(([f, s]) => `${f}: ${s}`);
  const parts = [
    `${r.date} — ${r.machine}, Node ${r.node}; load average (1 min) during the run: min ${r.load.min.toFixed(2)}, mean ${r.load.mean.toFixed(2)}, max ${r.load.max.toFixed(2)}`,
    setups.map((s) => (markdown ? `- ${s}` : `  ${s}`)).join("\n"),
    h("Training images/s (batch 64, SGD; median step of a run, best run of the sweeps)"), metricTable(r, "trainImagesPerSec", markdown),
    h("Inference images/s (batch 64, eval mode, no grad)"), metricTable(r, "inferImagesPerSec", markdown),
    h("Peak RSS per process (MB; one process per framework and model)"), rssTable(r, markdown),
    h("GEMM GFLOP/s (float32, N x N x N)"), gemmTable(r, markdown),
  ];
  const notes = [...missing(r), ...r.notes];
  if (notes.length) parts.push(h("Notes"), notes.map((n) => `- ${n}`).join("\n"));
  return parts.join("\n\n");
}
