/**
 * Whether optimizers run their update as fused elementwise programs (`fusedMap`: one kernel per state
 * tensor and parameter) or as a chain of tensor ops. On a GPU every op is a dispatch — an Adam update
 * was ~25 per parameter, most of a small model's step — so "auto" fuses on asynchronous backends
 * (WebGPU). On CPU backends each op is already a tight SIMD loop and the fused program runs through
 * the reference interpreter, so "auto" keeps the op chain there (PyTorch's `fused=True` idea).
 */
import { ValueError } from "../core/index.js";
import type { Tensor } from "../tensor/index.js";

export type FusedUpdates = "auto" | "always" | "never";
let mode: FusedUpdates = "auto";

/** Sets the mode for every optimizer; returns the previous one. */
export function setFusedUpdates(m: FusedUpdates): FusedUpdates {
  if (m !== "auto" && m !== "always" && m !== "never") throw new ValueError(`setFusedUpdates: mode must be "auto", "always" or "never", got ${JSON.stringify(m)}`);
  const prev = mode;
  mode = m;
  return prev;
}

export function useFused(p: Tensor): boolean {
  return mode === "always" || (mode === "auto" && !p.backend.synchronous);
}
