/**
 * Autograd graph nodes as plain data: `{ op, attrs, inputs, saved }`. The tensor layer records them;
 * the derivative math lives in `autograd/` (one rule per DiffOp). Nodes are refcounted by the tensors
 * whose `gradFn` they are and by the nodes that point at them, so disposing the last tensor of a graph
 * frees its saved tensors deterministically, whether or not backward ever ran.
 */
import { DisposedError, type DType, type Shape } from "../core/index.js";
import type { OpAttrs, Pair, PrimOp, ReduceOp } from "../backend/index.js";
import type { Tensor } from "./tensor.js";

/** Primitive ops with no gradient (piecewise constant, boolean or integer results, or backward kernels). */
export type NonDiffOp =
  | "sign" | "floor" | "ceil" | "round" | "isFinite" | "logicalNot"
  | "eq" | "ne" | "lt" | "le" | "gt" | "ge"
  | "cast" | "fill" | "argmax" | "argmin" | "oneHot" | "fused"
  | "conv2dBackwardInput" | "conv2dBackwardWeight" | "maxPool2dBackward" | "avgPool2dBackward"
  | "batchNormStats" | "batchNormGradSums" | "batchNormBackward";

/** The same list at run time (tests check every other primitive has a backward rule). */
export const NON_DIFF_OPS = [
  "sign", "floor", "ceil", "round", "isFinite", "logicalNot", "eq", "ne", "lt", "le", "gt", "ge",
  "cast", "fill", "argmax", "argmin", "oneHot", "fused",
  "conv2dBackwardInput", "conv2dBackwardWeight", "maxPool2dBackward", "avgPool2dBackward",
  // NOTE: the statistics carry no gradient of their own: `batchNorm`'s rule differentiates through them.
  "batchNormStats", "batchNormGradSums", "batchNormBackward",
] as const satisfies readonly NonDiffOp[];
export const VIEW_OPS = ["reshape", "permute", "expand", "slice"] as const satisfies readonly ViewOp[];

/** View ops never touch a backend: they share storage. They still need gradient rules. */
export type ViewOp = "reshape" | "permute" | "expand" | "slice";

export type DiffPrim = Exclude<PrimOp, NonDiffOp>;
export type DiffOp = DiffPrim | ViewOp;

/** Attributes a graph node keeps for its backward rule. */
export interface NodeAttrs extends Omit<OpAttrs, NonDiffOp | "matmul" | ReduceOp> {
  matmul: Record<string, never>;
  sum: { readonly axes: readonly number[] };
  max: { readonly axes: readonly number[] };
  min: { readonly axes: readonly number[] };
  reshape: { readonly shape: Shape };
  permute: { readonly dims: readonly number[] };
  expand: { readonly shape: Shape };
  slice: { readonly starts: readonly number[]; readonly ends: readonly number[] };
}

/** Where an input's gradient goes: another node, a leaf tensor's `.grad`, or nowhere. */
export type Edge = { readonly node: GradNode } | { readonly leaf: Tensor } | null;

export interface InputMeta {
  readonly shape: Shape;
  readonly dtype: DType;
}

let nextNodeId = 0;

export class GradNode<K extends DiffOp = DiffOp> {
  readonly id = nextNodeId++;
  readonly op: K;
  readonly attrs: NodeAttrs[K];
  readonly edges: readonly Edge[];
  readonly inputs: readonly InputMeta[];
  /** The output's shape (backward rules receive a gradient of this shape). */
  readonly outShape: Shape;
  #saved: Tensor[];
  #refs = 1;
  #savedFreed = false;

  constructor(op: K, attrs: NodeAttrs[K], edges: Edge[], inputs: InputMeta[], outShape: Shape, saved: Tensor[]) {
    this.op = op;
    this.attrs = attrs;
    this.edges = edges;
    this.inputs = inputs;
    this.outShape = outShape;
    this.#saved = saved;
    for (const e of edges) if (e && "node" in e) e.node.retain();
  }

  /** Tensors saved for backward. Throws after the graph was freed by a backward pass. */
  get saved(): readonly Tensor[] {
    if (this.#savedFreed) {
      throw new DisposedError(
        `backward through ${this.op} a second time: its saved tensors were freed by the first backward(); pass { retainGraph: true } to the first call`,
      );
    }
    return this.#saved;
  }

  retain(): void {
    this.#refs++;
  }

  /** Drops one reference; the last one frees the saved tensors and releases the input nodes. */
  release(): void {
    if (--this.#refs > 0) return;
    this.freeSaved();
    for (const e of this.edges) if (e && "node" in e) e.node.release();
  }

  /** Frees saved tensors (after backward without retainGraph). The node stays in the graph. */
  freeSaved(): void {
    if (this.#savedFreed) return;
    this.#savedFreed = true;
    for (const t of this.#saved) t.dispose();
    this.#saved = [];
  }
}

export type PairAttr = Pair;
