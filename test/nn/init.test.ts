/** Initializers: fans, gains, the bounds and standard deviations of Xavier/He, orthogonality, symmetry of zeros. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion";

const init = g.init;
const vals = (t: g.Tensor): number[] => Array.from(t.dataSync());
const std = (v: number[]): number => Math.sqrt(v.reduce((a, x) => a + x * x, 0) / v.length);

describe("init", () => {
  it("fan-in/fan-out of Linear and Conv2d weights", () => {
    assert.deepEqual(init.fans([30, 20]), { fanIn: 20, fanOut: 30 });
    assert.deepEqual(init.fans([16, 8, 3, 3]), { fanIn: 72, fanOut: 144 });
    assert.throws(() => init.fans([5]), /rank >= 2, got \[5\]/);
  });
  it("gains as PyTorch's calculate_gain", () => {
    assert.equal(init.gain("relu"), Math.SQRT2);
    assert.equal(init.gain("tanh"), 5 / 3);
    assert.equal(init.gain("leakyRelu", Math.sqrt(5)), Math.sqrt(2 / 6));
  });
  it("Xavier uniform stays in ±√(6/(in+out)); Xavier normal and He normal have the right std", () => {
    const w = g.empty([200, 300]);
    const b = Math.sqrt(6 / 500);
    assert.ok(vals(init.xavierUniform(w, { rng: new g.Rng(1) })).every((x) => Math.abs(x) <= b));
    const sx = std(vals(init.xavierNormal(w, { rng: new g.Rng(2) })));
    assert.ok(Math.abs(sx - Math.sqrt(2 / 500)) < 0.02 * Math.sqrt(2 / 500), `xavier std ${sx}`);
    const sh = std(vals(init.kaimingNormal(w, { nonlinearity: "relu", rng: new g.Rng(3) })));
    assert.ok(Math.abs(sh - Math.sqrt(2 / 300)) < 0.02 * Math.sqrt(2 / 300), `he std ${sh}`);
    const bu = Math.SQRT2 * Math.sqrt(3 / 300);
    assert.ok(vals(init.kaimingUniform(w, { nonlinearity: "relu", rng: new g.Rng(4) })).every((x) => Math.abs(x) <= bu));
  });
  for (const shape of [[6, 4], [4, 6], [4, 2, 3, 1]]) {
    it(`orthogonal ${JSON.stringify(shape)}: orthonormal rows or columns`, () => {
      const w = init.orthogonal(g.empty(shape), { rng: new g.Rng(5) });
      const r = shape[0], c = w.size / r;
      const m = vals(w);
      const [n, len, at] = r <= c ? [r, c, (i: number, k: number) => m[i * c + k]] : [c, r, (i: number, k: number) => m[k * c + i]];
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let dot = 0;
          for (let k = 0; k < len; k++) dot += at(i, k) * at(j, k);
          assert.ok(Math.abs(dot - (i === j ? 1 : 0)) < 1e-5, `<${i},${j}> = ${dot}`);
        }
      }
    });
  }
  it("equal weights (all-zero is the extreme case) never break symmetry: hidden units get identical gradients", () => {
    const l1 = g.nn.linear(3, 4);
    const l2 = g.nn.linear(4, 2);
    for (const p of [...l1.parameters(), ...l2.parameters()]) init.constant(p, 0.5);
    const x = g.randn([5, 3], { rng: new g.Rng(6) });
    l2.forward(l1.forward(x).tanh()).sum().backward();
    const gw = vals(l1.weight.grad!);
    for (let unit = 1; unit < 4; unit++) assert.deepEqual(gw.slice(unit * 3, unit * 3 + 3), gw.slice(0, 3), `unit ${unit} = unit 0`);
  });
});
