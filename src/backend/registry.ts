/**
 * Backend registry: the one place that knows which backends exist. Heavy backends (wasm, webgpu)
 * register themselves through `registerBackend` from `src/index.ts` (explicit calls, no side-effect
 * imports). The default is the best available one; `setBackend(name)` chooses explicitly.
 */
import { ValueError } from "../core/index.js";
import type { Backend, BackendName } from "./backend.js";

type Factory = () => Backend;
const factories = new Map<BackendName, { factory: Factory; priority: number }>();
const instances = new Map<BackendName, Backend>();
let current: Backend | undefined;

/** Makes a backend available; higher priority wins the default. */
export function registerBackend(name: BackendName, factory: Factory, priority = 0): void {
  factories.set(name, { factory, priority });
}

export function listBackends(): BackendName[] {
  return [...factories.entries()].sort((a, b) => b[1].priority - a[1].priority).map(([n]) => n);
}

export function getBackendByName(name: BackendName): Backend {
  let b = instances.get(name);
  if (!b) {
    const f = factories.get(name);
    if (!f) throw new ValueError(`backend '${name}' is not available here (available: ${listBackends().join(", ") || "none"})`);
    b = f.factory();
    instances.set(name, b);
  }
  return b;
}

/** The backend new tensors are created on. */
export function getBackend(): Backend {
  if (!current) {
    const first = listBackends()[0];
    if (!first) throw new ValueError("no backend registered (src/index.ts registers the reference backend)");
    current = getBackendByName(first);
  }
  return current;
}

/** Selects the default backend for new tensors; returns the previous one's name. */
export function setBackend(name: BackendName): BackendName | undefined {
  const prev = current?.name;
  current = getBackendByName(name);
  return prev;
}
