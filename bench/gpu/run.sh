#!/usr/bin/env bash
# Runs the GPU benchmarks on the device machine (an NVIDIA H100 with PyTorch, no Node): ganglion on
# WebGPU (Dawn -> Vulkan -> the NVIDIA driver) vs PyTorch CUDA, same models and batches, one run.
# Needs the carried folders .gl (Vulkan loader .debs) and .node-carry (node.xz, dawn.node.xz and the
# bundles made by `bash bench/gpu/pack.sh`). Writes JSON lines to $OUT (or ./gpu-out).
set -uo pipefail
OUT=${OUT:-./gpu-out}; mkdir -p "$OUT"
MODELS=${MODELS:-mlp,lenet,cifar-convnet}; BATCHES=${BATCHES:-64,512}; SECONDS_PER=${SECONDS_PER:-3}
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$icd" ] && export VK_DRIVER_FILES=$icd
C=.node-carry
xz -dc $C/node.xz > /tmp/node && chmod +x /tmp/node
mkdir -p $C/node_modules/webgpu/dist/linux-x64
xz -dc $C/dawn.node.xz > $C/node_modules/webgpu/dist/linux-x64/dawn.node
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm --format=csv | tee "$OUT/gpu.txt"
if [ "${SKIP_GEMM:-0}" != 1 ] && [ -f $C/webgpu-gemm.mjs ]; then timeout 240 /tmp/node $C/webgpu-gemm.mjs 2>&1 | grep -v Warning | tee "$OUT/gemm.jsonl"; fi
timeout ${TRAIN_TIMEOUT:-300} /tmp/node $C/webgpu-train.mjs --models "$MODELS" --batches "$BATCHES" --seconds "$SECONDS_PER" --memory-steps "${MEMORY_STEPS:-0}" 2>&1 | grep -v Warning | tee "$OUT/webgpu.jsonl"
if [ "${SKIP_TORCH:-0}" != 1 ]; then
  timeout 200 python3 bench/gpu/torch_cuda.py "$(/tmp/node $C/specs.mjs "$MODELS" "$BATCHES" "$SECONDS_PER")" 2>&1 | tee "$OUT/torch.jsonl"
fi
