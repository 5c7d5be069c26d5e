/**
 * The start page: runs (most recent first, refreshed every few seconds: a small directory listing,
 * not the logs) with checkboxes to compare several, and the studies when a storage was given.
 */
import type { RunSummary, StudySummary } from "../types.js";
import { getJson } from "./api.js";
import { card, clear, h, routeHref, table } from "./dom.js";
import { ago, bytes, num, pct } from "./fmt.js";
import { statusBadge } from "./run-view.js";

export function listView(app: HTMLElement, studiesSource: string | null): () => void {
  const selected = new Set<string>();
  const runsEl = h("div", { id: "runs" }, h("p", { class: "muted" }, "loading runs…"));
  const studiesEl = h("div", { id: "studies" });
  const compareBtn = h("button", { class: "btn" }, "Compare selected");
  compareBtn.disabled = true;
  compareBtn.addEventListener("click", () => {
    if (selected.size > 0) location.hash = routeHref("compare", ...selected);
  });
  clear(app);
  app.append(card("Runs", h("div", { class: "tools" }, compareBtn), runsEl));
  if (studiesSource !== null) app.append(card("Studies", h("p", { class: "muted" }, studiesSource), studiesEl));

  const renderRuns = (runs: RunSummary[]): void => {
    clear(runsEl);
    runsEl.dataset.count = String(runs.length);
    if (runs.length === 0) {
      runsEl.appendChild(h("p", { class: "muted" }, "no runs yet: 'ganglion train' writes them here"));
      return;
    }
    const rows = runs.map((r) => {
      const box = h("input", { type: "checkbox", title: "select for comparison" });
      box.checked = selected.has(r.name);
      box.addEventListener("change", () => {
        if (box.checked) selected.add(r.name);
        else selected.delete(r.name);
        compareBtn.disabled = selected.size === 0;
      });
      const acc = r.headline.test_accuracy;
      return [box, h("a", { href: routeHref("run", r.name), class: "run-link" }, r.name),
        r.title ?? "", statusBadge(r.status), ago(r.modified), bytes(r.eventsBytes), acc !== undefined ? pct(acc) : ""];
    });
    runsEl.appendChild(table(["", "run", "title", "status", "changed", "log", "test accuracy"], rows));
  };

  const renderStudies = (list: StudySummary[]): void => {
    clear(studiesEl);
    if (list.length === 0) {
      studiesEl.appendChild(h("p", { class: "muted" }, "no studies in this storage"));
      return;
    }
    studiesEl.appendChild(table(["study", "direction", "trials", "complete", "pruned", "failed", "running", "best"], list.map((s) => [
      h("a", { href: routeHref("study", s.name), class: "study-link" }, s.name), s.direction, `${s.trials} / ${s.nTrials}`,
      String(s.counts.complete), String(s.counts.pruned), String(s.counts.failed), String(s.counts.running), num(s.best),
    ])));
  };

  const refresh = async (): Promise<void> => {
    try {
      renderRuns(await getJson<RunSummary[]>("/api/runs"));
      if (studiesSource !== null) renderStudies(await getJson<StudySummary[]>("/api/studies"));
    } catch (e) {
      clear(runsEl);
      runsEl.appendChild(h("p", { class: "error" }, (e as Error).message));
    }
  };
  void refresh();
  const timer = window.setInterval(() => void refresh(), 5000);
  return () => window.clearInterval(timer);
}
