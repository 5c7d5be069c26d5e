/**
 * Headless Chromium for the dashboard tests: Debian's `chromium` package driven by playwright-core (no
 * browser download), a fresh user-data directory per launch. Without Chromium the tests fail when
 * CI=true (CI must install it: `apt-get install chromium`) and are skipped with a visible message
 * elsewhere.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = process.env.GANGLION_CHROMIUM ?? "/usr/bin/chromium";
export const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-dev-shm-usage"];
/** Where screenshots go (git-ignored; CI keeps it as an artifact). */
export const RESULTS = resolve("test-results");

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Chromium with WebGPU on: no --disable-gpu, and --enable-unsafe-webgpu, which headless Linux needs for
 * navigator.gpu. Without a GPU, Chromium's bundled SwiftShader (a CPU Vulkan) provides the adapter.
 */
export const WEBGPU_ARGS = [...ARGS.filter((a) => a !== "--disable-gpu"), "--enable-unsafe-webgpu"];

/** Launches Chromium, or fails (CI) / skips visibly (elsewhere) when it is not installed. */
export async function launchOrSkip(t: TestContext, args: readonly string[] = ARGS): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM)) {
    const msg = `Chromium not found at ${CHROMIUM}: install Debian's package with 'apt-get install chromium' (or set GANGLION_CHROMIUM)`;
    if (process.env.CI === "true") assert.fail(`${msg}; CI=true, so the browser tests may not be skipped`);
    console.log(`# ${msg}: browser test skipped`);
    t.skip(msg);
    return undefined;
  }
  const userData = mkdtempSync(join(tmpdir(), "ganglion-chromium-"));
  const context = await chromium.launchPersistentContext(userData, {
    executablePath: CHROMIUM, headless: true, args: [...args], viewport: { width: 1400, height: 1000 }, deviceScaleFactor: 1,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(userData, { recursive: true, force: true });
    },
  };
}

/** A new page that records uncaught errors and any dialog (alert/confirm/prompt) it opens. */
export async function openPage(b: Browser): Promise<{ page: Page; errors: string[]; dialogs: string[] }> {
  const page = await b.context.newPage();
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return { page, errors, dialogs };
}

/** Saves a PNG of the whole page (or only the viewport) to test-results/<name>.png. */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  mkdirSync(RESULTS, { recursive: true });
  const path = join(RESULTS, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

/** How many pixels of the canvases under `selector` are neither white nor transparent (has anything been drawn?). */
export async function inkedPixels(page: Page, selector: string): Promise<number> {
  return page.$$eval(selector, (canvases) => {
    let n = 0;
    for (const c of canvases) {
      if (!(c instanceof HTMLCanvasElement) || c.width === 0 || c.height === 0) continue;
      const d = c.getContext("2d")?.getImageData(0, 0, c.width, c.height).data;
      if (!d) continue;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && !(d[i] > 245 && d[i + 1] > 245 && d[i + 2] > 245)) n++;
    }
    return n;
  });
}
