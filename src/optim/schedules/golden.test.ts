/**
 * Golden test: every schedule against torch.optim.lr_scheduler (PyTorch 1.13), step by step, rel 1e-6.
 * Fixture: test/fixtures/golden/schedules.json, made by tools/goldens/make_schedule_goldens.py.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import * as S from "./index.js";
import type { Schedule } from "./index.js";

interface Spec {
  fn: string;
  args: unknown[];
}
interface GoldenCase {
  name: string;
  schedule: Spec;
  values: number[];
  metrics?: (number | null)[];
  note?: string;
}

// Walk up to the repo root (works from src/ under tsx and from dist/src/ when compiled).
let root = new URL(".", import.meta.url);
while (!existsSync(new URL("package.json", root)) && root.pathname !== "/") root = new URL("..", root);
const url = new URL("test/fixtures/golden/schedules.json", root);
const golden = JSON.parse(readFileSync(url, "utf8")) as { torch: string; cases: GoldenCase[] };

function isSpec(v: unknown): v is Spec {
  return typeof v === "object" && v !== null && "fn" in v && "args" in v;
}

/** Builds a nested argument: a spec becomes a schedule, a list of specs a list of schedules. */
function arg(v: unknown): unknown {
  if (isSpec(v)) return build(v);
  if (Array.isArray(v) && v.some(isSpec)) return v.map(arg);
  return v;
}

// The fixture names the function; the casts below are checked by the values matching, step by step.
type AnyFn = (...args: never[]) => unknown;
function build(spec: Spec): Schedule {
  const fns: Record<string, AnyFn> = {
    constant: S.constant, stepDecay: S.stepDecay, multiStep: S.multiStep, exponential: S.exponential,
    polynomial: S.polynomial, cosine: S.cosine, cosineWarmRestarts: S.cosineWarmRestarts, oneCycle: S.oneCycle,
    oneCycleMomentum: S.oneCycleMomentum, linearRamp: S.linearRamp, linearWarmup: S.linearWarmup,
    sequential: S.sequential, compose: S.compose,
  };
  const fn = fns[spec.fn];
  assert.ok(fn, `golden fixture names unknown schedule ${spec.fn}`);
  const args = spec.args.map(arg) as never[];
  return (fn as (...a: never[]) => Schedule)(...args);
}

function assertClose(actual: number, expected: number, what: string): void {
  const err = Math.abs(actual - expected);
  assert.ok(err <= 1e-6 * Math.abs(expected) + 1e-15, `${what}: got ${actual}, torch ${expected} (|diff| ${err})`);
}

test(`golden fixture is present and was made with torch ${golden.torch}`, () => {
  assert.ok(golden.cases.length >= 20);
});

for (const c of golden.cases) {
  test(`golden: ${c.name}`, () => {
    if (c.schedule.fn === "ReduceOnPlateau") {
      const [lr, opts] = c.schedule.args as [number, S.ReduceOnPlateauOptions];
      const p = new S.ReduceOnPlateau(lr, opts);
      assert.ok(c.metrics && c.metrics.length === c.values.length);
      c.metrics.forEach((m, t) => assertClose(p.step(m ?? NaN), c.values[t], `step ${t} (metric ${m})`));
      return;
    }
    const s = build(c.schedule);
    c.values.forEach((v, t) => assertClose(s(t), v, `step ${t}`));
  });
}
