/**
 * Small HTTP helpers for the dashboard: strict request-path parsing (no dot segments, no encoded
 * separators), read-only method policy, DNS-rebinding protection for loopback servers, and responses
 * that always carry the security headers.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Content-Security-Policy for every response: scripts and styles only from this origin (no inline
 * script), nothing embeds the dashboard, no plugins. uPlot sets element styles through the CSSOM, which
 * `style-src 'self'` allows.
 */
export const CSP = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:", "connect-src 'self'",
  "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join("; ");

/**
 * The demo's scripts (the library bundle and its workers) compile WebAssembly, which a CSP allows only
 * with 'wasm-unsafe-eval' (no JavaScript eval). Workers take the CSP of their own script's response.
 */
export const WASM_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'");

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-opener-policy": "same-origin",
  // With COOP, makes the page cross-origin isolated (SharedArrayBuffer: Wasm threads in the demo's workers).
  "cross-origin-embedder-policy": "require-corp",
  "cross-origin-resource-policy": "same-origin",
};

/** A request path split into decoded segments, and its query. */
export interface ParsedPath {
  readonly segments: string[];
  readonly query: URLSearchParams;
}

/**
 * Parses `req.url` without URL normalisation (which would quietly resolve `..`): splits on `/`, then
 * percent-decodes each segment. Returns an error string for anything suspicious: not origin-form, bad
 * percent-encoding, a decoded segment that is `.` or `..`, or one containing `/`, `\` or NUL.
 */
export function parseRequestPath(rawUrl: string): ParsedPath | string {
  if (!rawUrl.startsWith("/")) return "request target must be a path";
  const q = rawUrl.indexOf("?");
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const hash = path.indexOf("#");
  const clean = hash < 0 ? path : path.slice(0, hash);
  const segments: string[] = [];
  for (const raw of clean.split("/").slice(1)) {
    let s: string;
    try {
      s = decodeURIComponent(raw);
    } catch {
      return "bad percent-encoding in path";
    }
    if (s === "." || s === ".." || /[/\\\0]/.test(s)) return "path segments may not be '.', '..' or contain '/', '\\' or NUL";
    segments.push(s);
  }
  while (segments.length > 0 && segments[segments.length - 1] === "") segments.pop();
  return { segments, query: new URLSearchParams(q < 0 ? "" : rawUrl.slice(q + 1)) };
}

/** Hosts a loopback-only server answers to (protects against DNS rebinding: evil.com resolving to 127.0.0.1). */
export function loopbackHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
}

export function isLoopbackHost(host: string): boolean {
  return host === "127.0.0.1" || host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Sends `body` (or only the headers, for HEAD) with the security headers. */
export function send(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}): void {
  const buf = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  res.writeHead(status, { ...SECURITY_HEADERS, "content-type": type, "content-length": String(buf.length), "cache-control": "no-store", ...extra });
  res.end(req.method === "HEAD" ? undefined : buf);
}

export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, value: unknown): void {
  send(req, res, status, "application/json; charset=utf-8", JSON.stringify(value));
}

export function sendError(req: IncomingMessage, res: ServerResponse, status: number, message: string, extra: Record<string, string> = {}): void {
  const body = JSON.stringify({ error: message });
  send(req, res, status, "application/json; charset=utf-8", body, extra);
}
