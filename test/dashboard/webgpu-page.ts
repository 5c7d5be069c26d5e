/**
 * The page side of the in-browser WebGPU test (webgpu-browser.test.ts): bundled by esbuild with
 * "ganglion" left as an import of the library bundle /ganglion.js, so the page runs exactly what a user's
 * page runs — `initWebGPU()` on `navigator.gpu` — and the op table is the conformance suite's own
 * (test/conformance/ops.ts). Node sends golden cases in and compares what comes back with the same
 * tolerances as the Node conformance run; nothing here decides pass or fail.
 */
import * as g from "ganglion";
import type { Tensor } from "ganglion";
import { engineOps } from "../conformance/ops.js";

export interface PageTensor {
  readonly dtype: "float32" | "int32";
  readonly shape: number[];
  readonly data: number[];
}
export interface PageCase {
  readonly name: string;
  readonly op: string;
  readonly attrs: Record<string, unknown>;
  readonly inputs: Record<string, PageTensor>;
  readonly gradOut?: PageTensor;
  /** Inputs whose gradients the golden holds. */
  readonly gradKeys: string[];
}
export interface PageResult {
  readonly name: string;
  readonly shape?: number[];
  readonly out?: number[];
  readonly grads?: Record<string, number[]>;
  readonly error?: string;
}

const toArray = (a: ArrayLike<number>): number[] => Array.from(a, (v) => (Number.isNaN(v) ? NaN : v));

/** Starts the WebGPU backend on navigator.gpu; returns the adapter's description, or undefined. */
async function init(): Promise<string | undefined> {
  const b = await g.initWebGPU();
  return b?.info.adapter;
}

/** Runs golden cases on WebGPU: forward, then backward with the golden upstream gradient. */
async function runCases(cases: PageCase[]): Promise<PageResult[]> {
  const backend = g.getBackendByName("webgpu");
  const results: PageResult[] = [];
  for (const c of cases) {
    const fn = engineOps[c.op];
    if (!fn) {
      results.push({ name: c.name, error: `no op mapping for '${c.op}'` });
      continue;
    }
    const owned: Tensor[] = [];
    try {
      const names = Object.keys(c.inputs);
      const { xs, out } = g.scope(() => {
        const xs = names.map((k) => {
          const t = c.inputs[k];
          const data = t.dtype === "int32" ? Int32Array.from(t.data) : Float32Array.from(t.data);
          return g.fromArray(data, t.shape, { dtype: t.dtype, backend, requiresGrad: t.dtype === "float32" && c.gradKeys.includes(k) });
        });
        return { xs, out: fn(xs, c.attrs) };
      });
      owned.push(...xs, out);
      const outData = toArray(await out.data());
      const grads: Record<string, number[]> = {};
      if (c.gradOut && c.gradKeys.length > 0) {
        const gy = g.fromArray(Float32Array.from(c.gradOut.data), c.gradOut.shape, { backend });
        owned.push(gy);
        out.backward(gy);
        for (const [i, k] of names.entries()) {
          const grad = xs[i].grad;
          if (c.gradKeys.includes(k) && grad) grads[k] = toArray(await grad.data());
        }
      }
      results.push({ name: c.name, shape: [...out.shape], out: outData, grads });
      for (const x of xs) x.grad?.dispose();
    } catch (e) {
      results.push({ name: c.name, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    } finally {
      for (const t of owned) if (!t.disposed) t.dispose();
    }
  }
  return results;
}

/**
 * A small CNN (conv with padding, batch norm, max and average pooling, GELU, dropout off, linear,
 * cross-entropy) trained for `steps` AdamW steps from the same seed on `backend`; returns each step's loss
 * and the final first-layer weights, so Node can compare WebGPU with the reference backend.
 */
async function train(backendName: "webgpu" | "reference", steps: number): Promise<{ losses: number[]; weights: number[] }> {
  const previous = g.getBackend().name;
  g.setBackend(backendName);
  try {
    const rng = new g.Rng(11);
    const model = g.nn.sequential(
      g.nn.conv2d(3, 8, 3, { padding: 1, rng }), g.nn.batchNorm2d(8), g.nn.relu(), g.nn.maxPool2d(2),
      g.nn.conv2d(8, 8, 3, { padding: 1, stride: 1, rng }), g.nn.gelu(), g.nn.avgPool2d(2),
      g.nn.flatten(), g.nn.linear(8 * 2 * 2, 5, { rng }),
    );
    const opt = g.optim.adamw(model.parameters(), { lr: 3e-3, weightDecay: 1e-2 });
    const x = g.randn([6, 3, 8, 8], { rng }).keep();
    const y = g.fromArray(Int32Array.from([0, 1, 2, 3, 4, 0]), [6], { dtype: "int32" }).keep();
    const losses: number[] = [];
    model.train();
    for (let i = 0; i < steps; i++) {
      const loss = g.scope(() => {
        const l = g.nn.crossEntropy(model.forward(x), y);
        l.backward();
        opt.step();
        opt.zeroGrad();
        return l.detach();
      });
      losses.push((await loss.data())[0]);
      loss.dispose();
    }
    const weights = toArray(await model.parameters()[0].data());
    model.dispose();
    opt.dispose();
    x.dispose();
    y.dispose();
    return { losses, weights };
  } finally {
    g.setBackend(previous);
  }
}

/** An out-of-range gather index on WebGPU: the next read must throw the reference backend's error. */
async function indexError(): Promise<string> {
  const backend = g.getBackendByName("webgpu");
  const x = g.fromArray(Float32Array.from([1, 2, 3, 4]), [4], { backend });
  const i = g.fromArray(Int32Array.from([0, 7]), [2], { dtype: "int32", backend });
  const y = g.gather(x, 0, i);
  try {
    await y.data();
    return "no error";
  } catch (e) {
    return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  } finally {
    for (const t of [x, i, y]) t.dispose();
  }
}

/** Live tensors and GPU bytes after `steps` more training steps (memory flat in the browser too). */
async function memory(steps: number): Promise<{ before: [number, number]; after: [number, number] }> {
  await train("webgpu", 2);
  const m = (): [number, number] => [g.memory().liveTensors, g.getBackendByName("webgpu").memory().liveBytes];
  const before = m();
  await train("webgpu", steps);
  return { before, after: m() };
}

Object.assign(globalThis, { ganglionTest: { init, runCases, train, indexError, memory } });
