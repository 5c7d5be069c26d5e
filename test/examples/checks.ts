/** What each example must print at `--tiny` size: the claim its guide chapter makes, as regexes. */
import assert from "node:assert/strict";

export interface ExampleCheck {
  readonly name: string;
  /** The claim, in words (the test's name). */
  readonly claim: string;
  readonly args?: readonly string[];
  readonly expect: readonly RegExp[];
  /** Further checks on the whole output. */
  readonly verify?: (out: string) => void;
  readonly maxSeconds: number;
}

/** The numbers of the table row that starts with `label` (after the label). */
export function rowNumbers(out: string, label: string): number[] {
  const line = out.split("\n").find((l) => l.trimStart().startsWith(label));
  assert.ok(line, `no row "${label}" in:\n${out}`);
  return [...line.slice(line.indexOf(label) + label.length).matchAll(/-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/g)].map((m) => Number(m[0]));
}

export const EXAMPLES: readonly ExampleCheck[] = [
  {
    name: "optimizers",
    claim: "on an ill-conditioned quadratic, momentum and adaptive methods beat plain SGD",
    expect: [/SGD needs lr < 2\/κ = 0\.040/],
    verify(out) {
      const last = (label: string): number => rowNumbers(out, label).at(-2) ?? NaN;
      const sgd = last("SGD, lr");
      assert.ok(last("Nesterov 0.9") < sgd, "Nesterov ends lower than SGD");
      assert.ok(last("RMSProp") < sgd && last("AdaGrad") < sgd, "adaptive methods end lower than SGD");
    },
    maxSeconds: 20,
  },
  {
    name: "init-activations",
    claim: "tanh activations collapse with N(0, 0.01²), saturate with N(0, 1); ReLU keeps its scale with He, fades with Xavier",
    expect: [/tanh N\(0,0\.01²\)/, /relu He/],
    verify(out) {
      const ratios = [...out.matchAll(/(small|large|xavier|he): last\/first std ([\d.e+-]+)/g)].map((m) => [m[1], Number(m[2])] as const);
      assert.equal(ratios.length, 8, out);
      const [tanh, relu] = [new Map(ratios.slice(0, 4)), new Map(ratios.slice(4))];
      assert.ok((tanh.get("small") ?? 1) < 1e-3, "tanh + small init collapses");
      assert.ok((tanh.get("large") ?? 0) > 0.9, "tanh + large init stays saturated");
      assert.ok((relu.get("he") ?? 0) > 0.5 && (relu.get("xavier") ?? 1) < 0.3, "ReLU: He keeps the scale, Xavier fades");
    },
    maxSeconds: 20,
  },
  {
    name: "zero-init",
    claim: "zero or constant weights never break symmetry; random init fits the spiral",
    expect: [/zeros\s+1\.099\s+33\.3 %\s+1\s/, /constant 0\.1\s+[\d.]+\s+[\d.]+ %\s+1\s/, /He normal\s+[\d.]+\s+9\d\.\d %\s+100\s/],
    maxSeconds: 20,
  },
  {
    name: "activations",
    claim: "sigmoid stalls in a 5-layer net (vanishing gradient); ReLU reaches 90 % quickly",
    expect: [/sigmoid\s+[\d.]+e-5/],
    verify(out) {
      assert.ok(rowNumbers(out, "sigmoid")[2] < 70, "sigmoid stays far from fitting");
      assert.ok(rowNumbers(out, "ReLU")[2] > 95, "ReLU fits the spiral");
    },
    maxSeconds: 30,
  },
  {
    name: "preprocessing",
    claim: "all-positive inputs make every update same-signed (zig-zag); whitening gives identity covariance",
    expect: [/raw \(all positive\)\s+100 %/, /PCA whitened\s+\S+\s+\[\[1\.000, -?0\.000\], \[-?0\.000, 1\.000\]\]/, /ZCA whitened\s+\S+\s+\[\[1\.000, -?0\.000\], \[-?0\.000, 1\.000\]\]/, /mean 0\.1309, std 0\.3084/],
    verify(out) {
      assert.ok(rowNumbers(out, "zero-centered")[0] < 60, "centered inputs: mixed-sign updates");
    },
    maxSeconds: 20,
  },
];
