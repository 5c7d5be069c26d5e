/**
 * Node file helpers for safetensors and model weights. Writes are atomic: the bytes go to a temporary
 * file in the target's directory, are fsync'ed, then renamed over the target (rename within one
 * filesystem is atomic), and the directory is fsync'ed so the rename itself survives a power cut.
 * A reader therefore sees either the old file or the complete new one, never a torn write — which is
 * what lets a training run be killed at any moment and resumed.
 */
import { randomBytes } from "node:crypto";
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { open, readFile, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { Tensor } from "../tensor/index.js";
import { parseSafetensors, serializeSafetensors, serializeSafetensorsAsync, type ParseOptions, type SafetensorsContents } from "./safetensors.js";

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
}

/** fsyncs a directory so a rename inside it is durable; platforms that cannot (Windows) are skipped. */
function syncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // NOTE: directory fsync is unsupported on some platforms (EISDIR/EPERM on Windows); the rename
    // is still atomic there, only its durability across power loss is weaker.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes `bytes` to `path` atomically (temp file in the same directory, fsync, rename, fsync dir). */
export async function atomicWriteFile(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    const fh = await open(tmp, "wx");
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  syncDirSync(dirname(path));
}

/** Synchronous `atomicWriteFile`, for exit handlers that cannot await. */
export function atomicWriteFileSync(path: string, bytes: Uint8Array): void {
  const tmp = tempPathFor(path);
  try {
    const fd = openSync(tmp, "wx");
    try {
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  syncDirSync(dirname(path));
}

/** Reads a safetensors file; errors name `path` and the byte offset. */
export async function loadSafetensors(path: string, opts: Omit<ParseOptions, "source"> = {}): Promise<SafetensorsContents> {
  return parseSafetensors(await readFile(path), { ...opts, source: path });
}
export function loadSafetensorsSync(path: string, opts: Omit<ParseOptions, "source"> = {}): SafetensorsContents {
  return parseSafetensors(readFileSync(path), { ...opts, source: path });
}

/** Writes tensors (+ string metadata) as a safetensors file, atomically; works on every backend. */
export async function saveSafetensors(path: string, tensors: Readonly<Record<string, Tensor>>, metadata: Readonly<Record<string, string>> = {}): Promise<void> {
  await atomicWriteFile(path, await serializeSafetensorsAsync(tensors, metadata));
}
/** Synchronous `saveSafetensors` (synchronous backends only). */
export function saveSafetensorsSync(path: string, tensors: Readonly<Record<string, Tensor>>, metadata: Readonly<Record<string, string>> = {}): void {
  atomicWriteFileSync(path, serializeSafetensors(tensors, metadata));
}

/** Anything with a PyTorch-style state dict (an nn.Module), typed structurally so io needs no nn import. */
export interface HasStateDict {
  stateDict(): Record<string, Tensor>;
}
/** Anything that loads a state dict (an nn.Module); `R` is its load report. */
export interface LoadsStateDict<R> {
  loadStateDict(sd: Readonly<Record<string, Tensor>>, opts?: { strict?: boolean }): R;
}

function stateOf(source: HasStateDict | Readonly<Record<string, Tensor>>): Readonly<Record<string, Tensor>> {
  const f = (source as Partial<HasStateDict>).stateDict;
  return typeof f === "function" ? f.call(source) : (source as Readonly<Record<string, Tensor>>);
}

/**
 * Saves a model's weights (or a state-dict record) as safetensors with PyTorch's key names
 * (`0.weight`, `1.running_mean`), so the file loads in PyTorch and back.
 */
export async function saveStateDict(source: HasStateDict | Readonly<Record<string, Tensor>>, path: string, metadata: Readonly<Record<string, string>> = {}): Promise<void> {
  await saveSafetensors(path, stateOf(source), metadata);
}

/** Reads a safetensors state dict (a PyTorch one too). The tensors are the caller's to dispose. */
export async function loadStateDictFile(path: string): Promise<Record<string, Tensor>> {
  return (await loadSafetensors(path)).tensors;
}

/**
 * Loads a safetensors state dict into `target` and frees the loaded copies; returns the target's
 * report (missing, unexpected, wrong-shaped keys). Strict by default, like loadStateDict.
 */
export async function loadStateDictInto<R>(target: LoadsStateDict<R>, path: string, opts: { strict?: boolean } = {}): Promise<R> {
  const sd = await loadStateDictFile(path);
  try {
    return target.loadStateDict(sd, opts);
  } finally {
    for (const t of Object.values(sd)) t.dispose();
  }
}
