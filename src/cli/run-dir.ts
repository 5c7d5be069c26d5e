/**
 * A run directory: `runs/<name>/config.json`, an append-only `events.jsonl` (what the dashboard reads),
 * `checkpoint.safetensors` (written atomically: temp file, fsync, rename), and `result.json`.
 */
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TrainEvent } from "../train/index.js";

export class RunDir {
  readonly path: string;
  constructor(root: string, name: string) {
    if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`run name '${name}' may only contain letters, digits, '.', '_' and '-'`);
    this.path = join(root, name);
    mkdirSync(this.path, { recursive: true });
  }
  get checkpoint(): string {
    return join(this.path, "checkpoint.safetensors");
  }
  hasCheckpoint(): boolean {
    return existsSync(this.checkpoint);
  }
  writeConfig(config: object): void {
    writeFileSync(join(this.path, "config.json"), `${JSON.stringify(config, null, 2)}\n`);
  }
  /** Appends one event as a JSON line (append-only: a killed run leaves every earlier line intact). */
  event(e: TrainEvent | Record<string, unknown>): void {
    appendFileSync(join(this.path, "events.jsonl"), `${JSON.stringify(e)}\n`);
  }
  writeResult(result: object): void {
    writeFileSync(join(this.path, "result.json"), `${JSON.stringify(result, null, 2)}\n`);
  }
}

/** A default run name from the time: 2026-11-23T07-30-12. */
export function defaultRunName(now = new Date()): string {
  return now.toISOString().slice(0, 19).replace(/:/g, "-");
}
