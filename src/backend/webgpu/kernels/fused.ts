/**
 * Fused elementwise programs (the `fused` primitive): one WGSL kernel evaluates every step with `let`
 * temporaries, reading each input once and writing once. The shader depends only on the program's
 * structure (ops and argument wiring); its constants travel as parameter words, so an optimizer whose
 * learning rate or bias correction changes every step reuses one pipeline.
 */
import { GanglionError } from "../../../core/index.js";
import { BOOL_RESULT_BINARY, BOOL_RESULT_UNARY } from "../../elementwise.js";
import type { BinaryOp, FusedProgram, UnaryOp } from "../../ops.js";
import type { GpuContext } from "../context.js";
import type { GpuView } from "../types.js";
import { f32bits } from "../wgsl.js";
import { binaryExpr, mapKernel, unaryExpr } from "./elementwise.js";

/** The program's structure as a short key (constants by index, not value). */
function structure(p: FusedProgram): string {
  return p.steps.map((s) => `${s.op}(${s.args.map((a) => (typeof a === "number" ? a : `c${a.c}`)).join(",")})`).join(";");
}

export function fusedKernel(ctx: GpuContext, ins: readonly GpuView[], out: GpuView, { program }: { readonly program: FusedProgram }): void {
  for (const v of [...ins, out]) {
    if (v.dtype !== "float32") throw new GanglionError(`webgpu fused: every operand must be float32, got ${v.dtype} ${JSON.stringify(v.shape)}`);
  }
  const n = ins.length;
  mapKernel(ctx, `fused:${structure(program)}`, ins, out, "f32", "f32", (xs) => {
    const ref = (a: number | { readonly c: number }): string => (typeof a === "number" ? (a < n ? xs[a] : `s${a - n}`) : `pf(EXTRA + ${a.c}u)`);
    const lines = program.steps.map((st, i) => {
      if (BOOL_RESULT_UNARY.has(st.op as UnaryOp) || BOOL_RESULT_BINARY.has(st.op as BinaryOp)) {
        throw new GanglionError(`webgpu fused: step ${i} '${st.op}' has a bool result; fused programs are float-only`);
      }
      const e = st.args.length === 1 ? unaryExpr(st.op as UnaryOp, ref(st.args[0]), "f32") : binaryExpr(st.op as BinaryOp, ref(st.args[0]), ref(st.args[1]), "f32");
      return `  let s${i} = ${e};`;
    });
    return { lines, value: `s${program.steps.length - 1}` };
  }, program.consts.map(f32bits));
}
