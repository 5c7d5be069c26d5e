/** Prints bench/models.ts as JSON for bench/gpu/torch_cuda.py (run by bench/gpu/run.sh). */
import { LEARNING_RATE, MODELS } from "../models.js";

const models = (process.argv[2] ?? "mlp,lenet,cifar-convnet").split(",");
const batches = (process.argv[3] ?? "64,512").split(",").map(Number);
console.log(JSON.stringify({ models, batches, seconds: Number(process.argv[4] ?? "3"), lr: LEARNING_RATE, specs: MODELS }));
