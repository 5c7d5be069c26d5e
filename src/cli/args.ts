/**
 * A small, strict flag parser: `--name value`, `--name=value`, boolean `--flag`. Unknown flags and bad
 * values are errors that list what is allowed.
 */
import { ValueError } from "../core/index.js";

export type FlagType = "string" | "number" | "int" | "boolean";
export interface FlagSpec {
  readonly type: FlagType;
  readonly help: string;
  readonly default?: string | number | boolean;
  readonly choices?: readonly string[];
}
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;
export type FlagValue = string | number | boolean | undefined;
export interface Parsed {
  readonly positional: string[];
  readonly flags: Record<string, FlagValue>;
  /** The flags given on the command line (the others hold their defaults). */
  readonly given: ReadonlySet<string>;
}

export function parseArgs(cmd: string, argv: readonly string[], specs: FlagSpecs): Parsed {
  const out: Record<string, FlagValue> = {};
  const positional: string[] = [];
  const given = new Set<string>();
  for (const [k, s] of Object.entries(specs)) out[k] = s.default;
  const allowed = (): string => Object.keys(specs).map((k) => `--${k}`).join(", ");
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = a.slice(2, eq >= 0 ? eq : undefined);
    const spec = specs[name];
    if (!spec) throw new ValueError(`${cmd}: unknown flag --${name} (allowed: ${allowed()})`);
    given.add(name);
    let raw: string | undefined = eq >= 0 ? a.slice(eq + 1) : undefined;
    if (spec.type === "boolean") {
      out[name] = raw === undefined ? true : raw !== "false";
      continue;
    }
    if (raw === undefined) {
      raw = argv[++i];
      if (raw === undefined) throw new ValueError(`${cmd}: --${name} needs a value (${spec.help})`);
    }
    if (spec.type === "string") {
      if (spec.choices && !spec.choices.includes(raw)) throw new ValueError(`${cmd}: --${name} must be one of ${spec.choices.join(", ")}, got '${raw}'`);
      out[name] = raw;
    } else {
      const v = Number(raw);
      if (!Number.isFinite(v) || (spec.type === "int" && !Number.isInteger(v))) {
        throw new ValueError(`${cmd}: --${name} must be ${spec.type === "int" ? "an integer" : "a number"}, got '${raw}'`);
      }
      out[name] = v;
    }
  }
  return { positional, flags: out, given };
}

export function formatHelp(usage: string, specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([k, s]) => {
    const def = s.default === undefined ? "" : ` (default: ${String(s.default)})`;
    const ch = s.choices ? ` [${s.choices.join("|")}]` : "";
    const flag = `  --${k}${s.type === "boolean" ? "" : ` <${s.type}>`}`;
    // NOTE: a flag longer than the column (--label-smoothing <number>) still gets a space before its help.
    return `${flag.padEnd(28)}${flag.length >= 28 ? " " : ""}${s.help}${ch}${def}`;
  });
  return `${usage}\n\nOptions:\n${rows.join("\n")}\n  --help                    show this help`;
}
