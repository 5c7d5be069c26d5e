/** Fetching the dashboard API (same origin, GET only). */

export class ApiError extends Error {
  override name = "ApiError";
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** GETs `/api/…` and parses JSON; a non-2xx answer throws ApiError with the server's message. */
export async function getJson<T>(path: string): Promise<T> {
  const r = await fetch(path, { headers: { accept: "application/json" }, cache: "no-store" });
  const text = await r.text();
  if (!r.ok) {
    let msg = text;
    try {
      const j = JSON.parse(text) as { error?: unknown };
      if (typeof j.error === "string") msg = j.error;
    } catch {
      // not JSON: keep the text
    }
    throw new ApiError(r.status, msg);
  }
  return JSON.parse(text) as T;
}

/** `/api/runs/<name>/<rest>` with the name percent-encoded. */
export function runUrl(name: string, rest = ""): string {
  return `/api/runs/${encodeURIComponent(name)}${rest ? `/${rest}` : ""}`;
}

export function studyUrl(name: string): string {
  return `/api/studies/${encodeURIComponent(name)}`;
}
