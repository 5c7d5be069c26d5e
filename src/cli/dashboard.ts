/**
 * `ganglion dashboard [--runs DIR] [--storage URL] [--port P] [--host H]`: serves the live training
 * dashboard (src/dashboard) for the run directories under `--runs` and, with `--storage`, the studies in
 * that study storage. Binds 127.0.0.1 unless told otherwise; any other address exposes the runs to the
 * network and prints a warning.
 */
import { isLoopbackHost, startDashboard, type Dashboard } from "../dashboard/server/index.js";
import type { StudyParam, StudySource, StudySummary, StudyTrialRow, StudyView } from "../dashboard/types.js";
import { openStorage, redactUrl, type StudyRecord, type StudyStorage, type TrialRecord } from "../tune/storage/index.js";
import { searchSpaceFromJSON } from "../tune/space_json.js";
import type { SearchSpace } from "../tune/space.js";
import { bestTrial, countStates, plotData, rankTrials } from "../tune/study_results.js";
import { formatHelp, parseArgs, type FlagSpecs } from "./args.js";

export const DASHBOARD_FLAGS: FlagSpecs = {
  runs: { type: "string", default: "runs", help: "directory of run directories (as written by 'ganglion train')" },
  storage: { type: "string", help: "study storage to show too: sqlite:<file>, a file path, or postgres://…" },
  port: { type: "int", default: 8765, help: "port to listen on (0 = any free port)" },
  host: { type: "string", default: "127.0.0.1", help: "address to bind; anything but loopback exposes your runs to the network" },
};

function summary(rec: StudyRecord, trials: readonly TrialRecord[]): StudySummary {
  const best = bestTrial(trials, rec.direction);
  return {
    name: rec.name, direction: rec.direction, nTrials: rec.nTrials, trials: trials.length,
    counts: countStates(trials), best: best?.value ?? null, createdAt: rec.createdAt,
  };
}

function params(space: SearchSpace): StudyParam[] {
  return space.names.map((name): StudyParam => {
    const p = space.params[name];
    if (p.type === "categorical") return { name, kind: "categorical", choices: [...p.choices] };
    const log = p.type === "logUniform" || (p.type === "int" && p.log);
    return { name, kind: log ? "log" : "linear", low: p.low, high: p.high };
  });
}

function row(t: TrialRecord): StudyTrialRow {
  return {
    number: t.number, state: t.state, value: t.value, config: t.config, metrics: t.metrics, attempts: t.attempts,
    seconds: t.startedAt !== null && t.finishedAt !== null ? (t.finishedAt - t.startedAt) / 1000 : null, message: t.message,
  };
}

/** Adapts a study storage to what the dashboard shows (read-only: only list/get/trials are called). */
export function studySourceFromStorage(storage: StudyStorage): StudySource {
  return {
    description: redactUrl(storage.url),
    async list() {
      const recs = await storage.listStudies();
      return Promise.all(recs.map(async (r) => summary(r, await storage.trials(r.id))));
    },
    async get(name: string): Promise<StudyView | undefined> {
      const rec = await storage.getStudy(name);
      if (!rec) return undefined;
      const trials = await storage.trials(rec.id);
      const space = searchSpaceFromJSON(rec.space);
      return { summary: summary(rec, trials), params: params(space), trials: rankTrials(trials, rec.direction).map(row), plot: plotData(rec, space, trials) };
    },
    close: () => storage.close(),
  };
}

/** The warning printed when the dashboard binds a non-loopback address, or undefined for loopback. */
export function hostWarning(host: string): string | undefined {
  if (isLoopbackHost(host)) return undefined;
  return `ganglion dashboard: WARNING: listening on ${host}, not loopback: anyone who can reach this machine can read your runs and studies (there is no login). Use --host 127.0.0.1 unless you mean it.`;
}

/** Runs the command until SIGINT/SIGTERM; returns the exit code. */
export function dashboardCommand(argv: string[]): Promise<number> {
  return serve("dashboard", argv);
}

/**
 * `ganglion demo`: the same server, announced at its `#/demo` page, which trains a CNN on the embedded
 * MNIST digits in the browser (Wasm threads: the server's COOP/COEP headers isolate the page).
 */
export function demoCommand(argv: string[]): Promise<number> {
  return serve("demo", argv);
}

async function serve(cmd: "dashboard" | "demo", argv: string[]): Promise<number> {
  const name = `ganglion ${cmd}`;
  if (argv.includes("--help")) {
    console.log(formatHelp(`Usage: ${name} [options]\n\n${cmd === "demo" ? "Serves the dashboard and prints the address of its #/demo page, which trains a small CNN on the embedded MNIST digits in your browser (Wasm backend in a Web Worker)." : "Serves the live training dashboard for the runs under --runs (and the studies in --storage): curves, per-layer histograms, confusion matrix, misclassified images, study plots."}`, DASHBOARD_FLAGS));
    return 0;
  }
  const { flags, positional } = parseArgs(name, argv, DASHBOARD_FLAGS);
  if (positional.length > 0) throw new Error(`${name}: unexpected argument '${positional[0]}' (options: --runs, --storage, --port, --host)`);
  const port = flags.port as number;
  if (port < 0 || port > 65535) throw new Error(`${name}: --port must be 0…65535, got ${port}`);
  const host = flags.host as string;
  const warning = hostWarning(host);
  if (warning !== undefined) console.warn(warning);
  const studies = flags.storage === undefined ? undefined : studySourceFromStorage(await openStorage(flags.storage as string));
  let d: Dashboard;
  try {
    d = await startDashboard({ runsDir: flags.runs as string, studies, host, port });
  } catch (e) {
    await studies?.close();
    const code = (e as { code?: string }).code;
    if (code === "EADDRINUSE") throw new Error(`${name}: port ${port} on ${host} is in use (pick another with --port, or --port 0 for any free one)`);
    throw e;
  }
  if (cmd === "demo") console.log(`${name}: ${d.url}#/demo  (trains a CNN in your browser; the dashboard is at ${d.url}; Ctrl-C to stop)`);
  else console.log(`${name}: ${d.url}  (runs: ${flags.runs as string}${studies ? `, studies: ${studies.description}` : ""}; Ctrl-C to stop)`);
  if (!d.bundled) console.warn(`${name}: the front end is not built: run 'npm run build:dashboard'`);
  if (cmd === "demo" && !d.demoBuilt) console.warn(`${name}: the browser build is missing: run 'npm run build'`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await d.close();
  return 0;
}
