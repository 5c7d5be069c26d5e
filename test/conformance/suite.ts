/**
 * The conformance suite, written once and run for every backend: each PyTorch golden case (forward and
 * backward) and randomized comparisons against the reference backend on strided and broadcast inputs.
 */
import { describe, it } from "node:test";
import * as g from "ganglion";
import type { BackendName, Tensor } from "ganglion";
import { assertClose, loadGoldens, type GoldenCase, type Tol } from "../helpers.js";
import type { OpFn } from "./ops.js";

/** Looser tolerances where float32 rounding legitimately accumulates. */
function tolFor(c: GoldenCase): Tol {
  if (c.op === "pow" || c.op === "exp") return { atol: 1e-4, rtol: 1e-4 };
  if (c.op === "matmul" || c.op === "conv2d" || c.op.includes("Pool") || c.op === "var") return { atol: 5e-5, rtol: 2e-4 };
  return { atol: 1e-5, rtol: 1e-4 };
}

/**
 * Compares one golden case's results with PyTorch's, wherever they were computed (this process, or a
 * browser page: test/dashboard/webgpu-browser.test.ts): output shape, forward values, and the gradient
 * of every input the golden has one for.
 */
export function checkGoldenResult(c: GoldenCase, where: string, shape: readonly number[], out: ArrayLike<number>, grad: (input: string) => ArrayLike<number> | undefined): void {
  const exp = c.outputs.out;
  if (shape.join(",") !== exp.shape.join(",")) throw new Error(`${c.name}: output shape [${shape}] expected [${exp.shape}]`);
  const tol = tolFor(c);
  assertClose(out, exp.data, tol, `${c.name} (${where}) forward`);
  if (!c.gradOut || !c.grads) return;
  for (const [k, want] of Object.entries(c.grads)) {
    const got = grad(k);
    if (!got) throw new Error(`${c.name}: no gradient for input '${k}'`);
    assertClose(got, want.data, tol, `${c.name} (${where}) grad ${k}`);
  }
}

/**
 * Runs one golden case on `backend`. Asynchronous (reads with `await t.data()`), so the same code runs
 * on synchronous CPU backends and on the GPU.
 */
export async function runGoldenCase(c: GoldenCase, fn: OpFn, backend: BackendName): Promise<void> {
  const b = g.getBackendByName(backend);
  const names = Object.keys(c.inputs);
  const { xs, out } = g.scope(() => {
    const xs: Tensor[] = names.map((k) => {
      const t = c.inputs[k];
      return g.fromArray(t.data, t.shape, { dtype: t.dtype, backend: b, requiresGrad: t.dtype === "float32" && c.grads !== undefined && k in (c.grads ?? {}) });
    });
    return { xs, out: fn(xs, c.attrs) };
  });
  const owned: Tensor[] = [...xs, out];
  try {
    const got = out.dtype === "bool" ? Int32Array.from(await out.data()) : await out.data();
    const grads = new Map<string, ArrayLike<number>>();
    // A wrong output shape is reported as such (by checkGoldenResult), not as backward's shape error.
    if (c.gradOut && c.grads && out.shape.join(",") === c.outputs.out.shape.join(",")) {
      const gy = g.fromArray(c.gradOut.data, c.gradOut.shape, { backend: b });
      owned.push(gy);
      out.backward(gy);
      for (const [i, k] of names.entries()) {
        const grad = xs[i].grad;
        if (k in c.grads && grad) grads.set(k, await grad.data());
      }
    }
    checkGoldenResult(c, backend, out.shape, got, (k) => grads.get(k));
  } finally {
    for (const t of xs) t.grad?.dispose();
    for (const t of owned) if (!t.disposed) t.dispose();
  }
}

/** Registers golden tests for `groups` on `backend`; a case whose op is missing from `ops` fails. */
export function goldenSuite(backend: BackendName, groups: readonly string[], ops: Record<string, OpFn>, skipOps: ReadonlySet<string> = new Set()): void {
  for (const group of groups) {
    describe(`goldens/${group} on ${backend}`, () => {
      for (const c of loadGoldens(group)) {
        if (skipOps.has(c.op)) continue;
        it(c.name, async () => {
          const fn = ops[c.op];
          if (!fn) throw new Error(`no ganglion mapping for golden op '${c.op}' (add it to test/conformance/ops.ts)`);
          await runGoldenCase(c, fn, backend);
        });
      }
    });
  }
}

/** Randomized checks against the reference backend: strided/broadcast views and odd shapes. */
export function crossBackendSuite(backend: BackendName): void {
  if (backend === "reference") return;
  const ref = g.getBackendByName("reference");
  const other = g.getBackendByName(backend);
  const cases: Array<[string, (mk: (shape: number[]) => Tensor) => Tensor]> = [
    ["add strided+broadcast", (mk) => mk([5, 7]).transpose().add(mk([5]))],
    ["mul 4d broadcast", (mk) => mk([2, 1, 3, 5]).mul(mk([4, 1, 5]))],
    ["sum over axes 0,2 of permuted", (mk) => mk([3, 4, 5]).permute([2, 0, 1]).sum([0, 2])],
    ["matmul transposed operands", (mk) => g.matmul(mk([9, 17]).T, mk([11, 9]).T)],
    ["matmul batch broadcast", (mk) => g.matmul(mk([3, 1, 6, 7]), mk([4, 7, 5]))],
    ["conv2d groups 3 stride 2 dilation 2", (mk) => g.conv2d(mk([2, 6, 11, 9]), mk([9, 2, 3, 3]), { stride: 2, padding: 2, dilation: 2, groups: 3 })],
    ["maxPool2d 3x3 s2 p1", (mk) => g.maxPool2d(mk([2, 3, 9, 8]), 3, { stride: 2, padding: 1 })],
    ["logSoftmax axis 1 of [4,10,3]", (mk) => g.logSoftmax(mk([4, 10, 3]), 1)],
    ["relu of slice", (mk) => mk([6, 8]).slice([1, 2], [5, 7]).relu()],
    ["batchNorm fused [5,6,7,9]", (mk) => { const x = mk([5, 6, 7, 9]); return g.batchNormTrain(x, g.batchNormStats(x), mk([6]), mk([6]), 1e-5); }],
    ["batchNormStats [64,3,4,4]", (mk) => g.batchNormStats(mk([64, 3, 4, 4]).add(3))],
  ];
  describe(`cross-backend ${backend} vs reference`, () => {
    for (const [name, build] of cases) {
      it(name, async () => {
        const run = async (b: typeof ref): Promise<Float32Array> => {
          const y = g.scope(() => {
            const rng = new g.Rng(7);
            return build((shape) => g.randn(shape, { rng, backend: b }));
          });
          try {
            return Float32Array.from(await y.data());
          } finally {
            y.dispose();
          }
        };
        assertClose(await run(other), await run(ref), { atol: 1e-5, rtol: 1e-4 }, name);
      });
    }
  });
}
