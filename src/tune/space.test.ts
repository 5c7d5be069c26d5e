import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng, ValueError } from "../core/index.js";
import { SearchSpace, categorical, int, logUniform, uniform } from "./space.js";
import { parseSearchSpace, searchSpaceFromJSON } from "./space_json.js";

const space = new SearchSpace({
  momentum: uniform(0.5, 0.99, { when: { optimizer: "sgd" } }),
  lr: logUniform(1e-5, 1e-1),
  hidden: int(16, 1024, { log: true }),
  layers: int(1, 4),
  optimizer: categorical(["sgd", "adam"]),
  nesterov: categorical([true, false], { when: { optimizer: "sgd" } }),
});

function throwsValue(fn: () => unknown, pattern: string): void {
  assert.throws(fn, (e: unknown) => e instanceof ValueError && e.message === pattern, pattern);
}

test("parents are ordered before their children; inactive parameters are left out", () => {
  assert.deepEqual(space.names, ["optimizer", "momentum", "lr", "hidden", "layers", "nesterov"]);
  const sgd = space.fromUnit([0.1, 0.5, 0.5, 0.5, 0.5, 0.9]);
  assert.deepEqual(Object.keys(sgd).sort(), ["hidden", "layers", "lr", "momentum", "nesterov", "optimizer"]);
  const adam = space.fromUnit([0.9, 0.5, 0.5, 0.5, 0.5, 0.9]);
  assert.deepEqual(Object.keys(adam).sort(), ["hidden", "layers", "lr", "optimizer"]);
  assert.ok(Number.isNaN(space.toUnit(adam)[1]));
  assert.equal(space.toUnit(adam, 0.5)[1], 0.5);
});

test("unit mapping: log scale for logUniform and log ints, equal mass per integer and choice", () => {
  const lr = space.fromUnit([0, 0, 0.5, 0, 0, 0]).lr as number;
  assert.ok(Math.abs(lr - 1e-3) < 1e-15, "geometric midpoint of [1e-5, 1e-1]");
  const rng = new Rng(7);
  const counts = new Map<number, number>();
  const decades = [0, 0, 0, 0];
  for (let i = 0; i < 20000; i++) {
    const c = space.fromUnit(rng.uniform(6));
    counts.set(c.layers as number, (counts.get(c.layers as number) ?? 0) + 1);
    decades[Math.min(3, Math.floor(Math.log10(c.lr as number) + 5))]++;
    space.validate(c);
    const back = space.fromUnit(space.toUnit(c));
    assert.deepEqual(Object.keys(back), Object.keys(c));
    for (const [k, v] of Object.entries(c)) {
      const discrete = typeof v !== "number" || Number.isInteger(v);
      if (discrete) assert.equal(back[k], v, `fromUnit(toUnit(c)).${k}`);
      else assert.ok(Math.abs((back[k] as number) - v) <= 1e-12 * Math.abs(v), `fromUnit(toUnit(c)).${k}`);
    }
  }
  for (const k of [1, 2, 3, 4]) assert.ok(Math.abs(counts.get(k)! / 20000 - 0.25) < 0.02, `layers=${k}`);
  for (const d of decades) assert.ok(Math.abs(d / 20000 - 0.25) < 0.02, "each decade of lr equally likely");
  assert.equal(space.fromUnit([0, 0, 0, 0, 0, 0]).hidden, 16);
  assert.equal(space.fromUnit([0, 0, 0, 1, 1, 0]).hidden, 1024);
  assert.equal(space.fromUnit([0, 0, 0, 1, 1, 0]).layers, 4);
});

test("validate names the parameter", () => {
  throwsValue(() => space.validate({ optimizer: "adam", lr: 1, hidden: 32, layers: 2 }), 'space: parameter "lr": value 1 is outside the space (logUniform in [0.00001, 0.1])');
  throwsValue(() => space.validate({ optimizer: "adam", lr: 0.01, hidden: 32, layers: 2.5 }), 'space: parameter "layers": value 2.5 is outside the space (integer in [1, 4])');
  throwsValue(() => space.validate({ optimizer: "adam", lr: 0.01, hidden: 32 }), 'space: parameter "layers": missing from config');
  throwsValue(() => space.validate({ optimizer: "adam", lr: 0.01, hidden: 32, layers: 2, momentum: 0.9 }), 'space: parameter "momentum": is inactive (its condition on "optimizer" does not hold) but is set');
  throwsValue(() => space.validate({ optimizer: "adam", lr: 0.01, hidden: 32, layers: 2, lr2: 1 }), 'space: unknown parameter "lr2" in config (parameters: optimizer, momentum, lr, hidden, layers, nesterov)');
});

test("bad spaces from code give clear errors", () => {
  throwsValue(() => new SearchSpace({ lr: uniform(0.1, 0.01) }), 'space: parameter "lr": low must be < high, got low=0.1 high=0.01');
  throwsValue(() => new SearchSpace({ lr: logUniform(0, 1) }), 'space: parameter "lr": logUniform needs low > 0 (a log range), got low=0');
  throwsValue(() => new SearchSpace({ lr: logUniform(-1, 1) }), 'space: parameter "lr": logUniform needs low > 0 (a log range), got low=-1');
  throwsValue(() => new SearchSpace({ n: int(0, 8, { log: true }) }), 'space: parameter "n": int with log: true needs low >= 1 (a log range), got low=0');
  throwsValue(() => new SearchSpace({ act: categorical([]) }), 'space: parameter "act": categorical needs at least one choice, got []');
  throwsValue(() => new SearchSpace({ m: uniform(0, 1, { when: { opt: "sgd" } }) }), 'space: parameter "m": condition refers to unknown parameter "opt" (parameters: m)');
  throwsValue(() => new SearchSpace({ o: categorical(["a"]), m: uniform(0, 1, { when: { o: "b" } }) }), 'space: parameter "m": condition value "b" is not a choice of "o" ("a")');
  throwsValue(() => new SearchSpace({ x: uniform(0, 1), m: uniform(0, 1, { when: { x: 1 } }) }), 'space: parameter "m": condition parent "x" must be categorical, got uniform');
  throwsValue(() => new SearchSpace({ a: categorical([1], { when: { b: 1 } }), b: categorical([1], { when: { a: 1 } }) }), "space: conditions form a cycle: a → b → a");
  throwsValue(() => new SearchSpace({}), "space: needs at least one parameter");
});

test("from JSON, round trip through toJSON, and bad JSON spaces", () => {
  const json = {
    lr: { type: "logUniform", low: 1e-5, high: 0.1 },
    hidden: { type: "int", low: 32, high: 512, log: true },
    optimizer: { type: "categorical", choices: ["sgd", "adam"] },
    momentum: { type: "uniform", low: 0.5, high: 0.99, when: { optimizer: "sgd" } },
  };
  const s = searchSpaceFromJSON(json);
  assert.deepEqual(s.names, ["lr", "hidden", "optimizer", "momentum"]);
  assert.deepEqual(searchSpaceFromJSON(JSON.parse(JSON.stringify(s))).toJSON(), s.toJSON());
  assert.deepEqual(s.toJSON().momentum, json.momentum);
  throwsValue(() => searchSpaceFromJSON({ lr: { type: "logUniform", low: 1e-2, high: 1e-2 } }), 'space: parameter "lr": low must be < high, got low=0.01 high=0.01');
  throwsValue(() => searchSpaceFromJSON({ lr: { type: "normal", low: 0, high: 1 } }), 'space: parameter "lr": unknown type "normal" (expected uniform, logUniform, int, categorical)');
  throwsValue(() => searchSpaceFromJSON({ lr: { low: 0, high: 1 } }), 'space: parameter "lr": unknown type (missing) (expected uniform, logUniform, int, categorical)');
  throwsValue(() => searchSpaceFromJSON({ lr: { type: "uniform", lo: 0, high: 1 } }), 'space: parameter "lr": unknown field "lo" for type uniform (expected type, low, high, when)');
  throwsValue(() => searchSpaceFromJSON({ lr: { type: "uniform", low: "0", high: 1 } }), 'space: parameter "lr": "low" must be a number, got "0"');
  throwsValue(() => searchSpaceFromJSON({ a: { type: "categorical", choices: [] } }), 'space: parameter "a": categorical needs at least one choice, got []');
  throwsValue(() => searchSpaceFromJSON({ a: { type: "categorical", choices: [1, 1] } }), 'space: parameter "a": choices must be distinct, got [1,1]');
  throwsValue(() => searchSpaceFromJSON({ a: { type: "categorical", choices: [{}] } }), 'space: parameter "a": choices must be numbers, strings or booleans, got {}');
  throwsValue(() => searchSpaceFromJSON([1]), "space: expected an object of parameters, got [1]");
  assert.throws(() => parseSearchSpace("{", "space.json"), /space: space.json is not valid JSON/);
});

test("atBoundary flags numeric parameters at an end of their range", () => {
  const s = new SearchSpace({ lr: logUniform(1e-5, 1e-1), reg: uniform(0, 1), act: categorical(["relu"]) });
  assert.deepEqual(s.atBoundary({ lr: 0.09, reg: 0.5, act: "relu" }), ["lr"]);
  assert.deepEqual(s.atBoundary({ lr: 1e-3, reg: 0.001, act: "relu" }), ["reg"]);
});
