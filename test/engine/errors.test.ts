/** Bad input: every error names the op, the shapes/dtypes involved and what was expected. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as g from "ganglion";

const t = (shape: number[], dtype: g.DType = "float32"): g.Tensor => g.zeros(shape, { dtype });

describe("error messages", () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ["matmul inner dims", () => g.matmul(t([64, 784]), t([512, 10])), /^matmul: \[64,784\] x \[512,10\]: inner dimensions 784 and 512 differ$/],
    ["matmul batch broadcast", () => g.matmul(t([2, 3, 4]), t([5, 4, 2])), /matmul: shapes \[2\] and \[5\] cannot be broadcast/],
    ["broadcast add", () => t([3, 4]).add(t([5])), /add: shapes \[3,4\] and \[5\] cannot be broadcast: dimension -1 is 4 vs 5/],
    ["conv2d channels", () => g.conv2d(t([8, 3, 32, 32]), t([16, 4, 3, 3])), /conv2d: input \[8,3,32,32\] has 3 channels, weight \[16,4,3,3\] with groups=1 expects 4/],
    ["conv2d rank", () => g.conv2d(t([3, 32, 32]), t([16, 3, 3, 3])), /conv2d: input must be \[N,C,H,W\], got \[3,32,32\]/],
    ["conv2d too small", () => g.conv2d(t([1, 1, 2, 2]), t([1, 1, 5, 5])), /conv2d: input \[1,1,2,2\] is too small for kernel 5x5/],
    ["conv2d bad stride", () => g.conv2d(t([1, 1, 8, 8]), t([1, 1, 3, 3]), { stride: 0 }), /conv2d: stride must be integers >= 1, got \[0,0\]/],
    ["conv2d dtype", () => g.conv2d(t([1, 1, 8, 8], "int32"), t([1, 1, 3, 3])), /conv2d: expected a float tensor, got int32 tensor \[1,1,8,8\]/],
    ["maxPool window", () => g.maxPool2d(t([1, 1, 2, 2]), 3), /maxPool2d: input \[1,1,2,2\] is smaller than the 3x3 window/],
    ["reshape size", () => t([2, 3]).reshape([4, 2]), /reshape: cannot reshape \[2,3\] \(6 elements\) to \[4,2\] \(8 elements\)/],
    ["reshape two -1", () => t([2, 3]).reshape([-1, -1]), /reshape: only one dimension can be -1/],
    ["axis out of range", () => t([2, 3]).sum(2), /sum: axis 2 is out of range for tensor of shape \[2,3\] \(expected an integer in \[-2, 1\]\)/],
    ["permute not a permutation", () => t([2, 3, 4]).permute([0, 0, 1]), /permute: dims \[0,0,1\] are not a permutation of 3 axes/],
    ["expand", () => t([3, 2]).expand([3, 4]), /expand: cannot expand \[3,2\] to \[3,4\]: dimension 1 is 2 \(must be 1 or 4\)/],
    ["concat shapes", () => g.concat([t([2, 3]), t([3, 3])], 1), /concat: tensor 1 has shape \[3,3\], expected \[2,-1\]/],
    ["cross-entropy labels dtype", () => g.softmaxCrossEntropy(t([4, 10]), t([4])), /softmaxCrossEntropy: labels must be int32 class indices, got float32/],
    ["cross-entropy labels shape", () => g.softmaxCrossEntropy(t([4, 10]), t([5], "int32")), /softmaxCrossEntropy: labels \[5\] do not match logits \[4,10\] \(expected \[4\]\)/],
    ["cross-entropy label value", () => g.softmaxCrossEntropy(t([2, 3]), g.fromArray([0, 7], [2], { dtype: "int32" })), /softmaxCrossEntropy: label 7 of example 1 is out of range \[0, 3\)/],
    ["gather index value", () => g.gather(t([2, 3]), 1, g.fromArray([0, 5, 1, 1], [2, 2], { dtype: "int32" })), /gather: index 5 at flat position 1 of index tensor \[2,2\] is out of range \[0, 3\)/],
    ["fromArray size", () => g.fromArray([1, 2, 3], [2, 2]), /fromArray: 3 values do not fill shape \[2,2\] \(4 elements\)/],
    ["ragged nested", () => g.tensor([[1, 2], [3]]), /tensor: ragged nested array/],
    ["item of many", () => t([2]).item(), /item: tensor \[2\] has 2 elements, expected 1/],
    ["requiresGrad int", () => { t([2], "int32").requiresGrad = true; }, /requiresGrad: only float tensors can require gradients, got int32 \[2\]/],
    ["backward non-scalar", () => { const x = t([2]); x.requiresGrad = true; x.mul(2).backward(); }, /backward: an implicit gradient needs a scalar output, got \[2\]; pass grad/],
    ["backward without grad", () => t([1]).sum().backward(), /backward: tensor \[\] does not require grad/],
    ["rng seed", () => new g.Rng(-1), /Rng: seed must be an integer in \[0, 2\^32\), got -1/],
    ["unknown backend", () => g.setBackend("webgpu"), /backend 'webgpu' is not available here \(available: /],
    ["pad pairs", () => t([2, 2]).pad([[1, 1]]), /pad: need 2 \[before, after\] pairs of integers >= 0 for tensor \[2,2\]/],
    ["scope returning a promise", () => g.scope(() => Promise.resolve(1)), /scope\(fn\): fn returned a Promise; scopes are synchronous/],
  ];
  for (const [name, fn, re] of cases) {
    it(name, () => {
      g.scope(() => {
        assert.throws(fn, (e: unknown) => {
          assert.ok(e instanceof g.GanglionError, `${name}: expected a GanglionError, got ${String(e)}`);
          assert.match((e as Error).message, re);
          return true;
        });
      });
    });
  }
});
