/** Runs the conformance suite on every registered backend. */
import * as g from "ganglion";
import { ENGINE_GROUPS, engineOps, NN_OPS } from "./ops.js";
import { crossBackendSuite, goldenSuite } from "./suite.js";

// Ops whose golden cases belong to nn/functional are checked in test/nn/*.test.ts.
for (const backend of g.listBackends()) {
  goldenSuite(backend, ENGINE_GROUPS, engineOps, NN_OPS);
  crossBackendSuite(backend);
}
