/**
 * Convolutional layers and their output sizes (CS231n lecture 5). A conv layer with K filters of size
 * F×F, stride S and zero padding P maps W×W×C to W'×W'×K with
 *
 *   W' = (W − F + 2P)/S + 1,     parameters K·(F·F·C + 1),
 *
 * (ganglion floors a stride that does not divide evenly, as PyTorch does: tensor.convOutSize). Each row
 * below is one of the lecture's worked examples, checked by running the real layer on zeros. Then: three
 * stacked 3×3 convs see a 7×7 receptive field with fewer parameters than one 7×7 conv (VGG's argument,
 * Simonyan & Zisserman 2014), and nn.summary's table for a small ConvNet.
 *
 * Run: npm run build && node dist/examples/cnn-layers.js
 */
import { convOutSize, nn, noGrad, scope, zeros } from "ganglion";
import { parseArgs, table } from "./lib/args.js";

parseArgs();
interface Case { readonly what: string; readonly c: number; readonly w: number; readonly k: number; readonly f: number; readonly s: number; readonly p: number; readonly pool?: boolean }
const cases: Case[] = [
  { what: "7×7 input, 3×3 filter, stride 1", c: 1, w: 7, k: 1, f: 3, s: 1, p: 0 },
  { what: "7×7 input, 3×3 filter, stride 2", c: 1, w: 7, k: 1, f: 3, s: 2, p: 0 },
  { what: "7×7 input, 3×3 filter, stride 3 (doesn't fit: floors)", c: 1, w: 7, k: 1, f: 3, s: 3, p: 0 },
  { what: "7×7 input, 3×3 filter, stride 1, pad 1 ('same')", c: 1, w: 7, k: 1, f: 3, s: 1, p: 1 },
  { what: "32×32×3, 10 filters 5×5, stride 1, pad 2", c: 3, w: 32, k: 10, f: 5, s: 1, p: 2 },
  { what: "56×56×64, 32 filters 1×1 (channel mixing)", c: 64, w: 56, k: 32, f: 1, s: 1, p: 0 },
  { what: "AlexNet conv1: 227×227×3, 96 filters 11×11, stride 4", c: 3, w: 227, k: 96, f: 11, s: 4, p: 0 },
  { what: "224×224×64, 2×2 max pool, stride 2", c: 64, w: 224, k: 64, f: 2, s: 2, p: 0, pool: true },
];
const rows = cases.map((k) => scope(() => noGrad(() => {
  const layer = k.pool ? nn.maxPool2d(k.f, { stride: k.s }) : nn.conv2d(k.c, k.k, k.f, { stride: k.s, padding: k.p });
  const out = layer.forward(zeros([1, k.c, k.w, k.w])).shape;
  const params = layer.parameters().reduce((n, t) => n + t.size, 0);
  layer.dispose();
  const formula = (k.w - k.f + 2 * k.p) / k.s + 1;
  return [k.what, Number.isInteger(formula) ? String(formula) : formula.toFixed(2), String(convOutSize(k.w, k.f, k.s, k.p)), `${out[2]}×${out[3]}×${out[1]}`, String(params)];
})));
console.log(table(["layer", "(W − F + 2P)/S + 1", "convOutSize", "real output H×W×C", "parameters"], rows));

// Receptive field: three 3×3 convs vs one 7×7 conv, C = 64 channels in and out.
const c = 64;
const three = nn.sequential(nn.conv2d(c, c, 3, { padding: 1 }), nn.relu(), nn.conv2d(c, c, 3, { padding: 1 }), nn.relu(), nn.conv2d(c, c, 3, { padding: 1 }));
const one = nn.sequential(nn.conv2d(c, c, 7, { padding: 3 }));
const s3 = nn.summary(three, [c, 32, 32]), s1 = nn.summary(one, [c, 32, 32]);
const rf = (s: nn.SummaryResult): string => s.rows.filter((r) => r.receptiveField && r.type === "Conv2d").map((r) => `${r.receptiveField?.[0]}`).join(" → ");
console.log(`\nthree 3×3 convs: receptive field ${rf(s3)}, ${s3.totals.params.toLocaleString("en-US")} parameters, ${s3.totals.macs.toLocaleString("en-US")} MACs on 32×32`);
console.log(`one 7×7 conv:    receptive field ${rf(s1)}, ${s1.totals.params.toLocaleString("en-US")} parameters, ${s1.totals.macs.toLocaleString("en-US")} MACs on 32×32 (and one nonlinearity instead of three)`);
three.dispose();
one.dispose();

// A small ConvNet: [conv-BN-ReLU-pool] × 2 → linear.
const net = nn.sequential(
  nn.conv2d(1, 32, 5, { padding: 2 }), nn.batchNorm2d(32), nn.relu(), nn.maxPool2d(2),
  nn.conv2d(32, 64, 5, { padding: 2 }), nn.batchNorm2d(64), nn.relu(), nn.maxPool2d(2),
  nn.flatten(), nn.linear(64 * 7 * 7, 128), nn.relu(), nn.dropout(0.5), nn.linear(128, 10),
);
console.log(`\n${nn.formatSummary(nn.summary(net, [1, 28, 28]))}`);
net.dispose();
