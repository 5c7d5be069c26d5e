/**
 * PyTorch compatibility: a state dict saved by PyTorch (tools/goldens/make_torch_models.py) loads into
 * the same architecture built with ganglion and gives PyTorch's eval-mode output; non-strict loading
 * reports mismatches by name; ganglion -> safetensors -> ganglion is exact.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as g from "ganglion";
import * as io from "../../src/io/index.node.js";
import { assertClose, repoRoot } from "../helpers.js";

const fixture = (name: string): string => join(repoRoot(), "test", "fixtures", "torch", name);

/** The fixture's architecture, child for child, so state-dict keys (`0.weight`, `1.running_mean`) match. */
function smallCnn(): g.nn.Sequential {
  const { nn } = g;
  return nn.sequential(
    nn.conv2d(1, 4, 3, { padding: 1 }), nn.batchNorm2d(4), nn.relu(), nn.maxPool2d(2),
    nn.conv2d(4, 8, 3, { stride: 2, padding: 1, groups: 2 }), nn.batchNorm2d(8), nn.relu(),
    nn.flatten(), nn.linear(8 * 2 * 2, 10),
  );
}

test("a PyTorch state dict loads (strict) and the eval-mode output matches PyTorch's", async () => {
  const model = smallCnn();
  const sd = await io.loadStateDictFile(fixture("small_cnn.safetensors"));
  assert.equal(sd["1.num_batches_tracked"].dtype, "int32", "I64 num_batches_tracked reads as int32");
  const report = model.loadStateDict(sd);
  assert.deepEqual(report, { missing: [], unexpected: [], mismatched: [] });
  for (const t of Object.values(sd)) t.dispose();
  assert.equal(model.stateDict()["5.num_batches_tracked"].item(), 5);
  const rm = Array.from(model.stateDict()["1.running_mean"].dataSync());
  assert.ok(rm.some((v) => Math.abs(v) > 1e-3), "running stats are non-trivial");

  const { tensors: xy } = await io.loadSafetensors(fixture("small_cnn_io.safetensors"));
  model.eval();
  const y = g.noGrad(() => model.forward(xy.x));
  assert.deepEqual(y.shape, [4, 10]);
  assertClose(y.dataSync(), xy.y.dataSync(), { atol: 1e-5, rtol: 0 }, "small_cnn eval output");
  model.dispose();
});

test("loadStateDictInto loads a file into a module and frees the loaded copies", async () => {
  const model = smallCnn();
  const before = g.memory().liveTensors;
  const report = await io.loadStateDictInto(model, fixture("small_cnn.safetensors"));
  assert.deepEqual(report, { missing: [], unexpected: [], mismatched: [] });
  assert.equal(g.memory().liveTensors, before);
  model.dispose();
});

test("strict loading fails naming missing, unexpected and wrong-shaped keys; non-strict reports them", async () => {
  const sd = await io.loadStateDictFile(fixture("small_cnn.safetensors"));
  sd["8.bias"].dispose();
  delete sd["8.bias"];
  sd["9.weight"] = g.zeros([3]);
  sd["0.weight"].dispose();
  sd["0.weight"] = g.zeros([4, 1, 5, 5]);

  const strict = smallCnn();
  assert.throws(() => strict.loadStateDict(sd), (e: unknown) => {
    assert.ok(e instanceof Error);
    assert.match(e.message, /missing keys: 8\.bias/);
    assert.match(e.message, /unexpected keys: 9\.weight/);
    assert.match(e.message, /0\.weight: expected shape \[4,1,3,3\], got \[4,1,5,5\]/);
    return true;
  });

  const loose = smallCnn();
  const w0 = Array.from(loose.stateDict()["0.weight"].dataSync());
  const report = loose.loadStateDict(sd, { strict: false });
  assert.deepEqual(report.missing, ["8.bias"]);
  assert.deepEqual(report.unexpected, ["9.weight"]);
  assert.deepEqual(report.mismatched, [{ key: "0.weight", expected: [4, 1, 3, 3], got: [4, 1, 5, 5] }]);
  assert.deepEqual(Array.from(loose.stateDict()["0.weight"].dataSync()), w0, "a wrong-shaped key is skipped");
  assertClose(loose.stateDict()["1.running_var"].dataSync(), sd["1.running_var"].dataSync(), { atol: 0, rtol: 0 }, "matching keys load");
  for (const t of Object.values(sd)) t.dispose();
  strict.dispose();
  loose.dispose();
});

test("ganglion -> safetensors -> ganglion round trip is exact (weights, BN stats, outputs)", async () => {
  g.manualSeed(1);
  const a = smallCnn();
  // One training-mode forward moves BN running stats and num_batches_tracked off their defaults.
  g.scope(() => a.forward(g.randn([8, 1, 8, 8], { rng: new g.Rng(2) })));
  const dir = mkdtempSync(join(tmpdir(), "ganglion-io-"));
  const path = join(dir, "cnn.safetensors");
  await io.saveStateDict(a, path, { arch: "small_cnn" });
  assert.deepEqual(readdirSync(dir), ["cnn.safetensors"], "no temp file left behind");

  g.manualSeed(99);
  const b = smallCnn();
  const { tensors, metadata } = await io.loadSafetensors(path);
  assert.equal(metadata.arch, "small_cnn");
  assert.deepEqual(b.loadStateDict(tensors), { missing: [], unexpected: [], mismatched: [] });
  for (const t of Object.values(tensors)) t.dispose();
  for (const [k, t] of Object.entries(a.stateDict())) {
    const u = b.stateDict()[k];
    assert.equal(u.dtype, t.dtype, k);
    assert.deepEqual(Array.from(u.dataSync()), Array.from(t.dataSync()), k);
  }
  assert.equal(b.stateDict()["1.num_batches_tracked"].item(), 1);
  a.eval();
  b.eval();
  const x = g.randn([2, 1, 8, 8], { rng: new g.Rng(3) });
  assert.deepEqual(Array.from(g.noGrad(() => b.forward(x)).dataSync()), Array.from(g.noGrad(() => a.forward(x)).dataSync()));
  a.dispose();
  b.dispose();
});
