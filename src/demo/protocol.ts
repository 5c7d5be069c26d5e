/**
 * Messages between the demo page (the dashboard's `#/demo` view) and its training worker (worker.ts).
 * Types only: the page imports them without the library's runtime.
 */
import type { TrainEvent } from "../train/events.js";

export interface DemoConfig {
  /** Training images used (a seeded random subset of the 8,000). */
  readonly trainSize: number;
  /** Test images evaluated after every epoch. */
  readonly testSize: number;
  readonly epochs: number;
  readonly batchSize: number;
  /** Peak learning rate of the one-cycle schedule (AdamW). */
  readonly lr: number;
  /** Channels of the first conv block of the default CNN. */
  readonly width: number;
  readonly seed: number;
  /** Layer statistics (histograms) every N steps. */
  readonly statsEvery: number;
  /** Wasm threads; default: the browser's cores (1 without cross-origin isolation). */
  readonly threads?: number;
  /** "webgpu": train on the GPU when the browser has a WebGPU adapter, else on Wasm (default "wasm"). */
  readonly backend?: "wasm" | "webgpu";
}

export type ToWorker =
  | { readonly type: "start"; readonly config: DemoConfig; readonly dataUrl: string }
  | { readonly type: "stop" };

export interface DemoInfo {
  readonly backend: string;
  /** Why the requested backend is not the one used (e.g. no WebGPU adapter), if it is not. */
  readonly note?: string;
  /** Threads the Wasm backend runs on (after its workers started). */
  readonly threads: number;
  readonly crossOriginIsolated: boolean;
  readonly sharedMemory: boolean;
  readonly relaxedSimd: boolean;
  readonly parameters: number;
  readonly trainSize: number;
  readonly testSize: number;
}

/** The first conv layer's weight, as the dashboard draws filters. */
export interface DemoFilters {
  readonly tensor: string;
  readonly dtype: string;
  readonly shape: readonly [number, number, number, number];
  readonly values: readonly number[];
}

export interface DemoResult {
  readonly testAccuracy: number;
  readonly steps: number;
  readonly seconds: number;
  readonly imagesPerSecond: number;
  readonly stopped: boolean;
}

export type FromWorker =
  | { readonly type: "info"; readonly info: DemoInfo }
  | { readonly type: "events"; readonly events: readonly TrainEvent[] }
  | { readonly type: "filters"; readonly filters: DemoFilters }
  | { readonly type: "done"; readonly result: DemoResult }
  | { readonly type: "error"; readonly message: string };
