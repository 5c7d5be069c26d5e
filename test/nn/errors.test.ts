/**
 * Bad inputs inside nested containers: the error names the layer path and type (`features.3 (Conv2d)`),
 * the input shape and the expected one; it is a LayerError carrying the path and the original cause.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion";

const nn = g.nn;

/** A small AlexNet-style CNN: features (Sequential) and classifier (Sequential), nested in a Sequential. */
function net(): g.nn.Sequential {
  return nn.sequential({
    features: nn.sequential(
      nn.conv2d(3, 8, 3, { padding: 1 }), nn.batchNorm2d(8), nn.relu(),
      nn.conv2d(8, 16, 3, { stride: 2, padding: 1 }), nn.relu(), nn.maxPool2d(2),
      nn.residual(nn.sequential(nn.conv2d(16, 16, 3, { padding: 1 }), nn.relu())),
    ),
    classifier: nn.sequential(nn.flatten(), nn.dropout(0.5), nn.linear(16 * 4 * 4, 10)),
  });
}

/** Asserts `fn` throws a LayerError whose message contains every fragment, in order. */
function throwsLayerError(fn: () => unknown, path: string[], type: string, ...fragments: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof nn.LayerError, `expected a LayerError, got ${String(e)}`);
    assert.deepEqual(e.path, path);
    assert.equal(e.layerType, type);
    assert.ok(e.cause instanceof g.GanglionError, "the cause is the layer's own error");
    let at = 0;
    for (const f of [`${path.join(".")} (${type}): `, ...fragments]) {
      const i = e.message.indexOf(f, at);
      assert.ok(i >= 0, `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(f)}`);
      at = i + f.length;
    }
    return true;
  });
}

describe("bad inputs name the layer path, the input shape and the expected shape", () => {
  it("sanity: the good input runs", () => {
    assert.deepEqual(net().eval().forward(g.zeros([2, 3, 16, 16])).shape, [2, 10]);
  });
  it("wrong channel count at the input: features.0 (Conv2d)", () => {
    throwsLayerError(() => net().forward(g.zeros([2, 4, 16, 16])), ["features", "0"], "Conv2d", "expected input [N,3,H,W]", "got [2,4,16,16]");
  });
  it("wrong channel count deep inside: features.3 (Conv2d)", () => {
    const m = nn.sequential({
      features: nn.sequential(nn.conv2d(3, 8, 3), nn.batchNorm2d(8), nn.relu(), nn.conv2d(6, 16, 3)),
    });
    throwsLayerError(() => m.forward(g.zeros([1, 3, 12, 12])), ["features", "3"], "Conv2d", "expected input [N,6,H,W]", "got [1,8,10,10]");
  });
  it("wrong input rank (no batch axis): features.0 (Conv2d)", () => {
    throwsLayerError(() => net().forward(g.zeros([3, 16, 16])), ["features", "0"], "Conv2d", "expected input [N,3,H,W]", "got [3,16,16]");
  });
  it("wrong feature count at the classifier: classifier.2 (Linear)", () => {
    throwsLayerError(() => net().forward(g.zeros([2, 3, 20, 20])), ["classifier", "2"], "Linear", "expected input [..., 256]", "got [2,400]");
  });
  it("inside a residual body: features.6.body.0 (Conv2d)", () => {
    const m = nn.sequential({ features: nn.sequential(nn.conv2d(3, 4, 1), nn.residual(nn.sequential(nn.conv2d(5, 4, 3, { padding: 1 })))) });
    throwsLayerError(() => m.forward(g.zeros([1, 3, 4, 4])), ["features", "1", "body", "0"], "Conv2d", "expected input [N,5,H,W]", "got [1,4,4,4]");
  });
  it("batch norm with the wrong channel count or rank", () => {
    const m = nn.sequential({ features: nn.sequential(nn.conv2d(3, 4, 1), nn.batchNorm2d(6)) });
    throwsLayerError(() => m.forward(g.zeros([1, 3, 4, 4])), ["features", "1"], "BatchNorm2d", "expected input [N,6,H,W]", "got [1,4,4,4]");
    const m1 = nn.sequential({ head: nn.sequential(nn.batchNorm1d(3)) });
    throwsLayerError(() => m1.forward(g.zeros([2, 3, 4, 4])), ["head", "0"], "BatchNorm1d", "expected input [N,3] or [N,3,L]", "got [2,3,4,4]");
  });
  it("pooling on a rank-2 input", () => {
    const m = nn.sequential({ features: nn.sequential(nn.relu(), nn.maxPool2d(2)) });
    throwsLayerError(() => m.forward(g.zeros([4, 8])), ["features", "1"], "MaxPool2d", "input must be [N,C,H,W]", "got [4,8]");
    const f = nn.sequential({ features: nn.sequential(nn.fractionalMaxPool2d({ outputRatio: 0.7 })) });
    throwsLayerError(() => f.forward(g.zeros([4, 8])), ["features", "0"], "FractionalMaxPool2d", "expected input [N,C,H,W]", "got [4,8]");
  });
  it("layer norm, PReLU and Maxout shape errors", () => {
    const m = nn.sequential({ block: nn.sequential(nn.layerNorm([4, 5])) });
    throwsLayerError(() => m.forward(g.zeros([2, 5, 4])), ["block", "0"], "LayerNorm", "input [2,5,4] does not end with normalizedShape [4,5]");
    const p = nn.sequential({ act: nn.sequential(nn.prelu(3)) });
    throwsLayerError(() => p.forward(g.zeros([2, 4, 5])), ["act", "0"], "PReLU", "expected input [N,3,...]", "got [2,4,5]");
    const mo = nn.sequential({ act: nn.sequential(nn.maxout(3)) });
    throwsLayerError(() => mo.forward(g.zeros([2, 7])), ["act", "0"], "Maxout", "input [2,7] has 7 features, not divisible into pieces=3");
  });
  it("DropConnect in training names the wrapped layer", () => {
    const m = nn.sequential({ classifier: nn.sequential(nn.dropConnect(nn.linear(8, 2), 0.5)) });
    throwsLayerError(() => m.forward(g.zeros([2, 9])), ["classifier", "0", "layer"], "Linear", "expected input [..., 8]", "got [2,9]");
    m.eval();
    throwsLayerError(() => m.forward(g.zeros([2, 9])), ["classifier", "0", "layer"], "Linear", "expected input [..., 8]", "got [2,9]");
  });
  it("a failing forward frees its temporaries and leaves the model usable", () => {
    const m = net().eval();
    const before = g.memory().liveTensors;
    for (let i = 0; i < 3; i++) assert.throws(() => g.scope(() => m.forward(g.zeros([2, 4, 16, 16]))));
    assert.equal(g.memory().liveTensors, before, "no leaked tensors");
    assert.deepEqual(g.scope(() => m.forward(g.zeros([1, 3, 16, 16])).shape), [1, 10]);
  });
});
