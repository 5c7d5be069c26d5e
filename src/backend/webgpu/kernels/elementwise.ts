/**
 * Elementwise kernels over strided views: unary, binary, where, cast, copy, fill. One generator makes
 * every one of them: each input is addressed through (offset, strides) of the output's shape, so
 * broadcasting (stride 0), transposes and slices cost nothing extra; an input laid out like the
 * output gets a plain `offset + i` load. Shader text is specialized by rank and layout and cached by
 * the context, so a training step compiles each variant once.
 *
 * Semantics follow src/backend/elementwise.ts (the reference table), including NaN propagation in
 * maximum/minimum, round-half-to-even, and sigmoid/tanh that never overflow.
 */
import { collapseDims, contiguousStrides, sizeOf } from "../../../core/index.js";
import { BOOL_RESULT_BINARY, BOOL_RESULT_UNARY } from "../../elementwise.js";
import type { BinaryOp, UnaryOp } from "../../ops.js";
import type { GpuContext } from "../context.js";
import type { GpuView } from "../types.js";
import { convert, entry1d, f32bits, grid1d, header, i32bits, wgslType, type WgslType } from "../wgsl.js";

/** WGSL helper functions available to every elementwise shader. */
const PRELUDE = `
// NaN/inf built at run time: WGSL rejects non-finite constant expressions.
fn nan_() -> f32 { return bitcast<f32>(0x7fc00000u | (P[0] & 0u)); }
fn inf_() -> f32 { return bitcast<f32>(0x7f800000u | (P[0] & 0u)); }
fn isnan_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn finite_(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }
fn sigmoid_(x: f32) -> f32 { if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); } let e = exp(x); return e / (1.0 + e); }
fn tanh_(x: f32) -> f32 { let e = exp(-2.0 * abs(x)); let t = (1.0 - e) / (1.0 + e); return select(t, -t, x < 0.0); }
// erf: Abramowitz & Stegun 7.1.26 is only 1.5e-7 absolute; use W. J. Cody-style rational
// approximations via erfc for |x| >= 0.5 and the Maclaurin series below it (float32-accurate).
fn erf_(x: f32) -> f32 {
  let ax = abs(x);
  if (ax < 0.5) {
    let t = x * x;
    return x * (1.1283791671 + t * (-0.3761263890 + t * (0.1128379167 + t * (-0.0268661706 + t * (0.0052239776 + t * (-0.0008548328))))));
  }
  if (ax > 4.0) { return select(1.0, -1.0, x < 0.0); }
  // erfc(ax) = exp(-ax^2) * R(1/(1+p ax)) (Numerical Recipes erfcc, fractional error < 1.2e-7).
  let z = ax;
  let t = 1.0 / (1.0 + 0.5 * z);
  let r = t * exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 +
    t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  let e = 1.0 - r;
  return select(e, -e, x < 0.0);
}
// sin/cos: WGSL only promises 2^-11 absolute error in [-pi, pi] and nothing outside; Chromium's
// SwiftShader adapter is off by 1.5e-4. So: Cody-Waite reduction by pi/2 (three-part constant, exact
// products for |q| < 2^15), then Cephes' sinf/cosf minimax polynomials on [-pi/4, pi/4] (~1 ulp), the
// quadrant q mod 4 choosing the polynomial and sign (cos(x) = sin(x + pi/2): quadrant q + 1).
fn sincos_(x: f32, shift: u32) -> f32 {
  if (!finite_(x)) { return nan_(); }
  let q = round(x * 0.63661977236758134);
  let r = ((x - q * 1.5703125) - q * 4.8375129699707031e-4) - q * 7.5497899548918822e-8;
  let z = r * r;
  let s = r + r * z * (-1.6666654611e-1 + z * (8.3321608736e-3 + z * -1.9515295891e-4));
  let c = 1.0 - 0.5 * z + z * z * (4.166664568298827e-2 + z * (-1.388731625493765e-3 + z * 2.443315711809948e-5));
  let k = (u32(i32(q) & 3) + shift) & 3u;
  let v = select(s, c, (k & 1u) == 1u);
  return select(v, -v, k >= 2u);
}
fn pow_(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (isnan_(a) || isnan_(b)) { return nan_(); }
  if (a == 0.0) { return select(0.0, inf_(), b < 0.0); }
  if (a < 0.0) {
    if (floor(b) != b) { return nan_(); }
    let r = pow(-a, b);
    return select(r, -r, abs(b) < 16777216.0 && (i32(b) & 1) != 0);
  }
  return pow(a, b);
}`;

export function unaryExpr(op: UnaryOp, x: string, t: WgslType): string {
  const f = t === "f32";
  switch (op) {
    case "neg": return `-${x}`;
    case "abs": return `abs(${x})`;
    case "sign": return f ? `select(sign(${x}), ${x}, isnan_(${x}))` : `sign(${x})`;
    case "exp": return `exp(${x})`;
    case "log": return `log(${x})`;
    case "sqrt": return `sqrt(${x})`;
    case "rsqrt": return `inverseSqrt(${x})`;
    case "reciprocal": return `(1.0 / ${x})`;
    case "square": return `(${x} * ${x})`;
    case "tanh": return `tanh_(${x})`;
    case "sigmoid": return `sigmoid_(${x})`;
    case "relu": return `select(${t}(0), ${x}, ${x} > ${t}(0))`;
    case "erf": return `erf_(${x})`;
    case "sin": return `sincos_(${x}, 0u)`;
    case "cos": return `sincos_(${x}, 1u)`;
    case "floor": return f ? `floor(${x})` : x;
    case "ceil": return f ? `ceil(${x})` : x;
    case "round": return f ? `round(${x})` : x;
    case "isFinite": return f ? `select(0u, 1u, finite_(${x}))` : "1u";
    case "logicalNot": return `select(0u, 1u, ${x} == ${t}(0))`;
    default: return op satisfies never;
  }
}

export function binaryExpr(op: BinaryOp, a: string, b: string, t: WgslType): string {
  const f = t === "f32";
  switch (op) {
    case "add": return `(${a} + ${b})`;
    case "sub": return `(${a} - ${b})`;
    case "mul": return `(${a} * ${b})`;
    case "div": return f ? `(${a} / ${b})` : `select(${a} / ${b}, ${t}(0), ${b} == ${t}(0))`;
    case "pow": return f ? `pow_(${a}, ${b})` : `${t}(pow_(f32(${a}), f32(${b})))`;
    case "maximum": return f ? `select(select(${b}, ${a}, ${a} > ${b}), ${a} + ${b}, isnan_(${a}) || isnan_(${b}))` : `max(${a}, ${b})`;
    case "minimum": return f ? `select(select(${b}, ${a}, ${a} < ${b}), ${a} + ${b}, isnan_(${a}) || isnan_(${b}))` : `min(${a}, ${b})`;
    case "eq": return `select(0u, 1u, ${a} == ${b})`;
    case "ne": return `select(0u, 1u, ${a} != ${b})`;
    case "lt": return `select(0u, 1u, ${a} < ${b})`;
    case "le": return `select(0u, 1u, ${a} <= ${b})`;
    case "gt": return `select(0u, 1u, ${a} > ${b})`;
    case "ge": return `select(0u, 1u, ${a} >= ${b})`;
    default: return op satisfies never;
  }
}

/** Type arithmetic happens in: f32 if any operand is float, else i32 (bool computes as i32). */
function computeType(types: readonly WgslType[]): WgslType {
  return types.includes("f32") ? "f32" : "i32";
}

type Layout = "contig" | "scalar" | "strided";

/**
 * Encodes `out[i] = body(loads)` over the output's elements. `body` gets each input's value already
 * converted to `ct`, and returns an expression of type `resultType`.
 */
export function mapKernel(
  ctx: GpuContext,
  name: string,
  ins: readonly GpuView[],
  out: GpuView,
  ct: WgslType,
  resultType: WgslType,
  body: (xs: readonly string[]) => string | { readonly lines: readonly string[]; readonly value: string },
  extraParams: readonly number[] = [],
): void {
  const n = sizeOf(out.shape);
  if (n === 0) return;
  const ot = wgslType(out.dtype, name);
  const its = ins.map((v) => wgslType(v.dtype, name));
  // Fewer dims means fewer integer div/mod per element, which GPUs execute slowly (a broadcast
  // `x.mul(1)` ran at ~230 GB/s on an H100 with four of them per element).
  const { shape, strides } = collapseDims(out.shape, [contiguousStrides(out.shape), ...ins.map((v) => v.strides)]);
  const rank = shape.length;
  const layout: Layout[] = ins.map((_, k) => {
    const st = strides[k + 1];
    if (st.every((x, d) => x === strides[0][d])) return "contig";
    return st.every((x) => x === 0) ? "scalar" : "strided";
  });
  const contig = layout.map((l) => l !== "strided");
  // An input in the output's own buffer with the output's layout (an in-place fused update) is read
  // from the output binding: WebGPU cannot bind one buffer both read-only and read_write.
  const self = ins.map((v, k) => v.buf === out.buf && v.offset === out.offset && layout[k] === "contig");
  const bound = ins.filter((_, k) => !self[k]);
  const slot = self.map((_, k) => self.slice(0, k).filter((x) => !x).length);
  // Param words: n, out offset, shape[rank], then per input: offset, strides[rank]; then extras.
  const params: number[] = [n, out.offset, ...shape];
  ins.forEach((v, k) => params.push(i32bits(v.offset), ...strides[k + 1].map(i32bits)));
  const extraBase = params.length;
  params.push(...extraParams);
  const toBool = out.dtype === "bool" && resultType !== "u32";
  const key = `map|${name}|${its.join(",")}|${ot}|${ct}|${resultType}|${rank}|${layout.map((l, k) => (self[k] ? "o" : l === "contig" ? "c" : l === "scalar" ? "k" : "s")).join("")}|${toBool}`;
  const code = ctx.shader(key, () => {
    const lines: string[] = ["  if (gi >= pu(0u)) { return; }"];
    const strided = contig.some((c) => !c);
    if (strided) lines.push("  var rem = gi;");
    ins.forEach((_, k) => {
      const base = 2 + rank + k * (rank + 1);
      lines.push(layout[k] === "contig" ? `  let i${k} = u32(pi(${base}u)) + gi;` : layout[k] === "scalar" ? `  let i${k} = u32(pi(${base}u));` : `  var j${k} = pi(${base}u);`);
    });
    if (strided) {
      for (let d = rank - 1; d >= 0; d--) {
        lines.push(`  { let s = pu(${2 + d}u); let c = i32(rem % s); rem = rem / s;`);
        ins.forEach((_, k) => {
          if (!contig[k]) lines.push(`    j${k} += c * pi(${2 + rank + k * (rank + 1) + 1 + d}u);`);
        });
        lines.push("  }");
      }
      ins.forEach((_, k) => {
        if (!contig[k]) lines.push(`  let i${k} = u32(j${k});`);
      });
    }
    ins.forEach((_, k) => {
      const load = self[k] ? "out0[pu(1u) + gi]" : `in${slot[k]}[i${k}]`;
      lines.push(`  let x${k} = ${its[k] === "u32" && ct !== "u32" ? `${ct}(${load})` : convert(load, its[k], ct)};`);
    });
    const b = body(ins.map((_, k) => `x${k}`));
    const value = typeof b === "string" ? b : b.value;
    if (typeof b !== "string") lines.push(...b.lines);
    lines.push(`  out0[pu(1u) + gi] = ${convert(`(${value})`, resultType, ot, toBool)};`);
    return `${header({ reads: its.filter((_, k) => !self[k]), writes: [ot] })}\nconst EXTRA: u32 = ${extraBase}u;\n${PRELUDE}\n${entry1d(lines.join("\n"))}`;
  });
  ctx.run({ name, code, reads: bound.map((v) => v.buf.buffer), writes: [out.buf.buffer], params, groups: grid1d(n) });
}

export function unaryKernel(op: UnaryOp) {
  return (ctx: GpuContext, [x]: readonly GpuView[], out: GpuView): void => {
    const it = wgslType(x.dtype, op);
    const ct = op === "logicalNot" ? (it === "u32" ? "u32" : it) : computeType([it]);
    const rt: WgslType = BOOL_RESULT_UNARY.has(op) ? "u32" : ct;
    mapKernel(ctx, op, [x], out, ct, rt, ([a]) => unaryExpr(op, a, ct));
  };
}

export function binaryKernel(op: BinaryOp) {
  return (ctx: GpuContext, [a, b]: readonly GpuView[], out: GpuView): void => {
    const ct = computeType([wgslType(a.dtype, op), wgslType(b.dtype, op)]);
    const rt: WgslType = BOOL_RESULT_BINARY.has(op) ? "u32" : ct;
    mapKernel(ctx, op, [a, b], out, ct, rt, ([x, y]) => binaryExpr(op, x, y, ct));
  };
}

export function whereKernel(ctx: GpuContext, [c, a, b]: readonly GpuView[], out: GpuView): void {
  const ct = wgslType(out.dtype, "where");
  const cond = wgslType(c.dtype, "where");
  // The condition is compared in its own type (not converted to ct).
  mapKernel(ctx, "where", [c, a, b], out, ct, ct, ([, x, y]) => `select(${y}, ${x}, in0[i0] != ${cond}(0))`);
}

export function castKernel(ctx: GpuContext, [x]: readonly GpuView[], out: GpuView): void {
  const it = wgslType(x.dtype, "cast");
  const ot = wgslType(out.dtype, "cast");
  if (out.dtype === "bool") mapKernel(ctx, "cast", [x], out, it, "u32", ([v]) => `select(0u, 1u, ${v} != ${it}(0))`);
  else mapKernel(ctx, "cast", [x], out, it, ot, ([v]) => (it === ot ? v : `${ot}(${v})`));
}

export function copyKernel(ctx: GpuContext, [x]: readonly GpuView[], out: GpuView): void {
  const t = wgslType(x.dtype, "copy");
  mapKernel(ctx, "copy", [x], out, t, t, ([v]) => v);
}

export function fillKernel(ctx: GpuContext, _ins: readonly GpuView[], out: GpuView, value: number): void {
  const t = wgslType(out.dtype, "fill");
  const word = t === "f32" ? f32bits(value) : t === "i32" ? i32bits(Math.trunc(value)) : value !== 0 ? 1 : 0;
  mapKernel(ctx, "fill", [], out, t, t, () => (t === "f32" ? "pf(EXTRA)" : t === "i32" ? "pi(EXTRA)" : "pu(EXTRA)"), [word]);
}
