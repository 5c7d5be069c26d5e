/**
 * Hostile names in Chromium: a run directory named with `"'<>&` and markup, markup in config.json, in
 * message and layer names, in babysitter findings, in a study's name and parameter names. Every view is
 * visited; no script may run (no dialog, no `window.__xss`), no element may be injected, and the names
 * must be visible as text.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startDashboard, type Dashboard } from "../../src/dashboard/server/index.js";
import type { StudySource } from "../../src/dashboard/types.js";
import { studySourceFromStorage } from "../../src/cli/dashboard.js";
import { openStorage } from "../../src/tune/storage/index.js";
import { appendEvents, syntheticEvents, tempDir, writeStudy } from "./fixtures.js";
import { launchOrSkip, openPage, screenshot, type Browser } from "./browser.js";

const payload = (n: number): string => `<img src=x onerror="window.__xss=${n};alert(${n})">`;
const DIR_NAME = `${payload(1)}"'&amp;`;
const TITLE = `${payload(2)}<script>window.__xss=22</script>`;
const BASE = tempDir();
const RUNS = join(BASE, "runs");
mkdirSync(RUNS);

describe("dashboard XSS", () => {
  let d: Dashboard;
  let b: Browser | undefined;
  const study = `${payload(7)}study`;
  before(async () => {
    for (const name of [DIR_NAME, "safe-name"]) {
      const dir = join(RUNS, name);
      mkdirSync(dir);
      writeFileSync(join(dir, "config.json"), JSON.stringify({ name: TITLE, [payload(3)]: payload(4), classes: Array.from({ length: 10 }, (_, i) => `${payload(30 + i)}`) }));
      const events: unknown[] = syntheticEvents({ steps: 40, stepsPerEpoch: 20, every: 10 }, 0, 40);
      events.push({ type: "message", level: "warn", text: payload(5), time: 1 });
      events.push({ type: "layerStats", step: 40, layers: [{ name: payload(6), mean: 0, std: 1, deadFraction: 0.1, histogram: { edges: [-1, 0, 1], counts: [3, 4] } }] });
      events.push({ type: "eval", split: payload(8), loss: 1, accuracy: 0.5, perClassAccuracy: Array(10).fill(0.5), confusion: Array.from({ length: 10 }, (_, i) => Array.from({ length: 10 }, (_, j) => (i === j ? 5 : 1))), time: 2 });
      appendEvents(dir, events);
      writeFileSync(join(dir, "babysit.json"), JSON.stringify([{ name: payload(9), status: `${payload(10)}`, numbers: { [payload(11)]: 1 }, advice: payload(12) }]));
    }
    // Stored study names are restricted to [A-Za-z0-9._-], but the dashboard must not rely on its source:
    // this wrapper shows the stored study under a hostile name.
    const url = await writeStudy(BASE, "xss-study", 12, [payload(13), `lr${payload(14)}`, payload(15)]);
    const real = studySourceFromStorage(await openStorage(url));
    const studies: StudySource = {
      description: `${payload(16)} storage`,
      list: async () => (await real.list()).map((s) => ({ ...s, name: study })),
      get: async (name) => {
        const v = name === study ? await real.get("xss-study") : undefined;
        return v && { ...v, summary: { ...v.summary, name: study }, plot: { ...v.plot, study } };
      },
      close: () => real.close(),
    };
    d = await startDashboard({ runsDir: RUNS, port: 0, pollMs: 200, studies });
  });
  after(async () => {
    await b?.close();
    await d?.close();
  });

  it("shows hostile run, parameter and event names as text on every view; no script runs", async (t) => {
    b = await launchOrSkip(t);
    if (!b) return;
    const { page, errors, dialogs } = await openPage(b);
    const views = [
      ["list", d.url, "#runs[data-count='2']"],
      ["run", `${d.url}#/run/${encodeURIComponent(DIR_NAME)}`, "[data-chart='loss'][data-points='40']"],
      ["run-safe", `${d.url}#/run/safe-name`, ".finding"],
      ["compare", `${d.url}#/compare/${encodeURIComponent(DIR_NAME)}/safe-name`, "[data-chart='cmp-loss'][data-points='40']"],
      ["study", `${d.url}#/study/${encodeURIComponent(study)}`, "#app[data-trials='12']"],
    ] as const;
    for (const [name, url, ready] of views) {
      await page.goto(url);
      await page.waitForSelector(ready);
      await page.waitForTimeout(300);
      const state = await page.evaluate(() => ({
        xss: (window as unknown as { __xss?: unknown }).__xss,
        imgs: document.querySelectorAll("img").length,
        scripts: document.querySelectorAll("script").length,
        text: document.body.innerText,
      }));
      assert.equal(state.xss, undefined, `${name}: a payload ran`);
      assert.equal(state.imgs, 0, `${name}: an <img> was injected`);
      assert.equal(state.scripts, 1, `${name}: a <script> was injected`);
      if (name === "list") {
        assert.ok(state.text.includes(DIR_NAME), "list: the hostile directory name is not shown as text");
        assert.ok(state.text.includes(TITLE), "list: the hostile title is not shown as text");
        assert.ok(state.text.includes(study), "list: the hostile study name is not shown as text");
        assert.ok(state.text.includes(payload(16)), "list: the hostile storage description is not shown as text");
      }
      if (name === "run") {
        for (const n of [1, 2, 3, 4, 5, 6, 8, 9, 12, 30]) assert.ok(state.text.includes(payload(n)), `run: payload ${n} not shown as text`);
        await screenshot(page, "dashboard-xss-run");
      }
      if (name === "study") {
        assert.ok(state.text.includes(study), "study: hostile study name not shown");
        assert.ok(state.text.includes(payload(13)), "study: hostile parameter name not shown");
      }
    }
    assert.deepEqual(dialogs, []);
    assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), []);
    await page.close();
  });
});
