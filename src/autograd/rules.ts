/**
 * Backward rules: one per differentiable op, written with ordinary tensor ops (run under noGrad by the
 * engine). The table is typed `{ [K in DiffOp]: BackwardRule<K> }`: a missing rule is a compile error.
 * Each rule gets the output gradient `g` (shape node.outShape) and returns one gradient per input
 * (null where the input needs none), each of that input's shape.
 */
import { broadcastShapes, fmt, GanglionError, shapesEqual, type Shape } from "../core/index.js";
import * as T from "../tensor/index.js";
import type { DiffOp, GradNode, Tensor } from "../tensor/index.js";

export type BackwardRule<K extends DiffOp> = (g: Tensor, node: GradNode<K>) => (Tensor | null)[];

/** Sums `g` over the axes that broadcasting added or stretched, so it has `shape` again. */
export function unbroadcast(g: Tensor, shape: Shape): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  const s = axes.length ? T.sum(g, axes, { keepDims: true }) : g;
  return T.reshape(s, shape);
}

const need = (node: GradNode, i: number): boolean => node.edges[i] !== null;
const ins = (node: GradNode, i: number): Shape => node.inputs[i].shape;
const sv = (node: GradNode, i: number): Tensor => node.saved[i];
const INV_SQRT_PI_2 = 2 / Math.sqrt(Math.PI);

/** Gradient of maximum/minimum: all to the winner, split evenly on ties (as PyTorch does). */
function extremumRule(node: GradNode<"maximum" | "minimum">, g: Tensor, cmp: "gt" | "lt"): (Tensor | null)[] {
  const [a, b] = [sv(node, 0), sv(node, 1)];
  const wa = T.binary("add", T.cast(T.binary(cmp, a, b), g.dtype), T.binary("mul", T.cast(T.binary("eq", a, b), g.dtype), 0.5));
  const ga = need(node, 0) ? unbroadcast(T.binary("mul", g, wa), ins(node, 0)) : null;
  const gb = need(node, 1) ? unbroadcast(T.binary("mul", g, T.binary("sub", 1, wa)), ins(node, 1)) : null;
  return [ga, gb];
}

/** max/min over axes: the gradient goes to the elements equal to the result, split among ties. */
function reduceExtremumRule(node: GradNode<"max" | "min">, g: Tensor): (Tensor | null)[] {
  const [x, out] = [sv(node, 0), sv(node, 1)];
  const mask = T.cast(T.binary("eq", x, out), g.dtype);
  const count = T.sum(mask, node.attrs.axes, { keepDims: true });
  return [T.binary("mul", mask, T.binary("div", g, count))];
}

/** True for a 2-D view that is the transpose of a contiguous matrix (a linear layer's W.T). */
function isTransposed2d(t: Tensor): boolean {
  return t.rank === 2 && t.strides[0] === 1 && t.strides[1] === t.shape[0] && t.shape[0] > 1 && t.shape[1] > 1;
}

function matmulRule(node: GradNode<"matmul">, g: Tensor): (Tensor | null)[] {
  const [a, b] = [sv(node, 0), sv(node, 1)];
  const batch = broadcastShapes("matmul", a.shape.slice(0, -2), b.shape.slice(0, -2));
  const gf = T.reshape(g, [...batch, a.shape[a.rank - 2], b.shape[b.rank - 1]]);
  const ga = need(node, 0) ? unbroadcast(T.matmul(gf, T.transpose(b)), a.shape) : null;
  let gb: Tensor | null = null;
  if (need(node, 1)) {
    // For b = W.T (x @ W.T), compute (g^T a)^T: W's gradient then comes out in W's own layout instead
    // of as a transposed view that the engine copies element by element (measured: that transposing
    // copy was ~10% of an MLP training step). Same products summed in the same order.
    gb = a.rank === 2 && isTransposed2d(b) ? T.transpose(T.matmul(T.transpose(gf), a)) : unbroadcast(T.matmul(T.transpose(a), gf), b.shape);
  }
  return [ga, gb];
}

export const backwardRules: { readonly [K in DiffOp]: BackwardRule<K> } = {
  neg: (g) => [T.unary("neg", g)],
  abs: (g, n) => [T.binary("mul", g, T.unary("sign", sv(n, 0)))],
  exp: (g, n) => [T.binary("mul", g, sv(n, 0))],
  log: (g, n) => [T.binary("div", g, sv(n, 0))],
  sqrt: (g, n) => [T.binary("div", T.binary("mul", g, 0.5), sv(n, 0))],
  rsqrt: (g, n) => [T.binary("mul", T.binary("mul", g, -0.5), T.binary("pow", sv(n, 0), 3))],
  reciprocal: (g, n) => [T.binary("mul", T.unary("neg", g), T.unary("square", sv(n, 0)))],
  square: (g, n) => [T.binary("mul", g, T.binary("mul", sv(n, 0), 2))],
  tanh: (g, n) => [T.binary("mul", g, T.binary("sub", 1, T.unary("square", sv(n, 0))))],
  sigmoid: (g, n) => [T.binary("mul", g, T.binary("mul", sv(n, 0), T.binary("sub", 1, sv(n, 0))))],
  // where, not g * cast(mask): one pass less, and 0 (not g * 0 = NaN) where a NaN gradient meets a dead unit, as torch.threshold_backward.
  relu: (g, n) => [T.where(T.binary("gt", sv(n, 0), 0), g, 0)],
  // d erf(x)/dx = 2/sqrt(pi) * exp(-x^2)
  erf: (g, n) => [T.binary("mul", g, T.binary("mul", T.unary("exp", T.unary("neg", T.unary("square", sv(n, 0)))), INV_SQRT_PI_2))],
  sin: (g, n) => [T.binary("mul", g, T.unary("cos", sv(n, 0)))],
  cos: (g, n) => [T.binary("mul", g, T.unary("neg", T.unary("sin", sv(n, 0))))],
  add: (g, n) => [need(n, 0) ? unbroadcast(g, ins(n, 0)) : null, need(n, 1) ? unbroadcast(g, ins(n, 1)) : null],
  sub: (g, n) => [need(n, 0) ? unbroadcast(g, ins(n, 0)) : null, need(n, 1) ? unbroadcast(T.unary("neg", g), ins(n, 1)) : null],
  mul: (g, n) => [
    need(n, 0) ? unbroadcast(T.binary("mul", g, sv(n, 1)), ins(n, 0)) : null,
    need(n, 1) ? unbroadcast(T.binary("mul", g, sv(n, 0)), ins(n, 1)) : null,
  ],
  div: (g, n) => [
    need(n, 0) ? unbroadcast(T.binary("div", g, sv(n, 1)), ins(n, 0)) : null,
    need(n, 1) ? unbroadcast(T.binary("div", T.binary("mul", T.unary("neg", g), sv(n, 0)), T.unary("square", sv(n, 1))), ins(n, 1)) : null,
  ],
  // d a^b/da = b a^(b-1);  d a^b/db = a^b log a
  pow: (g, n) => [
    need(n, 0) ? unbroadcast(T.binary("mul", g, T.binary("mul", sv(n, 1), T.binary("pow", sv(n, 0), T.binary("sub", sv(n, 1), 1)))), ins(n, 0)) : null,
    need(n, 1) ? unbroadcast(T.binary("mul", g, T.binary("mul", sv(n, 2), T.unary("log", sv(n, 0)))), ins(n, 1)) : null,
  ],
  maximum: (g, n) => extremumRule(n, g, "gt"),
  minimum: (g, n) => extremumRule(n, g, "lt"),
  where: (g, n) => [
    null,
    need(n, 1) ? unbroadcast(T.where(sv(n, 0), g, 0), ins(n, 1)) : null,
    need(n, 2) ? unbroadcast(T.where(sv(n, 0), 0, g), ins(n, 2)) : null,
  ],
  sum: (g, n) => [T.expand(g, ins(n, 0))],
  max: (g, n) => reduceExtremumRule(n, g),
  min: (g, n) => reduceExtremumRule(n, g),
  copy: (g) => [g],
  matmul: (g, n) => matmulRule(n, g),
  conv2d: (g, n) => [
    need(n, 0) ? T.conv2dBackwardInput(g, sv(n, 1), n.attrs, ins(n, 0)) : null,
    need(n, 1) ? T.conv2dBackwardWeight(sv(n, 0), g, n.attrs, ins(n, 1)) : null,
  ],
  maxPool2d: (g, n) => [T.maxPool2dBackward(g, sv(n, 0), n.attrs)],
  avgPool2d: (g, n) => [T.avgPool2dBackward(g, n.attrs, ins(n, 0))],
  gather: (g, n) => [T.scatterAdd(T.zeros(ins(n, 0), { dtype: g.dtype, backend: g.backend }), n.attrs.axis, sv(n, 0), g), null],
  scatterAdd: (g, n) => {
    const index = sv(n, 0);
    let gs: Tensor | null = null;
    if (need(n, 2)) {
      // torch: grad_src = grad.gather(axis, index). The index may be smaller than base off the axis;
      // gather reads only inside the index's extent there, so narrow g to it first.
      let gi = g;
      for (let d = 0; d < index.rank; d++) if (d !== n.attrs.axis && index.shape[d] < gi.shape[d]) gi = T.narrow(gi, d, 0, index.shape[d]);
      gs = T.gather(gi, n.attrs.axis, index);
      const src = ins(n, 2);
      if (!shapesEqual(gs.shape, src)) gs = T.pad(gs, src.map((d, i) => [0, d - gs!.shape[i]] as const));
    }
    return [need(n, 0) ? g : null, null, gs];
  },
  concat: (g, n) => {
    let at = 0;
    return n.inputs.map((meta, i) => {
      const len = meta.shape[n.attrs.axis];
      const part = need(n, i) ? T.narrow(g, n.attrs.axis, at, len) : null;
      at += len;
      return part;
    });
  },
  pad: (g, n) => [T.slice(g, n.attrs.pads.map(([b]) => b), n.attrs.pads.map(([b], i) => b + ins(n, 0)[i]))],
  // d softmax: y * (g - sum(g * y))
  softmax: (g, n) => {
    const y = sv(n, 0);
    return [T.binary("mul", y, T.binary("sub", g, T.sum(T.binary("mul", g, y), n.attrs.axis, { keepDims: true })))];
  },
  // d logSoftmax: g - softmax * sum(g)
  logSoftmax: (g, n) => [T.binary("sub", g, T.binary("mul", T.unary("exp", sv(n, 0)), T.sum(g, n.attrs.axis, { keepDims: true })))],
  // d CE/dz = softmax(z) - onehot(y), times the per-example upstream gradient
  softmaxCrossEntropy: (g, n) => {
    const [z, y] = [sv(n, 0), sv(n, 1)];
    const d = T.binary("sub", T.softmax(z, 1), T.cast(T.oneHot(y, z.shape[1]), z.dtype));
    return [T.binary("mul", d, T.unsqueeze(g, 1)), null];
  },
  // Through the batch statistics too (stats = batchNormStats(x), so stats get no gradient of their own).
  batchNorm: (g, n) => {
    const [x, stats, w] = [sv(n, 0), sv(n, 1), sv(n, 2)];
    const C = x.shape[1];
    const sums = T.batchNormGradSums(g, x, stats, n.attrs.eps);
    return [
      need(n, 0) ? T.batchNormBackward(g, x, stats, w, sums, n.attrs.eps) : null,
      null,
      need(n, 2) ? T.reshape(T.narrow(sums, 0, 1, 1), [C]) : null,
      need(n, 3) ? T.reshape(T.narrow(sums, 0, 0, 1), [C]) : null,
    ];
  },
  reshape: (g, n) => [T.reshape(g, ins(n, 0))],
  permute: (g, n) => {
    const inv = new Array<number>(n.attrs.dims.length);
    n.attrs.dims.forEach((d, i) => (inv[d] = i));
    return [T.permute(g, inv)];
  },
  expand: (g, n) => [unbroadcast(g, ins(n, 0))],
  slice: (g, n) => [T.pad(g, n.attrs.starts.map((s, i) => [s, ins(n, 0)[i] - n.attrs.ends[i]] as const))],
};

export function checkGradShape(node: GradNode, i: number, g: Tensor): void {
  if (!shapesEqual(g.shape, node.inputs[i].shape)) {
    throw new GanglionError(`internal: backward rule of ${node.op} returned gradient ${fmt(g.shape)} for input ${i} of shape ${fmt(node.inputs[i].shape)}`);
  }
}
