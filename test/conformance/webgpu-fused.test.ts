/**
 * Fused elementwise programs on WebGPU: `fusedMap` matches the reference backend's composed ops, an
 * AdamW/SGD-momentum trajectory on the GPU ("auto" fuses on asynchronous backends) matches the op-by-op
 * update on the reference backend, and an AdamW step costs 3 dispatches per parameter (m, v, and θ
 * written in place by `fusedAssign`) instead of ~25.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion/node";
import { assertClose } from "../helpers.js";

const gpu = await g.initWebGPU();

async function trajectory(backend: g.BackendName, make: (ps: g.Tensor[]) => g.optim.Optimizer<{ lr: number }>): Promise<{ values: Float32Array; dispatchesPerStep: number }> {
  const b = g.getBackendByName(backend);
  const rng = new g.Rng(9);
  const w = g.randn([7, 3], { rng, backend: b }).keep();
  const bias = g.randn([3], { rng, backend: b }).keep();
  w.requiresGrad = true;
  bias.requiresGrad = true;
  const x = g.randn([12, 7], { rng, backend: b }).keep();
  const opt = make([w, bias]);
  let dispatches = 0;
  for (let s = 0; s < 6; s++) {
    g.scope(() => {
      x.matmul(w).add(bias).sigmoid().square().mean().backward();
      opt.setOption("lr", 0.03 * (1 + s / 6));
      const d0 = gpu?.ctx.dispatches ?? 0;
      opt.step();
      dispatches = (gpu?.ctx.dispatches ?? 0) - d0;
      opt.zeroGrad();
    });
  }
  const values = Float32Array.from([...(await w.data()), ...(await bias.data())]);
  opt.dispose();
  for (const t of [w, bias, x]) t.dispose();
  return { values, dispatchesPerStep: dispatches };
}

describe("webgpu fused", () => {
  if (!gpu) {
    it("SKIPPED: no WebGPU adapter", { skip: "no WebGPU adapter" }, () => {});
    return;
  }
  after(() => gpu.destroy());
  it("fusedMap matches the reference backend's composed ops (broadcast, transposed input)", async () => {
    const run = async (b: g.Backend, fused: boolean): Promise<Float32Array> => {
      const y = g.scope(() => {
        const rng = new g.Rng(4);
        const p = g.randn([6, 9], { rng, backend: b }).transpose(), m = g.randn([9, 6], { rng, backend: b }), v = g.rand([6], { rng, backend: b }).add(0.1);
        return fused
          ? g.fusedMap([p, m, v], (p, m, v) => p.mul(0.99).sub(m.div(v.sqrt().div(0.3).add(1e-8)).mul(0.02)).sigmoid())
          : p.mul(0.99).sub(m.div(v.sqrt().div(0.3).add(1e-8)).mul(0.02)).sigmoid();
      });
      const d = Float32Array.from(await y.data());
      y.dispose();
      return d;
    };
    assertClose(await run(gpu, true), await run(g.getBackendByName("reference"), false), { atol: 1e-6, rtol: 1e-5 }, "fusedMap webgpu vs reference");
  });
  it("fusedAssign writes in place in one dispatch, and is right when an input is the target itself, transposed or broadcast", async () => {
    const run = async (b: g.Backend): Promise<{ d: Float32Array; dispatches: number }> => {
      const rng = new g.Rng(6);
      const t = g.randn([5, 5], { rng, backend: b }).keep();
      const u = g.randn([5], { rng, backend: b }).keep();
      const d0 = gpu.ctx.dispatches;
      g.scope(() => g.fusedAssign(t, [t, u], (t, u) => t.mul(0.5).add(u)));
      const dispatches = gpu.ctx.dispatches - d0;
      // The target read through another layout (transposed): needs the copy the backend makes.
      g.scope(() => g.fusedAssign(t, [t.transpose(), t], (a, b) => a.sub(b.mul(0.25))));
      const d = Float32Array.from(await t.data());
      t.dispose();
      u.dispose();
      return { d, dispatches };
    };
    const got = await run(gpu);
    assert.equal(got.dispatches, 1, "one kernel, no copy");
    assertClose(got.d, (await run(g.getBackendByName("reference"))).d, { atol: 1e-6, rtol: 1e-5 }, "fusedAssign webgpu vs reference");
    // The same shape rule, and error, on a backend without in-place kernels.
    for (const b of [gpu, g.getBackendByName("reference")]) {
      assert.throws(() => g.fusedAssign(g.zeros([2, 3], { backend: b }), [g.zeros([3, 3], { backend: b })], (x) => x), /fusedAssign: inputs broadcast to \[3, ?3\], but the target is \[2, ?3\]/);
    }
  });
  for (const [name, make] of [
    ["adamw", (ps: g.Tensor[]) => g.optim.adamw(ps, { lr: 0.03, weightDecay: 0.05 })],
    ["sgd nesterov", (ps: g.Tensor[]) => g.optim.sgd(ps, { lr: 0.03, momentum: 0.9, nesterov: true, weightDecay: 1e-3 })],
  ] as const) {
    it(`${name}: the fused GPU trajectory matches the op-by-op reference one, in few dispatches`, async () => {
      const prev = g.optim.setFusedUpdates("never");
      const ref = await trajectory("reference", make);
      g.optim.setFusedUpdates(prev);
      const got = await trajectory("webgpu", make);
      assertClose(got.values, ref.values, { atol: 1e-5, rtol: 1e-4 }, `${name} after 6 steps`);
      assert.ok(got.dispatchesPerStep <= 2 * 3, `${name}: ${got.dispatchesPerStep} dispatches for 2 parameters`);
    });
  }
});
