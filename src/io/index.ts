/**
 * L6: io — safetensors bytes <-> `Record<string, Tensor>` + string metadata, and the checkpoint format
 * built on it. Browser-safe (no Node imports); the file helpers are in `index.node.ts`.
 * Speaks records, never Modules: nn and optim produce and consume the records (layering, DESIGN.md §2).
 */
export {
  parseSafetensors, readSafetensorsHeader, serializeSafetensors, serializeSafetensorsAsync, encodeSafetensors, hostTensors,
  type ParseOptions, type SafetensorsContents, type SafetensorsEntry, type SafetensorsHeader, type HostTensor,
} from "./safetensors.js";
export { READABLE_DTYPES, type ReadableDType, type WritableDType } from "./dtypes.js";
export {
  packCheckpoint, unpackCheckpoint, CHECKPOINT_FORMAT, CHECKPOINT_VERSION,
  type Checkpoint, type CheckpointInput, type OptimizerStateLike, type OptimizerStateRead,
} from "./checkpoint.js";
export type { JsonValue } from "./json.js";
