/** Test helpers: golden-fixture decoding and closeness assertions with a report naming the worst element. */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";


/** The repo root, whether running from dist/test or test/ (tsx). */
export function repoRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.includes(`${"/"}dist${"/"}`) || here.endsWith("/dist/test") ? join(here, "..", "..") : join(here, "..");
}

export interface GoldenTensor {
  readonly dtype: "float32" | "int32";
  readonly shape: number[];
  readonly data: Float32Array | Int32Array;
}
export interface GoldenCase {
  readonly name: string;
  readonly op: string;
  readonly inputs: Record<string, GoldenTensor>;
  readonly attrs: Record<string, unknown>;
  readonly outputs: Record<string, GoldenTensor>;
  readonly gradOut?: GoldenTensor;
  readonly grads?: Record<string, GoldenTensor>;
}

interface RawTensor { dtype: "float32" | "int32"; shape: number[]; b64: string }

function decode(t: RawTensor): GoldenTensor {
  const buf = Buffer.from(t.b64, "base64");
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  return { dtype: t.dtype, shape: t.shape, data: t.dtype === "int32" ? new Int32Array(ab) : new Float32Array(ab) };
}
function decodeAll(r: Record<string, RawTensor> | undefined): Record<string, GoldenTensor> {
  return Object.fromEntries(Object.entries(r ?? {}).map(([k, v]) => [k, decode(v)]));
}

export function loadGoldens(group: string): GoldenCase[] {
  const path = join(repoRoot(), "test", "fixtures", "golden", `${group}.json`);
  const raw = JSON.parse(readFileSync(path, "utf8")) as { cases: Array<Omit<GoldenCase, "inputs" | "outputs" | "gradOut" | "grads"> & { inputs: Record<string, RawTensor>; outputs: Record<string, RawTensor>; gradOut?: RawTensor; grads?: Record<string, RawTensor> }> };
  return raw.cases.map((c) => ({
    ...c,
    inputs: decodeAll(c.inputs),
    outputs: decodeAll(c.outputs),
    gradOut: c.gradOut ? decode(c.gradOut) : undefined,
    grads: c.grads ? decodeAll(c.grads) : undefined,
  }));
}

export interface Tol {
  readonly atol?: number;
  readonly rtol?: number;
}

/** Asserts |a - e| <= atol + rtol * |e| elementwise; NaNs must match. Reports the worst element. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, { atol = 1e-5, rtol = 1e-4 }: Tol = {}, label = ""): void {
  assert.equal(actual.length, expected.length, `${label}: length ${actual.length} vs expected ${expected.length}`);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i], e = expected[i];
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= 0) && (worst < 0 || excess > worstExcess || Number.isNaN(excess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    assert.fail(`${label}: element ${worst}: got ${actual[worst]}, expected ${expected[worst]} (atol ${atol}, rtol ${rtol})`);
  }
}
