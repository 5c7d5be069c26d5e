/**
 * The fused batch-norm primitives (batchNormStats, batchNorm and its backward pair) against the
 * composition they replace, x.sub(mean).mul(var.add(eps).rsqrt()).mul(w).add(b) with autograd through
 * mean and variance (DESIGN rule 2: a fused kernel is tested against the composition), on every
 * backend, float32 and float64.
 */
import { describe, it } from "node:test";
import * as g from "ganglion";
import type { Tensor } from "ganglion";
import { assertClose } from "../helpers.js";

function composed(x: Tensor, w: Tensor, b: Tensor, eps: number): Tensor {
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const cs = x.shape.map((d, i) => (i === 1 ? d : 1));
  const mean = x.mean(axes, { keepDims: true });
  const v = x.sub(mean).square().mean(axes, { keepDims: true });
  return x.sub(mean).mul(v.add(eps).rsqrt()).mul(w.reshape(cs)).add(b.reshape(cs));
}

const fused = (x: Tensor, w: Tensor, b: Tensor, eps: number): Tensor => g.batchNormTrain(x, g.batchNormStats(x), w, b, eps);

for (const backend of g.listBackends()) {
  describe(`fused batch norm vs composition on ${backend}`, () => {
    for (const dtype of ["float32", "float64"] as const) {
      for (const shape of [[4, 3, 5, 6], [8, 5], [2, 4, 7], [16, 8, 14, 14]]) {
        it(`${dtype} ${JSON.stringify(shape)}: forward, statistics and the gradients of x, weight, bias`, () => {
          const be = g.getBackendByName(backend);
          const C = shape[1];
          const run = (f: typeof fused): Float64Array[] => g.scope(() => {
            const rng = new g.Rng(3);
            // A mean far from 0 checks the variance does not cancel.
            const x = g.randn(shape, { rng, dtype, backend: be }).mul(2).add(5).detach();
            x.requiresGrad = true;
            const w = g.randn([C], { rng, dtype, backend: be, requiresGrad: true });
            const b = g.randn([C], { rng, dtype, backend: be, requiresGrad: true });
            const gy = g.randn(shape, { rng, dtype, backend: be });
            const y = f(x, w, b, 1e-5);
            y.backward(gy);
            return [y, x.grad!, w.grad!, b.grad!].map((t) => Float64Array.from(t.dataSync()));
          });
          const [want, got] = [run(composed), run(fused)];
          const tol = dtype === "float64" ? { atol: 1e-10, rtol: 1e-9 } : { atol: 2e-5, rtol: 2e-4 };
          ["y", "grad x", "grad weight", "grad bias"].forEach((name, i) => assertClose(got[i], want[i], tol, `${backend} ${dtype} ${name}`));
        });
      }
    }
    it("eval mode without autograd (fused, running statistics) equals eval mode with autograd (composed)", () => {
      g.scope(() => {
        const be = g.getBackendByName(backend);
        const rng = new g.Rng(4);
        const x = g.randn([5, 3, 4, 6], { rng, backend: be });
        const rm = g.randn([3], { rng, backend: be }), rv = g.rand([3], { rng, backend: be, low: 0.5, high: 2 });
        const w = g.randn([3], { rng, backend: be }), b = g.randn([3], { rng, backend: be });
        const F = g.nn.functional;
        const fused = g.noGrad(() => F.batchNorm(x, rm, rv, w, b, { training: false }));
        const composed = F.batchNorm(x, rm, rv, w, b, { training: false });
        assertClose(fused.dataSync(), composed.dataSync(), { atol: 1e-5, rtol: 1e-5 }, `${backend} eval`);
      });
    });
    it("batchNormStats: mean and biased variance per channel", () => {
      g.scope(() => {
        const be = g.getBackendByName(backend);
        const x = g.randn([6, 4, 3, 3], { rng: new g.Rng(9), backend: be }).mul(0.5).add(100);
        const st = g.batchNormStats(x);
        const mean = x.mean([0, 2, 3]), v = x.var([0, 2, 3], { correction: 0 });
        assertClose(st.narrow(0, 0, 1).reshape([4]).dataSync(), mean.dataSync(), { atol: 1e-5, rtol: 1e-6 }, "mean");
        assertClose(st.narrow(0, 1, 1).reshape([4]).dataSync(), v.dataSync(), { atol: 1e-5, rtol: 1e-3 }, "variance");
      });
    });
  });
}
