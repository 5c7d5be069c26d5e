/**
 * The babysitter on WebGPU: its monitors read through fitAsync's `await t.data()`, so layer statistics
 * and the NaN guard work on an asynchronous backend and agree with the reference backend — the same
 * statistics from the same seed, the same finding (where, name, step) for a diverging run — and leave
 * no tensors behind.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion/node";
import { assertClose } from "../helpers.js";

const { data, nn, optim, train } = g;
const backend = await g.initWebGPU();

function loaders(): { tr: g.data.DataLoader; val: g.data.DataLoader } {
  const set = data.makeSpiral({ pointsPerClass: 40, classes: 3, rng: new g.Rng(2) });
  const idx = Array.from({ length: 120 }, (_, i) => i);
  return {
    tr: new data.DataLoader(new data.PointDataset(set), { batchSize: 24, seed: 1, indices: idx.filter((i) => i % 5 !== 0) }),
    val: new data.DataLoader(new data.PointDataset(set), { batchSize: 24, shuffle: false, indices: idx.filter((i) => i % 5 === 0) }),
  };
}

/** Trains the same little net on `name` with the babysitter; returns the events and result. */
async function run(name: "webgpu" | "reference", lr: number, epochs: number): Promise<{ stats: g.train.LayerStatsEvent[]; r: g.train.FitResult; leaked: number }> {
  const prev = g.getBackend().name;
  g.setBackend(name);
  try {
    const live0 = g.memory().liveTensors;
    const rng = new g.Rng(1);
    const model = nn.sequential(nn.linear(2, 32, { rng }), nn.relu(), nn.linear(32, 3, { rng }));
    const opt = optim.sgd(model.parameters(), { lr, momentum: 0.9 });
    const { tr, val } = loaders();
    const stats: g.train.LayerStatsEvent[] = [];
    const r = await train.fitAsync({ model, optimizer: opt, train: tr, val, epochs, babysit: { every: 4 }, onEvent: (e) => { if (e.type === "layerStats") stats.push(e); } });
    model.dispose();
    opt.dispose();
    return { stats, r, leaked: g.memory().liveTensors - live0 };
  } finally {
    g.setBackend(prev);
  }
}

describe("fitAsync({ babysit }) on WebGPU", () => {
  if (!backend) {
    it("SKIPPED: no WebGPU adapter", { skip: "no WebGPU adapter" }, () => {});
    return;
  }
  after(() => backend.destroy());

  it("emits the reference backend's layer statistics and checks, and leaks nothing", async () => {
    const gpu = await run("webgpu", 0.05, 3);
    const ref = await run("reference", 0.05, 3);
    assert.equal(gpu.stats.length, ref.stats.length);
    assert.ok(gpu.stats.length >= 3, `${gpu.stats.length} layerStats events`);
    for (const [i, e] of gpu.stats.entries()) {
      const want = ref.stats[i];
      assert.equal(e.step, want.step);
      assert.deepEqual(e.layers.map((l) => l.name), want.layers.map((l) => l.name));
      const nums = (ev: g.train.LayerStatsEvent): number[] => ev.layers.flatMap((l) => [l.mean, l.std, l.gradNorm ?? 0, l.updateRatio ?? 0, l.deadFraction ?? 0]);
      assertClose(nums(e), nums(want), { atol: 1e-5, rtol: 1e-3 }, `layerStats at step ${e.step}`);
    }
    assert.deepEqual(gpu.r.babysit?.map((c) => [c.name, c.status]), ref.r.babysit?.map((c) => [c.name, c.status]));
    assert.equal(gpu.leaked, 0, "live tensors after training");
    assert.equal(ref.leaked, 0, "live tensors after training (reference)");
  });

  it("stops a diverging run where the reference backend does, naming the same place", async () => {
    const gpu = await run("webgpu", 1e38, 5);
    const ref = await run("reference", 1e38, 5);
    const finding = (r: g.train.FitResult): unknown => r.babysit?.find((c) => c.name === "nan-guard");
    type Finding = { status: string; advice: string; numbers: Record<string, number> };
    const gf = finding(gpu.r) as Finding, rf = finding(ref.r) as Finding;
    assert.equal(gf.status, "fail", JSON.stringify(gf));
    // Which non-finite value an overflowing sum ends in (Infinity or NaN) depends on the summation order,
    // which differs between the GPU's tiled GEMM and the reference loop; where, what and when may not.
    const words = (f: Finding): string => f.advice.replace(/-?Infinity|NaN/g, "<non-finite>");
    assert.equal(words(gf), words(rf));
    assert.deepEqual([gf.numbers.step, gf.numbers.lastGoodStep], [rf.numbers.step, rf.numbers.lastGoodStep]);
    assert.equal(gpu.r.position.step, ref.r.position.step);
    assert.ok(gpu.r.position.step < 5 * 4, `stopped at step ${gpu.r.position.step}`);
    assert.equal(gpu.leaked, 0);
  });
});
