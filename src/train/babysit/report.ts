/** Plain-text report of check results: one row per check (name, status, numbers) and its advice below. */
import { fmtNumber, worstStatus, type CheckResult } from "./types.js";

function wrap(text: string, width: number, indent: string): string[] {
  const out: string[] = [];
  let line = "";
  for (const w of text.split(/\s+/)) {
    if (line && line.length + 1 + w.length > width) {
      out.push(indent + line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(indent + line);
  return out;
}

/** The numbers of a result as `key=value` pairs. */
export function formatNumbers(numbers: Readonly<Record<string, number>>): string {
  return Object.entries(numbers).map(([k, v]) => `${k}=${fmtNumber(v)}`).join(" ");
}

/** A table for a terminal; `width` wraps the numbers and advice (default 100 columns). */
export function formatReport(results: readonly CheckResult[], { width = 100 }: { width?: number } = {}): string {
  const nameW = Math.max(5, ...results.map((r) => r.name.length)) + 2;
  const lines = [`${"CHECK".padEnd(nameW)}STATUS  NUMBERS`];
  for (const r of results) {
    const head = `${r.name.padEnd(nameW)}${r.status.toUpperCase().padEnd(8)}`;
    const nums = wrap(formatNumbers(r.numbers), Math.max(width - head.length, 30), "");
    lines.push(head + (nums[0] ?? ""));
    for (const n of nums.slice(1)) lines.push(" ".repeat(head.length) + n);
    lines.push(...wrap(`→ ${r.advice}`, width - 4, "    "));
  }
  const overall = worstStatus(results);
  const counts = (["pass", "warn", "fail"] as const).map((s) => `${results.filter((r) => r.status === s).length} ${s}`).join(", ");
  lines.push(`overall: ${overall.toUpperCase()} (${counts})`);
  return lines.join("\n");
}
