/**
 * The reverse-mode engine: walks the graph from the root in reverse creation order (a node's inputs are
 * always created before it, so descending node id is a valid reverse topological order), applies the
 * rules under noGrad inside one scope, and accumulates into leaves' persistent `.grad`. Unless
 * retainGraph, the saved tensors of every visited node are freed afterwards.
 */
import { GanglionError, ShapeError, fmt, shapesEqual } from "../core/index.js";
import * as T from "../tensor/index.js";
import type { BackwardOptions, DiffOp, GradNode, Tensor } from "../tensor/index.js";
import { backwardRules, checkGradShape, type BackwardRule } from "./rules.js";

export interface BackwardHooks {
  /** Called with each leaf gradient before accumulation (NaN guards, statistics). */
  onLeafGrad?: (leaf: Tensor, grad: Tensor) => void;
}
let hooks: BackwardHooks = {};
/** Installs engine-wide hooks; returns the previous ones. */
export function setBackwardHooks(h: BackwardHooks): BackwardHooks {
  const prev = hooks;
  hooks = h;
  return prev;
}

function collectNodes(root: GradNode): GradNode[] {
  const seen = new Set<GradNode>([root]);
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    for (const e of n.edges) {
      if (e && "node" in e && !seen.has(e.node)) {
        seen.add(e.node);
        stack.push(e.node);
      }
    }
  }
  return [...seen].sort((a, b) => b.id - a.id);
}

function accumulateLeaf(leaf: Tensor, g: Tensor): void {
  if (leaf.disposed) throw new GanglionError(`backward: leaf tensor ${leaf.name ?? `#${leaf.id}`} ${fmt(leaf.shape)} was disposed before backward()`);
  hooks.onLeafGrad?.(leaf, g);
  const prev = leaf.grad;
  // NOTE: clone so the stored grad owns contiguous storage (g may be a stride-0 view of a temporary).
  const next = prev ? T.binary("add", prev, g) : g.clone();
  next.keep();
  leaf.grad = next;
  prev?.dispose();
}

export function backward(root: Tensor, grad: Tensor | undefined, { retainGraph = false }: BackwardOptions = {}): void {
  root.assertAlive("backward");
  if (!root.requiresGrad) {
    throw new GanglionError(`backward: tensor ${fmt(root.shape)} does not require grad (no input had requiresGrad, or it was computed under noGrad)`);
  }
  if (!grad && root.size !== 1) throw new ShapeError(`backward: an implicit gradient needs a scalar output, got ${fmt(root.shape)}; pass grad`);
  if (grad && !shapesEqual(grad.shape, root.shape)) throw new ShapeError(`backward: grad ${fmt(grad.shape)} does not match output ${fmt(root.shape)}`);
  T.noGrad(() =>
    T.scope(() => {
      const seed = grad ?? T.onesLike(root);
      const rootNode = root.gradFn;
      if (!rootNode) {
        accumulateLeaf(root, seed);
        return;
      }
      const order = collectNodes(rootNode);
      const grads = new Map<GradNode, Tensor>([[rootNode, seed]]);
      for (const node of order) {
        const g = grads.get(node);
        if (!g) continue;
        grads.delete(node);
        const rule = backwardRules[node.op] as BackwardRule<DiffOp>;
        const inGrads = rule(g, node);
        node.edges.forEach((e, i) => {
          const gi = inGrads[i];
          if (!e || !gi) return;
          checkGradShape(node, i, gi);
          if ("node" in e) {
            const prev = grads.get(e.node);
            grads.set(e.node, prev ? T.binary("add", prev, gi) : gi);
          } else accumulateLeaf(e.leaf, gi);
        });
      }
      if (!retainGraph) for (const node of order) node.freeSaved();
    }),
  );
}
