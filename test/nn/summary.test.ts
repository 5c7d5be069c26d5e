/**
 * nn.summary: output shapes by (W − K + 2P)/S + 1, parameter counts (trainable / frozen), receptive
 * field and jump, multiply-adds, activation memory; and the text table.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion";

const nn = g.nn;
const row = (s: g.nn.SummaryResult, path: string): g.nn.SummaryRow => {
  const r = s.rows.find((x) => x.path === path);
  assert.ok(r, `no row ${path} in ${s.rows.map((x) => x.path).join(", ")}`);
  return r;
};

describe("summary", () => {
  it("AlexNet conv1 (96 filters 11×11×3, stride 4): 34,944 parameters, 55×55 output on 227×227", () => {
    const s = nn.summary(nn.conv2d(3, 96, 11, { stride: 4 }), [3, 227, 227]);
    assert.equal(s.rows.length, 1);
    const r = s.rows[0];
    assert.equal(r.type, "Conv2d");
    assert.equal(r.params, 34944);
    assert.equal(s.totals.params, 34944);
    assert.deepEqual(r.outputShape, [1, 96, 55, 55]);
    assert.deepEqual(r.receptiveField, [11, 11]);
    assert.deepEqual(r.jump, [4, 4]);
    assert.equal(r.macs, 96 * 55 * 55 * 3 * 11 * 11);
    assert.equal(r.activationBytes, 96 * 55 * 55 * 4);
    const text = nn.formatSummary(s);
    assert.match(text, /34,944/);
    assert.match(text, /\[1,96,55,55\]/);
    assert.match(text, /11x11/);
  });

  it("AlexNet's first block: pooling layers report 0 parameters; field and jump grow through the pool", () => {
    const m = nn.sequential({
      features: nn.sequential(nn.conv2d(3, 96, 11, { stride: 4 }), nn.relu(), nn.maxPool2d(3, { stride: 2 }),
        nn.conv2d(96, 256, 5, { padding: 2 }), nn.relu(), nn.maxPool2d(3, { stride: 2 })),
    });
    const s = nn.summary(m, [3, 227, 227]);
    const pool1 = row(s, "features.2");
    assert.equal(pool1.params, 0);
    assert.deepEqual(pool1.outputShape, [1, 96, 27, 27]);
    assert.deepEqual(pool1.receptiveField, [19, 19]); // 11 + (3-1)·4
    assert.deepEqual(pool1.jump, [8, 8]);
    const conv2 = row(s, "features.3");
    assert.deepEqual(conv2.outputShape, [1, 256, 27, 27]);
    assert.equal(conv2.params, 256 * 96 * 25 + 256);
    assert.deepEqual(conv2.receptiveField, [51, 51]); // 19 + (5-1)·8
    assert.equal(row(s, "features.5").params, 0);
    assert.deepEqual(row(s, "features.5").outputShape, [1, 256, 13, 13]);
    assert.equal(row(s, "features.1").params, 0);
    assert.deepEqual(row(s, "features.1").receptiveField, [11, 11], "ReLU leaves the field alone");
    // The container row sums its children.
    const feats = row(s, "features");
    assert.equal(feats.leaf, false);
    assert.equal(feats.params, s.totals.params);
    assert.equal(feats.macs, s.totals.macs);
    assert.deepEqual(feats.receptiveField, [67, 67]); // 51 + (3-1)·8
    assert.deepEqual(s.rows.map((r) => r.path), ["features", ...[0, 1, 2, 3, 4, 5].map((i) => `features.${i}`)]);
  });

  it("three stacked 3×3 convs (stride 1) see a 7×7 receptive field", () => {
    const m = nn.sequential(nn.conv2d(3, 8, 3, { padding: 1 }), nn.relu(), nn.conv2d(8, 8, 3, { padding: 1 }), nn.relu(), nn.conv2d(8, 8, 3, { padding: 1 }));
    const s = nn.summary(m, [3, 32, 32]);
    assert.deepEqual(s.rows.map((r) => r.receptiveField?.[0]), [3, 3, 5, 5, 7]);
    assert.deepEqual(row(s, "4").receptiveField, [7, 7]);
    assert.deepEqual(row(s, "4").jump, [1, 1]);
    // Dilation widens the kernel: one 3×3 conv with dilation 2 sees 5×5.
    assert.deepEqual(nn.summary(nn.conv2d(1, 1, 3, { dilation: 2 }), [1, 9, 9]).rows[0].receptiveField, [5, 5]);
  });

  it("trainable vs frozen counts after freezing", () => {
    const m = nn.sequential({ features: nn.sequential(nn.conv2d(3, 4, 3), nn.batchNorm2d(4), nn.relu()), classifier: nn.sequential(nn.flatten(), nn.linear(4 * 6 * 6, 10)) });
    const all = nn.summary(m, [3, 8, 8]).totals;
    assert.equal(all.params, 112 + 8 + 1450);
    assert.equal(all.trainableParams, all.params);
    assert.equal(all.frozenParams, 0);
    (m.layers[0] as g.nn.Sequential).requiresGrad(false);
    const s = nn.summary(m, [3, 8, 8]);
    assert.equal(s.totals.frozenParams, 120);
    assert.equal(s.totals.trainableParams, 1450);
    assert.equal(row(s, "features.0").trainableParams, 0);
    assert.equal(row(s, "features.0").params, 112);
    assert.equal(row(s, "classifier.1").trainableParams, 1450);
    assert.match(nn.formatSummary(s), /Frozen params: +120/);
  });

  it("MACs of Conv2d (with groups) and Linear, scaled by the batch size; activation memory", () => {
    const m = nn.sequential(nn.conv2d(4, 8, 3, { groups: 2, padding: 1 }), nn.flatten(), nn.linear(8 * 5 * 5, 3));
    const s = nn.summary(m, [4, 5, 5], { batchSize: 2 });
    assert.equal(row(s, "0").macs, 2 * 8 * 5 * 5 * (4 / 2) * 9);
    assert.equal(row(s, "2").macs, 2 * 200 * 3);
    assert.equal(s.totals.macs, 2 * 8 * 25 * 18 + 1200);
    assert.equal(s.totals.activationBytes, 4 * (2 * 200 + 2 * 200 + 2 * 3));
    assert.equal(s.totals.inputBytes, 4 * 2 * 4 * 25);
    // A Linear after Flatten sees the whole (5×5) image.
    assert.deepEqual(row(s, "2").receptiveField, [7, 7]);
  });

  it("a residual block's field is its body's; adaptive pooling covers the map", () => {
    const m = nn.sequential(
      nn.conv2d(3, 4, 3, { padding: 1 }),
      nn.residual(nn.sequential(nn.conv2d(4, 4, 3, { padding: 1 }), nn.relu(), nn.conv2d(4, 4, 3, { padding: 1 }))),
      nn.adaptiveAvgPool2d(1),
    );
    const s = nn.summary(m, [3, 16, 16]);
    assert.deepEqual(row(s, "1").receptiveField, [7, 7]);
    assert.deepEqual(row(s, "1.body.2").receptiveField, [7, 7]);
    assert.deepEqual(row(s, "2").outputShape, [1, 4, 1, 1]);
    assert.deepEqual(row(s, "2").receptiveField, [22, 22]); // 7 + (16-1)·1
  });

  it("an MLP has no receptive field; the run leaves train mode and running statistics alone", () => {
    const m = nn.sequential(nn.linear(784, 100), nn.batchNorm1d(100), nn.relu(), nn.dropout(0.5), nn.linear(100, 10));
    const rm = Array.from((m.layers[1] as g.nn.BatchNorm1d).runningMean!.dataSync());
    const s = nn.summary(m, [784], { batchSize: 4 });
    assert.ok(s.rows.every((r) => r.receptiveField === null && r.jump === null));
    assert.equal(s.totals.params, 784 * 100 + 100 + 200 + 1010);
    assert.deepEqual(row(s, "4").outputShape, [4, 10]);
    assert.ok([...m.namedModules()].every(([, x]) => x.training), "training flags restored");
    assert.deepEqual(Array.from((m.layers[1] as g.nn.BatchNorm1d).runningMean!.dataSync()), rm);
    assert.equal((m.layers[1] as g.nn.BatchNorm1d).numBatchesTracked!.item(), 0);
  });

  it("a bad input shape names the layer", () => {
    const m = nn.sequential({ features: nn.sequential(nn.conv2d(3, 4, 3)) });
    assert.throws(() => nn.summary(m, [1, 8, 8]), /features\.0 \(Conv2d\): expected input \[N,3,H,W\], got \[1,1,8,8\]/);
    assert.throws(() => nn.summary(nn.conv2d(3, 4, 3), [1, 8, 8]), /model \(Conv2d\): expected input \[N,3,H,W\], got \[1,1,8,8\]/);
  });

  it("formatSummary renders an aligned table with totals", () => {
    const m = nn.sequential({ features: nn.sequential(nn.conv2d(3, 16, 3, { padding: 1 }), nn.relu(), nn.maxPool2d(2), nn.flatten()), classifier: nn.linear(16 * 16 * 16, 10) });
    const text = nn.formatSummary(nn.summary(m, [3, 32, 32]));
    const lines = text.split("\n");
    const header = lines.findIndex((l) => l.startsWith("Layer (type)"));
    assert.ok(header > 0, text);
    const table = lines.slice(header + 2, lines.indexOf(lines[header - 1], header + 2));
    assert.equal(table.length, 6, text);
    // Right-aligned numeric columns end at the same offsets as the header's.
    const end = (l: string, col: string): number => l.indexOf(col) + col.length;
    assert.equal(end(lines[header], "Params"), end(table[1], "448"));
    assert.match(text, /Total params: +41,418/);
    assert.match(text, /Multiply-adds: +/);
    assert.match(text, /Activation memory: +/);
  });
});
