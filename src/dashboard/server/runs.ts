/**
 * Run directories as the dashboard lists them: what is in `runs/<name>/` (config.json, events.jsonl,
 * result.json, babysit.json, checkpoint.safetensors), summarised without reading the event log.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import type { BabysitFinding, JsonValue, RunDetail, RunStatus, RunSummary } from "../types.js";
import { RunsRoot, isSafeRunName, type RunFile } from "./paths.js";

/** A run whose log changed within this long and has no result.json counts as running. */
export const RUNNING_WINDOW_MS = 120_000;
/** JSON side files larger than this are not parsed (a run directory is not a data store). */
const MAX_JSON_BYTES = 8 << 20;
const HEADLINE_KEYS = ["test_accuracy", "test_loss", "train_accuracy", "val_accuracy", "epochs", "steps", "seconds"];

/** Reads and parses an allow-listed JSON file of a run; undefined when absent, too large or malformed. */
export async function readRunJson(root: RunsRoot, name: string, file: RunFile): Promise<JsonValue | undefined> {
  const p = await root.runFile(name, file);
  if (p === undefined) return undefined;
  try {
    if ((await stat(p)).size > MAX_JSON_BYTES) return undefined;
    return JSON.parse(await readFile(p, "utf8")) as JsonValue;
  } catch {
    return undefined;
  }
}

function isRecord(v: JsonValue | undefined): v is { [key: string]: JsonValue } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

async function mtimeAndSize(p: string | undefined): Promise<{ mtime: number; size: number } | undefined> {
  if (p === undefined) return undefined;
  try {
    const s = await stat(p);
    return { mtime: s.mtimeMs, size: s.size };
  } catch {
    return undefined;
  }
}

/** The summary of one run, or undefined if `name` is not a readable run directory. */
export async function summarizeRun(root: RunsRoot, name: string, now = Date.now()): Promise<RunSummary | undefined> {
  const dir = await root.runDir(name);
  if (dir === undefined) return undefined;
  const [events, checkpoint, config, result] = await Promise.all([
    root.runFile(name, "events.jsonl").then(mtimeAndSize),
    root.runFile(name, "checkpoint.safetensors").then(mtimeAndSize),
    readRunJson(root, name, "config.json"),
    readRunJson(root, name, "result.json"),
  ]);
  const dirStat = await mtimeAndSize(dir);
  let title: string | null = null;
  if (isRecord(config)) {
    const t = config.name ?? config.title;
    if (typeof t === "string" && t !== name) title = t;
  }
  let status: RunStatus = "idle";
  const headline: Record<string, number> = {};
  if (isRecord(result)) {
    status = result.stopped === true ? "stopped" : "finished";
    for (const k of HEADLINE_KEYS) {
      const v = result[k];
      if (typeof v === "number" && Number.isFinite(v)) headline[k] = v;
    }
  } else if (events && now - events.mtime < RUNNING_WINDOW_MS) status = "running";
  const modified = Math.max(dirStat?.mtime ?? 0, events?.mtime ?? 0, checkpoint?.mtime ?? 0);
  return { name, title, status, modified, eventsBytes: events?.size ?? 0, checkpointModified: checkpoint?.mtime ?? null, headline };
}

/** Every run directory (one with an events.jsonl or a config.json), most recently changed first. */
export async function listRuns(root: RunsRoot): Promise<RunSummary[]> {
  const real = await root.real();
  if (real === undefined) return [];
  let names: string[];
  try {
    names = await readdir(real);
  } catch {
    return [];
  }
  const now = Date.now();
  const found = await Promise.all(names.filter(isSafeRunName).map(async (n) => {
    const hasFiles = (await root.runFile(n, "events.jsonl")) !== undefined || (await root.runFile(n, "config.json")) !== undefined;
    return hasFiles ? summarizeRun(root, n, now) : undefined;
  }));
  return found.filter((r): r is RunSummary => r !== undefined).sort((a, b) => b.modified - a.modified || (a.name < b.name ? -1 : 1));
}

function toFinding(v: JsonValue): BabysitFinding | undefined {
  if (!isRecord(v) || typeof v.name !== "string") return undefined;
  const numbers: Record<string, number> = {};
  if (isRecord(v.numbers)) for (const [k, x] of Object.entries(v.numbers)) if (typeof x === "number") numbers[k] = x;
  return { name: v.name, status: typeof v.status === "string" ? v.status : "info", numbers, advice: typeof v.advice === "string" ? v.advice : "" };
}

/** babysit.json holds a list of check results, or `{ results: [...] }`. */
export function parseBabysit(v: JsonValue | undefined): BabysitFinding[] | null {
  if (v === undefined) return null;
  const list = Array.isArray(v) ? v : isRecord(v) && Array.isArray(v.results) ? v.results : isRecord(v) && Array.isArray(v.checks) ? v.checks : null;
  if (list === null) return null;
  return list.map(toFinding).filter((f): f is BabysitFinding => f !== undefined);
}

/** The run page's header data: summary, config, result and babysitter findings. */
export async function runDetail(root: RunsRoot, name: string): Promise<RunDetail | undefined> {
  const summary = await summarizeRun(root, name);
  if (summary === undefined) return undefined;
  const [config, result, babysit] = await Promise.all([
    readRunJson(root, name, "config.json"),
    readRunJson(root, name, "result.json"),
    readRunJson(root, name, "babysit.json"),
  ]);
  return { summary, config: config ?? null, result: result ?? null, babysit: parseBabysit(babysit) };
}
