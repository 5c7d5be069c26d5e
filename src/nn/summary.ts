/**
 * Model summary: one row per layer call with its output shape, parameters (trainable / frozen),
 * receptive field and its jump (stride in input pixels), multiply-adds and activation memory.
 *
 * The shapes come from a real forward pass on zeros (eval mode, noGrad), observed through the forward
 * hook, so they are exactly what the layers compute. For every conv/pool layer the summary also checks
 * them against the output-size rule of CS231n (lecture 5, "Convolutional Neural Networks"):
 *
 *   W_out = (W − K + 2P) / S + 1,
 *
 * input width W, kernel K, zero padding P per side, stride S; with dilation D the kernel spans
 * D·(K − 1) + 1 pixels, and a stride that does not divide evenly floors (PyTorch's convention):
 * W_out = ⌊(W + 2P − D·(K − 1) − 1) / S⌋ + 1 (`convOutSize`). Example: AlexNet's conv1 on 227×227 with
 * 11×11 filters, stride 4, no padding: (227 − 11)/4 + 1 = 55.
 *
 * Receptive field r and jump j (Araujo et al. 2019, "Computing Receptive Fields of Convolutional Neural
 * Networks", https://distill.pub/2019/computing-receptive-fields/), per axis, starting from r = j = 1 at
 * the input: a conv/pool layer with kernel k, stride s, dilation d gives
 *   r_out = r_in + (k − 1)·d·j_in,   j_out = j_in·s;
 * elementwise layers (activations, normalization, dropout) leave both unchanged; a Linear after a
 * Flatten sees the whole remaining feature map. Three stacked 3×3 stride-1 convs: 1 → 3 → 5 → 7.
 * The field is not clipped to the image, so deep layers may report more than the input size.
 *
 * MACs (multiply-adds) count the convolutions and matrix products only: Conv2d = N·Cout·HO·WO·(Cin/groups)·kh·kw,
 * Linear = N·in·out; bias adds, activations and normalization are not counted.
 */
import { GanglionError, bytesPerElement, fmt, sizeOf, type DType, type Pair } from "../core/index.js";
import { convOutSize, noGrad, scope, zeros, type Tensor } from "../tensor/index.js";
import { Flatten } from "./layers/activation.js";
import { Conv2d, Linear } from "./layers/linear.js";
import { AdaptiveAvgPool2d, AvgPool2d, FractionalMaxPool2d, MaxPool2d } from "./layers/pool.js";
import { LayerError, Module, setForwardHook } from "./module.js";

export interface SummaryOptions {
  /** Batch size of the zero input (default 1): scales output shapes, MACs and activation memory. */
  readonly batchSize?: number;
  /** Input dtype (default: the dtype of the model's first parameter, else float32). */
  readonly dtype?: DType;
}

export interface SummaryRow {
  /** Dotted path of the layer (`features.3`); "" for a model that is a single layer. */
  readonly path: string;
  readonly type: string;
  /** Nesting depth (0 for the model's direct children). */
  readonly depth: number;
  /** False for containers, whose parameters and MACs are those of their descendants. */
  readonly leaf: boolean;
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  /** Parameters of this layer and its descendants. */
  readonly params: number;
  readonly trainableParams: number;
  /** Receptive field [rows, cols] of one output element, in input pixels; null for non-image inputs. */
  readonly receptiveField: Pair | null;
  /** Distance in input pixels between adjacent outputs [rows, cols] (product of strides so far). */
  readonly jump: Pair | null;
  readonly macs: number;
  /** Bytes of the output tensor. */
  readonly activationBytes: number;
}

export interface SummaryTotals {
  readonly params: number;
  readonly trainableParams: number;
  readonly frozenParams: number;
  readonly paramBytes: number;
  readonly macs: number;
  /** Sum of the leaf layers' outputs: what a training step keeps alive for backward, roughly. */
  readonly activationBytes: number;
  readonly inputBytes: number;
}

export interface SummaryResult {
  readonly model: string;
  readonly inputShape: readonly number[];
  readonly batchSize: number;
  readonly rows: readonly SummaryRow[];
  readonly totals: SummaryTotals;
}

/** Receptive-field state of a tensor: field r, jump j, and the spatial extent of its feature map. */
interface Field {
  readonly r: Pair;
  readonly j: Pair;
  readonly extent: Pair;
}

interface Event {
  readonly path: string;
  readonly module: Module;
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  readonly dtype: DType;
  readonly field: Field | null;
  readonly macs: number;
}

const pairOf = (v: number | Pair): Pair => (typeof v === "number" ? [v, v] : v);
const countParams = (m: Module, trainableOnly: boolean): number =>
  m.parameters().reduce((s, p) => s + (trainableOnly && !p.requiresGrad ? 0 : p.size), 0);

/** Kernel, stride, dilation and padding of a sliding-window layer, or null for other layers. */
function windowOf(m: Module, inShape: readonly number[], outShape: readonly number[]): { k: Pair; s: Pair; d: Pair; p: Pair | null } | null {
  if (m instanceof Conv2d) return { k: m.kernelSize, s: m.stride, d: m.dilation, p: m.padding };
  if (m instanceof MaxPool2d || m instanceof AvgPool2d) {
    const k = pairOf(m.kernelSize);
    return { k, s: pairOf(m.options.stride ?? k), d: [1, 1], p: pairOf(m.options.padding ?? 0) };
  }
  if (inShape.length !== 4 || outShape.length !== 4) return null;
  const ratio = (i: number): number => inShape[i] / outShape[i];
  if (m instanceof AdaptiveAvgPool2d) {
    // Largest window ⌈H/oh⌉, step ⌊H/oh⌋ (exact when oh divides H; global pooling: the whole map).
    return { k: [Math.ceil(ratio(2)), Math.ceil(ratio(3))], s: [Math.floor(ratio(2)), Math.floor(ratio(3))], d: [1, 1], p: null };
  }
  if (m instanceof FractionalMaxPool2d) {
    // Regions of ⌈α⌉ pixels (+1 when overlapping), placed every α pixels on average.
    const extra = m.options.overlapping === false ? 0 : 1;
    return { k: [Math.ceil(ratio(2)) + extra, Math.ceil(ratio(3)) + extra], s: [ratio(2), ratio(3)], d: [1, 1], p: null };
  }
  return null;
}

/** The receptive field after leaf layer `m`, from the field of its input. */
function leafField(m: Module, f: Field, inShape: readonly number[], outShape: readonly number[]): Field {
  const w = windowOf(m, inShape, outShape);
  const spatial = (s: readonly number[]): Pair | null => (s.length === 4 ? [s[2], s[3]] : null);
  if (w) {
    if (w.p && inShape.length === 4) {
      for (const a of [0, 1] as const) {
        const want = convOutSize(inShape[2 + a], w.k[a], w.s[a], w.p[a], w.d[a]);
        if (want !== outShape[2 + a]) {
          throw new GanglionError(`summary: ${m.typeName} output ${fmt(outShape)} disagrees with (W - K + 2P)/S + 1 = ${want} on axis ${2 + a} for input ${fmt(inShape)}`);
        }
      }
    }
    const r: Pair = [f.r[0] + (w.k[0] - 1) * w.d[0] * f.j[0], f.r[1] + (w.k[1] - 1) * w.d[1] * f.j[1]];
    return { r, j: [f.j[0] * w.s[0], f.j[1] * w.s[1]], extent: spatial(outShape) ?? f.extent };
  }
  if (m instanceof Linear && !(f.extent[0] === 1 && f.extent[1] === 1) && inShape.length === 2) {
    // A Linear on a flattened map mixes every position: the field grows to cover the whole map.
    const r: Pair = [f.r[0] + (f.extent[0] - 1) * f.j[0], f.r[1] + (f.extent[1] - 1) * f.j[1]];
    return { r, j: [f.j[0] * f.extent[0], f.j[1] * f.extent[1]], extent: [1, 1] };
  }
  if (m instanceof Flatten) return f;
  return { ...f, extent: spatial(outShape) ?? f.extent };
}

function leafMacs(m: Module, y: Tensor): number {
  if (m instanceof Conv2d) {
    const [N, Cout, HO, WO] = y.shape;
    return N * Cout * HO * WO * (m.inChannels / m.groups) * m.kernelSize[0] * m.kernelSize[1];
  }
  if (m instanceof Linear) return (y.size / m.outFeatures) * m.inFeatures * m.outFeatures;
  return 0;
}

/** Runs the model through runChild so that even a single-layer model reports itself to the hook. */
class SummaryRoot extends Module {
  constructor(readonly inner: Module) { super(); }
  forward(x: Tensor): Tensor { return this.runChild("", this.inner, x); }
}

/**
 * Summarizes `model` on a zero input of shape [batchSize, ...inputShape] (inputShape without the batch
 * axis, e.g. [3, 227, 227]). The model is run in eval mode under noGrad; its train/eval flags are restored.
 */
export function summary(model: Module, inputShape: readonly number[], { batchSize = 1, dtype }: SummaryOptions = {}): SummaryResult {
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new GanglionError(`summary: batchSize must be an integer >= 1, got ${batchSize}`);
  const inDtype = dtype ?? model.parameters()[0]?.dtype ?? "float32";
  const xShape = [batchSize, ...inputShape];
  const image = xShape.length === 4;
  const start: Field = { r: [1, 1], j: [1, 1], extent: image ? [xShape[2], xShape[3]] : [1, 1] };
  const fields = new Map<number, Field>();
  const events: Event[] = [];
  let last: Field = start;
  const modes = [...model.namedModules()].map(([, m]) => [m, m.training] as const);

  const hook = (path: string, m: Module, y: Tensor, x: Tensor): void => {
    const isLeaf = m.children().length === 0;
    let field: Field | null = null;
    let macs = 0;
    if (isLeaf) {
      macs = leafMacs(m, y);
      if (image) field = leafField(m, fields.get(x.id) ?? last, x.shape, y.shape);
    } else {
      // A container's field is its widest descendant's (e.g. a Residual: the body, not the shortcut).
      const prefix = path ? `${path}.` : "";
      for (let i = events.length - 1; i >= 0 && events[i].path.startsWith(prefix) && events[i].path !== path; i--) {
        const f = events[i].field;
        if (f && (!field || f.r[0] * f.r[1] > field.r[0] * field.r[1])) field = f;
      }
      if (image) field ??= fields.get(x.id) ?? last;
    }
    if (field) {
      fields.set(y.id, field);
      last = field;
    }
    events.push({ path, module: m, inputShape: [...x.shape], outputShape: [...y.shape], dtype: y.dtype, field, macs });
  };

  const prev = setForwardHook((path, m, y, x) => {
    hook(path, m, y, x);
    prev?.(path, m, y, x);
  });
  try {
    model.eval();
    scope(() => noGrad(() => {
      const x = zeros(xShape, { dtype: inDtype });
      fields.set(x.id, start);
      new SummaryRoot(model).forward(x);
    }));
  } catch (e) {
    if (e instanceof LayerError && e.path.every((p) => p === "")) throw new LayerError(["model"], e.layerType, e.cause);
    throw e;
  } finally {
    setForwardHook(prev);
    for (const [m, t] of modes) m.training = t;
  }

  // Pre-order (container before its children), repeated calls of a shared layer in call order.
  const order = new Map([...model.namedModules()].map(([p], i) => [p, i]));
  const sorted = events
    .map((e, seq) => ({ e, seq, key: order.get(e.path) ?? Number.MAX_SAFE_INTEGER }))
    .sort((a, b) => a.key - b.key || a.seq - b.seq)
    .filter(({ e }) => e.path !== "" || e.module.children().length === 0)
    .map(({ e }) => e);
  const rows: SummaryRow[] = sorted.map((e) => {
    const leaf = e.module.children().length === 0;
    const prefix = `${e.path}.`;
    const macs = leaf ? e.macs : events.filter((d) => d.path.startsWith(prefix) && d.module.children().length === 0).reduce((s, d) => s + d.macs, 0);
    return {
      path: e.path, type: e.module.typeName, depth: e.path === "" ? 0 : e.path.split(".").length - 1, leaf,
      inputShape: e.inputShape, outputShape: e.outputShape,
      params: countParams(e.module, false), trainableParams: countParams(e.module, true),
      receptiveField: e.field?.r ?? null, jump: e.field?.j ?? null,
      macs, activationBytes: sizeOf(e.outputShape) * bytesPerElement(e.dtype),
    };
  });
  const leafEvents = events.filter((e) => e.module.children().length === 0);
  const params = countParams(model, false);
  const trainableParams = countParams(model, true);
  const totals: SummaryTotals = {
    params, trainableParams, frozenParams: params - trainableParams,
    paramBytes: model.parameters().reduce((s, p) => s + p.size * bytesPerElement(p.dtype), 0),
    macs: leafEvents.reduce((s, e) => s + e.macs, 0),
    activationBytes: leafEvents.reduce((s, e) => s + sizeOf(e.outputShape) * bytesPerElement(e.dtype), 0),
    inputBytes: sizeOf(xShape) * bytesPerElement(inDtype),
  };
  return { model: model.typeName, inputShape: [...inputShape], batchSize, rows, totals };
}

const num = (n: number): string => n.toLocaleString("en-US");
function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(2)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
const round2 = (v: number): number => Math.round(v * 100) / 100;
const rfText = (p: Pair | null): string => (p === null ? "-" : `${round2(p[0])}x${round2(p[1])}`);
const jumpText = (p: Pair | null): string => (p === null ? "-" : p[0] === p[1] ? `${round2(p[0])}` : rfText(p));

/** Renders a summary as an aligned text table with totals (numbers right-aligned, thousands separated). */
export function formatSummary(s: SummaryResult): string {
  const head = ["Layer (type)", "Output shape", "Params", "Trainable", "RF", "Jump", "MACs", "Output mem"];
  const body = s.rows.map((r) => [
    `${"  ".repeat(r.depth)}${r.path || "(model)"} (${r.type})`, fmt(r.outputShape), num(r.params), num(r.trainableParams),
    rfText(r.receptiveField), jumpText(r.jump), r.leaf ? num(r.macs) : `(${num(r.macs)})`, bytes(r.activationBytes),
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((row) => row[c].length)));
  const line = (cells: string[]): string => cells.map((v, c) => (c <= 1 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join("  ").trimEnd();
  const rule = "-".repeat(widths.reduce((a, b) => a + b + 2, -2));
  const t = s.totals;
  return [
    `${s.model} on input ${fmt([s.batchSize, ...s.inputShape])}`,
    rule, line(head), rule, ...body.map(line), rule,
    `Total params:      ${num(t.params)} (${bytes(t.paramBytes)})`,
    `Trainable params:  ${num(t.trainableParams)}`,
    `Frozen params:     ${num(t.frozenParams)}`,
    `Multiply-adds:     ${num(t.macs)}`,
    `Input memory:      ${bytes(t.inputBytes)}`,
    `Activation memory: ${bytes(t.activationBytes)} (forward, sum of layer outputs; backward roughly doubles it)`,
  ].join("\n");
}
