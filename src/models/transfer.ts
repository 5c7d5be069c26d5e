/**
 * Transfer learning (CS231n lecture 7, after Yosinski et al. 2014, "How transferable are features in deep
 * neural networks?", https://arxiv.org/abs/1411.1792, and Donahue et al. 2014, DeCAF): start from a
 * network trained on a big dataset, replace its classifier for the new classes, train the new head on
 * the frozen features, then optionally unfreeze and fine-tune everything with a lower learning rate for
 * the pretrained layers.
 *
 * What to retrain (the lecture's table):
 *
 * |                        | very similar dataset                  | very different dataset                                   |
 * | ---------------------- | ------------------------------------- | -------------------------------------------------------- |
 * | very little data       | linear classifier on the top layer    | trouble: try a linear classifier on features from an earlier stage |
 * | quite a lot of data    | fine-tune a few layers                | fine-tune a larger number of layers                      |
 *
 * Early layers (edges, blobs, textures) transfer between tasks; late layers are specific to the original
 * classes. A common fine-tuning rule: about 1/10 of the original learning rate for the pretrained layers.
 *
 * Workflow:
 * ```ts
 * const sd = loadPretrained(readFileSync("resnet18.safetensors"));   // torchvision or ganglion checkpoint
 * const net = models.resnet18(); net.loadStateDict(sd);
 * const model = replaceHead(net, nn.linear(512, 5));                  // new classes
 * freezeBackbone(model);                                             // only the head learns
 * train.fit({ model, optimizer: optim.adam(trainableParameters(model), { lr: 1e-3 }), ... });
 * unfreeze(model);                                                   // fine-tune everything:
 * const opt = optim.adam(fineTuneParamGroups(model, { lr: 1e-3, backboneLr: 1e-4 }));
 * ```
 * NOTE: train.fit's `schedule` sets one lr for every group; leave it out (or scale per group yourself)
 * when the groups must keep different rates. BatchNorm layers in a frozen backbone still update their
 * running statistics in training mode (they adapt to the new data); call `.eval()` on the backbone
 * modules after `model.train()` to keep them fixed.
 */
import { FormatError, ValueError, fmt } from "../core/index.js";
import type { Tensor } from "../tensor/index.js";
import { CHECKPOINT_FORMAT, parseSafetensors, unpackCheckpoint, type Checkpoint } from "../io/index.js";
import * as nn from "../nn/index.js";
import type { ParamGroupSpec } from "../optim/index.js";
import { hasHead } from "./common.js";

/** The lecture's table as a function: which layers to retrain for a given amount and kind of data. */
export function transferStrategy(data: "small" | "large", similarity: "similar" | "different"): string {
  if (data === "small") {
    return similarity === "similar"
      ? "freeze the backbone; train a linear classifier on the top layer's features"
      : "little data from a different domain: train a linear classifier on features from an earlier stage (or collect more data)";
  }
  return similarity === "similar" ? "fine-tune the last few layers (lower lr for pretrained layers)" : "fine-tune a larger number of layers (lower lr for pretrained layers)";
}

/**
 * A pretrained state dict from safetensors bytes, a checkpoint, or a record: a ganglion checkpoint
 * (`__metadata__.format = "ganglion.checkpoint"`, keys `model.*`) gives its model part; any other
 * safetensors file (e.g. torchvision weights saved with safetensors' `save_file(model.state_dict())`) is
 * returned as is. `stripPrefix` removes a key prefix (e.g. "module." from DataParallel). The tensors are
 * the caller's (dispose after loading).
 */
export function loadPretrained(source: Uint8Array | Checkpoint | Record<string, Tensor>, { stripPrefix = "" }: { stripPrefix?: string } = {}): Record<string, Tensor> {
  let sd: Record<string, Tensor>;
  if (source instanceof Uint8Array) {
    const { tensors, metadata } = parseSafetensors(source, { source: "loadPretrained" });
    if (metadata.format === CHECKPOINT_FORMAT) {
      const ck = unpackCheckpoint(tensors, metadata, "loadPretrained");
      if (ck.optimizer) for (const st of Object.values(ck.optimizer.state)) for (const v of Object.values(st)) if (typeof v !== "number") v.dispose();
      sd = ck.model;
    } else sd = tensors;
  } else if (isCheckpoint(source)) sd = source.model;
  else sd = source;
  if (!stripPrefix) return sd;
  return Object.fromEntries(Object.entries(sd).map(([k, t]) => [k.startsWith(stripPrefix) ? k.slice(stripPrefix.length) : k, t]));
}

function isCheckpoint(v: Checkpoint | Record<string, Tensor>): v is Checkpoint {
  const m = (v as Partial<Checkpoint>).model;
  return typeof m === "object" && m !== null && "meta" in v && typeof (v as Partial<Checkpoint>).meta === "object";
}

/**
 * Loads `sd` into `model`, skipping the keys under `skip` prefixes (e.g. the old head, whose shape no
 * longer fits) and requiring every other key of the model to be present with the right shape.
 */
export function loadBackbone(model: nn.Module, sd: Readonly<Record<string, Tensor>>, { skip = [] as readonly string[] } = {}): nn.LoadReport {
  const skipped = (k: string): boolean => skip.some((p) => k === p || k.startsWith(`${p}.`));
  const own = model.stateDict();
  // Checked before anything is copied, so a failed load leaves the model untouched.
  const missing = Object.keys(own).filter((k) => !skipped(k) && !(k in sd));
  const mismatched = Object.keys(own)
    .filter((k) => !skipped(k) && k in sd && sd[k].shape.join(",") !== own[k].shape.join(","))
    .map((k) => ({ key: k, expected: own[k].shape, got: sd[k].shape }));
  if (missing.length || mismatched.length) {
    const parts = [
      missing.length ? `missing keys: ${missing.join(", ")}` : "",
      ...mismatched.map((m) => `${m.key}: expected shape ${fmt(m.expected)}, got ${fmt(m.got)}`),
    ].filter(Boolean);
    throw new FormatError(`loadBackbone: ${parts.join("; ")}`);
  }
  const kept = Object.fromEntries(Object.entries(sd).filter(([k]) => !skipped(k)));
  const report = model.loadStateDict(kept, { strict: false });
  return { ...report, missing: report.missing.filter((k) => !skipped(k)) };
}

/**
 * Dotted path of the classifier: `model.headPath` for ResNet/GoogLeNet, else the last Linear layer in
 * registration order (`classifier.6` for AlexNet/VGG, `11` for LeNet-5, `14` for defaultCnn).
 */
export function headPath(model: nn.Module): string {
  if (hasHead(model)) return model.headPath;
  let last: string | undefined;
  for (const [p, m] of model.namedModules()) if (m instanceof nn.Linear) last = p;
  if (last === undefined) throw new ValueError(`headPath: ${model.typeName} has no Linear layer; pass the head's path explicitly`);
  return last;
}

function childOf(m: nn.Module, name: string): nn.Module {
  for (const [n, c] of m.namedChildren()) if (n === name) return c;
  throw new ValueError(`replaceHead: ${m.typeName} has no child '${name}'`);
}

/**
 * Puts `head` where the classifier was and disposes the old one. ResNet and GoogLeNet swap it in place;
 * for Sequential models (the path may run through nested Sequentials, e.g. `classifier.6`) the
 * Sequentials on the path are rebuilt around the same, shared, other children — use the returned model.
 */
export function replaceHead(model: nn.Module, head: nn.Module, path = headPath(model)): nn.Module {
  if (hasHead(model) && path === model.headPath) {
    model.replaceHead(head).dispose();
    return model;
  }
  const rebuild = (m: nn.Module, parts: readonly string[]): nn.Module => {
    if (parts.length === 0) {
      m.dispose();
      return head;
    }
    if (!(m instanceof nn.Sequential)) throw new ValueError(`replaceHead: '${path}' runs through a ${m.typeName}; only Sequentials (and models with replaceHead) can be rebuilt`);
    const [name, ...rest] = parts;
    const children = m.names.map((n, i): [string, nn.Module] => [n, n === name ? rebuild(childOf(m, name), rest) : m.layers[i]]);
    if (!m.names.includes(name)) throw new ValueError(`replaceHead: ${m.typeName} has no child '${name}' (path '${path}')`);
    const rebuilt = new nn.Sequential(Object.fromEntries(children));
    return rebuilt.train(m.training);
  };
  return rebuild(model, path.split("."));
}

const under = (k: string, prefix: string): boolean => k === prefix || k.startsWith(`${prefix}.`);

/** Freezes every parameter except the head's (`requiresGrad(false)` on the backbone). Returns the model. */
export function freezeBackbone<M extends nn.Module>(model: M, head = headPath(model)): M {
  for (const [k, p] of model.namedParameters()) p.requiresGrad = under(k, head);
  return model;
}

/** Makes every parameter trainable again. */
export function unfreeze<M extends nn.Module>(model: M): M {
  return model.requiresGrad(true);
}

/** The parameters that currently require gradients (what an optimizer should get after freezing). */
export function trainableParameters(model: nn.Module): Tensor[] {
  return model.parameters().filter((p) => p.requiresGrad);
}

/**
 * Two optimizer parameter groups for fine-tuning: the backbone at `backboneLr` (default lr/10), the head
 * at `lr`: `optim.sgd(fineTuneParamGroups(model, { lr: 0.01 }), { momentum: 0.9 })`.
 */
export function fineTuneParamGroups(model: nn.Module, { lr, backboneLr = lr / 10, head = headPath(model) }: { lr: number; backboneLr?: number; head?: string }): Array<ParamGroupSpec<{ lr: number }>> {
  if (!(lr > 0 && backboneLr >= 0)) throw new ValueError(`fineTuneParamGroups: need lr > 0 and backboneLr >= 0, got ${lr}, ${backboneLr}`);
  const named = [...model.namedParameters()];
  const headParams = named.filter(([k]) => under(k, head)).map(([, p]) => p);
  if (headParams.length === 0) throw new ValueError(`fineTuneParamGroups: no parameters under '${head}'`);
  return [
    { params: named.filter(([k]) => !under(k, head)).map(([, p]) => p), options: { lr: backboneLr } },
    { params: headParams, options: { lr } },
  ];
}
