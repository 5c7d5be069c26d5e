/**
 * Synthetic run directories and studies for the dashboard tests: plausible training curves, layer
 * statistics with histograms, an evaluation with a confusion matrix, babysitter findings, a checkpoint
 * with a first conv layer of oriented-edge filters, and a random-search study in an SQLite file.
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import type { LayerStatsEvent, MisclassifiedEvent, TrainEvent } from "../../src/train/events.js";
import { openStorage, leaseOf, type StudyStorage } from "../../src/tune/storage/index.js";

/** A temporary directory removed when the test file ends. */
export function tempDir(prefix = "ganglion-dash-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A small deterministic generator (xorshift32), so fixtures look the same in every run. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

const EDGES = Array.from({ length: 17 }, (_, i) => -4 + i * 0.5);
/** Symmetric-log gradient edges (as train/babysit's GRAD_EDGES): ±10^(-i/2), i = 0…14, and 0. */
const GRAD_EDGES = (() => {
  const mags = Array.from({ length: 15 }, (_, i) => 10 ** (-i / 2));
  return [...mags.map((m) => -m), 0, ...mags.reverse()];
})();

/** Gradient counts over GRAD_EDGES: |g| log-normal around 10^center, both signs alike. */
function gradHist(center: number, n: number): number[] {
  const half = GRAD_EDGES.slice(16).map((e, i) => Math.round((n / 2) * Math.exp(-(((Math.log10(e) - center) / 0.8) ** 2)) / 2.2));
  // bins 15…29 are [0, 1e-7), …, [10^-0.5, 1]: bin 15 + i holds |g| just below edge 16 + i
  return [...[...half].reverse(), ...half];
}

/** Counts of N(mean, std) samples (clipped to the end bins) over EDGES, for `n` samples. */
function gaussHist(mean: number, std: number, n: number, relu: boolean): number[] {
  const cdf = (x: number): number => 0.5 * (1 + Math.tanh(0.7978845608 * ((x - mean) / std) * (1 + 0.044715 * ((x - mean) / std) ** 2)));
  const counts = EDGES.slice(0, -1).map((lo, i) => Math.round(n * (cdf(EDGES[i + 1]) - cdf(lo))));
  if (relu) {
    const neg = counts.slice(0, 8).reduce((a, b) => a + b, 0);
    for (let i = 0; i < 8; i++) counts[i] = 0;
    counts[8] += neg;
  }
  return counts;
}

/** A tanh layer's outputs: a bell in (-1, 1) with `sat` of the mass piled up at ±1. */
function tanhHist(sat: number): number[] {
  const c = gaussHist(0, 0.35, Math.round(4096 * (1 - sat)), false);
  c[6] += Math.round(2048 * sat);
  c[9] += Math.round(2048 * sat);
  return c;
}

export interface RunOptions {
  readonly steps: number;
  readonly stepsPerEpoch: number;
  readonly every?: number;
  readonly seed?: number;
  readonly config?: Record<string, unknown>;
  readonly lr?: number;
}

/** The step-like events of a synthetic run from step `from` (exclusive) to `to` (inclusive). */
export function syntheticEvents(o: RunOptions, from: number, to: number): TrainEvent[] {
  const r = rng((o.seed ?? 1) * 7919 + from);
  const every = o.every ?? 10;
  const peak = o.lr ?? 3e-3;
  const out: TrainEvent[] = [];
  for (let step = from + 1; step <= to; step++) {
    const t = step / o.steps;
    const lr = t < 0.3 ? peak * (t / 0.3) : peak * 0.5 * (1 + Math.cos(Math.PI * (t - 0.3) / 0.7));
    const loss = 0.25 + 2.05 * Math.exp(-4 * t * (peak / 3e-3)) + 0.15 * (r() - 0.5);
    const epoch = Math.floor((step - 1) / o.stepsPerEpoch);
    out.push({ type: "step", step, epoch, batch: (step - 1) % o.stepsPerEpoch, loss, lr, imagesPerSecond: 900 + 80 * r(), time: 1_700_000_000_000 + step * 100 });
    if (step === 1 || step % every === 0) out.push(layerStats(step, t));
    if (step % o.stepsPerEpoch === 0) {
      const acc = 0.97 - 0.85 * Math.exp(-4 * t * (peak / 3e-3));
      out.push({ type: "epoch", epoch, step, trainLoss: loss, trainAccuracy: acc, valLoss: loss * 1.1, valAccuracy: acc - 0.02, seconds: 12, lr, time: 1_700_000_000_000 + step * 100 });
    }
  }
  return out;
}

function layerStats(step: number, t: number): LayerStatsEvent {
  const acts = [["0 (Conv2d)", 0, 1.6 - 0.9 * t, false], ["2 (ReLU)", 0, 1.2 - 0.5 * t, true], ["4 (Conv2d)", 0, 0.3 + 0.9 * t, false], ["6 (ReLU)", 0, 0.3 + 0.6 * t, true]] as const;
  const params = [["0.weight", 2e-3], ["4.weight", 1.2e-3], ["10.weight", 6e-4]] as const;
  return {
    type: "layerStats", step,
    layers: [
      ...acts.map(([name, mean, std, relu]) => ({
        name, mean: relu ? std * 0.4 : mean, std, histogram: { edges: EDGES, counts: gaussHist(mean, std, 4096, relu) },
        ...(relu ? { deadFraction: Math.min(1, 0.05 + 0.2 * t) } : {}),
      })),
      { name: "8 (Tanh)", mean: 0, std: 0.8, saturatedFraction: 0.1 + 0.3 * t, histogram: { edges: EDGES, counts: tanhHist(0.1 + 0.3 * t) } },
      ...params.map(([name, ratio], i) => ({
        name, mean: 0, std: 0.05, gradNorm: 0.5 * Math.exp(-2 * t) + 0.05, updateRatio: ratio * (1 - 0.6 * t),
        gradHistogram: { edges: GRAD_EDGES, counts: gradHist(-2.5 - i * 0.7 - 1.5 * t, 4096) },
      })),
    ],
  };
}

/** A 10-class confusion matrix with a strong diagonal. */
export function confusion(seed = 3): number[][] {
  const r = rng(seed);
  return Array.from({ length: 10 }, (_, i) => Array.from({ length: 10 }, (_, j) => (i === j ? 150 + Math.round(40 * r()) : Math.round(r() < 0.3 ? 12 * r() : r()))));
}

/** A misclassified event with `n` 32×32 RGB images: a coloured disc on a gradient, true ≠ predicted. */
export function misclassified(n: number, step: number): MisclassifiedEvent {
  const r = rng(17);
  const images = Array.from({ length: n }, (_, k) => {
    const px = new Uint8Array(3 * 32 * 32);
    const cx = 8 + 16 * r(), cy = 8 + 16 * r(), rad = 5 + 6 * r();
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < 32; y++) {
        for (let x = 0; x < 32; x++) {
          const inside = (x - cx) ** 2 + (y - cy) ** 2 < rad * rad;
          px[(c * 32 + y) * 32 + x] = inside ? (c === k % 3 ? 230 : 40) : Math.round(60 + 4 * y + (c === 2 ? 3 * x : 0));
        }
      }
    }
    const label = k % 10, predicted = (k * 3 + 1) % 10 === label ? (label + 1) % 10 : (k * 3 + 1) % 10;
    return { index: 100 + 7 * k, label, predicted, confidence: 0.99 - k * 0.02, pixels: Buffer.from(px).toString("base64") };
  });
  return { type: "misclassified", split: "test", step, total: 87, shape: [3, 32, 32], images, time: 1_700_000_100_000 };
}

/** Writes `events` to the run's events.jsonl (appending). */
export function appendEvents(dir: string, events: readonly unknown[]): void {
  appendFileSync(join(dir, "events.jsonl"), events.map((e) => `${JSON.stringify(e)}\n`).join(""));
}

/** A safetensors file with the given F32 tensors (header + data, written by hand). */
export function safetensors(tensors: Record<string, { shape: number[]; data: Float32Array }>): Buffer {
  const header: Record<string, unknown> = { __metadata__: { format: "ganglion.checkpoint" } };
  let off = 0;
  for (const [k, t] of Object.entries(tensors)) {
    header[k] = { dtype: "F32", shape: t.shape, data_offsets: [off, off + 4 * t.data.length] };
    off += 4 * t.data.length;
  }
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += " ";
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  return Buffer.concat([len, Buffer.from(json), ...Object.values(tensors).map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength))]);
}

/** [16, 3, 5, 5] oriented edge and colour-blob filters (what a trained first layer tends to look like). */
export function convFilters(out = 16, cin = 3, k = 5): Float32Array {
  const w = new Float32Array(out * cin * k * k);
  for (let o = 0; o < out; o++) {
    const theta = (Math.PI * o) / 8, blob = o >= 12;
    for (let c = 0; c < cin; c++) {
      for (let y = 0; y < k; y++) {
        for (let x = 0; x < k; x++) {
          const u = (x - 2) * Math.cos(theta) + (y - 2) * Math.sin(theta);
          const v = blob ? Math.exp(-((x - 2) ** 2 + (y - 2) ** 2) / 3) * (c === o % 3 ? 1 : -0.5) : Math.sin(1.6 * u) * (c === 0 ? 1 : c === 1 ? 0.8 : 0.6 * ((o % 2) * 2 - 1));
          w[((o * cin + c) * k + y) * k + x] = v * 0.2;
        }
      }
    }
  }
  return w;
}

/** A finished run: config, events with every kind, result.json, babysit.json and a checkpoint. */
export function writeFinishedRun(root: string, name: string, o: RunOptions): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "config.json"), JSON.stringify(o.config ?? { dataset: "cifar10", epochs: o.steps / o.stepsPerEpoch, batchSize: 64, lr: o.lr ?? 3e-3, width: 16 }, null, 2));
  const events: unknown[] = [...syntheticEvents(o, 0, o.steps)];
  events.splice(3, 0, { type: "message", level: "warn", text: "initial loss 2.31 is close to ln(10) = 2.303: good", time: 1_700_000_000_000 });
  const cm = confusion();
  const per = cm.map((row, i) => row[i] / row.reduce((a, b) => a + b, 0));
  const total = cm.flat().reduce((a, b) => a + b, 0);
  events.push(misclassified(24, o.steps));
  events.push({ type: "eval", split: "test", loss: 0.41, accuracy: cm.reduce((a, row, i) => a + row[i], 0) / total, top5: 0.99, perClassAccuracy: per, confusion: cm, time: 1_700_000_100_000 });
  appendEvents(dir, events);
  writeFileSync(join(dir, "result.json"), JSON.stringify({ test_accuracy: 0.912, test_loss: 0.41, epochs: o.steps / o.stepsPerEpoch, steps: o.steps, stopped: false }));
  writeFileSync(join(dir, "babysit.json"), JSON.stringify([
    { name: "initial-loss", status: "pass", numbers: { loss: 2.31, expected: 2.303 }, advice: "The initial loss matches ln(10): the output layer starts unbiased." },
    { name: "update-ratio", status: "warn", numbers: { ratio: 4e-4 }, advice: "Updates are small relative to the weights (≈4e-4 < 1e-3): the learning rate may be too low." },
  ]));
  writeFileSync(join(dir, "checkpoint.safetensors"), safetensors({
    "model.10.weight": { shape: [4, 16, 3, 3], data: new Float32Array(4 * 16 * 9).fill(0.5) },
    "model.2.weight": { shape: [16, 3, 5, 5], data: convFilters() },
    "model.2.bias": { shape: [16], data: new Float32Array(16) },
    "optim.state.0.expAvg": { shape: [16, 3, 5, 5], data: new Float32Array(16 * 75) },
  }));
  return dir;
}

/** A random-search study (lr, weight decay, dropout; maximize accuracy) in an SQLite file; returns its URL. */
export async function writeStudy(dir: string, name: string, trials = 40, paramNames = ["lr", "weight_decay", "dropout"]): Promise<string> {
  const url = `sqlite:${join(dir, "studies.db")}`;
  const storage: StudyStorage = await openStorage(url);
  try {
    const [lrName, regName, dropName] = paramNames;
    const rec = await storage.createStudy({
      name, direction: "maximize", nTrials: trials, maxAttempts: 2, heartbeatTimeoutMs: 60_000, job: null,
      space: { [lrName]: { type: "logUniform", low: 1e-5, high: 1e-1 }, [regName]: { type: "logUniform", low: 1e-6, high: 1e-1 }, [dropName]: { type: "uniform", low: 0, high: 0.7 } },
      sampler: { type: "random", seed: 0 }, pruner: { type: "none" },
    });
    const r = rng(11);
    for (let n = 0; n < trials; n++) {
      const lr = 10 ** (-5 + 4 * r()), reg = 10 ** (-6 + 5 * r()), drop = 0.7 * r();
      const t = await storage.createTrial(rec.id, n, { [lrName]: lr, [regName]: reg, [dropName]: drop }, "w");
      if (!t) throw new Error("createTrial refused");
      const lease = leaseOf(t);
      const acc = 0.1 + 0.8 * Math.exp(-((Math.log10(lr) + 3) ** 2) / 1.2 - ((Math.log10(reg) + 4) ** 2) / 6) - 0.1 * drop;
      for (let s = 0; s < 5; s++) await storage.report(lease, s, acc * (1 - Math.exp(-(s + 1))));
      await storage.finish(lease, n % 9 === 8 ? { state: "pruned", value: acc * 0.6, message: "pruned by median rule" } : { state: "complete", value: acc, metrics: { train_loss: 2 - acc } });
    }
  } finally {
    await storage.close();
  }
  return url;
}
