/**
 * Feature detection for the Wasm backend: SIMD128 (required), relaxed-SIMD FMA (optional, faster), and
 * shared memory (SharedArrayBuffer + Atomics; required for worker threads). Each probe validates a tiny
 * hand-written module, so it answers for the engine actually running, not for a version number.
 */

/** (module (func (param v128 v128) (result v128) local.get 0 local.get 1 f32x4.add)) */
const SIMD_PROBE = [0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 96, 2, 123, 123, 1, 123, 3, 2, 1, 0, 10, 11, 1, 9, 0, 32, 0, 32, 1, 0xfd, 0xe4, 0x01, 11];
/** (module (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd)) */
const RELAXED_PROBE = [0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0, 10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2, 0xfd, 0x85, 0x02, 11];

function validates(bytes: readonly number[]): boolean {
  try {
    return typeof WebAssembly === "object" && WebAssembly.validate(new Uint8Array(bytes));
  } catch {
    return false;
  }
}

let relaxedCache: boolean | undefined;

/**
 * True when relaxed-SIMD validates. On Node 20 it is behind V8's `--experimental-wasm-relaxed-simd`,
 * which can be switched on at run time (before any module using it is compiled) with
 * `v8.setFlagsFromString`; Node 22 and Chromium accept it by default.
 */
export function relaxedSimdAvailable(): boolean {
  if (relaxedCache !== undefined) return relaxedCache;
  if (!validates(RELAXED_PROBE)) enableRelaxedFlag();
  relaxedCache = validates(RELAXED_PROBE);
  return relaxedCache;
}

function enableRelaxedFlag(): void {
  const proc = (globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown } }).process;
  if (!proc?.versions?.node) return;
  // NOTE: `process.getBuiltinModule` exists from Node 20.16; it gives synchronous access to node:v8
  // from an ES module without a top-level await or a static import that would break browsers.
  const v8 = proc.getBuiltinModule?.("node:v8") as { setFlagsFromString?: (f: string) => void } | undefined;
  try {
    v8?.setFlagsFromString?.("--experimental-wasm-relaxed-simd");
  } catch {
    // The flag is gone in engines where relaxed SIMD shipped; validation decides.
  }
}

/** True when WebAssembly with SIMD128 is available (the backend requires it). */
export function wasmAvailable(): boolean {
  return validates(SIMD_PROBE);
}

/** True when a shared WebAssembly.Memory can be created (SharedArrayBuffer + Atomics present). */
export function sharedMemoryAvailable(): boolean {
  if (typeof SharedArrayBuffer !== "function" || typeof Atomics !== "object") return false;
  try {
    const m = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return m.buffer instanceof SharedArrayBuffer;
  } catch {
    return false;
  }
}

let blockCache: boolean | undefined;

/**
 * True when this thread may block in Atomics.wait (Node's main thread, workers), which the thread
 * pool needs; false on a browser's main thread, where it throws. Probed, not guessed from globals.
 */
export function canBlockThread(): boolean {
  if (blockCache !== undefined) return blockCache;
  try {
    // The value differs, so this returns "not-equal" at once where waiting is allowed.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    blockCache = true;
  } catch {
    blockCache = false;
  }
  return blockCache;
}
