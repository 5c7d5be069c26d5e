/**
 * Check 4 — NaN/Inf guard. A non-finite value anywhere poisons every weight within a step, so the guard
 * watches three places and names the first culprit (CS231n: "loss exploding / NaN: learning rate too
 * high"; PyTorch's `detect_anomaly` does the backward half):
 *   - forward: the first layer (dotted path, via the module forward hook) whose output is non-finite —
 *     or whose input already was (bad data);
 *   - backward: the first parameter (dotted name, via the engine's leaf-gradient hook) whose gradient is
 *     non-finite;
 *   - after the update: the first parameter whose new value is non-finite (the step itself overflowed).
 * Pass the guard in `fit({ monitors: [guard] })` (any backend) or call `guard.onStep` from fit's onStep
 * (CPU backends): it returns "stop" on the first finding. With `keepLastGood`, the guard keeps a copy
 * of the last finite state so the caller can checkpoint or restore it.
 *
 * How it reads: on a due step the hooks only queue work on the device — a copy of each tensor and a
 * one-element flag, sum(x − x), which is NaN exactly when x holds a NaN or ±Inf. At the end of the step
 * all flags come back in one read; only for the first flagged tensor is the tensor itself read (for the
 * offending value). So the guard costs one small read per checked step, on the GPU as on the CPU.
 */
import { concat, keep, noGrad, scope, type Tensor } from "../../tensor/index.js";
import type { TypedArray } from "../../core/index.js";
import { drive, type ReadRequest } from "../reads.js";
import { setBackwardHooks, type BackwardHooks } from "../../autograd/index.js";
import { setForwardHook, type ForwardHook, type Module } from "../../nn/index.js";
import type { FitPosition, StepMonitor } from "../fit.js";
import { firstNonFinite, parameterNames } from "./state.js";
import type { CheckResult } from "./types.js";

export type NanWhere = "input" | "forward" | "backward" | "update" | "loss";

export interface NanFinding {
  readonly where: NanWhere;
  /** Layer path (input/forward), parameter name (backward/update) or "loss". */
  readonly name: string;
  /** Layer type for forward/input findings. */
  readonly layerType?: string;
  /** The optimizer step during which it happened (1-based, as fit's onStep counts). */
  readonly step: number;
  /** What the first bad value was (NaN, Infinity, -Infinity). */
  readonly value: number;
  /** Non-finite parameters of that layer (forward findings): the weights themselves blew up. */
  readonly badWeights?: readonly string[];
}

export interface NanGuardOptions {
  /** Check every k-th step only (default 1: every step). Checks read the tensors back to the host. */
  readonly every?: number;
  /** Keep a copy of the last finite state (parameters and buffers) for checkpointing/restoring. */
  readonly keepLastGood?: boolean;
}

export interface NanGuard extends StepMonitor {
  /** For fit's onStep on a CPU backend: returns "stop" once something non-finite was seen. */
  readonly onStep: (pos: FitPosition, loss: number) => void | "stop";
  /** The first finding, or null. */
  readonly finding: NanFinding | null;
  /** Step of the last state known to be finite (0 before training). */
  readonly lastGoodStep: number;
  /** The last finite state by dotted name (with keepLastGood), or null. */
  readonly lastGoodState: Readonly<Record<string, Tensor>> | null;
  /** Loads the last good state back into the model (needs keepLastGood). */
  restoreLastGood(): boolean;
  /** The guard as a check result. */
  result(): CheckResult;
  /** Removes the hooks and frees the kept state. */
  dispose(): void;
}

/** A tensor queued for checking: a copy (read only if flagged) and its flag, in hook order. */
interface Candidate {
  readonly where: NanWhere;
  readonly name: string;
  readonly layerType?: string;
  readonly t: Tensor;
  readonly flag: Tensor;
  /** For layer outputs: the layer's parameters and their flags at forward time. */
  readonly weights?: ReadonlyArray<{ readonly name: string; readonly flag: Tensor }>;
}

const isFloat = (t: Tensor): boolean => t.dtype === "float32" || t.dtype === "float64";
/**
 * sum(x − x): 0 when every element is finite, NaN otherwise; kept past the step's scope. The inner
 * scope frees the temporaries also when called outside the step's scope (the after-update check).
 */
const flagOf = (t: Tensor): Tensor => scope(() => keep(noGrad(() => t.sub(t).sum().reshape([1]))));
const copyOf = (t: Tensor): Tensor => scope(() => keep(noGrad(() => t.detach().clone())));

/** Installs the hooks on `model`; call dispose() when training ends. */
export function nanGuard(model: Module, { every = 1, keepLastGood = false }: NanGuardOptions = {}): NanGuard {
  const names = parameterNames(model);
  const ours = new Set([...model.namedModules()].map(([, m]) => m));
  const paramsOf = new Map([...model.namedModules()].map(([path, m]) => [m, [...m.namedParameters(path)]] as const));
  let finding: NanFinding | null = null;
  let step = 0;
  let lastGoodStep = 0;
  let lastGood: Record<string, Tensor> | null = null;
  let queued: Candidate[] = [];
  const seen = new Set<Tensor>();
  const due = (): boolean => (step + 1) % every === 0;
  const release = (): void => {
    for (const c of queued) {
      c.t.dispose();
      c.flag.dispose();
      for (const w of c.weights ?? []) w.flag.dispose();
    }
    queued = [];
    seen.clear();
  };
  /** Queues `t` unless already queued; a layer output `of` a module also flags that module's weights. */
  const queue = (c: Omit<Candidate, "t" | "flag" | "weights">, t: Tensor, of?: Module): void => {
    if (seen.has(t) || !isFloat(t)) return;
    seen.add(t);
    const weights = of && (paramsOf.get(of) ?? []).filter(([, p]) => isFloat(p)).map(([name, p]) => ({ name, flag: flagOf(p) }));
    queued.push({ ...c, t: copyOf(t), flag: flagOf(t), ...(weights ? { weights } : {}) });
  };
  const saveGood = (): void => {
    if (!keepLastGood) return;
    noGrad(() => {
      const sd = model.stateDict();
      if (!lastGood) lastGood = Object.fromEntries(Object.entries(sd).map(([k, t]) => [k, keep(t.clone())]));
      else for (const [k, t] of Object.entries(sd)) lastGood[k].assign(t);
    });
  };
  saveGood();

  const forward: ForwardHook = (path, m, out, input) => {
    prevForward?.(path, m, out, input);
    if (finding || !ours.has(m) || !model.training || !due()) return;
    queue({ where: "input", name: path, layerType: m.typeName }, input);
    queue({ where: "forward", name: path, layerType: m.typeName }, out, m);
  };
  const prevForward = setForwardHook(forward);
  const hooks: BackwardHooks = {
    onLeafGrad: (leaf, grad) => {
      prevBackward.onLeafGrad?.(leaf, grad);
      const name = names.get(leaf);
      if (finding || name === undefined || !due()) return;
      queue({ where: "backward", name }, grad);
    },
  };
  const prevBackward = setBackwardHooks(hooks);

  /** Reads the queued flags (one read) and records the first flagged tensor as the finding. */
  function* check(): Generator<ReadRequest, void, TypedArray[]> {
    if (queued.length === 0) return;
    const all = queued;
    const cat = noGrad(() => concat(all.map((c) => c.flag), 0));
    try {
      const [flags] = yield { read: [cat] };
      const i = flags.findIndex((v) => !Number.isFinite(v));
      if (i < 0) return;
      const c = all[i];
      const [d, ...w] = yield { read: [c.t, ...(c.weights ?? []).map((x) => x.flag)] };
      const k = firstNonFinite(d);
      const value = k < 0 ? NaN : d[k];
      const badWeights = c.weights ? c.weights.filter((_, j) => !Number.isFinite(w[j][0])).map((x) => x.name) : undefined;
      if (!finding) finding = { where: c.where, name: c.name, ...(c.layerType ? { layerType: c.layerType } : {}), value, ...(badWeights ? { badWeights } : {}), step: step + 1 };
    } finally {
      cat.dispose();
      release();
    }
  }

  function* guardStep(pos: FitPosition, loss: number): Generator<ReadRequest, void | "stop", TypedArray[]> {
    const wasDue = due();
    step = pos.step - 1;
    if (!finding && wasDue) {
      for (const [p, name] of names) queue({ where: "update", name }, p);
      yield* check();
    }
    release();
    if (!finding && !Number.isFinite(loss)) finding = { where: "loss", name: "loss", value: loss, step: step + 1 };
    step = pos.step;
    if (finding) return "stop";
    if (wasDue) {
      lastGoodStep = pos.step;
      saveGood();
    }
  }

  return {
    step: guardStep,
    onStep: (pos, loss) => drive("nanGuard", guardStep(pos, loss)),
    get finding() { return finding; },
    get lastGoodStep() { return lastGoodStep; },
    get lastGoodState() { return lastGood; },
    restoreLastGood(): boolean {
      if (!lastGood) return false;
      model.loadStateDict(lastGood);
      return true;
    },
    result: () => nanGuardResult(finding, lastGoodStep),
    dispose(): void {
      setForwardHook(prevForward);
      setBackwardHooks(prevBackward);
      release();
      if (lastGood) for (const t of Object.values(lastGood)) t.dispose();
      lastGood = null;
    },
  };
}

/** A finding in words: where, what, and what to do. */
export function nanGuardResult(f: NanFinding | null, lastGoodStep: number): CheckResult {
  if (!f) return { name: "nan-guard", status: "pass", numbers: { lastGoodStep }, advice: "No NaN or Inf appeared in activations, gradients or weights." };
  const numbers = { step: f.step, lastGoodStep, value: f.value };
  const what = `${f.value}`;
  let advice: string;
  switch (f.where) {
    case "input":
      advice = `The input of layer ${f.name} (${f.layerType}) contained ${what} at step ${f.step}: the data has non-finite values — check loading and normalization (a std of 0 divides by zero).`;
      break;
    case "forward":
      advice = f.badWeights?.length
        ? `Layer ${f.name} (${f.layerType}) produced ${what} at step ${f.step} because its weights ${f.badWeights.join(", ")} are no longer finite: the updates blew them up — the learning rate is too high (lower it 10×, or clip gradients).`
        : `Layer ${f.name} (${f.layerType}) produced ${what} at step ${f.step} from finite inputs and weights: it overflows — activations too large (too-large init or learning rate), or an unsafe op in it (log of 0, division by 0, exp of a big number).`;
      break;
    case "backward":
      advice = `The gradient of ${f.name} became ${what} at step ${f.step} while the forward pass was finite: a backward overflow — the loss or activations are too large (learning rate too high), or an op with an unbounded derivative (sqrt/log near 0).`;
      break;
    case "update":
      advice = `The update at step ${f.step} made ${f.name} ${what} although its gradient was finite: the step size is too large — lower the learning rate, or clip gradients.`;
      break;
    case "loss":
      advice = `The loss became ${what} at step ${f.step} while every layer's output was finite: the loss function overflows (log of 0 probability — compute it from logits, e.g. crossEntropy).`;
      break;
    default:
      advice = `unknown finding ${f.where satisfies never}`;
  }
  return { name: "nan-guard", status: "fail", numbers, advice: `Training stopped. ${advice} Last good state: step ${lastGoodStep}.` };
}
