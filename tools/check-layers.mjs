#!/usr/bin/env node
// Enforces the layering of ../shared/DESIGN.md over src/: which folder may import which (value imports;
// `import type` is erased and exempt), no import cycles, no side-effect-only imports, and no `any`.
// Prints every violation with file:line and exits 1 if there is one.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = resolve("src");
/** layer -> layers it may import (besides itself). */
const ALLOWED = {
  core: [],
  backend: ["core"],
  "backend/reference": ["core", "backend"],
  // NOTE: the wasm backend reuses the reference kernels (typed-array code) as its fallback path.
  "backend/wasm": ["core", "backend", "backend/reference"],
  "backend/webgpu": ["core", "backend"],
  tensor: ["core", "backend"],
  autograd: ["core", "tensor"],
  init: ["core", "tensor"],
  nn: ["core", "tensor", "autograd", "init"],
  "optim/schedules": ["core"],
  optim: ["core", "tensor", "autograd", "nn", "optim/schedules"],
  io: ["core", "tensor"],
  data: ["core", "tensor"],
  train: ["core", "backend", "tensor", "autograd", "init", "nn", "optim", "optim/schedules", "io", "data"],
  tune: ["core", "train", "io"],
  models: ["core", "tensor", "init", "nn", "io"],
  // Charts as SVG text (pure); PNG rendering in plot/*.node.ts. Used by cli (train --plot) and examples.
  plot: ["core"],
  dashboard: [],
  // The in-browser training demo's worker: the library only through its public entry (src/index.ts).
  demo: ["root"],
  cli: "*",
  root: "*",
};

function layerOf(file) {
  const rel = relative(SRC, file).split("\\").join("/");
  const parts = rel.split("/");
  if (parts.length === 1) return "root";
  const two = `${parts[0]}/${parts[1]}`;
  if (ALLOWED[two] !== undefined && parts.length > 2) return two;
  return parts[0];
}

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith(".ts") && !p.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

const files = walk(SRC);
const problems = [];
const graph = new Map();
const importRe = /^\s*(import|export)\s+(type\s+)?([^'"]*?\bfrom\s+)?["']([^"']+)["']/gm;

for (const file of files) {
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n");
  const from = layerOf(file);
  const deps = [];
  let m;
  importRe.lastIndex = 0;
  while ((m = importRe.exec(text))) {
    const [, kw, typeOnly, fromClause, spec] = m;
    const line = text.slice(0, m.index).split("\n").length;
    if (kw === "import" && !fromClause) problems.push(`${relative(".", file)}:${line}: side-effect import "${spec}" (register explicitly in src/index.ts)`);
    if (!spec.startsWith(".")) continue;
    const target = resolve(dirname(file), spec.replace(/\.js$/, ".ts"));
    if (!target.startsWith(SRC)) continue;
    const to = layerOf(target);
    if (!typeOnly) deps.push(target);
    if (typeOnly || to === from) continue;
    const allowed = ALLOWED[from];
    if (allowed === undefined) problems.push(`${relative(".", file)}:${line}: folder '${from}' has no layering rule (add it to tools/check-layers.mjs)`);
    else if (allowed !== "*" && !allowed.includes(to)) problems.push(`${relative(".", file)}:${line}: '${from}' must not import '${to}' ("${spec}")`);
  }
  graph.set(file, deps);
  lines.forEach((l, i) => {
    const code = l.replace(/\/\/.*$/, "");
    if (/(:\s*any\b|<any>|\bas any\b|\bany\[\])/.test(code)) problems.push(`${relative(".", file)}:${i + 1}: 'any' (use unknown or a real type)`);
  });
}

// Cycle detection over value imports (Tarjan-free DFS with colors).
const color = new Map();
const stack = [];
function dfs(f) {
  color.set(f, 1);
  stack.push(f);
  for (const d of graph.get(f) ?? []) {
    if (!graph.has(d)) continue;
    if (color.get(d) === 1) {
      const cyc = stack.slice(stack.indexOf(d)).concat(d).map((p) => relative(".", p));
      problems.push(`import cycle: ${cyc.join(" -> ")}`);
    } else if (!color.get(d)) dfs(d);
  }
  stack.pop();
  color.set(f, 2);
}
for (const f of files) if (!color.get(f)) dfs(f);

if (problems.length) {
  console.error(`check-layers: ${problems.length} problem(s)\n` + problems.map((p) => `  ${p}`).join("\n"));
  process.exit(1);
}
console.log(`check-layers: ${files.length} files, layering respected, no cycles, no 'any'`);
