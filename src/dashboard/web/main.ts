/**
 * The dashboard's front end (bundled by esbuild into dist/src/dashboard/static/app.js). Hash routes:
 *
 *   #/                       runs and studies
 *   #/run/<name>             one run, live
 *   #/compare/<a>/<b>/…      runs overlaid
 *   #/study/<name>           one study
 *   #/demo                   train a CNN in this browser (settings in the query string: ?train=…&auto=1)
 *
 * Every name in a route is percent-encoded; everything shown is inserted as text.
 */
import type { DashboardInfo } from "../types.js";
import { getJson } from "./api.js";
import { compareView } from "./compare-view.js";
import { demoView } from "./demo-view.js";
import { clear, h } from "./dom.js";
import { listView } from "./list-view.js";
import { runView } from "./run-view.js";
import { studyView } from "./study-view.js";

/** Splits `#/kind/a/b` into decoded parts; undefined for a malformed encoding. */
export function parseRoute(hash: string): string[] | undefined {
  const parts = hash.replace(/^#\/?/, "").split("/").filter((p) => p !== "");
  try {
    return parts.map((p) => decodeURIComponent(p));
  } catch {
    return undefined;
  }
}

async function boot(): Promise<void> {
  const app = document.getElementById("app");
  const source = document.getElementById("source");
  const nav = document.getElementById("nav");
  if (!app) return;
  let info: DashboardInfo = { version: 1, runsDir: "", studies: null };
  try {
    info = await getJson<DashboardInfo>("/api/info");
  } catch {
    // keep defaults: the views report their own errors
  }
  if (source) source.textContent = `runs: ${info.runsDir}${info.studies ? ` · studies: ${info.studies}` : ""}`;
  if (nav) nav.append(h("a", { href: "#/" }, "runs"), " ", h("a", { href: "#/demo" }, "demo"));
  let dispose: (() => void) | undefined;
  const show = (): void => {
    dispose?.();
    dispose = undefined;
    const route = parseRoute(location.hash);
    app.dataset.view = route?.[0] ?? "list";
    window.scrollTo(0, 0);
    if (route === undefined) {
      clear(app);
      app.appendChild(h("p", { class: "error" }, "bad link"));
    } else if (route[0] === "run" && route.length === 2) dispose = runView(app, route[1]);
    else if (route[0] === "compare" && route.length >= 2) dispose = compareView(app, route.slice(1));
    else if (route[0] === "study" && route.length === 2) dispose = studyView(app, route[1]);
    else if (route[0] === "demo" && route.length === 1) dispose = demoView(app);
    else dispose = listView(app, info.studies);
    document.body.dataset.ready = "true";
  };
  window.addEventListener("hashchange", show);
  show();
}

void boot();
