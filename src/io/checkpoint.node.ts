/**
 * Checkpoint files (format in `checkpoint.ts`). `path` is either a file ending in `.safetensors`, or a
 * directory (created if missing) that holds `checkpoint.safetensors`. Either way the whole checkpoint
 * is one file committed by one atomic rename, so a run killed mid-write leaves the previous checkpoint
 * intact, and a truncated or corrupt file fails to read with a FormatError naming the byte offset.
 */
import { mkdirSync, statSync } from "node:fs";
import { mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { packCheckpoint, unpackCheckpoint, type Checkpoint, type CheckpointInput } from "./checkpoint.js";
import { loadSafetensors, loadSafetensorsSync, saveSafetensors, saveSafetensorsSync } from "./files.node.js";

/** The file name used inside a checkpoint directory. */
export const CHECKPOINT_FILE = "checkpoint.safetensors";

const isFileForm = (path: string): boolean => path.endsWith(".safetensors");

/** Where the checkpoint file of `path` lives, creating the directory for the directory form. */
async function fileForWrite(path: string): Promise<string> {
  if (isFileForm(path)) return path;
  await mkdir(path, { recursive: true });
  return join(path, CHECKPOINT_FILE);
}
function fileForWriteSync(path: string): string {
  if (isFileForm(path)) return path;
  mkdirSync(path, { recursive: true });
  return join(path, CHECKPOINT_FILE);
}

/**
 * Writes model + optimizer state + JSON metadata atomically (temp file, fsync, rename). `meta` must
 * be plain data (numbers, strings, arrays, plain objects); Infinity and NaN are kept exactly.
 * @example
 *   await writeCheckpoint("runs/a/last", { model: model.stateDict(), optimizer: opt.stateDict(),
 *     meta: { step, epoch, rng: rng.state, loader: loader.position } });
 */
export async function writeCheckpoint(path: string, ck: CheckpointInput): Promise<void> {
  const { tensors, metadata } = packCheckpoint(ck);
  await saveSafetensors(await fileForWrite(path), tensors, metadata);
}
/** Synchronous `writeCheckpoint` (for exit/signal handlers; synchronous backends only). */
export function writeCheckpointSync(path: string, ck: CheckpointInput): void {
  const { tensors, metadata } = packCheckpoint(ck);
  saveSafetensorsSync(fileForWriteSync(path), tensors, metadata);
}

/**
 * Reads a checkpoint written by writeCheckpoint (file or directory form). Tensors are fresh: load them
 * (`model.loadStateDict(ck.model)`, `opt.loadStateDict(ck.optimizer)`) then dispose them.
 */
export async function readCheckpoint(path: string): Promise<Checkpoint> {
  const file = (await stat(path)).isDirectory() ? join(path, CHECKPOINT_FILE) : path;
  const { tensors, metadata } = await loadSafetensors(file);
  return unpackCheckpoint(tensors, metadata, file);
}
export function readCheckpointSync(path: string): Checkpoint {
  const file = statSync(path).isDirectory() ? join(path, CHECKPOINT_FILE) : path;
  const { tensors, metadata } = loadSafetensorsSync(file);
  return unpackCheckpoint(tensors, metadata, file);
}
