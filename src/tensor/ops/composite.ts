/**
 * Composite ops (several primitives) free their intermediates with an internal scope, so a plain call
 * outside any user scope does not leak. Layer code never needs this: the training step's scope covers it.
 */
import { isTensor } from "../dispatch.js";
import { runScope } from "../scope.js";

export function runComposite<T>(fn: () => T): T {
  return runScope(fn, isTensor);
}
