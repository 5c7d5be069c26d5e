/**
 * GPU memory is flat under training on the WebGPU backend: a small CNN trained with fitAsync-style
 * steps (one scope per step, the loss read with await) leaves live tensors, live bytes, live buffers,
 * the number of GPUBuffers ever created (the pool hands the same ones back) and the number of
 * cached pipelines unchanged. GANGLION_GPU_MEMORY_STEPS sets the step count (default 500 here on
 * lavapipe; the H100 run in bench/gpu did 10,000).
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion/node";

const backend = await g.initWebGPU();
const STEPS = Number(process.env.GANGLION_GPU_MEMORY_STEPS ?? 500);

describe("webgpu memory", () => {
  if (!backend) {
    it("SKIPPED: no WebGPU adapter", { skip: "no WebGPU adapter" }, () => {});
    return;
  }
  after(() => backend.destroy());
  it(`live tensors, bytes, GPU buffers and pipelines stay flat over ${STEPS} training steps`, async () => {
    g.setBackend("webgpu");
    const rng = new g.Rng(3);
    const model = g.nn.sequential(
      g.nn.conv2d(1, 4, 3, { padding: 1, rng }), g.nn.batchNorm2d(4), g.nn.relu(), g.nn.maxPool2d(2),
      g.nn.flatten(), g.nn.dropout(0.1, { rng }), g.nn.linear(4 * 4 * 4, 3, { rng }),
    );
    const opt = g.optim.adamw(model.parameters(), { lr: 1e-2 });
    const x = g.randn([8, 1, 8, 8], { rng, backend }).keep();
    const y = g.fromArray([0, 1, 2, 0, 1, 2, 0, 1], [8], { dtype: "int32", backend }).keep();
    const step = async (): Promise<number> => {
      const loss = g.scope(() => {
        const l = g.nn.crossEntropy(model.forward(x), y);
        l.backward();
        opt.step();
        opt.zeroGrad();
        return l.detach();
      });
      const v = (await loss.data())[0];
      loss.dispose();
      return v;
    };
    const first = await step();
    await step();
    const m0 = g.getBackendByName("webgpu").memory();
    const t0 = g.memory().liveTensors;
    const created0 = backend.ctx.pool.created;
    const pipelines0 = backend.ctx.pipelineCount;
    let last = first;
    for (let i = 0; i < STEPS; i++) last = await step();
    const m1 = g.getBackendByName("webgpu").memory();
    assert.equal(g.memory().liveTensors, t0, "live tensors grew");
    assert.equal(m1.liveBytes, m0.liveBytes, "live GPU bytes grew");
    assert.equal(m1.liveBuffers, m0.liveBuffers, "live GPU buffers grew");
    assert.equal(backend.ctx.pool.created, created0, "new GPUBuffers were created after warm-up (the pool should hand the same ones back)");
    assert.equal(backend.ctx.pipelineCount, pipelines0, "new pipelines were compiled after warm-up");
    assert.ok(last < first, `loss should fall: ${first} -> ${last}`);
    model.dispose();
    opt.dispose();
    x.dispose();
    y.dispose();
  });
});
