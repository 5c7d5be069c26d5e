/**
 * PyTorch goldens for the zoo: state dicts written by tools/goldens/make_zoo_goldens.py (plain-torch
 * mirrors of torchvision's modules, random weights and BatchNorm statistics) load strictly into the
 * ganglion builders by name, and the eval-mode outputs match PyTorch's within 1e-5.
 */
import { it } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import * as g from "ganglion";
import * as io from "../../src/io/index.node.js";
import { assertClose, repoRoot } from "../helpers.js";

const fixture = (name: string): string => join(repoRoot(), "test", "fixtures", "zoo", name);

async function checkGolden(name: string, model: g.nn.Module): Promise<void> {
  const report = await io.loadStateDictInto(model, fixture(`${name}.safetensors`));
  assert.deepEqual(report, { missing: [], unexpected: [], mismatched: [] }, `${name}: strict load`);
  const { tensors } = await io.loadSafetensors(fixture(`${name}_io.safetensors`));
  model.eval();
  const y = g.noGrad(() => model.forward(tensors.x));
  assert.deepEqual(y.shape, tensors.y.shape);
  assertClose(y.dataSync(), tensors.y.dataSync(), { atol: 1e-5, rtol: 1e-5 }, `${name} eval output`);
  for (const t of [y, ...Object.values(tensors)]) t.dispose();
  model.dispose();
}

it("ResNet-20 (CIFAR, option A shortcuts, width 0.25): torch state dict loads and the output matches", async () => {
  await checkGolden("resnet20_w025", g.models.resnet20({ width: 0.25 }));
});

it("GoogLeNet (width 1/16; ceil-mode pools round up on 40×40): torch state dict loads and the output matches", async () => {
  await checkGolden("googlenet_w0625", g.models.googlenet({ width: 1 / 16, classes: 10 }));
});
