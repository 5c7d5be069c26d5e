/** L1: buffers, the primitive-op table, the Backend interface, backends and their registry. */
export * from "./ops.js";
export * from "./backend.js";
export * from "./storage.js";
export * from "./registry.js";
export { UNARY_FNS, BINARY_FNS, BOOL_RESULT_BINARY, BOOL_RESULT_UNARY, FLOAT_ONLY_UNARY, erf } from "./elementwise.js";
