/**
 * Transcendental accuracy on WebGPU that does not depend on the adapter's builtins: WGSL promises sin
 * and cos only to 2^-11 absolute inside [-pi, pi] (Chromium's SwiftShader adapter was off by 1.5e-4),
 * so the kernels reduce the argument and evaluate their own polynomials. Checked here over a wide range
 * against float64 Math.sin/Math.cos of the same float32 inputs.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion/node";
import { assertClose } from "../helpers.js";

const backend = await g.initWebGPU();

describe("webgpu sin and cos accuracy", () => {
  if (!backend) {
    it("SKIPPED: no WebGPU adapter", { skip: "no WebGPU adapter" }, () => {});
    return;
  }
  after(() => backend.destroy());
  const rng = new g.Rng(5);
  // Dense in [-2pi, 2pi] (every quadrant boundary), then out to |x| = 3000.
  const far = rng.uniform(2048, -3000, 3000);
  const xs = Float32Array.from({ length: 4096 }, (_, i) => (i < 2048 ? (i / 2047 - 0.5) * 4 * Math.PI : far[i - 2048]));
  xs.set([0, -0, Math.PI / 2, Math.PI, -Math.PI / 4, 1e-20, 2999.5], 0);

  for (const op of ["sin", "cos"] as const) {
    it(`${op} is within 1e-6 of float64 over |x| <= 3000, and NaN at ±inf and NaN`, async () => {
      const x = g.fromArray(xs, [xs.length], { backend });
      const y = g.unary(op, x);
      const got = await y.data();
      const want = Array.from(xs, (v) => (op === "sin" ? Math.sin(v) : Math.cos(v)));
      assertClose(got, want, { atol: 1e-6, rtol: 0 }, `webgpu ${op}`);
      const special = g.fromArray([Infinity, -Infinity, NaN], [3], { backend });
      const s = await g.unary(op, special).data();
      assert.ok(s.every(Number.isNaN), `${op}(±inf, NaN) = ${Array.from(s)}`);
      for (const t of [x, y, special]) t.dispose();
    });
  }
});
