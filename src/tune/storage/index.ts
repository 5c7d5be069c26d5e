/**
 * Study storage: `openStorage(url)` opens an SQLite file (default) or a PostgreSQL database behind one
 * interface. The drivers (better-sqlite3, pg) are loaded on first use with a dynamic import, so importing
 * ganglion does not load native code or network clients that a program never uses.
 */
import { StorageError } from "./types.js";
import type { StudyStorage } from "./types.js";
import { parseStorageUrl, redactUrl } from "./url.js";

export * from "./types.js";
export { DEFAULT_STORAGE, parseStorageUrl, redactUrl } from "./url.js";
export type { StorageLocation } from "./url.js";

export interface OpenStorageOptions {
  /** SQLite: how long to wait for another process's write lock (default 30 s). */
  busyTimeoutMs?: number;
  /** PostgreSQL: connections in the pool (default 2). */
  maxConnections?: number;
  /** PostgreSQL: give up connecting after this long (default 5 s). */
  connectTimeoutMs?: number;
}

/** Opens (creating tables if needed) the storage at `url`; throws StorageError saying what failed and how to fix it. */
export async function openStorage(url: string, opts: OpenStorageOptions = {}): Promise<StudyStorage> {
  const loc = parseStorageUrl(url);
  if (loc.kind === "sqlite") {
    const { SqliteStorage } = await loadDriver(url, "better-sqlite3", () => import("./sqlite.js"));
    return new SqliteStorage(loc.path, { busyTimeoutMs: opts.busyTimeoutMs });
  }
  const { PostgresStorage } = await loadDriver(url, "pg", () => import("./postgres.js"));
  return PostgresStorage.open(loc.url, { maxConnections: opts.maxConnections, connectTimeoutMs: opts.connectTimeoutMs });
}

async function loadDriver<T>(url: string, pkg: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ERR_MODULE_NOT_FOUND" || /Could not locate the bindings|cannot open shared object/i.test((e as Error).message)) {
      throw new StorageError(`cannot open storage ${redactUrl(url)}: the npm package ${pkg} is not installed or not built (${(e as Error).message.split("\n")[0]}); run 'npm install ${pkg}'`);
    }
    throw e;
  }
}
