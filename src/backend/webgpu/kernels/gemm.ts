/**
 * One tiled GEMM generator for matmul and the three convolutions (implicit GEMM: no im2col buffer).
 *
 * C[z][m,n] = sum_k A[z](m,k) * B[z](k,n), where the caller supplies WGSL snippets that load A and B
 * and store C, so the address arithmetic of each op (transposes, im2col windows, gathers) lives in
 * the loaders and the tiling, double buffering and register blocking live here once.
 *
 * Kernel shape (the classic SGEMM blocking, e.g. CUTLASS's "SIMT" path): a workgroup computes a
 * BM x BN tile of C; each K step of BK stages an A tile (BK x BM, k-major) and a B tile (BK x BN) in
 * workgroup memory, double-buffered so one barrier per step suffices, while the next step's global
 * loads sit in registers. Each thread accumulates a TM x TN block as vec4s: per k it reads TM/4 + TN/4
 * vec4s from workgroup memory and does TM*TN FMAs. Its rows are TM/4 groups of 4, BM/(TM/4) apart
 * (and likewise columns), so the vec4 reads of a warp are contiguous or broadcast. A rows are padded
 * by 4 floats so the k-major scalar stores of a k-contiguous operand hit distinct banks.
 *
 * Loaders get hoisted per-row/per-column values (`pre`): a thread's load slots keep the same row of A
 * (column of B) for the whole K loop, so index decoding that depends only on m (or n), e.g. a pixel's
 * (image, oh, ow), is done once. Bounds (m < M, n < N, k < K) are checked here; loaders only add
 * their own validity tests (zero padding).
 *
 * Split-K: when the tile grid is too small to fill the GPU and K is long (conv weight gradients), the
 * K range is cut into S parts written to a scratch buffer [Z,S,M,N] and summed by a second pass.
 */
import type { GpuContext } from "../context.js";
import { f32bits, header, i32bits, MAX_GROUPS, WG } from "../wgsl.js";

/** How A's rows (or B's columns) are read: `pre(i, z)` once per row, `load(p, k, z)` per element. */
export interface GemmOperand {
  /** WGSL type of the hoisted value. */
  readonly preType: string;
  /** Body of `fn(i: u32, z: u32) -> preType` (i = m for A, n for B). */
  readonly pre: string;
  /** Body of `fn(p: preType, k: u32, z: u32) -> f32`; called only for i and k in range. */
  readonly load: string;
  /** Consecutive k are adjacent in memory: load slots then walk k fastest (coalesced reads). */
  readonly kFast: boolean;
}

export interface GemmStore {
  readonly preType: string;
  /** Body of `fn(n: u32, z: u32) -> preType`. */
  readonly pre: string;
  /** Body of `fn(p: preType, m: u32, z: u32, v: f32)`; called only for m, n in range. */
  readonly store: string;
}

export interface GemmProblem {
  readonly name: string;
  readonly M: number;
  readonly N: number;
  readonly K: number;
  /** Independent problems (batch for matmul, groups for conv): the loaders get z. */
  readonly Z: number;
  readonly a: GemmOperand;
  readonly b: GemmOperand;
  readonly c: GemmStore;
  /** Parameters the snippets read by name (private u32 / i32 variables). Names: upper case. */
  readonly u: Readonly<Record<string, number>>;
  readonly i?: Readonly<Record<string, number>>;
  /** f32 parameters, e.g. reciprocals `R_X = 1 / X` for `udiv(a, X, R_X)`. */
  readonly f?: Readonly<Record<string, number>>;
  /** Bound as in0, in1 (the loaders read them). */
  readonly reads: readonly [GPUBuffer, GPUBuffer];
  readonly out: GPUBuffer;
}

export interface TileConfig {
  readonly BM: number;
  readonly BN: number;
  readonly BK: number;
  /** Rows / columns per thread: 4 or 8. */
  readonly TM: number;
  readonly TN: number;
}

const PAD = 4;

/**
 * Tile configurations with their relative speed on large problems (H100 through Dawn/Vulkan, 4096^3:
 * t128 32.6 TFLOP/s, the 128x64 pair 28.6, t64 24.6, t32 19.6, the skinny ones 16; the small tiles
 * are rated lower still because convolution loaders cost more per element and small tiles load more
 * elements per FMA: M=32 convolutions ran as fast on t64x128, half padding, as on t32). A 128x128 tile
 * with BK=16 measured slower than BK=8 (26.9 vs 29.8 at 2048^3), so BK stays 8 for the big tiles.
 */
export const TILES = {
  t128: { BM: 128, BN: 128, BK: 8, TM: 8, TN: 8, speed: 1.0 },
  t128x64: { BM: 128, BN: 64, BK: 8, TM: 8, TN: 4, speed: 0.88 },
  t64x128: { BM: 64, BN: 128, BK: 8, TM: 4, TN: 8, speed: 0.88 },
  t64: { BM: 64, BN: 64, BK: 16, TM: 4, TN: 4, speed: 0.76 },
  t32: { BM: 32, BN: 32, BK: 16, TM: 4, TN: 4, speed: 0.4 },
  t64x16: { BM: 64, BN: 16, BK: 16, TM: 4, TN: 4, speed: 0.4 },
  t16x64: { BM: 16, BN: 64, BK: 16, TM: 4, TN: 4, speed: 0.4 },
} as const satisfies Record<string, TileConfig & { speed: number }>;
export type TileName = keyof typeof TILES;

const threads = (c: TileConfig): number => (c.BM / c.TM) * (c.BN / c.TN);
const smemBytes = (c: TileConfig): number => 2 * c.BK * (c.BM + PAD + c.BN + PAD) * 4;

/** Tuning hooks for bench/webgpu-gemm.ts: force a tile config and/or split count (undefined = heuristic). */
export const gemmTuning: { tile: TileName | undefined; splits: number | undefined; fillThreads: number; last: string } = {
  tile: undefined,
  splits: undefined,
  // Threads that keep a large GPU busy: an H100 (132 SMs) runs 2 of the 256-thread 128x128 groups per SM
  // at full speed (2048^3 = 256 groups already gives 30 TFLOP/s).
  fillThreads: 264 * 256,
  /** The last choice, "tile/splits" (for the bench's log). */
  last: "",
};

const cdiv = (a: number, b: number): number => Math.ceil(a / b);

/**
 * Picks (tile, splits) maximizing an estimate of throughput: the tile's relative speed, times the
 * fraction of its M x N work that is not padding, times how well its threads fill the GPU, with a small
 * charge per doubling of split-K (scratch traffic, the reduction pass, and shorter K loops).
 */
export function chooseTiling(ctx: GpuContext, M: number, N: number, K: number, Z: number): { tile: TileConfig; splits: number } {
  const maxSmem = ctx.device.limits.maxComputeWorkgroupStorageSize;
  const maxThreads = ctx.device.limits.maxComputeInvocationsPerWorkgroup;
  const maxScratch = Math.min(ctx.device.limits.maxStorageBufferBindingSize, 1 << 28);
  const fits = (c: TileConfig): boolean => smemBytes(c) <= maxSmem && threads(c) <= maxThreads;
  // A forced tile this adapter cannot run (too much workgroup memory) falls back to the heuristic.
  const forced = gemmTuning.tile !== undefined && fits(TILES[gemmTuning.tile]) ? gemmTuning.tile : undefined;
  const names = forced ? [forced] : (Object.keys(TILES) as TileName[]).filter((n) => fits(TILES[n]));
  let best = { name: "t32", tile: TILES.t32 as TileConfig, splits: 1, score: -1 };
  for (const name of names) {
    const t = TILES[name];
    const eff = (M * N) / (cdiv(M, t.BM) * t.BM * cdiv(N, t.BN) * t.BN);
    const g = cdiv(M, t.BM) * cdiv(N, t.BN) * Z;
    const splitChoices = gemmTuning.splits !== undefined ? [gemmTuning.splits] : [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];
    for (const S of splitChoices) {
      // Split only grids that leave the GPU partly idle (2048^3 split in 2 measured 20% slower), keep
      // >= 32 K steps per split, and keep the scratch [Z,S,M,N] within one binding.
      const fill = Math.min(1, (g * S * threads(t)) / gemmTuning.fillThreads);
      const full = (g * threads(t)) / gemmTuning.fillThreads >= 0.9;
      if (gemmTuning.splits === undefined && S > 1 && (full || K / S < t.BK * 32 || Z * S * M * N * 4 > maxScratch)) continue;
      const score = t.speed * eff * fill * (1 - 0.02 * Math.log2(S));
      if (score > best.score) best = { name, tile: t, splits: S, score };
    }
  }
  let splits = best.splits;
  while (splits > 1 && Z * splits * M * N * 4 > maxScratch) splits >>= 1;
  gemmTuning.last = `${best.name}/${splits}`;
  return { tile: best.tile, splits };
}

// Fixed parameter words; the problem's own named parameters follow.
const FIXED = ["M_", "N_", "K_", "KPS_", "S_", "TILESM_", "TILESN_", "TOTAL_"] as const;

/**
 * `udiv(a, d, r)` = a / d for u32 a < 2^21, with r = f32(1/d): a float multiply and one correction
 * step (about half the instructions of a u32 division by a variable on NVIDIA). Larger problems get
 * the exact integer division (the host picks by the largest index).
 */
const UDIV_FAST = `fn udiv(a: u32, d: u32, r: f32) -> u32 {
  let q = u32(f32(a) * r); let rem = i32(a) - i32(q * d);
  return select(select(q, q + 1u, rem >= i32(d)), q - 1u, rem < 0);
}`;
const UDIV_EXACT = "fn udiv(a: u32, d: u32, r: f32) -> u32 { return a / d; }";

function paramDecls(p: GemmProblem): { decls: string; init: string; words: number[] } {
  const words: number[] = [];
  const decls: string[] = [];
  const init: string[] = [];
  const add = (name: string, ty: "u32" | "i32" | "f32", v: number): void => {
    decls.push(`var<private> ${name}: ${ty};`);
    init.push(`  ${name} = ${ty === "u32" ? "pu" : ty === "i32" ? "pi" : "pf"}(${words.length}u);`);
    words.push(ty === "u32" ? v >>> 0 : ty === "i32" ? i32bits(v) : f32bits(v));
  };
  for (const name of FIXED) add(name, "u32", 0); // filled in by the dispatcher
  for (const [k, v] of Object.entries(p.u)) add(k, "u32", v);
  for (const [k, v] of Object.entries(p.i ?? {})) add(k, "i32", v);
  for (const [k, v] of Object.entries(p.f ?? {})) add(k, "f32", v);
  return { decls: decls.join("\n"), init: `fn initParams() {\n${init.join("\n")}\n}`, words };
}

function snippets(p: GemmProblem, withLoads: boolean, fastDiv: boolean): string {
  const f: string[] = [fastDiv ? UDIV_FAST : UDIV_EXACT];
  if (withLoads) {
    f.push(`fn preA(i: u32, z: u32) -> ${p.a.preType} {\n${p.a.pre}\n}`);
    f.push(`fn loadA(p: ${p.a.preType}, k: u32, z: u32) -> f32 {\n${p.a.load}\n}`);
    f.push(`fn preB(i: u32, z: u32) -> ${p.b.preType} {\n${p.b.pre}\n}`);
    f.push(`fn loadB(p: ${p.b.preType}, k: u32, z: u32) -> f32 {\n${p.b.load}\n}`);
  }
  f.push(`fn preC(n: u32, z: u32) -> ${p.c.preType} {\n${p.c.pre}\n}`);
  f.push(`fn storeC(p: ${p.c.preType}, m: u32, z: u32, v: f32) {\n${p.c.store}\n}`);
  return f.join("\n");
}

/** WGSL of the tiled kernel for one problem family, tile config and split mode. */
function gemmShader(p: GemmProblem, c: TileConfig, split: boolean, fastDiv: boolean, decls: string, init: string): string {
  const { BM, BN, BK, TM, TN } = c;
  const T = threads(c);
  const RM = TM / 4, RN = TN / 4;
  const SA = (BK * (BM + PAD)) / 4, SB = (BK * (BN + PAD)) / 4; // vec4s per buffer
  const RA = (BM + PAD) / 4, RB = (BN + PAD) / 4; // vec4s per k row
  const nA = (BM * BK) / T, nB = (BN * BK) / T; // load slots per thread
  const L: string[] = [];
  const slot = (kFast: boolean, rows: number, i: number): { idx: string; kOff: string } => {
    const e = `(tid + ${i * T}u)`;
    return kFast ? { idx: `${e} / ${BK}u`, kOff: `${e} % ${BK}u` } : { idx: `${e} % ${rows}u`, kOff: `${e} / ${rows}u` };
  };
  for (let i = 0; i < nA; i++) {
    const s = slot(p.a.kFast, BM, i);
    L.push(`  let aI${i} = ${s.idx}; let aK${i} = ${s.kOff}; let aOk${i} = m0 + aI${i} < M_; let aP${i} = preA(m0 + aI${i}, z);`);
    L.push(`  var ra${i} = 0.0;`);
  }
  for (let i = 0; i < nB; i++) {
    const s = slot(p.b.kFast, BN, i);
    L.push(`  let bI${i} = ${s.idx}; let bK${i} = ${s.kOff}; let bOk${i} = n0 + bI${i} < N_; let bP${i} = preB(n0 + bI${i}, z);`);
    L.push(`  var rb${i} = 0.0;`);
  }
  const load = (k0: string): string[] => {
    const o: string[] = [];
    for (let i = 0; i < nA; i++) o.push(`    { let k = ${k0} + aK${i}; ra${i} = 0.0; if (aOk${i} && k < kEnd) { ra${i} = loadA(aP${i}, k, z); } }`);
    for (let i = 0; i < nB; i++) o.push(`    { let k = ${k0} + bK${i}; rb${i} = 0.0; if (bOk${i} && k < kEnd) { rb${i} = loadB(bP${i}, k, z); } }`);
    return o;
  };
  const store = (buf: string): string[] => {
    const o: string[] = [];
    for (let i = 0; i < nA; i++) o.push(`    { let e = aK${i} * ${BM + PAD}u + aI${i}; As[${buf} * ${SA}u + (e >> 2u)][e & 3u] = ra${i}; }`);
    for (let i = 0; i < nB; i++) o.push(`    { let e = bK${i} * ${BN + PAD}u + bI${i}; Bs[${buf} * ${SB}u + (e >> 2u)][e & 3u] = rb${i}; }`);
    return o;
  };
  const acc = (rm: number, i: number, rn: number): string => `c${rm * 4 + i}_${rn}`;
  for (let rm = 0; rm < RM; rm++) for (let i = 0; i < 4; i++) for (let rn = 0; rn < RN; rn++) L.push(`  var ${acc(rm, i, rn)} = vec4<f32>();`);
  L.push(...load("kBeg"), ...store("0u"), "  workgroupBarrier();");
  L.push("  for (var t = 0u; t < nt; t++) {");
  L.push("    let cur = t & 1u; let ca = cur * " + SA + "u; let cb = cur * " + SB + "u;");
  L.push(`    let more = t + 1u < nt;`);
  L.push(`    if (more) {`, ...load(`kBeg + (t + 1u) * ${BK}u`).map((s) => "  " + s), "    }");
  for (let kk = 0; kk < BK; kk++) {
    for (let rm = 0; rm < RM; rm++) L.push(`    let a${kk}_${rm} = As[ca + ${kk * RA + (rm * BM) / RM / 4}u + ty];`);
    for (let rn = 0; rn < RN; rn++) L.push(`    let b${kk}_${rn} = Bs[cb + ${kk * RB + (rn * BN) / RN / 4}u + tx];`);
    for (let rm = 0; rm < RM; rm++) {
      for (let i = 0; i < 4; i++) {
        for (let rn = 0; rn < RN; rn++) {
          const cv = acc(rm, i, rn);
          L.push(`    ${cv} = fma(vec4<f32>(a${kk}_${rm}[${i}]), b${kk}_${rn}, ${cv});`);
        }
      }
    }
  }
  L.push(`    if (more) {`, ...store("(1u - cur)").map((s) => "  " + s), "    }");
  L.push("    workgroupBarrier();", "  }");
  // Epilogue: one hoisted preC per column.
  for (let rn = 0; rn < RN; rn++) {
    for (let j = 0; j < 4; j++) {
      L.push(`  let n${rn}_${j} = n0 + ${(rn * BN) / RN}u + tx * 4u + ${j}u;`);
      if (!split) L.push(`  let pc${rn}_${j} = preC(n${rn}_${j}, z);`);
    }
  }
  const comp = ["x", "y", "z", "w"];
  for (let rm = 0; rm < RM; rm++) {
    for (let i = 0; i < 4; i++) {
      L.push(`  { let m = m0 + ${(rm * BM) / RM}u + ty * 4u + ${i}u; if (m < M_) {`);
      for (let rn = 0; rn < RN; rn++) {
        for (let j = 0; j < 4; j++) {
          const v = `${acc(rm, i, rn)}.${comp[j]}`;
          const n = `n${rn}_${j}`;
          L.push(split ? `    if (${n} < N_) { out0[((z * S_ + s) * M_ + m) * N_ + ${n}] = ${v}; }` : `    if (${n} < N_) { storeC(pc${rn}_${j}, m, z, ${v}); }`);
        }
      }
      L.push("  } }");
    }
  }
  return `${header({ reads: ["f32", "f32"], writes: ["f32"] })}
${decls}
${init}
${snippets(p, true, fastDiv)}
var<workgroup> As: array<vec4<f32>, ${2 * SA}>;
var<workgroup> Bs: array<vec4<f32>, ${2 * SB}>;
@compute @workgroup_size(${T})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  initParams();
  // Workgroup-uniform values come straight from P (read-only storage) so the barriers stay in uniform control flow.
  let wid = wg.x + wg.y * nwg.x;
  if (wid >= pu(7u)) { return; }
  let tilesM = pu(5u); let tilesN = pu(6u); let per = tilesM * tilesN;
  let zz = wid / per; let r = wid - zz * per;
  // Grouped ordering: 8 tile rows walk down together so their A and B panels stay in L2.
  let gsz = 8u * tilesN; let gid = r / gsz; let fm = gid * 8u; let gm = min(tilesM - fm, 8u);
  let rr = r - gid * gsz; let tm = fm + rr % gm; let tn = rr / gm;
  let z = zz / pu(4u); let s = zz - z * pu(4u);
  let kBeg = s * pu(3u); let kEnd = min(pu(2u), kBeg + pu(3u));
  let nt = select(0u, (kEnd - kBeg + ${BK - 1}u) / ${BK}u, kEnd > kBeg);
  let m0 = tm * ${BM}u; let n0 = tn * ${BN}u;
  let tx = tid % ${BN / TN}u; let ty = tid / ${BN / TN}u;
${L.join("\n")}
}`;
}

function reduceShader(p: GemmProblem, fastDiv: boolean, decls: string, init: string): string {
  return `${header({ reads: ["f32"], writes: ["f32"] })}
${decls}
${init}
${snippets(p, false, fastDiv)}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  initParams();
  let gi = gid.x + gid.y * nwg.x * ${WG}u;
  let mn = M_ * N_;
  if (gi >= pu(7u)) { return; }
  let z = gi / mn; let r = gi - z * mn; let m = r / N_; let n = r - m * N_;
  var v = 0.0;
  for (var s = 0u; s < S_; s++) { v += in0[((z * S_ + s) * M_ + m) * N_ + n]; }
  storeC(preC(n, z), m, z, v);
}`;
}

function grid(groups: number): [number, number, number] {
  if (groups <= MAX_GROUPS) return [groups, 1, 1];
  const y = cdiv(groups, MAX_GROUPS);
  return [cdiv(groups, y), y, 1];
}

/**
 * Generated shaders by (problem family, snippets, tile, mode): generating the unrolled text costs more
 * than a small GEMM's dispatch, and reusing the same string lets the pipeline cache hash it once.
 */
const shaderCache = new Map<string, { main: string; reduce: string; words: number[] }>();

function shaders(p: GemmProblem, tile: TileConfig, split: boolean, fastDiv: boolean): { main: string; reduce: string; words: number[] } {
  const parts = [p.name, tile.BM, tile.BN, tile.BK, tile.TM, tile.TN, split, fastDiv, p.a.kFast, p.b.kFast, p.a.pre, p.a.load, p.b.pre, p.b.load, p.c.pre, p.c.store];
  const key = [...parts, ...Object.keys(p.u), "|", ...Object.keys(p.i ?? {}), "|", ...Object.keys(p.f ?? {})].join("\u0001");
  const { words } = paramDecls(p);
  let hit = shaderCache.get(key);
  if (!hit) {
    const { decls, init } = paramDecls(p);
    hit = { main: gemmShader(p, tile, split, fastDiv, decls, init), reduce: split ? reduceShader(p, fastDiv, decls, init) : "", words };
    shaderCache.set(key, hit);
  }
  return { main: hit.main, reduce: hit.reduce, words };
}

/** Encodes C = A·B for the problem (one dispatch, or two with split-K). */
export function gemm(ctx: GpuContext, p: GemmProblem): void {
  const { M, N, K, Z } = p;
  if (M === 0 || N === 0 || Z === 0) return;
  const { tile, splits } = chooseTiling(ctx, M, N, K, Z);
  const kps = splits > 1 ? cdiv(cdiv(K, splits), tile.BK) * tile.BK : Math.max(K, 1);
  const S = splits > 1 ? cdiv(K, kps) : 1;
  const fastDiv = Math.max(M, N, K) + 1024 < 2 ** 21;
  const { main, reduce, words } = shaders(p, tile, S > 1, fastDiv);
  const tilesM = cdiv(M, tile.BM), tilesN = cdiv(N, tile.BN);
  const total = tilesM * tilesN * Z * S;
  words.splice(0, FIXED.length, M, N, K, kps, S, tilesM, tilesN, total);
  if (S === 1) {
    ctx.run({ name: p.name, code: main, reads: p.reads, writes: [p.out], params: words, groups: grid(total) });
    return;
  }
  const scratch = ctx.pool.acquire(Z * S * M * N * 4);
  ctx.run({ name: `${p.name} split-K`, code: main, reads: p.reads, writes: [scratch.buffer], params: words, groups: grid(total) });
  const outputs = Z * M * N;
  const rw = words.slice();
  rw[7] = outputs;
  ctx.run({ name: `${p.name} split-K sum`, code: reduce, reads: [scratch.buffer], writes: [p.out], params: rw, groups: grid(cdiv(outputs, WG)) });
  // The queue orders the two dispatches before any later user of the recycled buffer (context.ts).
  ctx.pool.release(scratch.buffer, scratch.capacity);
}
