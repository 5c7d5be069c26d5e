/**
 * The conformance suite on the WebGPU backend: every PyTorch golden case and the cross-backend
 * comparisons, on whatever adapter Dawn finds (an NVIDIA GPU through Vulkan, or Mesa's lavapipe CPU
 * driver in CI: .ci/run installs it). Skips visibly only when no adapter exists at all, unless
 * GANGLION_REQUIRE_WEBGPU=1 (set by CI), where a missing adapter fails.
 */
import { after, describe, it } from "node:test";
import * as g from "ganglion/node";
import { ENGINE_GROUPS, engineOps, NN_OPS } from "./ops.js";
import { crossBackendSuite, goldenSuite } from "./suite.js";

const backend = await g.initWebGPU();
if (!backend) {
  describe("webgpu conformance", () => {
    const why = "no WebGPU adapter found (install Mesa's lavapipe from bookworm-backports, as .ci/run does)";
    if (process.env.GANGLION_REQUIRE_WEBGPU === "1") it("has an adapter", () => { throw new Error(why); });
    else it(`SKIPPED: ${why}`, { skip: why }, () => {});
  });
} else {
  console.log(`# webgpu adapter: ${backend.info.adapter}`);
  goldenSuite("webgpu", ENGINE_GROUPS, engineOps, NN_OPS);
  crossBackendSuite("webgpu");
  after(() => backend.destroy());
}
