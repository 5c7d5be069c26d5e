/**
 * The zoo: parameter counts equal torchvision's, parameter and buffer names (in order) and shapes equal
 * the state-dict keys of torchvision's modules (test/fixtures/zoo/keys.json, written by
 * tools/goldens/make_zoo_goldens.py from plain-torch mirrors), and output shapes of a forward pass.
 *
 * Cost: the big models are built once each (AlexNet 61M parameters: ~2 s; VGG-16 138M: ~5 s and
 * ~550 MB on two cores) and disposed; forward passes run only at small input sizes. VGG-11/13/19 (±BN)
 * and VGG-16-BN are built with a small classifier: their convolutional parts are checked key for key and
 * their count is the fixture's minus the full classifier's (which VGG-16 checks at full size).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as g from "ganglion";
import { repoRoot } from "../helpers.js";

const { models, nn } = g;

interface KeyEntry { params: number; parameters: string[]; buffers: string[] }
const KEYS = JSON.parse(readFileSync(join(repoRoot(), "test", "fixtures", "zoo", "keys.json"), "utf8")) as Record<string, KeyEntry>;

const shapeStr = (t: g.Tensor): string => (t.rank === 0 ? "scalar" : t.shape.join("x"));
const sizeOfStr = (s: string): number => (s === "scalar" ? 1 : s.split("x").reduce((a, b) => a * Number(b), 1));
const names = (m: g.nn.Module): { parameters: string[]; buffers: string[] } => ({
  parameters: [...m.namedParameters()].map(([k, t]) => `${k} ${shapeStr(t)}`),
  buffers: [...m.namedBuffers()].map(([k, t]) => `${k} ${shapeStr(t)}`),
});

/** Keys, order and shapes equal torchvision's; the count equals `expected` (torchvision's figure). */
function checkAgainstTorch(name: string, m: g.nn.Module, expected?: number): void {
  const want = KEYS[name];
  assert.ok(want, `keys.json has no entry ${name}`);
  assert.deepEqual(names(m), { parameters: want.parameters, buffers: want.buffers }, `${name}: state-dict keys differ from torch`);
  assert.equal(models.countParameters(m), want.params, `${name}: parameter count`);
  if (expected !== undefined) assert.equal(want.params, expected, `${name}: torchvision's documented count`);
}

function forwardShape(m: g.nn.Module, shape: number[]): number[] {
  m.eval();
  return g.scope(() => g.noGrad(() => [...m.forward(g.randn(shape, { rng: new g.Rng(1) })).shape]));
}

describe("model zoo: torchvision parameter counts, state-dict keys and output shapes", () => {
  it("LeNet-5: 61,706 parameters, 28×28 (padded) and 32×32 inputs → [N, 10]", () => {
    const m = models.lenet5();
    checkAgainstTorch("lenet5", m);
    assert.deepEqual(forwardShape(m, [2, 1, 28, 28]), [2, 10]);
    m.dispose();
    const m32 = models.lenet5({ imageSize: 32, classes: 7, activation: "relu", pool: "max" });
    assert.equal(models.countParameters(m32), 61706 - 3 * 85);
    assert.deepEqual(forwardShape(m32, [2, 1, 32, 32]), [2, 7]);
    m32.dispose();
  });

  it("AlexNet (ImageNet): 61,100,840 parameters, torchvision keys; CS231n sizes 55/27/13/6 on 224×224", () => {
    const m = models.alexnet();
    checkAgainstTorch("alexnet", m, 61_100_840);
    // The smallest input the ImageNet shapes allow, and the summary's shapes on 224×224 (conv layers only run once).
    assert.deepEqual(forwardShape(m, [1, 3, 63, 63]), [1, 1000]);
    const s = nn.summary(m, [3, 224, 224]);
    const out = (p: string): readonly number[] => s.rows.find((r) => r.path === p)!.outputShape;
    assert.deepEqual([out("features.0"), out("features.2"), out("features.5"), out("features.12"), out("avgpool")],
      [[1, 64, 55, 55], [1, 64, 27, 27], [1, 192, 13, 13], [1, 256, 6, 6], [1, 256, 6, 6]]);
    m.dispose();
  });

  it("AlexNet (CIFAR): 5,871,434 parameters, same key layout, 32×32 → [N, 10]", () => {
    const m = models.alexnetCifar();
    checkAgainstTorch("alexnet_cifar", m);
    assert.deepEqual(forwardShape(m, [2, 3, 32, 32]), [2, 10]);
    m.dispose();
  });

  it("VGG-16 at full size: 138,357,544 parameters, torchvision keys, [N, 1000]", () => {
    const m = models.vgg16({ init: "default" });
    checkAgainstTorch("vgg16", m, 138_357_544);
    assert.deepEqual(forwardShape(m, [1, 3, 32, 32]), [1, 1000]);
    m.dispose();
  });

  it("VGG-11/13/16-BN/19 (±BN): convolutional keys equal torchvision's, counts match with the full classifier", () => {
    const documented: Record<string, number> = {
      vgg11: 132_863_336, vgg13: 133_047_848, vgg19: 143_667_240,
      vgg11_bn: 132_868_840, vgg13_bn: 133_053_736, vgg16_bn: 138_365_992, vgg19_bn: 143_678_248,
    };
    const fullClassifier = KEYS.vgg16.parameters.filter((k) => k.startsWith("classifier.")).reduce((s, k) => s + sizeOfStr(k.split(" ")[1]), 0);
    for (const depth of [11, 13, 16, 19] as const) {
      for (const bn of [false, true]) {
        if (depth === 16 && !bn) continue;
        const name = `vgg${depth}${bn ? "_bn" : ""}`;
        const m = models.vgg({ depth, batchNorm: bn, hidden: 8, classes: 5 });
        const got = names(m);
        const want = KEYS[name];
        assert.deepEqual(got.parameters.filter((k) => k.startsWith("features.")), want.parameters.filter((k) => k.startsWith("features.")), name);
        assert.deepEqual(got.buffers, want.buffers, name);
        assert.deepEqual(got.parameters.filter((k) => k.startsWith("classifier.")).map((k) => k.split(" ")[0]),
          want.parameters.filter((k) => k.startsWith("classifier.")).map((k) => k.split(" ")[0]), name);
        const small = 512 * 49 * 8 + 8 + 8 * 8 + 8 + 8 * 5 + 5;
        assert.equal(models.countParameters(m) - small + fullClassifier, documented[name], name);
        assert.equal(want.params, documented[name], name);
        if (depth === 11) assert.deepEqual(forwardShape(m, [1, 3, 32, 32]), [1, 5]);
        m.dispose();
      }
    }
  });

  it("GoogLeNet: 6,624,904 parameters without aux heads (13,004,888 with), torchvision keys, 7×7 before the pool on 224", () => {
    const m = models.googlenet();
    checkAgainstTorch("googlenet", m, 6_624_904);
    // Ceil-mode pools: 224 → 112 → 56 → 28 → 14 → 7; 1.50 G multiply-adds as torchvision reports.
    const s = nn.summary(m, [3, 224, 224]);
    const out = (p: string): number => s.rows.find((r) => r.path === p)!.outputShape[2];
    assert.deepEqual(["conv1", "maxpool1", "maxpool2", "maxpool3", "maxpool4", "inception5b"].map(out), [112, 56, 28, 14, 7, 7]);
    assert.deepEqual(s.rows.find((r) => r.path === "fc")!.outputShape, [1, 1000]);
    assert.equal(+(s.totals.macs / 1e9).toFixed(2), 1.5);
    m.dispose();
    const aux = models.googlenet({ auxLogits: true, classes: 10 });
    assert.deepEqual(names(aux).parameters.map((k) => k.split(" ")[0]), KEYS.googlenet_aux.parameters.map((k) => k.split(" ")[0]));
    aux.train();
    const { logits, aux1, aux2 } = g.scope(() => aux.forwardWithAux(g.randn([2, 3, 64, 64])));
    assert.deepEqual([logits.shape, aux1?.shape, aux2?.shape], [[2, 10], [2, 10], [2, 10]]);
    aux.eval();
    assert.equal(g.noGrad(() => aux.forwardWithAux(g.zeros([1, 3, 64, 64]))).aux1, undefined, "no aux outputs in eval mode");
    aux.dispose();
  });

  it("ResNet-18/34/50: 11,689,512 / 21,797,672 / 25,557,032 parameters, torchvision keys, [N, 1000]", () => {
    for (const [depth, count] of [[18, 11_689_512], [34, 21_797_672], [50, 25_557_032]] as const) {
      const m = models.resnet(depth);
      checkAgainstTorch(`resnet${depth}`, m, count);
      if (depth === 18) {
        // 224 → 112 (conv1) → 56 (layer1) → 28 → 14 → 7; 1.81 G multiply-adds as torchvision reports.
        const s = nn.summary(m, [3, 224, 224]);
        const side = (p: string): number => s.rows.find((r) => r.path === p)!.outputShape[2];
        assert.deepEqual(["conv1", "layer1", "layer2", "layer3", "layer4"].map(side), [112, 56, 28, 14, 7]);
        assert.equal(+(s.totals.macs / 1e9).toFixed(2), 1.81);
      }
      assert.deepEqual(forwardShape(m, [1, 3, 32, 32]), [1, 1000], `resnet${depth}`);
      m.dispose();
    }
  });

  it("CIFAR ResNet-20/32/56 (option A): 0.27M/0.46M/0.85M parameters; option B adds projections", () => {
    for (const [depth, count] of [[20, 269_722], [32, 464_154], [56, 853_018]] as const) {
      const m = models.resnetCifar({ depth });
      checkAgainstTorch(`resnet${depth}`, m, count);
      assert.deepEqual(forwardShape(m, [2, 3, 32, 32]), [2, 10], `resnet${depth}`);
      m.dispose();
    }
    const b = models.resnetCifar({ depth: 20, shortcut: "B" });
    checkAgainstTorch("resnet20_b", b, 272_474);
    b.dispose();
    const fm = models.resnet20({ inChannels: 1, width: 2 });
    assert.deepEqual(forwardShape(fm, [2, 1, 28, 28]), [2, 10], "Fashion-MNIST shape, width 32");
    fm.dispose();
  });

  it("stochastic depth: linear decay of drop probabilities, identity at eval, no extra parameters", () => {
    const m = models.resnet20({ stochasticDepth: 0.5, width: 0.25 });
    const drops = [...m.namedModules()].filter(([, x]) => x instanceof nn.StochasticDepth).map(([, x]) => (x as g.nn.StochasticDepth).p);
    assert.deepEqual(drops.map((p) => +p.toFixed(6)), Array.from({ length: 9 }, (_, i) => +(((i + 1) / 9) * 0.5).toFixed(6)));
    const plain = models.resnet20({ width: 0.25 });
    assert.equal(models.countParameters(m), models.countParameters(plain));
    plain.loadStateDict(m.stateDict());
    m.eval();
    plain.eval();
    const x = g.randn([2, 3, 8, 8], { rng: new g.Rng(3) });
    const [a, b] = g.noGrad(() => [m.forward(x).dataSync(), plain.forward(x).dataSync()]);
    assert.deepEqual(Array.from(a), Array.from(b));
    m.train();
    const y1 = g.noGrad(() => m.forward(x).dataSync());
    assert.notDeepEqual(Array.from(y1), Array.from(a), "training mode drops branches");
    m.dispose();
    plain.dispose();
  });

  it("every registry entry builds for its input and for a 1-channel 28×28 one where the architecture allows", () => {
    assert.ok(["lenet5", "alexnet", "vgg16", "vgg19_bn", "googlenet", "resnet18", "resnet50", "resnet56"].every((k) => k in models.ZOO));
    for (const name of ["default-cnn", "lenet5", "alexnet-cifar", "resnet20"]) {
      const m = models.ZOO_BUILDERS[name]([1, 28, 28], 10);
      assert.deepEqual(forwardShape(m, [2, 1, 28, 28]), [2, 10], name);
      m.dispose();
    }
  });
});
