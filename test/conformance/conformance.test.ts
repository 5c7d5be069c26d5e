/** Runs the conformance suite on every registered backend. */
import * as g from "ganglion";
import { engineOps } from "./ops.js";
import { crossBackendSuite, goldenSuite } from "./suite.js";

// Ops whose golden cases belong to nn/functional are checked in test/nn/*.test.ts.
const NN_OPS = new Set(["gelu", "leakyRelu", "elu", "prelu", "adaptiveAvgPool2d", "crossEntropy", "nllLoss", "mseLoss", "bceWithLogits", "svmLoss", "batchNorm", "layerNorm"]);

for (const backend of g.listBackends()) {
  goldenSuite(backend, ["unary", "binary", "reduce", "matmul", "conv", "pool", "index", "softmax"], engineOps, NN_OPS);
  crossBackendSuite(backend);
}
