/**
 * `npm run bench [-- options]`: ganglion, TensorFlow.js (cpu, wasm) and PyTorch CPU (when
 * `/usr/bin/python3 -c "import torch"` works) side by side in one run: training and inference
 * images/s of the issue-7 models at batch 64, peak RSS, GEMM GFLOP/s at N = 256, 512, 1024, and the
 * ganglion/peer ratios. Each framework and model runs in its own child process (so peak RSS is per
 * model, and one framework's allocator or threads cannot slow the next); the runs are sequential, and
 * the 1-minute load average is sampled throughout, since the machine may be shared.
 *
 * Options: --json (print the JSON report instead of tables), --markdown FILE, --out FILE (JSON),
 * --frameworks ganglion,pytorch,tfjs-wasm,tfjs-cpu, --models mlp,lenet,..., --seconds S (timed
 * seconds per measurement, default 6), --cap S (skip a measurement whose single step would take
 * longer, default 20), --timeout S (kill a runner process after S seconds, keeping what it reported,
 * default 150), --repeat N (sweep the models N times, keep each cell's best), --no-gemm, --torch-blas DIR (a folder with an optimized libblas.so.3 for
 * PyTorch's child process, e.g. OpenBLAS's; default: Debian's openblas-pthread folder when present).
 *
 * NOTE: Debian's python3-torch calls whatever libblas.so.3 the system provides; with the reference
 * BLAS (package libblas3) torch.mm runs at ~2 GFLOP/s and PyTorch's MLP numbers mean nothing. The
 * setup line of the report says which BLAS was used.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_BUDGET, type Budget } from "./measure.js";
import { MODEL_NAMES, MODELS, LEARNING_RATE, type ModelName, type RunnerResult } from "./models.js";
import { formatReport, type Cell, type RunReport } from "./report.js";

const FRAMEWORKS = ["ganglion", "pytorch", "tfjs-wasm", "tfjs-cpu"] as const;
type Framework = (typeof FRAMEWORKS)[number];

interface Request {
  readonly framework: Framework;
  readonly models: readonly ModelName[];
  readonly gemm: boolean;
  readonly budget: Budget;
  readonly cap: number;
}

const here = dirname(fileURLToPath(import.meta.url));
/** The repo root: dist/bench/run.js (compiled) or bench/run.ts (tsx). */
const root = here.endsWith(join("dist", "bench")) ? join(here, "..", "..") : join(here, "..");
const PYTHON = "/usr/bin/python3";
const DEBIAN_OPENBLAS = "/usr/lib/x86_64-linux-gnu/openblas-pthread";
/** Seconds a runner process may take (tfjs-cpu needs minutes for one conv training step). */
const timeoutSeconds = Number(arg("timeout") ?? 150);

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

/** Child-process side: runs one request and prints its RunnerResult as the last line. */
async function runner(req: Request): Promise<void> {
  let res: RunnerResult;
  try {
    if (req.framework === "ganglion") {
      const { runGanglion } = await import("./run-ganglion.js");
      res = runGanglion(req.models, req.budget, req.cap, req.gemm);
    } else if (req.framework === "tfjs-cpu" || req.framework === "tfjs-wasm") {
      const { runTfjs } = await import("./run-tfjs.js");
      res = await runTfjs(req.framework === "tfjs-cpu" ? "cpu" : "wasm", req.models, req.budget, req.cap, req.gemm);
    } else throw new Error(`runner: unknown framework ${req.framework}`);
  } catch (e) {
    res = { framework: req.framework, setup: "", models: {}, peakRssMb: process.resourceUsage().maxRSS / 1024, error: String(e) };
  }
  process.stdout.write(`\n${JSON.stringify(res)}\n`);
  // Worker threads (ganglion, tfjs-wasm) must not keep the process alive.
  process.exit(0);
}

function torchAvailable(): boolean {
  return spawnSync(PYTHON, ["-c", "import torch"], { stdio: "ignore" }).status === 0;
}

/** The folder holding the libblas.so.3 PyTorch should load, if an optimized one is known. */
function torchBlas(): string | undefined {
  const dir = arg("torch-blas") ?? DEBIAN_OPENBLAS;
  return existsSync(join(dir, "libblas.so.3")) ? dir : undefined;
}

/** Runs one request in a child process and parses the last JSON line of its output. */
function spawnRequest(req: Request): Promise<RunnerResult> {
  const blas = torchBlas();
  const [cmd, args] = req.framework === "pytorch"
    ? [PYTHON, [join(root, "bench", "torch_bench.py"), JSON.stringify({
        models: Object.fromEntries(req.models.map((m) => [m, MODELS[m]])), gemm: req.gemm, budget: req.budget, lr: LEARNING_RATE, threads: [2, 1],
        blas: blas ?? "system libblas.so.3",
      })]]
    : [process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--runner", JSON.stringify(req)]];
  // The BLAS folder goes first on the library path of PyTorch's process only, with 2 BLAS threads.
  const env = req.framework === "pytorch" && blas
    ? { ...process.env, LD_LIBRARY_PATH: [blas, process.env.LD_LIBRARY_PATH].filter(Boolean).join(":"), OPENBLAS_NUM_THREADS: "2" }
    : process.env;
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env });
    let out = "", err = "";
    child.stdout.on("data", (d: Buffer) => { out += d.toString(); });
    child.stderr.on("data", (d: Buffer) => { err += d.toString(); });
    // A runner that outlives the timeout is killed; its last complete result line still counts.
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutSeconds * 1000);
    child.on("close", (code) => {
      clearTimeout(timer);
      const lines = out.trim().split("\n").filter((l) => l.startsWith("{"));
      try {
        resolve(JSON.parse(lines[lines.length - 1] ?? "") as RunnerResult);
      } catch {
        resolve({ framework: req.framework, setup: "", models: {}, peakRssMb: 0, error: `exit ${code}: ${(err || out).trim().split("\n").slice(-3).join(" | ")}` });
      }
    });
  });
}

/** The better of two runs of one model: highest throughputs, highest peak RSS (the conservative one). */
function best(a: RunnerResult, b: RunnerResult, model: ModelName): RunnerResult {
  const ma = a.models[model] ?? {}, mb = b.models[model] ?? {};
  const pick = (k: "trainImagesPerSec" | "inferImagesPerSec", note: "trainNote" | "inferNote"): Record<string, number | string> => {
    const va = ma[k], vb = mb[k];
    if (va === undefined && vb === undefined) return ma[note] !== undefined ? { [note]: ma[note] } : {};
    const useB = va === undefined || (vb !== undefined && vb > va);
    const src = useB ? mb : ma;
    return { [k]: src[k] as number, ...(src[note] !== undefined ? { [note]: src[note] } : {}) };
  };
  return { ...a, models: { [model]: { ...pick("trainImagesPerSec", "trainNote"), ...pick("inferImagesPerSec", "inferNote") } }, peakRssMb: Math.max(a.peakRssMb, b.peakRssMb) };
}

async function main(): Promise<void> {
  const frameworks = (arg("frameworks")?.split(",") ?? [...FRAMEWORKS]) as Framework[];
  const models = (arg("models")?.split(",") ?? [...MODEL_NAMES]) as ModelName[];
  for (const f of frameworks) if (!FRAMEWORKS.includes(f)) throw new Error(`bench: unknown framework '${f}' (one of ${FRAMEWORKS.join(", ")})`);
  for (const m of models) if (!MODEL_NAMES.includes(m)) throw new Error(`bench: unknown model '${m}' (one of ${MODEL_NAMES.join(", ")})`);
  const budget: Budget = { ...DEFAULT_BUDGET, seconds: Number(arg("seconds") ?? DEFAULT_BUDGET.seconds) };
  const cap = Number(arg("cap") ?? 20);
  const json = flag("json");
  const notes: string[] = [];
  const active = frameworks.filter((f) => f !== "pytorch" || torchAvailable() || (notes.push(`pytorch skipped: ${PYTHON} cannot import torch`), false));
  const loads: number[] = [];
  const sample = (): void => { loads.push(loadavg()[0]); };
  sample();
  const timer = setInterval(sample, 1000);
  const cells: Cell[] = [];
  const gemm: RunnerResult[] = [];
  const log = (s: string): void => { if (!json) process.stderr.write(`${s}\n`); };
  // Model by model, every framework in turn, so the two numbers of a ratio are measured minutes (not
  // a quarter of an hour) apart on a machine whose load drifts; with --repeat N the sweep runs N times
  // and each cell keeps its best run (tfjs-cpu, orders of magnitude off and minutes per step, runs once).
  const repeats = Number(arg("repeat") ?? 1);
  for (let r = 0; r < repeats; r++) {
    for (const model of models) {
      for (const framework of active) {
        if (r > 0 && framework === "tfjs-cpu") continue;
        log(`bench: ${framework} ${model}${repeats > 1 ? ` (sweep ${r + 1}/${repeats})` : ""} ...`);
        const result = await spawnRequest({ framework, models: [model], gemm: false, budget, cap });
        const i = cells.findIndex((c) => c.framework === framework && c.model === model);
        if (i < 0) cells.push({ framework, model, result });
        else cells[i] = { framework, model, result: best(cells[i].result, result, model) };
      }
    }
  }
  if (!flag("no-gemm")) {
    for (const framework of active) {
      log(`bench: ${framework} gemm ...`);
      gemm.push(await spawnRequest({ framework, models: [], gemm: true, budget, cap }));
    }
  }
  clearInterval(timer);
  sample();
  const report: RunReport = {
    date: new Date().toISOString(),
    machine: `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, Linux ${release()}`,
    node: process.versions.node,
    load: { min: Math.min(...loads), max: Math.max(...loads), mean: loads.reduce((a, b) => a + b, 0) / loads.length, samples: loads.length },
    frameworks: active, models, cells, gemm, notes,
  };
  const out = arg("out");
  if (out) writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  const md = arg("markdown");
  if (md) writeFileSync(md, `${formatReport(report, true)}\n`);
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
}

const r = arg("runner");
if (r) await runner(JSON.parse(r) as Request);
else await main();
