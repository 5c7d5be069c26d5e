#!/usr/bin/env bash
# Bundles the GPU benchmarks into .node-carry/ (git-ignored) for the device machine, which has no
# Node and no node_modules: one ESM file each, `webgpu` left external (its index.js and package.json
# are copied; dawn.node travels xz-compressed), plus xz-compressed node and dawn.node binaries.
set -euo pipefail
cd "$(dirname "$0")/../.."
C=.node-carry; mkdir -p $C/node_modules/webgpu
[ -f $C/node.xz ] || xz -6 -c "$(command -v node)" > $C/node.xz
[ -f $C/dawn.node.xz ] || xz -6 -c node_modules/webgpu/dist/linux-x64/dawn.node > $C/dawn.node.xz
cp node_modules/webgpu/index.js node_modules/webgpu/package.json $C/node_modules/webgpu/
for f in webgpu-train specs webgpu-gemm; do
  [ -f dist/bench/gpu/$f.js ] || [ -f dist/bench/$f.js ] || continue
  src=dist/bench/gpu/$f.js; [ -f "$src" ] || src=dist/bench/$f.js
  npx esbuild "$src" --bundle --platform=node --format=esm --target=node20 --log-level=warning \
    --external:webgpu --external:better-sqlite3 --external:pg --external:playwright-core \
    --banner:js="import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" --outfile=$C/$f.mjs
done
ls -la $C
