/**
 * Reading per-layer statistics (check 5) the way CS231n's lecture on babysitting does: dead ReLUs
 * ("as much as 40% of your network can be dead"), saturated tanh/sigmoid units (no gradient flows),
 * parameters no gradient reaches, activations that collapse or explode with depth (initialization), and
 * the update/weight ratio ‖Δθ‖/‖θ‖ ≈ 1e-3 (https://cs231n.github.io/neural-networks-3/#ratio) — far
 * below: learning rate too low; far above: too high. Adam-family optimizers run closer to 1e-2 on small
 * CNNs, so the healthy band here is wide: [1e-4, 1e-1).
 *
 * Advice names an activation entry as "layer <module path> (<Type>)" — `layer 2 (ReLU)`,
 * `layer features.3 (ReLU)`, the wording of the NaN guard — and a parameter by its dotted name and its
 * layer's type, `parameter 0.weight (Conv2d)`. Every "std" is the one `layerStatsMonitor` records: the
 * population standard deviation over all of a tensor's elements, √(mean((x − mean)²)) (÷N, not N − 1),
 * over the whole batch for an activation and over every entry for a parameter.
 */
import type { LayerStatsEvent } from "../events.js";
import type { CheckResult, CheckStatus } from "./types.js";

export interface LayerDiagnosisOptions {
  /** Parameters whose update ratio is judged (weight matrices/filters); default: every parameter entry. */
  readonly weightNames?: ReadonlySet<string>;
  readonly deadWarn?: number;
  readonly deadFail?: number;
  readonly saturationWarn?: number;
  /** Healthy band of the median update ratio (default [1e-4, 1e-1)); fail below 1e-6 or at 1 and above. */
  readonly ratioLow?: number;
  readonly ratioHigh?: number;
}

type Entry = LayerStatsEvent["layers"][number];

/** "layer 2 (ReLU)" for an activation entry (named `path (Type)`). */
const layerLabel = (l: Entry): string => `layer ${l.name}`;

/**
 * "0.weight (Conv2d)": a parameter's dotted name, with the type of the layer that owns it when an
 * activation entry of that layer is in `acts`.
 */
function paramLabel(name: string, acts: readonly Entry[]): string {
  const path = name.slice(0, Math.max(0, name.lastIndexOf(".")));
  const owner = acts.find((a) => a.name.startsWith(`${path} (`) && a.name.endsWith(")"));
  return `${name}${owner ? ` ${owner.name.slice(path.length + 1)}` : ""}`;
}

function median(v: number[]): number {
  if (!v.length) return NaN;
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

/** One verdict over the recorded events (the latest for activations, all but step 1 for update ratios). */
export function diagnoseLayerStats(events: readonly LayerStatsEvent[], o: LayerDiagnosisOptions = {}): CheckResult {
  const { deadWarn = 0.4, deadFail = 0.9, saturationWarn = 0.25, ratioLow = 1e-4, ratioHigh = 1e-1 } = o;
  if (!events.length) return { name: "layer-stats", status: "warn", numbers: { events: 0 }, advice: "No layer statistics were recorded (training ran no steps)." };
  const last = events[events.length - 1];
  const notes: string[] = [];
  let status: CheckStatus = "pass";
  const raise = (s: CheckStatus): void => {
    if (s === "fail" || (s === "warn" && status === "pass")) status = s;
  };
  const acts = last.layers.filter((l) => l.gradNorm === undefined);
  const params = last.layers.filter((l) => l.gradNorm !== undefined);
  const numbers: Record<string, number> = { events: events.length, step: last.step };

  const nonFinite = last.layers.find((l) => ![l.mean, l.std, l.gradNorm ?? 0, l.updateRatio ?? 0].every(Number.isFinite));
  if (nonFinite) {
    raise("fail");
    notes.push(`${nonFinite.gradNorm === undefined ? layerLabel(nonFinite) : `parameter ${paramLabel(nonFinite.name, acts)}`} has non-finite statistics: training diverged (lower the learning rate).`);
  }
  const dead = acts.filter((l) => l.deadFraction !== undefined).sort((a, b) => b.deadFraction! - a.deadFraction!)[0];
  if (dead) {
    numbers.maxDeadFraction = dead.deadFraction!;
    if (dead.deadFraction! >= deadWarn) {
      raise(dead.deadFraction! >= deadFail ? "fail" : "warn");
      notes.push(`${(100 * dead.deadFraction!).toFixed(0)}% of the units of ${layerLabel(dead)} never fire (dead ReLUs): usually a too-high learning rate knocked them out, or a bad init/bias. Lower the learning rate, or try leaky ReLU.`);
    }
  }
  const sat = acts.filter((l) => l.saturatedFraction !== undefined).sort((a, b) => b.saturatedFraction! - a.saturatedFraction!)[0];
  if (sat) {
    numbers.maxSaturatedFraction = sat.saturatedFraction!;
    if (sat.saturatedFraction! >= saturationWarn) {
      raise("warn");
      notes.push(`${(100 * sat.saturatedFraction!).toFixed(0)}% of the outputs of ${layerLabel(sat)} are saturated, so almost no gradient flows through them: the pre-activations are too large — smaller initial weights (Xavier), batch norm, or ReLU.`);
    }
  }
  const stds = acts.map((l) => l.std).filter(Number.isFinite);
  if (stds.length) {
    numbers.minActivationStd = Math.min(...stds);
    numbers.maxActivationStd = Math.max(...stds);
    // Dead ReLUs (reported above) zero everything after them too; that is not a vanishing signal.
    const firstDead = acts.findIndex((l) => l.deadFraction !== undefined && l.deadFraction >= deadWarn);
    const tiny = acts.find((l, i) => l.std < 1e-6 && (firstDead < 0 || i < firstDead));
    const huge = acts.find((l) => l.std > 100);
    if (tiny) {
      raise("warn");
      notes.push(`The activations of ${layerLabel(tiny)} collapse to zero (std ${tiny.std.toExponential(1)} over the batch): the signal vanishes with depth — the weights are too small (or zero); use Kaiming/Xavier init.`);
    }
    if (huge) {
      raise("warn");
      notes.push(`The activations of ${layerLabel(huge)} explode (std ${huge.std.toExponential(1)} over the batch): the weights are too large — from the init (use Kaiming/Xavier or batch norm) or grown by too-large updates (lower the learning rate).`);
    }
  }
  // Weights that grew by an order of magnitude since the first record: too-large updates.
  const first = events[0];
  let growth = 1, grown = "";
  for (const l of params) {
    const s0 = first.layers.find((k) => k.name === l.name)?.std ?? NaN;
    const g = s0 > 0 ? l.std / s0 : NaN;
    if (g > growth && (!o.weightNames || o.weightNames.has(l.name))) {
      growth = g;
      grown = l.name;
    }
  }
  if (events.length > 1) numbers.maxWeightGrowth = growth;
  if (growth >= 10) {
    raise(growth >= 100 ? "fail" : "warn");
    notes.push(`The std of parameter ${paramLabel(grown, acts)} grew ${growth.toFixed(0)}× between steps ${first.step} and ${last.step}: the updates are far too large — lower the learning rate.`);
  }
  const noGrad = params.filter((l) => events.every((e) => (e.layers.find((k) => k.name === l.name)?.gradNorm ?? 0) === 0));
  if (noGrad.length) {
    raise("warn");
    notes.push(`No gradient reaches parameter${noGrad.length > 1 ? "s" : ""} ${noGrad.map((l) => paramLabel(l.name, acts)).join(", ")}: frozen, disconnected from the loss, or behind dead units/zero weights.`);
  }
  numbers.maxGradNorm = Math.max(0, ...params.map((l) => l.gradNorm ?? 0).filter(Number.isFinite));
  const judged = events.length > 1 ? events.filter((e) => e.step > 1) : events;
  const ratios = judged.flatMap((e) => e.layers.filter((l) => l.updateRatio !== undefined && (!o.weightNames || o.weightNames.has(l.name))).map((l) => l.updateRatio!));
  const r = median(ratios);
  if (Number.isFinite(r)) {
    numbers.medianUpdateRatio = r;
    if (r >= ratioHigh) {
      raise(r >= 1 ? "fail" : "warn");
      notes.push(`The update/weight ratio is ${r.toExponential(1)} (healthy ≈ 1e-3, up to ~1e-2 with Adam): each step changes the weights by ${r >= 1 ? "more than their own size" : "a large fraction of their size"} — the learning rate is too high.`);
    } else if (r < ratioLow) {
      raise(r < 1e-6 ? "fail" : "warn");
      notes.push(`The update/weight ratio is ${r.toExponential(1)} (healthy ≈ 1e-3): the weights barely move — the learning rate is too low.`);
    }
  } else if (!nonFinite && ratios.length) {
    raise("fail");
    notes.push("The update/weight ratio is not finite: the weights blew up (learning rate too high).");
  }
  if (!notes.length) notes.push(`Layer statistics look healthy: no dead or saturated layers, gradients reach every parameter, update/weight ratio ${Number.isFinite(r) ? r.toExponential(1) : "n/a"} (≈ 1e-3–1e-2 is healthy).`);
  return { name: "layer-stats", status, numbers, advice: notes.join(" ") };
}
