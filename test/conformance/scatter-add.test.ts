/**
 * scatterAdd with an index smaller than base off the scatter axis, and a src larger than the index,
 * checked against torch.scatter_add's semantics written out by hand:
 * out[.., index[p], ..] += src[p] for every multi-index p of index. Base and src are read through
 * their own shapes. The reference kernel used to flatten the index's outer and inner axes and step
 * through base with base's strides, so it wrote to the wrong places. The Wasm backend runs the same
 * kernel. Gradients: d/d base = g and d/d src = g.gather(axis, index), zero where src is outside the
 * index. The goldens (tools/goldens) have no such case because torch was not installed when this was
 * written.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion";
import type { Tensor } from "ganglion";
import { scatterAddJs, scatterTargets as targets, size } from "./scatter-ref.js";

const cases: { bs: number[]; is: number[]; ss: number[]; axis: number }[] = [
  { bs: [3, 4, 5], is: [3, 2, 1], ss: [3, 2, 1], axis: 2 },
  { bs: [3, 4, 5], is: [2, 3, 4], ss: [3, 3, 5], axis: 0 },
  { bs: [4, 5, 3], is: [2, 7, 2], ss: [3, 7, 3], axis: 1 },
  { bs: [4, 5, 6, 3], is: [3, 4, 7, 2], ss: [3, 6, 7, 3], axis: 2 },
  { bs: [2, 3, 4, 5], is: [1, 2, 3, 6], ss: [2, 2, 3, 6], axis: 3 },
];

for (const name of g.listBackends().filter((b) => g.getBackendByName(b).synchronous)) {
  const backend = g.getBackendByName(name);
  describe(`scatterAdd: index smaller than base off the axis (${name})`, () => {
    it("base [3,4,5], axis 2, index [3,2,1] writes flat positions 0, 5, 20, 25, 40, 45", () => {
      g.scope(() => {
        const base = g.zeros([3, 4, 5], { backend });
        const index = g.zeros([3, 2, 1], { dtype: "int32", backend });
        const src = g.fromArray([1, 2, 3, 4, 5, 6], [3, 2, 1], { backend });
        const out = Array.from(g.scatterAdd(base, 2, index, src).dataSync());
        const want = new Array<number>(60).fill(0);
        [0, 5, 20, 25, 40, 45].forEach((pos, i) => (want[pos] = i + 1));
        assert.deepEqual(out, want);
      });
    });

    for (const { bs, is, ss, axis } of cases) {
      it(`base [${bs}] axis ${axis} index [${is}] src [${ss}]: forward and gradients`, () => {
        const rng = new g.Rng(size(bs) + 31 * axis);
        const base = Float32Array.from(rng.normal(size(bs))), src = Float32Array.from(rng.normal(size(ss))), gy = Float32Array.from(rng.normal(size(bs)));
        // Few targets along the axis: collisions accumulate.
        const idx = rng.randint(size(is), 0, Math.min(bs[axis], 3));
        g.scope(() => {
          const b = g.fromArray(base, bs, { backend, requiresGrad: true });
          const s = g.fromArray(src, ss, { backend, requiresGrad: true });
          const i = g.fromArray(idx, is, { dtype: "int32", backend });
          const out = g.scatterAdd(b, axis, i, s);
          assert.deepEqual(Array.from(out.dataSync()), Array.from(scatterAddJs(base, bs, idx, is, src, ss, axis)));
          out.backward(g.fromArray(gy, bs, { backend }));
          assert.deepEqual(Array.from((b.grad as Tensor).dataSync()), Array.from(gy));
          const wantSrc = new Float32Array(size(ss));
          for (const { o, q } of targets(bs, is, ss, idx, axis)) wantSrc[q] = gy[o];
          assert.deepEqual(Array.from((s.grad as Tensor).dataSync()), Array.from(wantSrc));
          b.grad?.dispose();
          s.grad?.dispose();
        });
      });
    }
  });
}
