/**
 * Option checks shared by the schedules. Every message names the schedule, the option and the value,
 * e.g. `oneCycle: pctStart must be in (0, 1), got 1.5`.
 */
import { ValueError } from "../../core/index.js";

/** Throws `ValueError("<fn>: <name> must be <what>, got <value>")` unless `ok`. */
export function check(ok: boolean, fn: string, name: string, what: string, value: unknown): void {
  if (!ok) throw new ValueError(`${fn}: ${name} must be ${what}, got ${show(value)}`);
}

function show(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(show).join(", ")}]`;
  if (typeof v === "string") return JSON.stringify(v);
  return String(v);
}

/** A finite number > 0. */
export function positive(fn: string, name: string, v: number): void {
  check(Number.isFinite(v) && v > 0, fn, name, "a finite number > 0", v);
}

/** A finite number >= 0. */
export function nonNegative(fn: string, name: string, v: number): void {
  check(Number.isFinite(v) && v >= 0, fn, name, "a finite number >= 0", v);
}

/** An integer >= `min`. */
export function integerAtLeast(fn: string, name: string, v: number, min: number): void {
  check(Number.isInteger(v) && v >= min, fn, name, `an integer >= ${min}`, v);
}

/** A number in the open interval (lo, hi). */
export function openInterval(fn: string, name: string, v: number, lo: number, hi: number): void {
  check(v > lo && v < hi, fn, name, `in (${lo}, ${hi})`, v);
}

/** A number in the half-open interval (lo, hi]. */
export function leftOpenInterval(fn: string, name: string, v: number, lo: number, hi: number): void {
  check(v > lo && v <= hi, fn, name, `in (${lo}, ${hi}]`, v);
}

/** A number in the closed interval [lo, hi]. */
export function closedInterval(fn: string, name: string, v: number, lo: number, hi: number): void {
  check(v >= lo && v <= hi, fn, name, `in [${lo}, ${hi}]`, v);
}

/** Validates the step a schedule is called with: a finite number >= 0 (fractional epochs are allowed). */
export function checkStep(fn: string, t: number): void {
  check(Number.isFinite(t) && t >= 0, fn, "step", "a finite number >= 0", t);
}
