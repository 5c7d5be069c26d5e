/**
 * Reads test/fixtures/golden/optim.json (made by tools/goldens/make_optim_goldens.py, PyTorch 1.13, float64)
 * and builds the two problems with ganglion ops. See the generator's docstring for the layout.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as g from "ganglion";
import { repoRoot } from "../helpers.js";

type Tensor = g.Tensor;
interface RawTensor { dtype: "float64" | "int32"; shape: number[]; b64: string }
export interface HostTensor { readonly dtype: "float64" | "int32"; readonly shape: number[]; readonly data: Float64Array | Int32Array }

export interface OptimCase {
  readonly name: string;
  readonly problem: "linear" | "cnn";
  readonly optimizer: "sgd" | "adam" | "adamw" | "adagrad" | "rmsprop";
  readonly options: Record<string, unknown>;
  readonly groups?: Array<{ params: string[]; options: Record<string, unknown> }>;
  readonly steps: number;
  readonly losses: number[];
  readonly trajectory: Record<string, HostTensor>;
}
export interface LbfgsCase {
  readonly name: string;
  readonly problem: "rosenbrock" | "logistic";
  readonly options: Record<string, unknown>;
  readonly inputs: Record<string, HostTensor>;
  readonly params: Record<string, HostTensor>;
  readonly steps: number;
  readonly losses: number[];
  readonly funcEvals: number[];
  readonly nIter: number[];
  readonly trajectory: Record<string, HostTensor>;
}
export interface Problem { readonly inputs: Record<string, HostTensor>; readonly params: Record<string, HostTensor> }
export interface OptimGoldens {
  readonly torch: string;
  readonly dtype: string;
  readonly problems: Record<"linear" | "cnn", Problem>;
  readonly cases: OptimCase[];
  readonly lbfgs: LbfgsCase[];
}

function decode(t: RawTensor): HostTensor {
  const buf = Buffer.from(t.b64, "base64");
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  return { dtype: t.dtype, shape: t.shape, data: t.dtype === "int32" ? new Int32Array(ab) : new Float64Array(ab) };
}
/** Replaces every {dtype, shape, b64} object in a parsed JSON tree by a decoded HostTensor. */
function decodeTree(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeTree);
  if (v && typeof v === "object") {
    if ("b64" in v) return decode(v as RawTensor);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decodeTree(x)]));
  }
  return v;
}

export function loadOptimGoldens(): OptimGoldens {
  const text = readFileSync(join(repoRoot(), "test", "fixtures", "golden", "optim.json"), "utf8");
  return decodeTree(JSON.parse(text)) as OptimGoldens;
}

export function toTensor(h: HostTensor, opts: { requiresGrad?: boolean } = {}): Tensor {
  return g.fromArray(h.data, h.shape, { dtype: h.dtype, requiresGrad: opts.requiresGrad });
}

/** Step `i` (0-based) of a trajectory [steps, ...shape], flat. */
export function stepOf(h: HostTensor, i: number): Float64Array {
  const n = h.data.length / h.shape[0];
  return Float64Array.from(h.data.subarray(i * n, (i + 1) * n));
}

/** Largest |a − e|/|e| (|e| floored at 1e-12). */
export function maxRel(a: ArrayLike<number>, e: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < e.length; i++) worst = Math.max(worst, Math.abs(a[i] - e[i]) / Math.max(Math.abs(e[i]), 1e-12));
  return a.length === e.length ? worst : Infinity;
}

/** The loss of a first-order problem with parameters by name (the torch module's names). */
export function lossFn(problem: "linear" | "cnn", inputs: Record<string, Tensor>, p: Record<string, Tensor>): () => Tensor {
  if (problem === "linear") return () => g.nn.mseLoss(inputs.x.matmul(p.weight.T).add(p.bias), inputs.y);
  return () => {
    const h = g.conv2d(inputs.x, p["conv.weight"]).add(p["conv.bias"].reshape([1, -1, 1, 1])).relu().flatten(1);
    return g.nn.crossEntropy(h.matmul(p["fc.weight"].T).add(p["fc.bias"]), inputs.target);
  };
}

/** The L-BFGS objectives: 2-D Rosenbrock and mean logistic loss (BCE with logits). */
export function lbfgsLoss(c: LbfgsCase, p: Record<string, Tensor>): () => Tensor {
  if (c.problem === "rosenbrock") {
    return () => {
      const x = p.xy.narrow(0, 0, 1);
      const y = p.xy.narrow(0, 1, 1);
      return x.neg().add(1).square().add(y.sub(x.square()).square().mul(100)).sum();
    };
  }
  const x = toTensor(c.inputs.x);
  const y = toTensor(c.inputs.y);
  return () => g.nn.bceWithLogits(x.matmul(p.w.reshape([-1, 1])).reshape([-1]).add(p.b), y);
}
