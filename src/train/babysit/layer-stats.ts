/**
 * Check 5 — per-layer statistics every N steps (CS231n, "Activation / Gradient distributions per layer"
 * and "Ratio of weights:updates", https://cs231n.github.io/neural-networks-3/#ratio): activation mean,
 * std and a histogram over fixed edges; the dead-ReLU fraction (units never positive over the batch);
 * tanh/sigmoid saturation (|tanh| > 0.99, sigmoid < 0.01 or > 0.99); per-parameter gradient norms and
 * gradient histograms (symmetric-log bins), and the update/weight ratio ‖Δθ‖/‖θ‖ — around 1e-3 is
 * healthy, far below means the learning rate is too low, far above too high. Emitted as LayerStatsEvents. Only steps that are due read anything back, so
 * every 50–100 steps the cost is a host copy of one batch's activations.
 *
 * "std" here, in the events and in the advice, is one definition: the population standard deviation
 * over all of a tensor's elements, √(mean((x − mean)²)) (÷N as BatchNorm normalizes; PyTorch's
 * `x.std(correction=0)`) — over the whole batch's output for an activation, over every entry for a
 * parameter.
 */
import { keep, noGrad, scope, type Tensor } from "../../tensor/index.js";
import type { TypedArray } from "../../core/index.js";
import { setBackwardHooks, type BackwardHooks } from "../../autograd/index.js";
import { setForwardHook, type ForwardHook, type Module } from "../../nn/index.js";
import type { LayerStatsEvent } from "../events.js";
import type { FitPosition, StepMonitor } from "../fit.js";
import { drive, type ReadRequest } from "../reads.js";
import { isWeightMatrix, parameterNames } from "./state.js";
import { diagnoseLayerStats, type LayerDiagnosisOptions } from "./layer-diagnosis.js";
import type { CheckResult } from "./types.js";

export type LayerStat = LayerStatsEvent["layers"][number];

export interface LayerStatsOptions {
  /** Emit at step 1 and every `every` optimizer steps (default 50). */
  readonly every?: number;
  /** Where events go (fit's onEvent, a run log). Events are also kept in `monitor.events`. */
  readonly emit?: (e: LayerStatsEvent) => void;
  /** Histogram bin edges (fixed, so histograms compare across steps); values outside go to the end bins. */
  readonly edges?: readonly number[];
  /** Edges of the parameter-gradient histograms (default GRAD_EDGES). */
  readonly gradEdges?: readonly number[];
}

export interface LayerStatsMonitor extends StepMonitor {
  /** For fit's onStep on a CPU backend (reads synchronously); on any backend pass the monitor in `fit({ monitors })`. */
  readonly onStep: (pos: FitPosition, loss: number) => void;
  readonly events: readonly LayerStatsEvent[];
  /** The recorded events read as a check (update ratios judged on weight matrices/filters). */
  result(o?: LayerDiagnosisOptions): CheckResult;
  dispose(): void;
}

/** −4 … 4 in steps of 0.5. */
export const DEFAULT_EDGES: readonly number[] = Array.from({ length: 17 }, (_, i) => -4 + i * 0.5);

/**
 * Gradient histogram edges, symmetric-log: ±10^e for e = 0, −0.5, …, −7 and 0 (30 bins). Gradients
 * span many decades across layers and during training, so linear bins would put nearly everything in
 * one or two bins; these stay fixed, so histograms compare across layers and steps.
 */
export const GRAD_EDGES: readonly number[] = (() => {
  const mags = Array.from({ length: 15 }, (_, i) => 10 ** (-i / 2));
  return [...mags.map((m) => -m), 0, ...mags.reverse()];
})();

/** Equal-width edges (within float tolerance): bins can be computed by a division, not a search. */
function uniformStep(edges: readonly number[]): number | undefined {
  const w = (edges[edges.length - 1] - edges[0]) / (edges.length - 1);
  return w > 0 && edges.every((e, i) => Math.abs(e - (edges[0] + i * w)) <= 1e-9 * Math.max(1, Math.abs(e))) ? w : undefined;
}

function histogram(d: ArrayLike<number>, edges: readonly number[]): number[] {
  const bins = edges.length - 1;
  const counts = new Array<number>(bins).fill(0);
  const lo = edges[0], hi = edges[bins];
  const w = uniformStep(edges);
  if (w !== undefined) {
    // NOTE: measured 6x faster than the search on a 64x32x28x28 activation; the main job records
    // statistics of every layer's output every 100 steps, which cost ~15% of its time before.
    const c = new Float64Array(bins), inv = 1 / w;
    for (let i = 0; i < d.length; i++) {
      const v = d[i];
      if (v <= lo) c[0]++;
      else if (v >= hi) c[bins - 1]++;
      else if (v === v) {
        // An edge value belongs to the bin it opens; the division may land one below it.
        let b = Math.floor((v - lo) * inv);
        if (b < bins - 1 && v >= edges[b + 1]) b++;
        else if (b > 0 && v < edges[b]) b--;
        c[b]++;
      }
    }
    for (let b = 0; b < bins; b++) counts[b] = c[b];
    return counts;
  }
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (Number.isNaN(v)) continue;
    let b: number;
    if (v <= lo) b = 0;
    else if (v >= hi) b = bins - 1;
    else {
      let a = 0, z = bins;
      while (z - a > 1) {
        const m = (a + z) >> 1;
        if (v >= edges[m]) a = m;
        else z = m;
      }
      b = a;
    }
    counts[b]++;
  }
  return counts;
}

/** Mean and population std (÷N, two-pass) of every element: the module header's definition. */
function meanStd(d: ArrayLike<number>): { mean: number; std: number } {
  let s = 0, s2 = 0;
  for (let i = 0; i < d.length; i++) s += d[i];
  const mean = d.length ? s / d.length : NaN;
  for (let i = 0; i < d.length; i++) s2 += (d[i] - mean) * (d[i] - mean);
  return { mean, std: d.length ? Math.sqrt(s2 / d.length) : NaN };
}

/** Fraction of units (channels of [N,C,…], features of [N,F]) that are never positive over the batch. */
export function deadFraction(d: ArrayLike<number>, shape: readonly number[]): number {
  if (shape.length < 2) return NaN;
  const [n, c] = shape;
  const inner = shape.slice(2).reduce((a, b) => a * b, 1);
  let dead = 0;
  for (let ch = 0; ch < c; ch++) {
    let alive = false;
    for (let i = 0; i < n && !alive; i++) {
      const base = (i * c + ch) * inner;
      for (let k = 0; k < inner; k++) if (d[base + k] > 0) { alive = true; break; }
    }
    if (!alive) dead++;
  }
  return dead / c;
}

/** Fraction of saturated outputs: |y| > 0.99 for tanh, y < 0.01 or y > 0.99 for sigmoid. */
export function saturatedFraction(d: ArrayLike<number>, kind: "tanh" | "sigmoid"): number {
  let k = 0;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (kind === "tanh" ? Math.abs(v) > 0.99 : v < 0.01 || v > 0.99) k++;
  }
  return d.length ? k / d.length : NaN;
}

/** Statistics of one activation tensor (layer output), read synchronously (CPU backends). */
export function activationStat(name: string, typeName: string, out: Tensor, edges: readonly number[]): LayerStat {
  return activationStatOf(name, typeName, out.dataSync(), out.shape, edges);
}

/** Statistics of one activation's values `d` of shape `shape`. */
function activationStatOf(name: string, typeName: string, d: ArrayLike<number>, shape: readonly number[], edges: readonly number[]): LayerStat {
  const { mean, std } = meanStd(d);
  const kind = typeName === "Tanh" ? "tanh" : typeName === "Sigmoid" ? "sigmoid" : undefined;
  return {
    name, mean, std,
    ...(typeName === "ReLU" ? { deadFraction: deadFraction(d, shape) } : {}),
    ...(kind ? { saturatedFraction: saturatedFraction(d, kind) } : {}),
    histogram: { edges: [...edges], counts: histogram(d, edges) },
  };
}

function norm(a: ArrayLike<number>, b?: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const v = b ? a[i] - b[i] : a[i];
    s += v * v;
  }
  return Math.sqrt(s);
}

/** What a due step has recorded: copies taken in the hooks, read back at the end of the step. */
interface Recorded {
  readonly acts: Array<{ readonly key: string; readonly typeName: string; readonly t: Tensor }>;
  readonly seen: Set<string>;
  /** Gradient contributions per parameter (several with accumulation or shared parameters). */
  readonly grads: Map<Tensor, Tensor[]>;
  /** Parameter values before the step. */
  readonly before: Map<Tensor, Tensor>;
}

/** A detached copy that survives the step's scope (the monitor disposes it); no temporaries left outside one. */
const snapshot = (t: Tensor): Tensor => scope(() => keep(noGrad(() => t.detach().clone())));

/**
 * Installs forward/backward hooks that record one batch's statistics on due steps. Activation entries
 * are named `path (Type)`; parameter entries by their dotted name, with the weights' mean/std,
 * `gradNorm` and `updateRatio`. The hooks only take device copies; the values are read once, at the
 * end of the step, through the training loop's reads (`fit({ monitors })`), so the same monitor works
 * on CPU backends and on WebGPU.
 */
export function layerStatsMonitor(model: Module, { every = 50, emit, edges = DEFAULT_EDGES, gradEdges = GRAD_EDGES }: LayerStatsOptions = {}): LayerStatsMonitor {
  if (!(Number.isInteger(every) && every >= 1)) throw new RangeError(`layerStatsMonitor: every must be an integer >= 1, got ${every}`);
  const names = parameterNames(model);
  const ours = new Set([...model.namedModules()].map(([, m]) => m));
  const events: LayerStatsEvent[] = [];
  let rec: Recorded | null = null;
  const due = (s: number): boolean => s === 1 || s % every === 0;
  const release = (r: Recorded | null): void => {
    if (!r) return;
    for (const a of r.acts) a.t.dispose();
    for (const list of r.grads.values()) for (const t of list) t.dispose();
    for (const t of r.before.values()) t.dispose();
  };
  const arm = (): void => {
    release(rec);
    rec = { acts: [], seen: new Set(), grads: new Map(), before: new Map([...names.keys()].map((p) => [p, snapshot(p)])) };
  };
  const forward: ForwardHook = (path, m, out, input) => {
    prevForward?.(path, m, out, input);
    if (!rec || !model.training || !ours.has(m)) return;
    const key = `${path} (${m.typeName})`;
    if (rec.seen.has(key)) return;
    rec.seen.add(key);
    rec.acts.push({ key, typeName: m.typeName, t: snapshot(out) });
  };
  const prevForward = setForwardHook(forward);
  const hooks: BackwardHooks = {
    onLeafGrad: (leaf, grad) => {
      prevBackward.onLeafGrad?.(leaf, grad);
      if (!rec || !names.has(leaf)) return;
      const list = rec.grads.get(leaf) ?? [];
      list.push(snapshot(grad));
      rec.grads.set(leaf, list);
    },
  };
  const prevBackward = setBackwardHooks(hooks);
  function* step(pos: FitPosition): Generator<ReadRequest, void, TypedArray[]> {
    const r = rec;
    if (r) {
      rec = null;
      const params = [...names.keys()];
      const gradList = params.flatMap((p) => r.grads.get(p) ?? []);
      let d: TypedArray[];
      try {
        d = yield { read: [...r.acts.map((a) => a.t), ...params.flatMap((p) => [p, r.before.get(p) as Tensor]), ...gradList] };
      } finally {
        release(r);
      }
      const layers: LayerStat[] = r.acts.map((a, i) => activationStatOf(a.key, a.typeName, d[i], a.t.shape, edges));
      let at = r.acts.length;
      let gi = at + 2 * params.length;
      for (const p of params) {
        const now = d[at++], old = d[at++];
        const parts = r.grads.get(p)?.length ?? 0;
        let g: Float64Array | undefined;
        if (parts > 0) {
          g = new Float64Array(p.size);
          for (let k = 0; k < parts; k++, gi++) if (d[gi].length === g.length) for (let i = 0; i < g.length; i++) g[i] += d[gi][i];
        }
        const { mean, std } = meanStd(now);
        const w = norm(old);
        layers.push({
          name: names.get(p) as string, mean, std, gradNorm: g ? norm(g) : 0, updateRatio: w > 0 ? norm(now, old) / w : undefined,
          ...(g ? { gradHistogram: { edges: [...gradEdges], counts: histogram(g, gradEdges) } } : {}),
        });
      }
      const e: LayerStatsEvent = { type: "layerStats", step: pos.step, layers };
      events.push(e);
      emit?.(e);
    }
    if (due(pos.step + 1)) arm();
  }
  arm();
  return {
    step,
    onStep: (pos) => drive("layerStatsMonitor", step(pos)),
    events,
    result: (opts = {}) => diagnoseLayerStats(events, { weightNames: new Set([...names].filter(([p]) => isWeightMatrix(p)).map(([, n]) => n)), ...opts }),
    dispose(): void {
      setForwardHook(prevForward);
      setBackwardHooks(prevBackward);
      release(rec);
      rec = null;
    },
  };
}
