/**
 * FractionalMaxPool2d (Graham 2014), DropConnect (Wan et al. 2013) and StochasticDepth (Huang et al.
 * 2016): region sequences, values against a brute-force host computation, train vs eval behaviour.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion";
import { assertClose } from "../helpers.js";

const nn = g.nn;
const F = g.nn.functional;
const vals = (t: g.Tensor): number[] => Array.from(t.dataSync());

/** Brute-force FMP on the host from explicit boundaries per example. */
function bruteFmp(x: g.Tensor, rows: Int32Array[], cols: Int32Array[], overlapping: boolean): number[] {
  const [N, C, H, W] = x.shape;
  const d = x.dataSync();
  const out: number[] = [];
  const end = (b: Int32Array, i: number, n: number): number => Math.min(b[i + 1] + (overlapping ? 1 : 0), n);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let i = 0; i + 1 < rows[n].length; i++) {
        for (let j = 0; j + 1 < cols[n].length; j++) {
          let m = -Infinity;
          for (let h = rows[n][i]; h < end(rows[n], i, H); h++) for (let w = cols[n][j]; w < end(cols[n], j, W); w++) m = Math.max(m, d[((n * C + c) * H + h) * W + w]);
          out.push(m);
        }
      }
    }
  }
  return out;
}

describe("FractionalMaxPool2d", () => {
  it("boundary sequences start at 0, end at N_in, and step by ⌊α⌋ or ⌈α⌉", () => {
    const rng = new g.Rng(1);
    for (const [nIn, nOut] of [[32, 22], [25, 18], [10, 10], [9, 5], [17, 4], [7, 1]]) {
      const q = Math.floor(nIn / nOut);
      for (const mode of ["random", "pseudoRandom"] as const) {
        for (let t = 0; t < 20; t++) {
          const a = F.fractionalBoundaries(nIn, nOut, mode, rng);
          assert.equal(a.length, nOut + 1);
          assert.equal(a[0], 0);
          assert.equal(a[nOut], nIn);
          const steps = Array.from(a.subarray(1), (v, i) => v - a[i]);
          assert.ok(steps.every((s) => s === q || s === q + 1), `${mode} ${nIn}->${nOut}: steps ${steps}`);
          assert.equal(steps.filter((s) => s === q + 1).length, nIn - q * nOut, "number of long steps");
        }
      }
    }
  });
  it("random mode draws different sequences; pseudo-random is Graham's ⌈α(i+u)⌉ shifted to 0", () => {
    const rng = new g.Rng(2);
    const seqs = new Set(Array.from({ length: 10 }, () => F.fractionalBoundaries(32, 22, "random", rng).join(",")));
    assert.ok(seqs.size > 5, "random sequences vary");
    const u = 0.37;
    const alpha = 32 / 22;
    const want = Array.from({ length: 23 }, (_, i) => Math.ceil(alpha * (i + u)) - Math.ceil(alpha * u));
    assert.deepEqual(Array.from(F.fractionalBoundaries(32, 22, "pseudoRandom", u)), want);
  });
  it("output size from outputSize or outputRatio (32 × 1/√2 → 22)", () => {
    const x = g.randn([2, 3, 32, 32], { rng: new g.Rng(3) });
    assert.deepEqual(nn.fractionalMaxPool2d({ outputRatio: Math.SQRT1_2 }).forward(x).shape, [2, 3, 22, 22]);
    assert.deepEqual(nn.fractionalMaxPool2d({ outputSize: [20, 25] }).forward(x).shape, [2, 3, 20, 25]);
    assert.throws(() => nn.fractionalMaxPool2d({}), /exactly one of outputSize and outputRatio/);
    assert.throws(() => nn.fractionalMaxPool2d({ outputSize: 40 }).forward(x), /output \[40,40\] must be integers in \[1, input size\] for input \[2,3,32,32\]/);
  });
  for (const overlapping of [false, true]) {
    it(`values equal a brute-force max over the regions (${overlapping ? "overlapping" : "disjoint"}, train and eval)`, () => {
      const x = g.randn([2, 3, 11, 9], { rng: new g.Rng(4) });
      for (const mode of ["random", "pseudoRandom"] as const) {
        const y = F.fractionalMaxPool2d(x, { outputSize: [7, 5], mode, overlapping, training: true, rng: new g.Rng(5) });
        // The same draws, in the same order: rows of each example, then columns of each example.
        const r = new g.Rng(5);
        const rows = [0, 1].map(() => F.fractionalBoundaries(11, 7, mode, r));
        const cols = [0, 1].map(() => F.fractionalBoundaries(9, 5, mode, r));
        assertClose(vals(y), bruteFmp(x, rows, cols, overlapping), { atol: 0 }, `train ${mode}`);
      }
      const m = nn.fractionalMaxPool2d({ outputSize: [7, 5], mode: "random", overlapping }).eval();
      const ye = vals(m.forward(x));
      const fixed = (nIn: number, nOut: number): Int32Array[] => [0, 1].map(() => F.fractionalBoundaries(nIn, nOut, "pseudoRandom", 0.5));
      assertClose(ye, bruteFmp(x, fixed(11, 7), fixed(9, 5), overlapping), { atol: 0 }, "eval");
      assert.deepEqual(vals(m.forward(x)), ye, "eval is deterministic");
    });
  }
  it("training draws new regions on every forward", () => {
    const x = g.randn([1, 1, 16, 16], { rng: new g.Rng(6) });
    const m = nn.fractionalMaxPool2d({ outputSize: 11, mode: "random", rng: new g.Rng(7) });
    const outs = new Set(Array.from({ length: 6 }, () => vals(m.forward(x)).join(",")));
    assert.ok(outs.size > 1, "different regions give different outputs");
  });
});

describe("DropConnect", () => {
  it("eval is the plain wrapped layer", () => {
    const lin = nn.linear(6, 4, { rng: new g.Rng(1) });
    const dc = nn.dropConnect(lin, 0.5).eval();
    const x = g.randn([3, 6], { rng: new g.Rng(2) });
    assert.deepEqual(vals(dc.forward(x)), vals(lin.forward(x)));
  });
  it("training drops weights (dropped weights get zero gradient) and keeps the expectation", () => {
    const lin = nn.linear(50, 40, { rng: new g.Rng(1) });
    const dc = nn.dropConnect(lin, 0.4, { rng: new g.Rng(3) });
    const x = g.randn([8, 50], { rng: new g.Rng(4) });
    dc.forward(x).sum().backward();
    const grad = vals(lin.weight.grad!);
    const zeroFrac = grad.filter((v) => v === 0).length / grad.length;
    assert.ok(Math.abs(zeroFrac - 0.4) < 0.05, `fraction of weights with zero gradient ${zeroFrac}`);
    assert.equal(lin.bias!.grad!.dataSync()[0], 8, "bias is not dropped");
    // Average over draws ≈ the eval output (inverted scaling).
    const plain = vals(g.noGrad(() => lin.forward(x)));
    const acc = new Float64Array(plain.length);
    const draws = 400;
    g.noGrad(() => {
      for (let i = 0; i < draws; i++) g.scope(() => vals(dc.forward(x)).forEach((v, k) => { acc[k] += v / draws; }));
    });
    const err = Math.max(...plain.map((v, k) => Math.abs(acc[k] - v)));
    assert.ok(err < 0.15, `mean over draws differs from eval by ${err}`);
  });
  it("wraps Conv2d too, with the mask on its weight only", () => {
    const conv = nn.conv2d(2, 3, 3, { rng: new g.Rng(5) });
    const dc = nn.dropConnect(conv, 0.5, { rng: new g.Rng(6) });
    const x = g.randn([2, 2, 5, 5], { rng: new g.Rng(7) });
    const y = dc.forward(x);
    assert.deepEqual(y.shape, [2, 3, 3, 3]);
    assert.notDeepEqual(vals(y), vals(conv.forward(x)));
  });
});

describe("StochasticDepth", () => {
  it("row mode: each example is kept and scaled by 1/(1-p), or zeroed; about a fraction p is dropped", () => {
    const p = 0.25;
    const sd = nn.stochasticDepth(p, { rng: new g.Rng(1) });
    const y = vals(sd.forward(g.ones([4000, 3])));
    let dropped = 0;
    for (let i = 0; i < 4000; i++) {
      const row = y.slice(i * 3, i * 3 + 3);
      if (row.every((v) => v === 0)) dropped++;
      else assert.ok(row.every((v) => Math.abs(v - 1 / (1 - p)) < 1e-6), `row ${i}: ${row}`);
    }
    assert.ok(Math.abs(dropped / 4000 - p) < 0.03, `dropped fraction ${dropped / 4000}`);
  });
  it("batch mode drops all or nothing; eval is the identity", () => {
    const sd = nn.stochasticDepth(0.5, { mode: "batch", rng: new g.Rng(2) });
    for (let i = 0; i < 10; i++) {
      const y = vals(sd.forward(g.ones([5, 2])));
      assert.ok(y.every((v) => v === 0) || y.every((v) => v === 2), `all or nothing: ${y}`);
    }
    const x = g.randn([3, 2], { rng: new g.Rng(3) });
    assert.deepEqual(vals(sd.eval().forward(x)), vals(x));
  });
  it("inside a Residual: a dropped branch leaves the identity, a kept one x + f(x)/(1-p)", () => {
    const f = nn.linear(3, 3, { rng: new g.Rng(4) });
    const block = nn.residual(nn.sequential(f, nn.stochasticDepth(0.5, { rng: new g.Rng(5) })));
    const x = g.randn([64, 3], { rng: new g.Rng(6) });
    const y = vals(block.forward(x));
    const xs = vals(x);
    const fx = vals(g.noGrad(() => f.forward(x)));
    let kept = 0;
    for (let i = 0; i < 64; i++) {
      const r = [0, 1, 2].map((k) => i * 3 + k);
      const isId = r.every((k) => Math.abs(y[k] - xs[k]) < 1e-6);
      const isKept = r.every((k) => Math.abs(y[k] - (xs[k] + 2 * fx[k])) < 1e-5);
      assert.ok(isId || isKept, `row ${i}`);
      if (isKept) kept++;
    }
    assert.ok(kept > 15 && kept < 49, `kept ${kept} of 64`);
    block.eval();
    assertClose(vals(block.forward(x)), xs.map((v, k) => v + fx[k]), { atol: 1e-6 }, "eval: x + f(x)");
  });
  it("Huang et al.'s linear decay rule", () => {
    assert.equal(F.linearDecayDropProb(1, 4, 0.5), 0.125);
    assert.equal(F.linearDecayDropProb(4, 4, 0.5), 0.5);
    assert.throws(() => F.linearDecayDropProb(0, 4), /need integers 1 <= l <= L/);
  });
});
