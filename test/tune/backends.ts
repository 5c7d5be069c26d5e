/**
 * The study storages the tune tests run against: a fresh SQLite file, and the PostgreSQL server named by
 * GANGLION_TEST_PG_URL (.ci/postgres.sh starts one and prints it). Without that variable the PostgreSQL
 * tests fail when CI=true and are skipped with a visible message otherwise: tests skip nothing silently.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import type { TestContext } from "node:test";
import assert from "node:assert/strict";

export const PG_URL: string | undefined = process.env.GANGLION_TEST_PG_URL || undefined;
const HOW = `start one with: eval "$(bash .ci/postgres.sh start)"`;

/** Call first in a PostgreSQL test: returns the URL, or fails (CI) or skips visibly (elsewhere) without one. */
export function pgUrlOrSkip(t: TestContext): string | undefined {
  if (PG_URL) return PG_URL;
  if (process.env.CI === "true") assert.fail(`GANGLION_TEST_PG_URL is not set but CI=true: .ci/run must start PostgreSQL (${HOW})`);
  const msg = `GANGLION_TEST_PG_URL is not set: PostgreSQL test skipped (${HOW})`;
  console.log(`# ${msg}`);
  t.skip(msg);
  return undefined;
}

/** A temporary directory removed when the test file ends. */
export function tempDir(prefix = "ganglion-tune-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A study name no other test run uses (the PostgreSQL database is shared between runs). */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
