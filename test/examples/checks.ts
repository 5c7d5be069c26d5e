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
    claim: "all-positive inputs never give a mixed-sign update (zig-zag); whitening gives identity covariance",
    expect: [/raw \(all positive\)\s+0 %/, /PCA whitened.*\[\[1\.000, -?0\.000\], \[-?0\.000, 1\.000\]\]/, /ZCA whitened.*\[\[1\.000, -?0\.000\], \[-?0\.000, 1\.000\]\]/, /0\.1309, 0\.3084 after scaling to \[0, 1\]/],
    verify(out) {
      assert.ok(rowNumbers(out, "zero-centered")[0] > 30, "centered inputs: many mixed-sign updates");
    },
    maxSeconds: 20,
  },
  {
    name: "batchnorm",
    claim: "with a too-small init only the BN net trains; in eval mode BN uses the running statistics",
    expect: [/after BN mean -?0\.0\d\d, std 0\.9\d\d/],
    verify(out) {
      assert.ok(rowNumbers(out, "no BN, init N(0, 0.01²)").at(-2)! < 20, "no BN + small init stays at chance");
      assert.ok(rowNumbers(out, "BN, init N(0, 0.01²)").at(-2)! > 50, "BN + small init learns");
      const m = /γ\(x − mean\)\/√\(var \+ ε\) \+ β = (-?[\d.]+) for the first example; BN's output (-?[\d.]+)/.exec(out);
      assert.ok(m && Math.abs(Number(m[1]) - Number(m[2])) < 2e-3, "eval-mode BN = running-statistics formula");
    },
    maxSeconds: 30,
  },
  {
    name: "adam-bias-correction",
    claim: "without bias correction Adam's first update is 3.16× lr; optim.adam's measured steps are lr",
    expect: [/^\s+1\s+1\.000\s+1\.000\s+3\.162/m, /^\s+10\s+1\.000\s+1\.000\s+6\.528/m],
    maxSeconds: 20,
  },
  {
    name: "schedules",
    claim: "schedules are pure step → lr functions; one-cycle warms up from max/25",
    expect: [/one-cycle\s+0\.00400/, /step ×0\.1 every 40 %\s+0\.100/],
    maxSeconds: 30,
  },
  {
    name: "regularization",
    claim: "dropout keeps the expected activation; regularizers shrink the train–test gap",
    expect: [/each scaled to 2 \(= 1\/\(1 − p\)\)/, /eval mode: mean 1\.0000, max 1/],
    verify(out) {
      const gap = (label: string): number => rowNumbers(out, label)[2];
      assert.ok(gap("dropout 0.5") < gap("none") && gap("augmentation (shifts)") < gap("none"), "dropout and augmentation shrink the gap");
    },
    maxSeconds: 45,
  },
  {
    name: "search",
    claim: "9 random trials try 9 values of the important parameter, a 3×3 grid only 3",
    expect: [/grid 3×3\s+3\s/, /random\s+9\s/],
    verify(out) {
      assert.ok(rowNumbers(out, "random")[2] < rowNumbers(out, "grid 3×3")[2], "random's mean best beats grid's");
    },
    maxSeconds: 30,
  },
  {
    name: "babysit",
    claim: "a healthy setup passes the babysitter's checks; lr 10 fails overfit and the LR range test",
    expect: [/AdamW lr 0\.003: (PASS|WARN)/, /AdamW lr 10: FAIL/, /initial-loss\s+PASS/, /gradcheck\s+PASS/, /overfit-tiny-subset\s+FAIL/, /lr-range\s+FAIL/],
    maxSeconds: 60,
  },
  {
    name: "ensembles",
    claim: "averaging probabilities gives an NLL below the members' mean (Jensen), for both ensembles",
    expect: [/ensemble of 3 \(mean probabilities\)/, /ensemble of the last 3/],
    verify(out) {
      const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
      const members = [1, 2, 3].map((i) => rowNumbers(out, `member ${i}`).at(-1) ?? NaN);
      assert.ok((rowNumbers(out, "ensemble of 3").at(-1) ?? NaN) <= mean(members), "independent ensemble NLL <= members' mean");
      const snaps = [1, 2, 3].map((i) => rowNumbers(out, `snapshot ${i}`).at(-1) ?? NaN);
      assert.ok((rowNumbers(out, "ensemble of the last 3").at(-1) ?? NaN) <= mean(snaps), "snapshot ensemble NLL <= snapshots' mean");
    },
    maxSeconds: 60,
  },
  {
    name: "transfer",
    claim: "a pretrained backbone with a new head learns digits 5–9 from 100 examples",
    expect: [/\(b\) frozen backbone/, /\(c\) then fine-tuned/, /freeze the backbone/],
    verify(out) {
      assert.ok(rowNumbers(out, "(b) frozen backbone")[1] > 60, "the frozen features are useful");
    },
    maxSeconds: 45,
  },
  {
    name: "cnn-layers",
    claim: "(W − F + 2P)/S + 1 matches the real layers; three 3×3 convs see 7×7 with fewer parameters",
    expect: [/32×32×10\s+760/, /55×55×96\s+34944/, /receptive field 3 → 5 → 7, 110,784 parameters/, /receptive field 7, 200,768 parameters/, /Total params:\s+455,114/],
    maxSeconds: 20,
  },
  {
    name: "architectures",
    claim: "zoo models have the papers' parameter counts; a zero-γ residual block is the identity",
    expect: [/LeNet-5\s+1×28×28\s+61,706/, /ResNet-20 \(CIFAR\)\s+3×32×32\s+269,722/, /the block is the identity/],
    maxSeconds: 20,
  },
];
