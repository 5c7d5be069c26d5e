/**
 * A small WebAssembly assembler: writes the binary format (https://webassembly.github.io/spec/core/binary/)
 * from TypeScript, so kernels are emitted at load time with no toolchain, no build step and no committed
 * binary. It covers what the kernels need: one imported memory, i32/f32/v128 locals, structured control
 * flow, scalar and SIMD loads/stores, and relaxed-SIMD FMA.
 *
 * NOTE (route chosen): the design notes measured load-time emission (45 GFLOP/s, 4x8 kernel) against
 * AssemblyScript compiled at build time (48, 6x8 kernel) on one thread; the difference is the
 * micro-kernel shape, not the route. Emitting from TS keeps `tsx` and `tsc` runs identical (no
 * generated artefact to keep in sync), lets kernels be specialised at load time (relaxed FMA or
 * mul+add, micro-kernel shape), and adds no dependency.
 */

export type ValType = "i32" | "i64" | "f32" | "f64" | "v128";
const VALTYPE: Record<ValType, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** Opcodes without immediates. */
const OPS = {
  unreachable: [0x00], nop: [0x01], return: [0x0f], drop: [0x1a], select: [0x1b],
  "i32.eqz": [0x45], "i32.eq": [0x46], "i32.ne": [0x47], "i32.lt_s": [0x48], "i32.lt_u": [0x49],
  "i32.gt_s": [0x4a], "i32.gt_u": [0x4b], "i32.le_s": [0x4c], "i32.le_u": [0x4d], "i32.ge_s": [0x4e], "i32.ge_u": [0x4f],
  "f32.eq": [0x5b], "f32.ne": [0x5c], "f32.lt": [0x5d], "f32.gt": [0x5e], "f32.le": [0x5f], "f32.ge": [0x60],
  "i32.add": [0x6a], "i32.sub": [0x6b], "i32.mul": [0x6c], "i32.div_s": [0x6d], "i32.div_u": [0x6e],
  "i32.rem_s": [0x6f], "i32.rem_u": [0x70], "i32.and": [0x71], "i32.or": [0x72], "i32.xor": [0x73], "i32.shl": [0x74],
  "i32.shr_s": [0x75], "i32.shr_u": [0x76],
  "f32.abs": [0x8b], "f32.neg": [0x8c], "f32.sqrt": [0x91], "f32.add": [0x92], "f32.sub": [0x93],
  "f32.mul": [0x94], "f32.div": [0x95], "f32.min": [0x96], "f32.max": [0x97], "f32.copysign": [0x98],
  "f64.add": [0xa0], "f64.mul": [0xa2], "f32.demote_f64": [0xb6], "f64.promote_f32": [0xbb],
  "f32.convert_i32_s": [0xb2], "i32.reinterpret_f32": [0xbc], "f32.reinterpret_i32": [0xbe],
  "f32x4.splat": [0xfd, 0x13], "v128.not": [0xfd, 0x4d], "v128.and": [0xfd, 0x4e], "v128.andnot": [0xfd, 0x4f],
  "v128.or": [0xfd, 0x50], "v128.bitselect": [0xfd, 0x52],
  "f32x4.eq": [0xfd, 0x41], "f32x4.ne": [0xfd, 0x42], "f32x4.lt": [0xfd, 0x43], "f32x4.gt": [0xfd, 0x44],
  "f32x4.le": [0xfd, 0x45], "f32x4.ge": [0xfd, 0x46],
  "f32x4.abs": [0xfd, 0xe0, 0x01], "f32x4.neg": [0xfd, 0xe1, 0x01], "f32x4.sqrt": [0xfd, 0xe3, 0x01],
  "f32x4.add": [0xfd, 0xe4, 0x01], "f32x4.sub": [0xfd, 0xe5, 0x01], "f32x4.mul": [0xfd, 0xe6, 0x01],
  "f32x4.div": [0xfd, 0xe7, 0x01], "f32x4.min": [0xfd, 0xe8, 0x01], "f32x4.max": [0xfd, 0xe9, 0x01],
  "f32x4.pmin": [0xfd, 0xea, 0x01], "f32x4.pmax": [0xfd, 0xeb, 0x01],
  /** Relaxed SIMD (https://github.com/WebAssembly/relaxed-simd): a*b+c, fused where the CPU has FMA. */
  "f32x4.relaxed_madd": [0xfd, 0x85, 0x02],
  // Scalar f64, f32 rounding and conversions.
  "f64.eq": [0x61], "f64.ne": [0x62], "f64.lt": [0x63], "f64.gt": [0x64], "f64.le": [0x65], "f64.ge": [0x66],
  "f64.abs": [0x99], "f64.neg": [0x9a], "f64.sqrt": [0x9f], "f64.sub": [0xa1], "f64.div": [0xa3], "f64.min": [0xa4], "f64.max": [0xa5],
  "f32.ceil": [0x8d], "f32.floor": [0x8e], "f32.trunc": [0x8f], "f32.nearest": [0x90],
  "f64.convert_i32_s": [0xb7], "i32.trunc_sat_f32_s": [0xfc, 0x00],
  // SIMD beyond f32x4 arithmetic (opcode numbers from the SIMD proposal's binary encoding table:
  // https://github.com/WebAssembly/simd/blob/main/proposals/simd/BinarySIMD.md).
  "i32x4.splat": [0xfd, 0x11], "f64x2.splat": [0xfd, 0x14], "v128.xor": [0xfd, 0x51], "v128.any_true": [0xfd, 0x53],
  "i32x4.eq": [0xfd, 0x37], "i32x4.ne": [0xfd, 0x38], "i32x4.lt_s": [0xfd, 0x39], "i32x4.gt_s": [0xfd, 0x3b],
  "f64x2.eq": [0xfd, 0x47], "f64x2.ne": [0xfd, 0x48],
  "f32x4.demote_f64x2_zero": [0xfd, 0x5e], "f64x2.promote_low_f32x4": [0xfd, 0x5f],
  "i8x16.narrow_i16x8_u": [0xfd, 0x66], "i16x8.narrow_i32x4_u": [0xfd, 0x86, 0x01],
  "i16x8.extend_low_i8x16_u": [0xfd, 0x89, 0x01], "i32x4.extend_low_i16x8_u": [0xfd, 0xa9, 0x01],
  "f32x4.floor": [0xfd, 0x68], "f32x4.trunc": [0xfd, 0x69], "f32x4.nearest": [0xfd, 0x6a],
  "i32x4.shl": [0xfd, 0xab, 0x01], "i32x4.shr_s": [0xfd, 0xac, 0x01], "i32x4.shr_u": [0xfd, 0xad, 0x01],
  "i32x4.add": [0xfd, 0xae, 0x01], "i32x4.sub": [0xfd, 0xb1, 0x01], "i32x4.mul": [0xfd, 0xb5, 0x01],
  "i32x4.min_s": [0xfd, 0xb6, 0x01], "i32x4.max_s": [0xfd, 0xb8, 0x01],
  "f64x2.abs": [0xfd, 0xec, 0x01], "f64x2.neg": [0xfd, 0xed, 0x01], "f64x2.sqrt": [0xfd, 0xef, 0x01],
  "f64x2.add": [0xfd, 0xf0, 0x01], "f64x2.sub": [0xfd, 0xf1, 0x01], "f64x2.mul": [0xfd, 0xf2, 0x01], "f64x2.div": [0xfd, 0xf3, 0x01],
  "i32x4.trunc_sat_f32x4_s": [0xfd, 0xf8, 0x01], "f32x4.convert_i32x4_s": [0xfd, 0xfa, 0x01], "f32x4.convert_i32x4_u": [0xfd, 0xfb, 0x01],
} as const;
export type Op = keyof typeof OPS;

/** Memory instructions: opcode bytes and natural alignment (log2). */
const MEM_OPS = {
  "i32.load": [[0x28], 2], "f32.load": [[0x2a], 2], "i32.load8_u": [[0x2d], 0],
  "i32.store": [[0x36], 2], "f32.store": [[0x38], 2], "i32.store8": [[0x3a], 0],
  "v128.load": [[0xfd, 0x00], 4], "v128.load32_splat": [[0xfd, 0x09], 2], "v128.store": [[0xfd, 0x0b], 4],
  "f64.load": [[0x2b], 3], "f64.store": [[0x39], 3],
  "v128.load32_zero": [[0xfd, 0x5c], 2], "v128.load64_zero": [[0xfd, 0x5d], 3],
} as const satisfies Record<string, readonly [readonly number[], number]>;
export type MemOp = keyof typeof MEM_OPS;

/** dst.push(...src) without the spread, which passes every element as an argument: the ~67 KB module
 * (Winograd transforms unrolled) overflowed a browser Web Worker's stack ("Maximum call stack size"). */
function append(dst: number[], src: readonly number[]): void {
  for (let i = 0; i < src.length; i++) dst.push(src[i]);
}

export function uleb(out: number[], v: number): void {
  v >>>= 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
}

export function sleb(out: number[], v: number): void {
  v |= 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

function str(out: number[], s: string): void {
  const bytes = new TextEncoder().encode(s);
  uleb(out, bytes.length);
  out.push(...bytes);
}

/** A local variable (parameters are locals too). */
export class Local {
  constructor(readonly index: number, readonly type: ValType) {}
}
export type I32 = Local | number;

/** Emits one function body; methods append instructions and return `this` for chaining. */
export class Fn {
  readonly code: number[] = [];
  readonly params: Local[];
  readonly #locals: ValType[] = [];
  #depth = 0;

  constructor(readonly name: string, paramTypes: readonly ValType[], readonly results: readonly ValType[], readonly index: number) {
    this.params = paramTypes.map((t, i) => new Local(i, t));
  }
  get paramTypes(): ValType[] {
    return this.params.map((p) => p.type);
  }
  get localTypes(): readonly ValType[] {
    return this.#locals;
  }
  local(type: ValType = "i32"): Local {
    this.#locals.push(type);
    return new Local(this.params.length + this.#locals.length - 1, type);
  }
  locals(n: number, type: ValType = "i32"): Local[] {
    return Array.from({ length: n }, () => this.local(type));
  }

  op(...ops: Op[]): this {
    for (const o of ops) this.code.push(...OPS[o]);
    return this;
  }
  /** Pushes an i32: a local's value or a constant. */
  i(v: I32): this {
    if (v instanceof Local) return this.get(v);
    this.code.push(0x41);
    sleb(this.code, v);
    return this;
  }
  f(v: number): this {
    this.code.push(0x43);
    const b = new Uint8Array(new Float32Array([v]).buffer);
    this.code.push(...b);
    return this;
  }
  get(l: Local): this {
    this.code.push(0x20);
    uleb(this.code, l.index);
    return this;
  }
  set(l: Local): this {
    this.code.push(0x21);
    uleb(this.code, l.index);
    return this;
  }
  tee(l: Local): this {
    this.code.push(0x22);
    uleb(this.code, l.index);
    return this;
  }
  /** local = a + b (i32). */
  add(dst: Local, a: I32, b: I32): this {
    return this.i(a).i(b).op("i32.add").set(dst);
  }
  /** local += v (i32). */
  inc(dst: Local, v: I32): this {
    return this.add(dst, dst, v);
  }
  mov(dst: Local, v: I32): this {
    return this.i(v).set(dst);
  }
  /** Memory access; the address is on the stack. `offset` is the constant byte offset immediate. */
  mem(o: MemOp, offset = 0, align?: number): this {
    const [bytes, natural] = MEM_OPS[o];
    this.code.push(...bytes);
    uleb(this.code, align ?? natural);
    uleb(this.code, offset);
    return this;
  }
  lane(o: "f32x4.extract_lane" | "f32x4.replace_lane", lane: number): this {
    this.code.push(0xfd, o === "f32x4.extract_lane" ? 0x1f : 0x20, lane);
    return this;
  }
  f64(v: number): this {
    this.code.push(0x44);
    this.code.push(...new Uint8Array(new Float64Array([v]).buffer));
    return this;
  }
  /** Pushes a v128 constant of four f32 lanes (one value splatted when a single number is given). */
  f32x4(...v: number[]): this {
    const lanes = v.length === 1 ? [v[0], v[0], v[0], v[0]] : v;
    this.code.push(0xfd, 0x0c, ...new Uint8Array(new Float32Array(lanes).buffer));
    return this;
  }
  /** Pushes a v128 constant of four i32 lanes (one value splatted when a single number is given). */
  i32x4(...v: number[]): this {
    const lanes = v.length === 1 ? [v[0], v[0], v[0], v[0]] : v;
    this.code.push(0xfd, 0x0c, ...new Uint8Array(new Int32Array(lanes).buffer));
    return this;
  }
  /** i8x16.shuffle of the two vectors on the stack; `lanes` are 16 byte indices into a‖b. */
  shuffle(lanes: readonly number[]): this {
    if (lanes.length !== 16) throw new Error("asm: i8x16.shuffle needs 16 lane indices");
    this.code.push(0xfd, 0x0d, ...lanes);
    return this;
  }
  /** i8x16.shuffle picking 32-bit lanes (indices 0-7 into a‖b). */
  shuffle32(lanes: readonly number[]): this {
    return this.shuffle(lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]));
  }
  /** Lane access for i32x4 (extract: 0x1b, replace: 0x1c) and f64x2 (0x21, 0x22). */
  laneOp(o: "i32x4.extract_lane" | "i32x4.replace_lane" | "f64x2.extract_lane" | "f64x2.replace_lane", lane: number): this {
    const code = { "i32x4.extract_lane": 0x1b, "i32x4.replace_lane": 0x1c, "f64x2.extract_lane": 0x21, "f64x2.replace_lane": 0x22 }[o];
    this.code.push(0xfd, code, lane);
    return this;
  }
  /** v128.store32_lane: stores lane `lane` (32 bits) of the vector at the address below it. */
  store32Lane(lane: number, offset = 0): this {
    this.code.push(0xfd, 0x5a, 0);
    uleb(this.code, offset);
    this.code.push(lane);
    return this;
  }
  v128zero(): this {
    this.code.push(0xfd, 0x0c, ...new Array<number>(16).fill(0));
    return this;
  }
  call(f: Fn): this {
    this.code.push(0x10);
    uleb(this.code, f.index);
    return this;
  }
  /** memory.copy(dst, src, n): operands on the stack. */
  memcopy(): this {
    this.code.push(0xfc, 10, 0, 0);
    return this;
  }
  /** memory.fill(dst, byte, n): operands on the stack. */
  memfill(): this {
    this.code.push(0xfc, 11, 0);
    return this;
  }

  block(body: () => void): this {
    this.code.push(0x02, 0x40);
    this.#depth++;
    body();
    this.#depth--;
    this.code.push(0x0b);
    return this;
  }
  /** if (cond on stack) { then } else { otherwise } */
  if(then: () => void, otherwise?: () => void): this {
    this.code.push(0x04, 0x40);
    this.#depth++;
    then();
    if (otherwise) {
      this.code.push(0x05);
      otherwise();
    }
    this.#depth--;
    this.code.push(0x0b);
    return this;
  }
  /** Branch to the label `levels` blocks out (0 = innermost). */
  brIf(levels: number): this {
    this.code.push(0x0d);
    uleb(this.code, levels);
    return this;
  }
  br(levels: number): this {
    this.code.push(0x0c);
    uleb(this.code, levels);
    return this;
  }
  /** for (v = from; v < to; v += step) body() — signed compare; `to` read each iteration. */
  for(v: Local, from: I32, to: I32, step: I32, body: () => void): this {
    this.mov(v, from);
    this.block(() => {
      this.code.push(0x03, 0x40);
      this.i(v).i(to).op("i32.ge_s").brIf(1);
      body();
      this.inc(v, step).br(0);
      this.code.push(0x0b);
    });
    return this;
  }
  /** while (cond()) body() — cond pushes an i32. */
  while(cond: () => void, body: () => void): this {
    this.block(() => {
      this.code.push(0x03, 0x40);
      cond();
      this.op("i32.eqz").brIf(1);
      body();
      this.br(0);
      this.code.push(0x0b);
    });
    return this;
  }
}

export interface MemoryImport {
  readonly initial: number;
  readonly maximum: number;
  readonly shared: boolean;
}

/** Builds a module importing `env.memory` and exporting every function added with `fn`. */
export class ModuleBuilder {
  readonly #fns: Fn[] = [];
  constructor(readonly memory: MemoryImport) {}

  fn(name: string, params: readonly ValType[], results: readonly ValType[], build: (f: Fn, ...p: Local[]) => void): Fn {
    const f = new Fn(name, params, results, this.#fns.length);
    this.#fns.push(f);
    build(f, ...f.params);
    return f;
  }

  /** Declares a function before its body exists (for calls to functions emitted later). */
  declare(name: string, params: readonly ValType[], results: readonly ValType[]): Fn {
    const f = new Fn(name, params, results, this.#fns.length);
    this.#fns.push(f);
    return f;
  }

  bytes(): Uint8Array<ArrayBuffer> {
    const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const section = (id: number, body: number[]): void => {
      out.push(id);
      uleb(out, body.length);
      append(out, body);
    };
    const types: number[] = [];
    uleb(types, this.#fns.length);
    for (const f of this.#fns) {
      types.push(0x60);
      uleb(types, f.paramTypes.length);
      for (const t of f.paramTypes) types.push(VALTYPE[t]);
      uleb(types, f.results.length);
      for (const t of f.results) types.push(VALTYPE[t]);
    }
    section(1, types);
    const imports: number[] = [1];
    str(imports, "env");
    str(imports, "memory");
    imports.push(0x02, this.memory.shared ? 0x03 : 0x01);
    uleb(imports, this.memory.initial);
    uleb(imports, this.memory.maximum);
    section(2, imports);
    const funcs: number[] = [];
    uleb(funcs, this.#fns.length);
    this.#fns.forEach((_, i) => uleb(funcs, i));
    section(3, funcs);
    const exports: number[] = [];
    uleb(exports, this.#fns.length);
    this.#fns.forEach((f, i) => {
      str(exports, f.name);
      exports.push(0x00);
      uleb(exports, i);
    });
    section(7, exports);
    const code: number[] = [];
    uleb(code, this.#fns.length);
    for (const f of this.#fns) {
      const body: number[] = [];
      const lt = f.localTypes;
      uleb(body, lt.length);
      for (const t of lt) body.push(1, VALTYPE[t]);
      append(body, f.code);
      body.push(0x0b);
      uleb(code, body.length);
      append(code, body);
    }
    section(10, code);
    // The "name" custom section (function names), so profilers and stack traces show kernel names
    // instead of wasm-function[i]: https://webassembly.github.io/spec/core/appendix/custom.html
    const names: number[] = [];
    str(names, "name");
    const fnNames: number[] = [];
    uleb(fnNames, this.#fns.length);
    this.#fns.forEach((f, i) => { uleb(fnNames, i); str(fnNames, f.name); });
    names.push(1);
    uleb(names, fnNames.length);
    append(names, fnNames);
    section(0, names);
    return new Uint8Array(out);
  }
}
