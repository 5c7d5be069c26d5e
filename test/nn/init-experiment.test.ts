/**
 * The CS231n lecture-6 experiment (nn.activationStats, shared with examples/init-activations.ts): a
 * 10-layer, 500-unit MLP on unit Gaussian data, checked for the qualitative result of the slide.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion";

const nn = g.nn;
const opts = { layers: 10, width: 500, batch: 200, seed: 1 };
const stds = (s: g.nn.LayerActivationStats[]): number[] => s.map((l) => l.std);

describe("initialization experiment (10 layers × 500 units)", () => {
  it("tanh + N(0, 0.01²): activations collapse toward zero", () => {
    const s = stds(nn.activationStats("tanh", "small", opts));
    assert.equal(s.length, 10);
    assert.ok(s[9] < 1e-3 * s[0], `last std ${s[9]} vs first ${s[0]}`);
    for (let i = 1; i < 10; i++) assert.ok(s[i] < s[i - 1], "shrinks at every layer");
  });
  it("tanh + N(0, 1): saturation, most |a| > 0.99 at every layer", () => {
    const s = nn.activationStats("tanh", "large", opts);
    for (const l of s) assert.ok(l.saturated > 0.8, `layer ${l.layer}: ${(100 * l.saturated).toFixed(1)}% saturated`);
    assert.ok(s[9].std > 0.9, `std ${s[9].std} near 1: values piled at ±1`);
  });
  it("tanh + Xavier: stays spread (last std within a factor 5 of the first, not saturated)", () => {
    const s = nn.activationStats("tanh", "xavier", opts);
    const [first, last] = [s[0].std, s[9].std];
    assert.ok(last > first / 5 && last <= first, `first ${first}, last ${last}`);
    assert.ok(last > 0.1, `last std ${last} has not collapsed`);
    assert.ok(s.every((l) => l.saturated < 0.05), "no saturation");
  });
  it("ReLU + He keeps the std roughly constant; ReLU + Xavier shrinks it by ≈ 1/√2 per layer", () => {
    const he = stds(nn.activationStats("relu", "he", opts));
    assert.ok(he[9] > he[0] / 2 && he[9] < he[0] * 2, `He: first ${he[0]}, last ${he[9]}`);
    const xa = stds(nn.activationStats("relu", "xavier", opts));
    const perLayer = (xa[9] / xa[0]) ** (1 / 9);
    assert.ok(Math.abs(perLayer - Math.SQRT1_2) < 0.08, `Xavier: std ratio per layer ${perLayer} (variance halves: 1/√2 ≈ 0.707)`);
    assert.ok(xa[9] < 0.1 * he[9], "Xavier's last layer is an order of magnitude below He's");
  });
  it("formats a table with one row per layer", () => {
    const text = nn.formatInitExperiment(nn.initExperiment({ layers: 3, width: 20, batch: 10 }));
    const lines = text.split("\n");
    assert.equal(lines.length, 3 + 3);
    assert.match(lines[1], /tanh N\(0,0\.01²\).*tanh N\(0,1\).*tanh Xavier.*relu Xavier.*relu He/);
  });
  it("rejects bad options", () => {
    assert.throws(() => nn.activationStats("tanh", "small", { layers: 0 }), /layers must be an integer >= 1, got 0/);
  });
});
