/**
 * Check 1 — the loss at initialization (CS231n, "Look for correct loss at chance performance",
 * https://cs231n.github.io/neural-networks-3/#sanitycheck): with small random weights a softmax
 * classifier gives every class probability ≈ 1/C, so the cross-entropy starts at ≈ ln C (2.303 for 10
 * classes). Then "crank up regularization": adding the penalty must raise the loss.
 */
import { noGrad, scope, type Tensor } from "../../tensor/index.js";
import { crossEntropy, type Module } from "../../nn/index.js";
import type { DataLoader } from "../../data/index.js";
import { l2Penalty, onScratchModel, takeBatch } from "./state.js";
import type { CheckResult, CheckStatus, LossFn } from "./types.js";

export interface InitialLossOptions {
  /** Examples to average the loss over (first of the loader's order). */
  readonly examples?: number;
  readonly loss?: LossFn;
  /** Regularization term of the model (default: Σ‖W‖² over weight matrices/filters, i.e. L2). */
  readonly regularizer?: (model: Module) => Tensor;
  /** Strength λ of the "cranked up" penalty λ/2·R(model) (default 1). */
  readonly regStrength?: number;
  /** |loss/ln C − 1| up to this passes (default 0.25), up to `warnTolerance` warns (default 0.6). */
  readonly tolerance?: number;
  readonly warnTolerance?: number;
}

/** Cross-entropy of the untrained model on a batch vs ln C, and whether regularization raises it. */
export function checkInitialLoss(model: Module, loader: DataLoader, o: InitialLossOptions = {}): CheckResult {
  const { examples = 128, regStrength = 1, tolerance = 0.25, warnTolerance = 0.6 } = o;
  const lossFn = o.loss ?? ((z: Tensor, y: Tensor) => crossEntropy(z, y));
  const reg = o.regularizer ?? l2Penalty;
  const classes = loader.dataset.numClasses;
  const lnC = Math.log(classes);
  const { x, y } = takeBatch(loader, examples);
  const [loss, penalty, l2] = onScratchModel(model, () =>
    noGrad(() => scope(() => [lossFn(model.forward(x), y).item(), reg(model).item(), l2Penalty(model).item()] as const)),
  );
  x.dispose();
  y.dispose();
  const regLoss = loss + 0.5 * regStrength * penalty;
  const ratio = loss / lnC;
  const numbers = { loss, lnC, ratio, classes, regStrength, penalty, regLoss, regRise: regLoss - loss };
  let status: CheckStatus = "pass";
  const notes: string[] = [];
  if (!Number.isFinite(loss)) {
    status = "fail";
    notes.push(`The initial loss is ${loss}: something overflows before training even starts. Check the weight initialization (weights far too large) and the input scaling.`);
  } else if (Math.abs(ratio - 1) > warnTolerance) {
    status = ratio > 1 ? "fail" : "warn";
    notes.push(ratio > 1
      ? `The initial loss ${loss.toFixed(3)} is ${ratio.toFixed(1)}× ln C = ${lnC.toFixed(3)}: the untrained model is confidently wrong. Check the loss/labels/init: an initial loss far above ln C means the weights are too large (use Kaiming/Xavier-scaled init) or the labels don't match the outputs.`
      : `The initial loss ${loss.toFixed(3)} is well below ln C = ${lnC.toFixed(3)}: an untrained model should be at chance. Is the model already trained, or do the inputs leak the labels?`);
  } else if (Math.abs(ratio - 1) > tolerance) {
    status = "warn";
    notes.push(`The initial loss ${loss.toFixed(3)} is ${ratio.toFixed(2)}× ln C = ${lnC.toFixed(3)}: close, but the initial scores are not small. Consider smaller initial weights in the last layer.`);
  } else {
    notes.push(`The initial loss ${loss.toFixed(3)} ≈ ln C = ${lnC.toFixed(3)}, as expected at chance.`);
  }
  if (Number.isFinite(loss)) {
    if (!(penalty > 0)) {
      status = "fail";
      notes.push(`Turning regularization up (λ = ${regStrength}) does not raise the loss: the penalty is ${penalty}. `
        + (l2 > 0
          ? "The regularization term is not wired into the loss (it ignores the weights)."
          : "All weights are zero — zero init leaves every unit identical (symmetry) and nothing can learn; initialize weights randomly (Kaiming/He)."));
    } else {
      notes.push(`With regularization turned up (λ = ${regStrength}) the loss rises to ${regLoss.toFixed(3)}, as it should.`);
    }
  }
  return { name: "initial-loss", status, numbers, advice: notes.join(" ") };
}
