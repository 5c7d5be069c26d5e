/**
 * CNN architectures (CS231n lecture 9), built from the model zoo and described by nn.summary (a real
 * forward pass on zeros, so every output size is what the layers compute): LeNet-5 (LeCun et al. 1998),
 * AlexNet (Krizhevsky et al. 2012), VGG-16 (Simonyan & Zisserman 2014), GoogLeNet (Szegedy et al.
 * 2014), ResNet-18/34/50 (He et al. 2016, https://arxiv.org/abs/1512.03385) and the CIFAR ResNet-20.
 * Then AlexNet's layer table (torchvision's variant: conv1 has 64 filters, not the paper's 96 split over
 * two GPUs, and padding 2, so 224×224 inputs give the lecture's 55×55) and a residual block, y = F(x) + x.
 *
 * Run: npm run build && node dist/examples/architectures.js [--tiny: small models only]
 */
import { Rng, init, models, nn, noGrad, randn, scope } from "ganglion";
import { parseArgs, secondsSince, table } from "./lib/args.js";

const args = parseArgs();
interface Row { readonly name: string; readonly input: readonly [number, number, number]; readonly build: () => nn.Module; readonly big?: boolean }
const zoo: Row[] = [
  { name: "LeNet-5", input: [1, 28, 28], build: () => models.lenet5() },
  { name: "AlexNet", input: [3, 224, 224], build: () => models.alexnet(), big: true },
  { name: "VGG-16", input: [3, 224, 224], build: () => models.vgg16(), big: true },
  { name: "GoogLeNet", input: [3, 224, 224], build: () => models.googlenet(), big: true },
  { name: "ResNet-18", input: [3, 224, 224], build: () => models.resnet18(), big: true },
  { name: "ResNet-34", input: [3, 224, 224], build: () => models.resnet34(), big: true },
  { name: "ResNet-50", input: [3, 224, 224], build: () => models.resnet50(), big: true },
  { name: "ResNet-20 (CIFAR)", input: [3, 32, 32], build: () => models.resnet20() },
];
const rows: string[][] = [];
const t0 = performance.now();
for (const z of zoo.filter((m) => !(args.tiny && m.big))) {
  const model = z.build();
  const s = nn.summary(model, z.input);
  const convs = s.rows.filter((r) => r.leaf && r.type === "Conv2d").length;
  const linears = s.rows.filter((r) => r.leaf && r.type === "Linear").length;
  const last = s.rows.filter((r) => r.leaf && r.outputShape.length === 4).at(-1);
  rows.push([
    z.name, z.input.join("×"), s.totals.params.toLocaleString("en-US"), (s.totals.macs / 1e6).toLocaleString("en-US", { maximumFractionDigits: 1 }),
    `${convs} + ${linears}`, last ? last.outputShape.slice(1).join("×") : "-", `${(s.totals.activationBytes / 2 ** 20).toFixed(1)} MiB`,
  ]);
  model.dispose();
}
console.log(table(["model", "input", "parameters", "MMACs", "conv + linear layers", "last feature map", "activations"], rows));
console.log(`(${secondsSince(t0)} s)`);

if (!args.tiny) {
  const alex = models.alexnet();
  console.log(`\n${nn.formatSummary(nn.summary(alex, [3, 224, 224]))}`);
  alex.dispose();
}

// A residual connection: the block computes F(x) + x, so "do nothing" is easy to learn. With the last
// BatchNorm's γ set to 0 (Goyal et al. 2017, https://arxiv.org/abs/1706.02677) F(x) = 0 and the block starts as the identity.
const rng = new Rng(0);
const lastBn = nn.batchNorm2d(16);
const block = nn.residual(nn.sequential(
  nn.conv2d(16, 16, 3, { padding: 1, bias: false, rng }), nn.batchNorm2d(16), nn.relu(),
  nn.conv2d(16, 16, 3, { padding: 1, bias: false, rng }), lastBn,
));
scope(() => noGrad(() => {
  const x = randn([2, 16, 8, 8], { rng: new Rng(1) });
  const y = block.eval().forward(x);
  const diff = (t: typeof x): number => t.sub(x).abs().max().item();
  console.log(`\nresidual block (conv-BN-ReLU-conv-BN + x): ${x.shape.join("×")} → ${y.shape.join("×")}, ${block.parameters().reduce((n, p) => n + p.size, 0)} parameters; max |y − x| = ${diff(y).toFixed(3)}`);
  if (lastBn.weight) init.zeros(lastBn.weight);
  console.log(`with the last BN's γ = 0: max |y − x| = ${diff(block.forward(x))} (the block is the identity)`);
}));
block.dispose();
