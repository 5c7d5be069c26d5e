/**
 * The only way the dashboard server touches the file system: names from URLs are checked, joined under
 * the runs directory, resolved with `realpath` (so symbolic links are followed) and accepted only if the
 * real path still lies inside the (real) runs directory. Files are taken from a fixed allow-list.
 */
import { realpath, stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";

/** The files of a run directory the server will read. Nothing else is ever opened. */
export const RUN_FILES = ["config.json", "events.jsonl", "result.json", "babysit.json", "checkpoint.safetensors"] as const;
export type RunFile = (typeof RUN_FILES)[number];

export function isRunFile(name: string): name is RunFile {
  return (RUN_FILES as readonly string[]).includes(name);
}

/**
 * A run name as it may appear in a URL: one path segment, not `.`/`..`, no separators or NUL, not hidden
 * (names starting with `.` are temporary or private directories), at most 255 bytes.
 */
export function isSafeRunName(name: string): boolean {
  return name.length > 0 && Buffer.byteLength(name) <= 255 && !name.startsWith(".") && !/[/\\\0]/.test(name);
}

/** Is `child` (a real path) strictly inside directory `dir` (a real path)? */
export function isInside(dir: string, child: string): boolean {
  const base = dir.endsWith(sep) ? dir : dir + sep;
  return child.startsWith(base) && child.length > base.length;
}

async function realOrUndefined(p: string): Promise<string | undefined> {
  try {
    return await realpath(p);
  } catch {
    return undefined;
  }
}

/** The runs directory. It may not exist yet (a dashboard started before the first run): then it is empty. */
export class RunsRoot {
  /** Absolute path as given (not resolved through links). */
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  /** The real path of the runs directory, or undefined while it does not exist. */
  async real(): Promise<string | undefined> {
    const r = await realOrUndefined(this.dir);
    if (r === undefined) return undefined;
    try {
      return (await stat(r)).isDirectory() ? r : undefined;
    } catch {
      return undefined;
    }
  }

  /** The real path of run `name`'s directory, or undefined if the name is unsafe, missing, or leads outside. */
  async runDir(name: string): Promise<string | undefined> {
    if (!isSafeRunName(name)) return undefined;
    const root = await this.real();
    if (root === undefined) return undefined;
    const r = await realOrUndefined(join(root, name));
    if (r === undefined || !isInside(root, r)) return undefined;
    try {
      return (await stat(r)).isDirectory() ? r : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * The real path of an allow-listed file of run `name`, or undefined if it does not exist, is not a
   * regular file, or resolves (through a link) to somewhere outside the run's directory.
   */
  async runFile(name: string, file: string): Promise<string | undefined> {
    if (!isRunFile(file)) return undefined;
    const dir = await this.runDir(name);
    if (dir === undefined) return undefined;
    const r = await realOrUndefined(join(dir, file));
    if (r === undefined || !isInside(dir, r)) return undefined;
    try {
      return (await stat(r)).isFile() ? r : undefined;
    } catch {
      return undefined;
    }
  }
}
