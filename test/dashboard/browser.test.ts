/**
 * The dashboard in real headless Chromium: a finished run's curves, histograms, filters and confusion
 * matrix; a run in progress gaining points live; runs compared; a study's scatter, best-so-far curve and
 * parallel coordinates; and hostile names (XSS) shown as text. Screenshots of each view go to
 * test-results/.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { startDashboard, type Dashboard } from "../../src/dashboard/server/index.js";
import { studySourceFromStorage } from "../../src/cli/dashboard.js";
import { openStorage } from "../../src/tune/storage/index.js";
import { appendEvents, syntheticEvents, tempDir, writeFinishedRun, writeStudy } from "./fixtures.js";
import { inkedPixels, launchOrSkip, openPage, screenshot, type Browser } from "./browser.js";

const BASE = tempDir();
const RUNS = join(BASE, "runs");
mkdirSync(RUNS);

describe("dashboard in Chromium", () => {
  let d: Dashboard;
  let b: Browser | undefined;
  const studyName = "cifar-random-search";
  before(async () => {
    writeFinishedRun(RUNS, "cifar-lr3e-3", { steps: 300, stepsPerEpoch: 30, seed: 1, lr: 3e-3 });
    writeFinishedRun(RUNS, "cifar-lr1e-3", { steps: 300, stepsPerEpoch: 30, seed: 2, lr: 1e-3 });
    const url = await writeStudy(BASE, studyName, 40);
    d = await startDashboard({ runsDir: RUNS, port: 0, pollMs: 200, studies: studySourceFromStorage(await openStorage(url)) });
    assert.ok(d.bundled, "the front end bundle is missing: run 'npm run build' (it runs build:dashboard)");
  });
  after(async () => {
    await b?.close();
    await d?.close();
  });

  it("lists runs and studies", async (t) => {
    b ??= await launchOrSkip(t);
    if (!b) return;
    const { page, errors } = await openPage(b);
    await page.goto(d.url);
    await page.waitForSelector("#runs[data-count='2']");
    await page.waitForSelector("a.study-link");
    assert.equal(await page.locator("a.run-link").count(), 2);
    await screenshot(page, "dashboard-runs");
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("shows a finished run's curves, histograms, filters, confusion matrix, misclassified images and findings", async (t) => {
    b ??= await launchOrSkip(t);
    if (!b) return;
    const { page, errors } = await openPage(b);
    await page.goto(`${d.url}#/run/cifar-lr3e-3`);
    await page.waitForSelector("[data-chart='loss'][data-points='300']");
    await page.waitForSelector("[data-chart='accuracy'][data-points='10']");
    await page.waitForSelector(".hists[data-layers='5']");
    await page.waitForSelector(".grad-hists[data-layers='3']");
    await page.waitForSelector(".mistakes[data-count='24']");
    await page.waitForSelector(".filters[data-count='16']");
    await page.waitForSelector("table.matrix[data-classes='10']");
    await page.waitForSelector(".finding.warn");
    for (const id of ["loss", "accuracy", "lr", "update-ratio", "grad-norm", "dead", "act-std"]) {
      assert.ok(await inkedPixels(page, `[data-chart='${id}'] canvas`) > 500, `chart ${id} is blank`);
    }
    assert.ok(await inkedPixels(page, "canvas.heatmap") > 5 * 300 * 100, "histogram heatmaps are blank");
    assert.ok(await inkedPixels(page, "canvas.filter") > 16 * 20, "filters are blank");
    assert.ok(await inkedPixels(page, ".grad-hists canvas.heatmap") > 3 * 300 * 100 * 0.9, "gradient heatmaps are blank");
    assert.ok(await inkedPixels(page, ".grad-hists canvas.bars") > 3 * 500, "gradient histogram bars are blank");
    // 24 images of 32×32 (the disc and the gradient background are never white).
    assert.ok(await inkedPixels(page, "canvas.mistake-img") > 24 * 32 * 32 * 0.9, "misclassified images are blank");
    const captions = await page.locator(".mistake figcaption").allInnerTexts();
    assert.equal(captions.length, 24);
    assert.match(captions[0], /^0 → 1\s+99\.00%$/);
    assert.match(await page.locator(".mistakes").locator("xpath=..").innerText(), /test: 87 misclassified/);
    assert.equal(await page.locator("canvas.filter").count(), 16);
    assert.match(await page.locator(".tiles").innerText(), /91\.\d\d%|9\d\.\d\d%/);
    await screenshot(page, "dashboard-run");
    await page.setViewportSize({ width: 1400, height: 1250 });
    await screenshot(page, "dashboard-run-top", false);
    await page.locator("[data-chart='loss'] .tools input[type='checkbox']").check();
    await page.waitForSelector("[data-chart='loss'][data-log='true']");
    assert.ok(await inkedPixels(page, "[data-chart='loss'] canvas") > 500);
    await page.locator(".card:has(.hists) input[type='range']").fill("0");
    await page.waitForFunction(() => document.querySelector(".card:has(.hists) .tools span")?.textContent?.startsWith("1 ("));
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("a run in progress gains points live (only new events arrive)", async (t) => {
    b ??= await launchOrSkip(t);
    if (!b) return;
    const dir = join(RUNS, "live-run");
    mkdirSync(dir);
    const o = { steps: 120, stepsPerEpoch: 40, every: 10, seed: 5 };
    appendEvents(dir, syntheticEvents(o, 0, 20));
    const { page, errors } = await openPage(b);
    await page.goto(`${d.url}#/run/live-run`);
    await page.waitForSelector("[data-chart='loss'][data-points='20']");
    await page.waitForSelector(".badge.running");
    for (let s = 20; s < 80; s += 15) {
      appendEvents(dir, syntheticEvents(o, s, s + 15));
      await page.waitForSelector(`[data-chart='loss'][data-points='${s + 15}']`, { timeout: 10_000 });
    }
    await page.waitForSelector("#app[data-steps='80']");
    await page.waitForSelector("[data-chart='accuracy'][data-points='2']");
    await page.waitForSelector(".hists[data-layers='5']");
    await screenshot(page, "dashboard-live");
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("compares runs with overlaid curves", async (t) => {
    b ??= await launchOrSkip(t);
    if (!b) return;
    const { page, errors } = await openPage(b);
    await page.goto(`${d.url}#/compare/cifar-lr3e-3/cifar-lr1e-3`);
    await page.waitForSelector("[data-chart='cmp-loss'][data-points='300']");
    await page.waitForSelector("[data-chart='cmp-val'][data-points='10']");
    const legend = await page.locator("[data-chart='cmp-loss'] .u-legend").innerText();
    assert.match(legend, /cifar-lr3e-3/);
    assert.match(legend, /cifar-lr1e-3/);
    assert.ok(await inkedPixels(page, "[data-chart='cmp-loss'] canvas") > 500);
    await screenshot(page, "dashboard-compare");
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("renders a study: log-axis scatter, best so far, parallel coordinates, trials table", async (t) => {
    b ??= await launchOrSkip(t);
    if (!b) return;
    const { page, errors } = await openPage(b);
    await page.goto(`${d.url}#/study/${studyName}`);
    await page.waitForSelector("#app[data-trials='40']");
    await page.waitForSelector("[data-chart='scatter'][data-points='40']");
    await page.waitForSelector("[data-chart='best-so-far'][data-points='40']");
    await page.waitForSelector("canvas.parallel[data-axes='4'][data-lines='40']");
    assert.match(await page.locator("[data-chart='scatter'] h3").innerText(), /weight_decay vs lr/);
    // The scatter's points are drawn in ramp colours (not grey): count strongly coloured pixels.
    const coloured = await page.$$eval("[data-chart='scatter'] canvas", (cs) => {
      let n = 0;
      for (const c of cs) {
        const d = (c as HTMLCanvasElement).getContext("2d")?.getImageData(0, 0, (c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height).data;
        if (d) for (let i = 0; i < d.length; i += 4) if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 60) n++;
      }
      return n;
    });
    assert.ok(coloured > 30 * 30, `scatter points not drawn (${coloured} coloured pixels)`);
    assert.ok(await inkedPixels(page, "canvas.parallel") > 2000);
    assert.equal(await page.locator("table.grid tbody tr").count(), 40);
    await screenshot(page, "dashboard-study");
    assert.deepEqual(errors, []);
    await page.close();
  });
});
