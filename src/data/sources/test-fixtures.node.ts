/**
 * Test helper: the absolute path of test/fixtures/data/, found by walking up from this file to the
 * package root, so tests work both from src/ (tsx) and from the compiled dist/ tree.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export function fixtureDir(...parts: string[]): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, "test", "fixtures", "data");
    if (existsSync(candidate)) return join(candidate, ...parts);
    dir = dirname(dir);
  }
  throw new Error(`test/fixtures/data not found above ${fileURLToPath(import.meta.url)}; run node tools/make-test-data.mjs`);
}
