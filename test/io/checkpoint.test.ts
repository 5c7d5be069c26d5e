/**
 * Checkpoints: model + optimizer + JSON metadata in one safetensors file, written atomically; resuming
 * from one continues training exactly; truncated or corrupt files fail with a FormatError, never a crash.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as g from "ganglion";
import * as io from "../../src/io/index.node.js";

const tmp = (): string => mkdtempSync(join(tmpdir(), "ganglion-ckpt-"));

function net(seed: number): g.nn.Sequential {
  g.manualSeed(seed);
  return g.nn.sequential(g.nn.linear(4, 8), g.nn.batchNorm1d(8), g.nn.relu(), g.nn.linear(8, 3));
}

/** One Adam step on a fixed batch drawn from `rng`. */
function trainStep(model: g.nn.Module, opt: g.optim.Optimizer<g.optim.AdamOptions>, rng: g.Rng): void {
  g.scope(() => {
    const x = g.randn([6, 4], { rng });
    const y = g.randint(0, 3, [6], { rng });
    g.nn.crossEntropy(model.forward(x), y).backward();
    opt.step();
    opt.zeroGrad();
  });
}

const values = (m: g.nn.Module): Record<string, number[]> =>
  Object.fromEntries(Object.entries(m.stateDict()).map(([k, t]) => [k, Array.from(t.dataSync())]));

test("write, read and resume: continuing from a checkpoint gives the uninterrupted run's weights", async () => {
  const model = net(1);
  const opt = g.optim.adam(model.parameters(), { lr: 0.01 });
  const rng = new g.Rng(7);
  for (let i = 0; i < 3; i++) trainStep(model, opt, rng);

  const dir = join(tmp(), "run", "last");
  const meta = { step: 3, epoch: 0, rng: rng.state, best: Infinity, worst: -Infinity, nan: NaN, loader: { index: 17, order: [3, 1, 2] }, scheduler: { name: "cosine", t: 3 } };
  await io.writeCheckpoint(dir, { model: model.stateDict(), optimizer: opt.stateDict(), meta });
  assert.deepEqual(readdirSync(dir), [io.CHECKPOINT_FILE], "directory form: one file, no temp left");

  // The uninterrupted run continues...
  for (let i = 0; i < 2; i++) trainStep(model, opt, rng);

  // ...and a fresh process resumes from the checkpoint.
  const ck = await io.readCheckpoint(dir);
  assert.deepEqual(ck.meta, meta);
  assert.ok(Number.isNaN(ck.meta.nan) && ck.meta.best === Infinity && ck.meta.worst === -Infinity, "non-finite numbers survive");
  const model2 = net(2);
  const opt2 = g.optim.adam(model2.parameters(), { lr: 0.5 });
  model2.loadStateDict(ck.model);
  assert.ok(ck.optimizer);
  assert.equal(ck.optimizer.name, opt.name);
  assert.equal(ck.optimizer.state[0].step, 3, "numeric optimizer state is kept");
  opt2.loadStateDict(ck.optimizer as unknown as g.optim.OptimizerStateDict<g.optim.AdamOptions>);
  assert.equal(opt2.groups[0].options.lr, 0.01, "optimizer options come back");
  for (const t of Object.values(ck.model)) t.dispose();
  for (const st of Object.values(ck.optimizer.state)) for (const v of Object.values(st)) if (typeof v !== "number") v.dispose();
  const rng2 = g.Rng.fromState(ck.meta.rng as unknown as g.RngState);
  for (let i = 0; i < 2; i++) trainStep(model2, opt2, rng2);

  assert.deepEqual(values(model2), values(model));
});

test("file form, sync variants, and overwriting an existing checkpoint", () => {
  const d = tmp();
  const path = join(d, "ck.safetensors");
  const model = net(3);
  io.writeCheckpointSync(path, { model: model.stateDict(), meta: { step: 1 } });
  io.writeCheckpointSync(path, { model: model.stateDict(), meta: { step: 2 } });
  assert.deepEqual(readdirSync(d), ["ck.safetensors"]);
  const ck = io.readCheckpointSync(path);
  assert.deepEqual(ck.meta, { step: 2 });
  assert.equal(ck.optimizer, undefined);
  assert.deepEqual(Object.keys(ck.model).sort(), Object.keys(model.stateDict()).sort());
  // The file is plain safetensors: the model part is readable by any safetensors reader.
  const raw = io.parseSafetensors(readFileSync(path));
  assert.ok("model.0.weight" in raw.tensors);
  assert.equal(raw.metadata.format, io.CHECKPOINT_FORMAT);
});

test("a failed write leaves the previous checkpoint untouched and no temp file", async () => {
  const d = tmp();
  const path = join(d, "ck.safetensors");
  const model = net(4);
  await io.writeCheckpoint(path, { model: model.stateDict(), meta: { step: 1 } });
  const before = readFileSync(path);
  await assert.rejects(io.writeCheckpoint(path, { model: model.stateDict(), meta: { step: 2n } }), /writeCheckpoint: meta: \$\.step is a bigint/);
  await assert.rejects(io.writeCheckpoint(path, { model: model.stateDict(), meta: { when: new Date(0) } }), /\$\.when is a Date; expected plain JSON data/);
  assert.deepEqual(readFileSync(path), before);
  assert.deepEqual(readdirSync(d), ["ck.safetensors"]);
});

/** A small checkpoint with optimizer state, as bytes. */
async function checkpointBytes(): Promise<{ bytes: Uint8Array; path: string }> {
  const model = net(5);
  const opt = g.optim.adam(model.parameters());
  trainStep(model, opt, new g.Rng(1));
  const path = join(tmp(), "ck.safetensors");
  await io.writeCheckpoint(path, { model: model.stateDict(), optimizer: opt.stateDict(), meta: { step: 1 } });
  return { bytes: readFileSync(path), path };
}

test("every truncation of a checkpoint gives a FormatError (no crash deep inside); nothing leaks", async () => {
  const { bytes, path } = await checkpointBytes();
  const live = g.memory().liveTensors;
  for (let len = 0; len < bytes.length; len++) {
    assert.throws(
      () => {
        const { tensors, metadata } = io.parseSafetensors(bytes.subarray(0, len), { source: "ck" });
        io.unpackCheckpoint(tensors, metadata, "ck");
      },
      (e: unknown) => e instanceof g.FormatError && /^ck: byte \d+: /.test(e.message),
      `truncated to ${len} bytes`,
    );
  }
  assert.equal(g.memory().liveTensors, live);
  // The message a user sees for a checkpoint cut off in its data section:
  writeFileSync(path, bytes.subarray(0, bytes.length - 10));
  await assert.rejects(io.readCheckpoint(path), (e: unknown) => {
    assert.ok(e instanceof g.FormatError);
    assert.match(e.message, new RegExp(`^${path}: byte \\d+: tensor '.*' data_offsets \\[\\d+, \\d+\\] out of range: .*the file may be truncated`));
    return true;
  });
});

test("corrupting any header byte gives a FormatError or a valid checkpoint, never another error", async () => {
  const { bytes } = await checkpointBytes();
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const live = g.memory().liveTensors;
  let failures = 0;
  for (let i = 0; i < 8 + n; i++) {
    for (const v of [0x22, 0x39]) { // a quote breaks the JSON structure, a digit changes numbers (offsets, shapes)
      if (bytes[i] === v) continue;
      const bad = new Uint8Array(bytes);
      bad[i] = v;
      try {
        const { tensors, metadata } = io.parseSafetensors(bad);
        const ck = io.unpackCheckpoint(tensors, metadata);
        for (const t of Object.values(ck.model)) t.dispose();
        for (const st of Object.values(ck.optimizer?.state ?? {})) for (const x of Object.values(st)) if (typeof x !== "number") x.dispose();
      } catch (e) {
        assert.ok(e instanceof g.FormatError, `byte ${i} = ${v}: ${String(e)}`);
        failures++;
      }
    }
  }
  assert.ok(failures > 0);
  assert.equal(g.memory().liveTensors, live);
});

test("reading a plain state dict or bad metadata as a checkpoint says what is wrong", async () => {
  const d = tmp();
  const plain = join(d, "weights.safetensors");
  await io.saveStateDict(net(6), plain);
  await assert.rejects(io.readCheckpoint(plain), /__metadata__\.format is null, expected "ganglion\.checkpoint" \(a plain state dict\? load it with loadStateDictFile\)/);

  const x = { "model.w": g.tensor([1]) };
  const meta = (m: Record<string, string>): Uint8Array => io.serializeSafetensors(x, { format: io.CHECKPOINT_FORMAT, format_version: "1", ...m });
  const read = (b: Uint8Array) => (): unknown => { const r = io.parseSafetensors(b, { source: "c" }); return io.unpackCheckpoint(r.tensors, r.metadata, "c"); };
  assert.throws(read(meta({ meta: "{oops" })), /^FormatError: c: __metadata__\.meta: expected JSON text, it does not parse/);
  assert.throws(read(meta({ meta: "[1]" })), /c: __metadata__\.meta: expected a JSON object/);
  assert.throws(read(meta({ meta: "{}", format_version: "9" })), /format_version is "9", expected "1"/);
  assert.throws(read(meta({ meta: "{}", optim: '{"name":"adam","groups":3}' })), /__metadata__\.optim: expected \{name: string, groups: object\[\], scalars: object\}/);
  assert.throws(read(io.serializeSafetensors({ ...x, stray: g.tensor([2]) }, { format: io.CHECKPOINT_FORMAT, format_version: "1", meta: "{}" })), /c: tensor 'stray': expected a key starting with "model\."/);
  assert.equal(existsSync(join(d, "weights.safetensors")), true);
});
