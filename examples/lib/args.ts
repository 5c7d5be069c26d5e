/**
 * Command-line options shared by the examples: `--tiny` (the sizes CI runs, a few seconds each),
 * `--plot <dir>` (write the example's figures as SVG files there; `--png` adds PNG copies),
 * `--backend reference|wasm` and `--<name> <number>` overrides.
 */
import { listBackends, setBackend, type BackendName } from "ganglion";

export interface ExampleArgs {
  /** True with `--tiny`: the smallest settings that still show the effect (what the tests run). */
  readonly tiny: boolean;
  /** Folder for SVG figures (`--plot docs/guide/img`), or undefined to skip plotting. */
  readonly plotDir: string | undefined;
  /** True with `--png`: figures are written as PNG too. */
  readonly png: boolean;
  /** `--name value` as a number, else `tinyValue` under --tiny, else `fallback`. */
  num(name: string, fallback: number, tinyValue?: number): number;
  /** `--name value` as a string, else `fallback`. */
  str(name: string, fallback: string): string;
}

export function parseArgs(argv: readonly string[] = process.argv.slice(2)): ExampleArgs {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && i + 1 < argv.length ? argv[i + 1] : undefined;
  };
  const tiny = argv.includes("--tiny");
  const backend = value("backend");
  if (backend !== undefined) {
    const known: BackendName | undefined = listBackends().find((b) => b === backend);
    if (!known) throw new RangeError(`--backend: expected one of ${listBackends().join(", ")}, got ${JSON.stringify(backend)}`);
    setBackend(known);
  }
  return {
    tiny,
    plotDir: value("plot"),
    png: argv.includes("--png"),
    num(name, fallback, tinyValue) {
      const v = value(name);
      if (v !== undefined) {
        const n = Number(v);
        if (!Number.isFinite(n)) throw new RangeError(`--${name}: expected a number, got ${JSON.stringify(v)}`);
        return n;
      }
      return tiny && tinyValue !== undefined ? tinyValue : fallback;
    },
    str(name, fallback) {
      return value(name) ?? fallback;
    },
  };
}

/** Seconds since `t0` (a performance.now() value), one decimal. */
export function secondsSince(t0: number): string {
  return ((performance.now() - t0) / 1000).toFixed(1);
}

/** Right-aligned text table: the header row, a rule, then the rows. */
export function table(head: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? "").length)));
  const line = (cells: readonly string[]): string => cells.map((v, c) => (v ?? "").padStart(widths[c])).join("  ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}
