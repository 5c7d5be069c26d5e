/**
 * Checkpoint format: one safetensors file holding everything a resumed run needs.
 *
 * Tensors: `model.<stateDict key>` for the model, `optim.state.<i>.<name>` for optimizer state tensors
 * (i = the parameter's flat index over the optimizer's groups, as OptimizerStateDict numbers them).
 * `__metadata__` (string -> string, as safetensors requires):
 *   - `format`: "ganglion.checkpoint", `format_version`: "1";
 *   - `meta`: JSON of the caller's object (step, epoch, RNG states, loader position, scheduler state...);
 *   - `optim` (when an optimizer is saved): JSON `{ name, groups, scalars }`, where `scalars` holds the
 *     optimizer state values that are numbers (e.g. Adam's step count) by parameter index.
 * One file, so one atomic rename commits the whole checkpoint; the model part still loads into
 * anything that reads safetensors after stripping the `model.` prefix.
 *
 * Browser-safe: this file maps checkpoints to and from tensors + metadata; `checkpoint.node.ts` does
 * the atomic file writing.
 */
import { FormatError, ValueError } from "../core/index.js";
import type { Tensor } from "../tensor/index.js";
import { parseStrict, stringifyStrict, type JsonValue } from "./json.js";

export const CHECKPOINT_FORMAT = "ganglion.checkpoint";
export const CHECKPOINT_VERSION = "1";

/** What an optimizer's stateDict() gives (structurally: io does not import optim). */
export interface OptimizerStateLike {
  readonly name?: string;
  readonly groups: readonly object[];
  /** Per parameter (by flat index over groups): its state, tensors and numbers. */
  readonly state: Readonly<Record<number, Readonly<Record<string, Tensor | number>>>>;
}

/** A checkpoint as written: the model's state dict, optionally the optimizer's, and plain-JSON metadata. */
export interface CheckpointInput {
  readonly model: Readonly<Record<string, Tensor>>;
  readonly optimizer?: OptimizerStateLike;
  readonly meta: object;
}

/** Optimizer state as read back: feeds `optimizer.loadStateDict` (name, groups, state). */
export interface OptimizerStateRead {
  readonly name: string;
  readonly groups: Array<Record<string, JsonValue>>;
  readonly state: Record<number, Record<string, Tensor | number>>;
}

/** A checkpoint as read: tensors are fresh and owned by the caller (dispose them after loading). */
export interface Checkpoint {
  readonly model: Record<string, Tensor>;
  readonly optimizer?: OptimizerStateRead;
  readonly meta: Record<string, JsonValue>;
}

const MODEL = "model.";
const OPTIM_STATE = "optim.state.";

/** Checkpoint -> the tensors and string metadata of one safetensors file. */
export function packCheckpoint(ck: CheckpointInput): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  const tensors: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(ck.model)) tensors[MODEL + k] = t;
  const metadata: Record<string, string> = {
    format: CHECKPOINT_FORMAT,
    format_version: CHECKPOINT_VERSION,
    meta: stringifyStrict(ck.meta, "writeCheckpoint: meta"),
  };
  if (ck.optimizer) {
    const scalars: Record<string, Record<string, number>> = {};
    for (const [i, st] of Object.entries(ck.optimizer.state)) {
      if (!/^\d+$/.test(i)) throw new ValueError(`writeCheckpoint: optimizer state key '${i}' is not a parameter index`);
      for (const [name, v] of Object.entries(st)) {
        if (typeof v === "number") (scalars[i] ??= {})[name] = v;
        else tensors[`${OPTIM_STATE}${i}.${name}`] = v;
      }
    }
    const optim = { name: ck.optimizer.name ?? "", groups: ck.optimizer.groups, scalars };
    metadata.optim = stringifyStrict(optim, "writeCheckpoint: optimizer");
  }
  return { tensors, metadata };
}

function asRecord(v: JsonValue | undefined): Record<string, JsonValue> | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? v : undefined;
}

/** Parses the `optim` metadata entry into name, groups and the numeric state values. */
function readOptimMeta(text: string, source: string): OptimizerStateRead {
  const where = `${source}: __metadata__.optim`;
  const o = asRecord(parseStrict(text, where));
  const groups = o?.groups;
  const scalars = asRecord(o?.scalars) ?? {};
  if (!o || typeof o.name !== "string" || !Array.isArray(groups) || !groups.every((g) => asRecord(g))) {
    throw new FormatError(`${where}: expected {name: string, groups: object[], scalars: object}, got ${text.slice(0, 80)}`);
  }
  const state: Record<number, Record<string, Tensor | number>> = {};
  for (const [i, st] of Object.entries(scalars)) {
    const rec = asRecord(st);
    if (!/^\d+$/.test(i) || !rec) throw new FormatError(`${where}: scalars['${i}'] must be a parameter index mapping to {name: number}`);
    for (const [name, v] of Object.entries(rec)) {
      if (typeof v !== "number") throw new FormatError(`${where}: scalars['${i}'].${name} must be a number, got ${JSON.stringify(v)}`);
      (state[Number(i)] ??= {})[name] = v;
    }
  }
  return { name: o.name, groups: groups as Array<Record<string, JsonValue>>, state };
}

/**
 * Tensors + metadata of a checkpoint file -> Checkpoint. Takes ownership of `tensors`: on a format
 * error they are disposed before throwing.
 */
export function unpackCheckpoint(tensors: Record<string, Tensor>, metadata: Readonly<Record<string, string>>, source = "<bytes>"): Checkpoint {
  try {
    if (metadata.format !== CHECKPOINT_FORMAT) {
      throw new FormatError(
        `${source}: __metadata__.format is ${JSON.stringify(metadata.format ?? null)}, expected "${CHECKPOINT_FORMAT}" ` +
          `(a plain state dict? load it with loadStateDictFile)`,
      );
    }
    if (metadata.format_version !== CHECKPOINT_VERSION) {
      throw new FormatError(`${source}: __metadata__.format_version is ${JSON.stringify(metadata.format_version ?? null)}, expected "${CHECKPOINT_VERSION}"`);
    }
    const meta = asRecord(parseStrict(metadata.meta ?? "", `${source}: __metadata__.meta`));
    if (!meta) throw new FormatError(`${source}: __metadata__.meta: expected a JSON object, got ${(metadata.meta ?? "nothing").slice(0, 80)}`);
    const optimizer = metadata.optim !== undefined ? readOptimMeta(metadata.optim, source) : undefined;
    const model: Record<string, Tensor> = {};
    for (const [key, t] of Object.entries(tensors)) {
      if (key.startsWith(MODEL)) model[key.slice(MODEL.length)] = t;
      else if (key.startsWith(OPTIM_STATE) && optimizer) {
        const m = /^(\d+)\.(.+)$/.exec(key.slice(OPTIM_STATE.length));
        if (!m) throw new FormatError(`${source}: tensor '${key}': expected optim.state.<index>.<name>`);
        (optimizer.state[Number(m[1])] ??= {})[m[2]] = t;
      } else {
        throw new FormatError(`${source}: tensor '${key}': expected a key starting with "${MODEL}"${optimizer ? ` or "${OPTIM_STATE}"` : " (no optimizer metadata saved)"}`);
      }
    }
    return { model, optimizer, meta };
  } catch (e) {
    for (const t of Object.values(tensors)) t.dispose();
    throw e;
  }
}
