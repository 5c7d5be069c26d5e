/**
 * Host-side cost of one op on the WebGPU backend: tiny tensors, so the GPU does ~nothing and the time
 * is the tensor layer + kernel selection + encoding (bind group, pass commands). Ops come in "steps"
 * of 150 in one scope, each ending with a submit, as in training. Prints µs per op.
 *   node dist/bench/gpu/dispatch-overhead.js [steps=100]
 */
import * as g from "../../src/node.js";

const backend = await g.initWebGPU();
if (!backend) throw new Error("no WebGPU adapter");
const steps = Number(process.argv[2] ?? 100);
const a = g.keep(g.randn([16], { backend })), b = g.keep(g.randn([16], { backend }));
const round = async (): Promise<number> => {
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) {
    g.scope(() => {
      let x = a;
      for (let i = 0; i < 100; i++) x = i % 2 ? x.add(b) : x.mul(b).relu();
    });
    backend.ctx.flush();
  }
  const t1 = performance.now();
  await backend.sync();
  return ((t1 - t0) * 1000) / (steps * 150);
};
await round();
const us = [await round(), await round(), await round()].sort((p, q) => p - q);
console.log(JSON.stringify({ bench: "dispatch-overhead", adapter: backend.info.adapter, usPerOpEncode: us[1], dispatches: backend.ctx.dispatches, submits: backend.ctx.submits }));
backend.destroy();
