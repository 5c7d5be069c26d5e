/**
 * io for Node: everything in `index.ts` plus the file helpers (atomic writes, safetensors files,
 * model weights, checkpoints). Import this from Node-only code (cli, train's run directory).
 */
export * from "./index.js";
export {
  atomicWriteFile, atomicWriteFileSync, loadSafetensors, loadSafetensorsSync, saveSafetensors, saveSafetensorsSync,
  saveStateDict, loadStateDictFile, loadStateDictInto, type HasStateDict, type LoadsStateDict,
} from "./files.node.js";
export { writeCheckpoint, writeCheckpointSync, readCheckpoint, readCheckpointSync, CHECKPOINT_FILE } from "./checkpoint.node.js";
