/**
 * Strict JSON for checkpoint metadata. Plain `JSON.stringify` silently turns Infinity/NaN into null
 * (a "best loss so far" of Infinity would resume as null), drops undefined and throws a bare TypeError
 * on a bigint. Here non-finite numbers round-trip through a tagged object, and anything that is not
 * plain data fails up front with the path of the offending value.
 */
import { FormatError, ValueError } from "../core/index.js";

/** A JSON-able value, with non-finite numbers allowed. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };

const FLOAT_TAG = "$float";

function isPlain(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** `value` as JSON-ready data; throws a ValueError naming `what` and the path of anything else. */
function toData(value: unknown, what: string, path: string): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : { [FLOAT_TAG]: String(value) };
    case "object":
      if (value === null) return null;
      if (Array.isArray(value)) return value.map((v, i) => toData(v, what, `${path}[${i}]`));
      if (isPlain(value)) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toData(v, what, `${path}.${k}`);
        return out;
      }
      throw new ValueError(`${what}: ${path} is a ${value.constructor?.name ?? "non-plain object"}; expected plain JSON data (store tensors in model/optimizer, numbers and strings in meta)`);
    default:
      throw new ValueError(`${what}: ${path} is a ${typeof value} (${String(value)}); expected plain JSON data`);
  }
}

/** JSON text for plain data, with Infinity/NaN kept as `{"$float":"Infinity"}`. */
export function stringifyStrict(value: unknown, what: string): string {
  return JSON.stringify(toData(value, what, "$"));
}

/** Parses `stringifyStrict` output; a parse failure is a FormatError naming `where`. */
export function parseStrict(text: string, where: string): JsonValue {
  try {
    return JSON.parse(text, (_k, v: unknown) => {
      if (typeof v === "object" && v !== null && !Array.isArray(v)) {
        const keys = Object.keys(v);
        const tag = (v as Record<string, unknown>)[FLOAT_TAG];
        if (keys.length === 1 && typeof tag === "string") return Number(tag);
      }
      return v;
    }) as JsonValue;
  } catch (e) {
    throw new FormatError(`${where}: expected JSON text, it does not parse (${e instanceof Error ? e.message : String(e)})`);
  }
}
