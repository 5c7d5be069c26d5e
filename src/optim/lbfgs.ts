/**
 * L-BFGS (Liu & Nocedal 1989, https://doi.org/10.1007/BF01589116; Nocedal & Wright, "Numerical
 * Optimization", 2nd ed., Algorithm 7.4), full batch, following torch.optim.LBFGS step for step.
 *
 * All parameters are flattened into one vector x with gradient g. From the last m pairs
 * sₖ = xₖ₊₁ − xₖ, yₖ = gₖ₊₁ − gₖ (kept only when yₖ·sₖ > 1e−10, so the approximation stays positive
 * definite), the two-loop recursion computes d = −H·g with the initial inverse Hessian H₀ = (y·s)/(y·y)·I:
 *   q ← −g;  for k = m−1…0: αₖ = ρₖ·sₖ·q, q ← q − αₖ·yₖ   (ρₖ = 1/(yₖ·sₖ))
 *   r ← H₀·q;  for k = 0…m−1: βₖ = ρₖ·yₖ·r, r ← r + (αₖ − βₖ)·sₖ;   d = r.
 * Then x ← x + t·d with t = lr (the very first iteration: t = min(1, 1/‖g‖₁)·lr), or t from a strong-Wolfe
 * line search (./linesearch.ts). One `step(closure)` runs up to maxIter such iterations and stops early
 * on maxEval closure calls, max|g| ≤ toleranceGrad, max|t·d| ≤ toleranceChange or |Δloss| < toleranceChange.
 *
 * ```ts
 * const opt = optim.lbfgs(model.parameters(), { lineSearch: "strongWolfe" });
 * const loss = opt.step(() => { opt.zeroGrad(); const l = lossOf(model); l.backward(); return l; });
 * ```
 * The closure may be called several times per step; it runs with gradients enabled, in its own scope.
 * Scalars are read back with item(), so L-BFGS needs a synchronous backend. One parameter group only.
 */
import { DTypeError, GanglionError, ValueError } from "../core/index.js";
import { concat, keep, noGrad, scope, zeros, type Tensor } from "../tensor/index.js";
import { Optimizer, evalClosure, nonNegative, positiveInt, type Closure, type ParamGroupSpec, type ParamState } from "./optimizer.js";
import { absMax, dot, strongWolfe } from "./linesearch.js";

export type LineSearch = "none" | "strongWolfe";

export interface LbfgsOptions {
  lr: number;
  /** Iterations per step() call. */
  maxIter: number;
  /** Closure evaluations per step() call (default ⌊1.25·maxIter⌋). */
  maxEval: number;
  toleranceGrad: number;
  toleranceChange: number;
  /** Number of (s, y) pairs kept. */
  historySize: number;
  lineSearch: LineSearch;
}

/** The optimizer's memory between step() calls (stored in the first parameter's state, as PyTorch does). */
interface Memory {
  funcEvals: number;
  nIter: number;
  d?: Tensor;
  t?: number;
  prevFlatGrad?: Tensor;
  prevLoss?: number;
  hDiag?: number;
  dirs: Tensor[];
  stps: Tensor[];
  ro: number[];
}

function readMemory(st: ParamState): Memory {
  const n = (st.history as number | undefined) ?? 0;
  const idx = Array.from({ length: n }, (_, i) => i);
  return {
    funcEvals: (st.funcEvals as number | undefined) ?? 0, nIter: (st.nIter as number | undefined) ?? 0,
    d: st.d as Tensor | undefined, t: st.t as number | undefined, prevFlatGrad: st.prevFlatGrad as Tensor | undefined,
    prevLoss: st.prevLoss as number | undefined, hDiag: st.hDiag as number | undefined,
    dirs: idx.map((i) => st[`oldDirs.${i}`] as Tensor), stps: idx.map((i) => st[`oldStps.${i}`] as Tensor), ro: idx.map((i) => st[`ro.${i}`] as number),
  };
}

/** Replaces `st` with `m`; disposes tensors of the old state and of `owned` that `m` no longer holds. */
function writeMemory(st: ParamState, m: Memory, owned: Set<Tensor>): void {
  const next: ParamState = { funcEvals: m.funcEvals, nIter: m.nIter, history: m.dirs.length };
  const opt = { d: m.d, t: m.t, prevFlatGrad: m.prevFlatGrad, prevLoss: m.prevLoss, hDiag: m.hDiag };
  for (const [k, v] of Object.entries(opt)) if (v !== undefined) next[k] = v;
  m.dirs.forEach((v, i) => (next[`oldDirs.${i}`] = v));
  m.stps.forEach((v, i) => (next[`oldStps.${i}`] = v));
  m.ro.forEach((v, i) => (next[`ro.${i}`] = v));
  const live = new Set(Object.values(next));
  for (const v of [...Object.values(st), ...owned]) if (typeof v !== "number" && !live.has(v)) v.dispose();
  for (const k of Object.keys(st)) delete st[k];
  Object.assign(st, next);
}

const lineSearchOk = (v: LineSearch): string | null => (v === "none" || v === "strongWolfe" ? null : `must be "none" or "strongWolfe"`);

export class LBFGS extends Optimizer<LbfgsOptions> {
  readonly #params: Tensor[];

  constructor(params: Iterable<Tensor> | ReadonlyArray<ParamGroupSpec<LbfgsOptions>>, o: Partial<LbfgsOptions> = {}) {
    super("lbfgs", params,
      { lr: 1, maxIter: 20, maxEval: Math.floor(((o.maxIter ?? 20) * 5) / 4), toleranceGrad: 1e-7, toleranceChange: 1e-9, historySize: 100, lineSearch: "none" },
      { lr: nonNegative, maxIter: positiveInt, maxEval: positiveInt, toleranceGrad: nonNegative, toleranceChange: nonNegative, historySize: positiveInt, lineSearch: lineSearchOk }, o);
    if (this.groups.length !== 1) throw new ValueError(`lbfgs: supports exactly one parameter group (no per-parameter options), got ${this.groups.length}`);
    this.#params = this.groups[0].params;
    const p0 = this.#params[0];
    for (const p of this.#params) {
      if (p.dtype !== p0.dtype || p.backend !== p0.backend) {
        throw new DTypeError(`lbfgs: all parameters must share one dtype and backend (flattened into one vector): ${p.name ?? `#${p.id}`} is ${p.dtype} on ${p.backend.name}, ${p0.name ?? `#${p0.id}`} is ${p0.dtype} on ${p0.backend.name}`);
      }
    }
  }

  protected update(): void {
    throw new GanglionError("lbfgs: updates happen in step(closure)");
  }

  /** Up to maxIter L-BFGS iterations; returns the loss the closure gave at the starting point. */
  override step(closure?: Closure): number {
    if (!closure) throw new ValueError("lbfgs: step(closure) needs a closure that recomputes the loss and its gradients (zeroGrad, forward, backward) and returns the loss");
    const st = this.paramState(this.#params[0]);
    const owned = new Set<Tensor>();
    let ok = false;
    try {
      const r = noGrad(() => scope(() => this.#run(closure, readMemory(st), owned)));
      writeMemory(st, r.memory, owned);
      ok = true;
      return r.loss;
    } finally {
      if (!ok) for (const t of owned) t.dispose();
    }
  }

  #run(closure: Closure, m: Memory, owned: Set<Tensor>): { loss: number; memory: Memory } {
    const o = this.groups[0].options;
    const own = (t: Tensor): Tensor => (owned.add(keep(t)), t);
    // Frees this step's vectors that nothing refers to any more (the previous state is kept until the end).
    const sweep = (): void => {
      const live = new Set([m.d, g, m.prevFlatGrad, ...m.dirs, ...m.stps]);
      for (const t of owned) if (!live.has(t)) (t.dispose(), owned.delete(t));
    };
    const origLoss = evalClosure(closure);
    let loss = origLoss;
    let evals = 1;
    m.funcEvals += 1;
    let g = own(this.#flatGrad());
    let optCond = absMax(g) <= o.toleranceGrad;
    if (optCond) return { loss: origLoss, memory: m };
    for (let it = 1; it <= o.maxIter; it++) {
      m.nIter += 1;
      if (m.nIter === 1) {
        m.d = own(g.neg());
        m.dirs = [];
        m.stps = [];
        m.ro = [];
        m.hDiag = 1;
      } else scope(() => this.#direction(m, g, o.historySize, own));
      m.prevFlatGrad = g;
      m.prevLoss = loss;
      const d = m.d!;
      let t = m.nIter === 1 ? Math.min(1, 1 / scope(() => g.abs().sum().item())) * o.lr : o.lr;
      m.t = t;
      const gtd = dot(g, d);
      if (gtd > -o.toleranceChange) break;
      let lsEvals = 0;
      if (o.lineSearch === "strongWolfe") {
        const r = scope(() => {
          const x0 = this.#params.map((p) => p.clone());
          const res = strongWolfe((s) => this.#evaluateAt(closure, x0, s, d), d, t, loss, g, gtd, { toleranceChange: o.toleranceChange });
          return { ...res, g: own(res.g) };
        });
        [loss, g, t, lsEvals] = [r.f, r.g, r.t, r.evals];
        this.#addStep(t, d);
        optCond = absMax(g) <= o.toleranceGrad;
      } else {
        this.#addStep(t, d);
        if (it !== o.maxIter) {
          loss = evalClosure(closure);
          g = own(this.#flatGrad());
          optCond = absMax(g) <= o.toleranceGrad;
          lsEvals = 1;
        }
      }
      m.t = t;
      evals += lsEvals;
      m.funcEvals += lsEvals;
      sweep();
      if (it === o.maxIter || evals >= o.maxEval || optCond) break;
      if (scope(() => absMax(d.mul(t))) <= o.toleranceChange) break; // NOTE: max|t·d|, as torch (not t·max|d|)
      if (Math.abs(loss - m.prevLoss) < o.toleranceChange) break;
    }
    return { loss: origLoss, memory: m };
  }

  /** Updates the (s, y) memory with the last step and sets m.d = −H·g by the two-loop recursion. */
  #direction(m: Memory, g: Tensor, historySize: number, own: (t: Tensor) => Tensor): void {
    const y = g.sub(m.prevFlatGrad!);
    const s = m.d!.mul(m.t!);
    const ys = dot(y, s);
    if (ys > 1e-10) {
      if (m.dirs.length === historySize) {
        m.dirs.shift();
        m.stps.shift();
        m.ro.shift();
      }
      m.dirs.push(own(y));
      m.stps.push(own(s));
      m.ro.push(1 / ys);
      m.hDiag = ys / dot(y, y);
    }
    const k = m.dirs.length;
    const al = new Array<number>(k);
    let q = g.neg();
    for (let i = k - 1; i >= 0; i--) {
      al[i] = dot(m.stps[i], q) * m.ro[i];
      q = q.sub(m.dirs[i].mul(al[i]));
    }
    let r = q.mul(m.hDiag!);
    for (let i = 0; i < k; i++) {
      const be = dot(m.dirs[i], r) * m.ro[i];
      r = r.add(m.stps[i].mul(al[i] - be));
    }
    m.d = own(r);
  }

  #flatGrad(): Tensor {
    return scope(() => concat(this.#params.map((p) => (p.grad ? p.grad.reshape([-1]) : zeros([p.size], { dtype: p.dtype, backend: p.backend })))));
  }

  /** x ← x + t·d, parameter by parameter. */
  #addStep(t: number, d: Tensor): void {
    let off = 0;
    for (const p of this.#params) {
      const n = p.size;
      scope(() => {
        p.assign(p.add(d.narrow(0, off, n).reshape(p.shape).mul(t)));
      });
      off += n;
    }
  }

  /** f and the flat gradient at x0 + t·d; the parameters are put back to x0 afterwards. */
  #evaluateAt(closure: Closure, x0: Tensor[], t: number, d: Tensor): { f: number; g: Tensor } {
    this.#addStep(t, d);
    const f = evalClosure(closure);
    const g = this.#flatGrad();
    this.#params.forEach((p, i) => p.assign(x0[i]));
    return { f, g };
  }
}

export const lbfgs = (params: Iterable<Tensor> | ReadonlyArray<ParamGroupSpec<LbfgsOptions>>, o?: Partial<LbfgsOptions>): LBFGS => new LBFGS(params, o);
