/**
 * A study: a named search (space, direction, sampler, pruner, trial budget) stored in a `StudyStorage`
 * that any number of workers share (Optuna's pattern; see storage/types.ts). `Study.open` creates the
 * study or joins an existing one — after checking that what the caller asked for matches what is stored,
 * so a worker never silently runs a different search under the same name.
 */
import { ValueError } from "../core/index.js";
import { searchSpaceFromJSON } from "./space_json.js";
import type { Config, SearchSpace } from "./space.js";
import { GridSampler } from "./samplers/index.js";
import type { Direction, Sampler, Trial } from "./samplers/index.js";
import type { Pruner } from "./pruners/index.js";
import { canonicalJson, makePruner, makeSampler, parsePrunerConfig, parseSamplerConfig } from "./study_config.js";
import type { PrunerConfig, SamplerConfig } from "./study_config.js";
import { StorageError, StudyExistsError } from "./storage/types.js";
import type { Json, StudyRecord, StudyStorage, TrialRecord } from "./storage/types.js";

export interface StudyOptions {
  readonly name: string;
  /** Required to create a study; when joining one, checked against the stored space if given. */
  readonly space?: SearchSpace;
  readonly direction?: Direction;
  readonly sampler?: SamplerConfig;
  readonly pruner?: PrunerConfig;
  /** What a trial runs (e.g. the CLI's job and its fixed options). */
  readonly job?: Json;
  /** Trials the study should have in total; when joining, a different number updates the target. */
  readonly nTrials?: number;
  /** Attempts per trial when workers die (default 3). */
  readonly maxAttempts?: number;
  /** A trial whose heartbeat is older than this has lost its worker (default 60 s). */
  readonly heartbeatTimeoutMs?: number;
}

export const STUDY_DEFAULTS = { direction: "minimize", maxAttempts: 3, heartbeatTimeoutMs: 60_000, sampler: { type: "random", seed: 0 }, pruner: { type: "none" } } as const;

/** The study named does not exist. */
export class StudyNotFoundError extends StorageError {
  override name = "StudyNotFoundError";
}

/** What samplers and pruners see of a stored trial (waiting trials count as running: they will run). */
export function toSamplerTrial(t: TrialRecord): Trial {
  const state = t.state === "waiting" ? "running" : t.state;
  return { config: t.config, state, value: t.value ?? undefined, intermediate: t.intermediate };
}

export class Study {
  readonly storage: StudyStorage;
  readonly record: StudyRecord;
  readonly space: SearchSpace;
  readonly sampler: Sampler;
  readonly pruner: Pruner | null;
  readonly samplerConfig: SamplerConfig;
  readonly prunerConfig: PrunerConfig;

  private constructor(storage: StudyStorage, record: StudyRecord) {
    this.storage = storage;
    this.record = record;
    const where = `study "${record.name}" in ${storage.url}`;
    try {
      this.space = searchSpaceFromJSON(record.space);
      this.samplerConfig = parseSamplerConfig(record.sampler);
      this.prunerConfig = parsePrunerConfig(record.pruner);
      this.sampler = makeSampler(this.samplerConfig, this.space, record.direction);
      this.pruner = makePruner(this.prunerConfig, record.direction);
    } catch (e) {
      throw new ValueError(`${where} has settings this ganglion cannot use: ${(e as Error).message}`);
    }
  }

  get id(): number {
    return this.record.id;
  }
  get name(): string {
    return this.record.name;
  }
  get direction(): Direction {
    return this.record.direction;
  }
  get nTrials(): number {
    return this.record.nTrials;
  }

  /** Loads an existing study; the error lists the studies there are. */
  static async load(storage: StudyStorage, name: string): Promise<Study> {
    const rec = await storage.getStudy(name);
    if (!rec) {
      const names = (await storage.listStudies()).map((s) => s.name);
      throw new StudyNotFoundError(`no study "${name}" in ${storage.url} (studies there: ${names.length ? names.join(", ") : "none"})`);
    }
    return new Study(storage, rec);
  }

  /** Creates a new study; throws StudyExistsError if the name is taken. */
  static async create(storage: StudyStorage, opts: StudyOptions): Promise<Study> {
    if (!opts.space) throw new ValueError(`study "${opts.name}": a new study needs a search space`);
    if (opts.nTrials === undefined) throw new ValueError(`study "${opts.name}": a new study needs a number of trials`);
    const sampler = opts.sampler ?? STUDY_DEFAULTS.sampler;
    const direction = opts.direction ?? STUDY_DEFAULTS.direction;
    // Build sampler and pruner once before storing, so bad settings fail here, not in every worker.
    const s = makeSampler(parseSamplerConfig(sampler), opts.space, direction);
    makePruner(parsePrunerConfig(opts.pruner ?? STUDY_DEFAULTS.pruner), direction);
    const nTrials = s instanceof GridSampler ? Math.min(opts.nTrials, s.size) : opts.nTrials;
    const rec = await storage.createStudy({
      name: opts.name, space: opts.space.toJSON() as Json, direction, sampler: sampler as Json,
      pruner: (opts.pruner ?? STUDY_DEFAULTS.pruner) as Json, job: opts.job ?? null, nTrials,
      maxAttempts: opts.maxAttempts ?? STUDY_DEFAULTS.maxAttempts, heartbeatTimeoutMs: opts.heartbeatTimeoutMs ?? STUDY_DEFAULTS.heartbeatTimeoutMs,
    });
    return new Study(storage, rec);
  }

  /**
   * Joins study `opts.name` if it exists (after checking that every setting given matches the stored one;
   * a different `nTrials` updates the target), else creates it. Two processes that create the same study
   * at once are fine: the loser joins.
   */
  static async open(storage: StudyStorage, opts: StudyOptions): Promise<{ study: Study; created: boolean }> {
    for (let i = 0; i < 2; i++) {
      const rec = await storage.getStudy(opts.name);
      if (rec) return { study: await Study.#join(storage, rec, opts), created: false };
      try {
        return { study: await Study.create(storage, opts), created: true };
      } catch (e) {
        if (!(e instanceof StudyExistsError)) throw e;
      }
    }
    throw new StorageError(`study "${opts.name}": could neither create nor load it in ${storage.url}`);
  }

  static async #join(storage: StudyStorage, rec: StudyRecord, opts: StudyOptions): Promise<Study> {
    const diffs: string[] = [];
    const check = (what: string, asked: Json | undefined, stored: Json): void => {
      if (asked !== undefined && canonicalJson(asked) !== canonicalJson(stored)) {
        diffs.push(`${what}: stored ${JSON.stringify(stored)}, asked for ${JSON.stringify(asked)}`);
      }
    };
    check("search space", opts.space?.toJSON() as Json | undefined, rec.space);
    check("direction", opts.direction, rec.direction);
    check("sampler", opts.sampler as Json | undefined, rec.sampler);
    check("pruner", opts.pruner as Json | undefined, rec.pruner);
    check("job", opts.job, rec.job);
    check("maxAttempts", opts.maxAttempts, rec.maxAttempts);
    check("heartbeatTimeoutMs", opts.heartbeatTimeoutMs, rec.heartbeatTimeoutMs);
    if (diffs.length) {
      throw new ValueError(`study "${rec.name}" in ${storage.url} already exists with different settings (${diffs.join("; ")}): `
        + "leave those options out to join it as it is, or choose a new study name");
    }
    let study = new Study(storage, rec);
    if (opts.nTrials !== undefined && opts.nTrials !== rec.nTrials) {
      const n = study.sampler instanceof GridSampler ? Math.min(opts.nTrials, study.sampler.size) : opts.nTrials;
      await storage.setTrialTarget(rec.id, n);
      study = new Study(storage, { ...rec, nTrials: n });
    }
    return study;
  }

  /** The stored trials, by number. */
  trials(): Promise<TrialRecord[]> {
    return this.storage.trials(this.id);
  }

  /** Adds a configuration to be run by the next free worker (checked against the space). */
  async enqueue(config: Config): Promise<TrialRecord> {
    this.space.validate(config);
    return this.storage.enqueueTrial(this.id, config);
  }

  /** Re-reads the study row (its trial target may have been changed by another process). */
  async refresh(): Promise<Study> {
    return Study.load(this.storage, this.name);
  }
}
