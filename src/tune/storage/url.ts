/**
 * Storage locations. Accepted forms:
 *
 *   sqlite:studies.db           an SQLite file, relative to the working directory
 *   sqlite:///abs/path/x.db     an SQLite file, absolute path
 *   studies.db, ./x/y.sqlite    a bare path: an SQLite file
 *   sqlite::memory:             an in-memory SQLite database (one process only: tests)
 *   postgres://user:password@127.0.0.1:5432/db   (or postgresql://); the password may also come from PGPASSWORD
 */
import { StorageError } from "./types.js";

export type StorageLocation =
  | { readonly kind: "sqlite"; readonly path: string }
  | { readonly kind: "postgres"; readonly url: string };

export const DEFAULT_STORAGE = "sqlite:ganglion-tune.db";

const FORMS = "sqlite:<file>, sqlite:///<absolute file>, a bare file path, or postgres://user[:password]@host:port/database";

/** Parses a storage URL; throws StorageError naming the accepted forms. */
export function parseStorageUrl(raw: string): StorageLocation {
  const url = raw.trim();
  if (url === "") throw new StorageError(`storage: empty location (expected ${FORMS})`);
  if (/^postgres(ql)?:\/\//i.test(url)) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new StorageError(`storage: ${redactUrl(url)} is not a valid URL (expected postgres://user[:password]@host:port/database)`);
    }
    if (u.hostname === "") throw new StorageError(`storage: ${redactUrl(url)} names no host (expected postgres://user[:password]@host:port/database)`);
    if (u.pathname.length <= 1) throw new StorageError(`storage: ${redactUrl(url)} names no database (expected postgres://user[:password]@host:port/database)`);
    return { kind: "postgres", url };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  if (scheme && scheme[1].toLowerCase() === "sqlite") {
    let path = url.slice(scheme[0].length);
    if (path.startsWith("//")) path = path.slice(2);
    if (path === "") throw new StorageError(`storage: ${url} names no file (expected sqlite:<file> or sqlite:///<absolute file>)`);
    return { kind: "sqlite", path };
  }
  // One letter before ':' is a Windows drive, not a scheme.
  if (scheme && scheme[1].length > 1) {
    throw new StorageError(`storage: unsupported scheme '${scheme[1]}:' in ${redactUrl(url)} (expected ${FORMS})`);
  }
  return { kind: "sqlite", path: url };
}

/** The URL with any password (in the user part or a `password=` parameter) removed, for messages. */
export function redactUrl(raw: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(.*)$/i.exec(raw);
  if (!m) return raw;
  let rest = m[2];
  const end = rest.search(/[?#]/);
  const head = end < 0 ? rest : rest.slice(0, end);
  const at = head.lastIndexOf("@");
  if (at >= 0) {
    const colon = head.indexOf(":");
    if (colon >= 0 && colon < at) rest = head.slice(0, colon) + rest.slice(at);
  }
  return m[1] + rest.replace(/([?&]password=)[^&#]*/i, "$1***");
}
