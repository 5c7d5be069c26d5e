/**
 * Fused optimizer updates (`setFusedUpdates`) follow the same trajectories as the op-by-op updates —
 * SGD (plain, momentum, dampening, Nesterov, weight decay) and Adam/AdamW (incl. amsgrad) — and
 * `fusedMap` matches the composed ops on every CPU backend, with constants kept out of the program's
 * structure (a new learning rate is the same program).
 */
import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion";
import { assertClose } from "../helpers.js";

function trajectory(make: (ps: g.Tensor[]) => g.optim.Optimizer<{ lr: number }>, mode: g.optim.FusedUpdates, backend: g.BackendName): Float32Array[] {
  const prev = g.optim.setFusedUpdates(mode);
  try {
    const b = g.getBackendByName(backend);
    const rng = new g.Rng(5);
    const w = g.randn([6, 4], { rng, backend: b }).keep();
    const bias = g.randn([4], { rng, backend: b }).keep();
    w.requiresGrad = true;
    bias.requiresGrad = true;
    const x = g.randn([10, 6], { rng, backend: b }).keep();
    const opt = make([w, bias]);
    const out: Float32Array[] = [];
    for (let s = 0; s < 8; s++) {
      g.scope(() => {
        const loss = x.matmul(w).add(bias).tanh().square().mean();
        loss.backward();
        opt.setOption("lr", 0.05 * (1 + s / 8)); // a schedule: constants change every step
        opt.step();
        opt.zeroGrad();
      });
      out.push(Float32Array.from([...w.dataSync(), ...bias.dataSync()]));
    }
    opt.dispose();
    for (const t of [w, bias, x]) t.dispose();
    return out;
  } finally {
    g.optim.setFusedUpdates(prev);
  }
}

const OPTIMIZERS: Array<[string, (ps: g.Tensor[]) => g.optim.Optimizer<{ lr: number }>]> = [
  ["sgd", (ps) => g.optim.sgd(ps, { lr: 0.05 })],
  ["sgd weight decay", (ps) => g.optim.sgd(ps, { lr: 0.05, weightDecay: 0.1 })],
  ["sgd momentum dampening", (ps) => g.optim.sgd(ps, { lr: 0.05, momentum: 0.9, dampening: 0.3, weightDecay: 0.01 })],
  ["sgd nesterov", (ps) => g.optim.sgd(ps, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 })],
  ["adam", (ps) => g.optim.adam(ps, { lr: 0.05 })],
  ["adam L2", (ps) => g.optim.adam(ps, { lr: 0.05, weightDecay: 0.1 })],
  ["adamw", (ps) => g.optim.adamw(ps, { lr: 0.05, weightDecay: 0.1 })],
  ["adam amsgrad", (ps) => g.optim.adam(ps, { lr: 0.05, amsgrad: true })],
];

describe("fused optimizer updates", () => {
  afterEach(() => g.optim.setFusedUpdates("auto"));
  for (const [name, make] of OPTIMIZERS) {
    for (const backend of ["reference", "wasm"] as const) {
      it(`${name} on ${backend}: fused = op by op over 8 steps`, () => {
        if (!g.listBackends().includes(backend)) return;
        const a = trajectory(make, "always", backend);
        const b = trajectory(make, "never", backend);
        a.forEach((x, s) => assertClose(x, b[s], { atol: 2e-6, rtol: 1e-5 }, `${name} step ${s + 1}`));
        // and the parameters really moved
        assert.ok(a[7].some((v, i) => Math.abs(v - a[0][i]) > 1e-3));
      });
    }
  }
  it("setFusedUpdates rejects an unknown mode", () => {
    assert.throws(() => g.optim.setFusedUpdates("sometimes" as g.optim.FusedUpdates), /"auto", "always" or "never"/);
  });
});

describe("fusedMap", () => {
  it("matches the composed ops with broadcasting and strided inputs on every CPU backend", () => {
    for (const backend of g.listBackends().filter((n) => n !== "webgpu")) {
      const b = g.getBackendByName(backend);
      g.scope(() => {
        const rng = new g.Rng(2);
        const p = g.randn([4, 5], { rng, backend: b }).transpose(), m = g.randn([5, 4], { rng, backend: b }), v = g.rand([4], { rng, backend: b });
        const f = g.fusedMap([p, m, v], (p, m, v) => p.sub(m.div(v.sqrt().div(0.7).add(1e-8)).mul(0.01)).maximum(-0.5).tanh());
        const c = p.sub(m.div(v.sqrt().div(0.7).add(1e-8)).mul(0.01)).maximum(-0.5).tanh();
        assert.deepEqual(f.shape, [5, 4]);
        assertClose(f.dataSync(), c.dataSync(), { atol: 1e-6, rtol: 1e-5 }, `fusedMap on ${backend}`);
      });
    }
  });
  it("keeps constants out of the program structure and rejects bad inputs", () => {
    const a = g.traceFused(2, (x, y) => x.sub(y.mul(0.1)));
    const b = g.traceFused(2, (x, y) => x.sub(y.mul(0.2)));
    assert.deepEqual(a.steps, b.steps);
    assert.deepEqual([a.consts, b.consts], [[0.1], [0.2]]);
    assert.equal(g.traceFused(1, (x) => x).steps.length, 1, "an identity expression still has a step");
    assert.throws(() => g.fusedMap([g.zeros([2], { dtype: "int32" })], (x) => x.add(1)), /float dtype.*int32 \[2\]/);
    assert.throws(() => g.fusedMap([], (x) => x), /at least one input/);
  });
});
