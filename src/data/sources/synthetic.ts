/**
 * Synthetic 2-D classification sets for the first lessons and for fast tests: the CS231n spiral
 * (https://cs231n.github.io/neural-networks-case-study/), Gaussian blobs, XOR and concentric circles.
 * Every random draw comes from the `rng` argument, so a seed fixes the whole set.
 */
import { Rng, ValueError } from "../../core/index.js";
import type { PointSet } from "./types.js";

function checkCount(op: string, name: string, v: number, min: number): void {
  if (!(Number.isInteger(v) && v >= min)) throw new ValueError(`${op}: ${name} must be an integer >= ${min}, got ${v}`);
}

function checkNonNegative(op: string, name: string, v: number): void {
  if (!(Number.isFinite(v) && v >= 0)) throw new ValueError(`${op}: ${name} must be a finite number >= 0, got ${v}`);
}

function classNames(k: number): string[] {
  return Array.from({ length: k }, (_, i) => `class ${i}`);
}

export interface SpiralOptions {
  pointsPerClass?: number;
  classes?: number;
  /** Std of the Gaussian noise added to the angle (radians). */
  noise?: number;
  rng: Rng;
}

/**
 * The CS231n spiral: class j has points r·(sin t, cos t) with r = linspace(0, 1, N) and
 * t = linspace(4j, 4(j+1), N) + noise·randn — not linearly separable, so a linear classifier
 * reaches ~50 % and a 2-layer net ~99 %. Points are in [-1, 1]², ordered by class.
 *
 * @example const { points, labels } = makeSpiral({ rng: new Rng(0) }); // 300 points, 3 classes
 */
export function makeSpiral({ pointsPerClass = 100, classes = 3, noise = 0.2, rng }: SpiralOptions): PointSet {
  checkCount("makeSpiral", "pointsPerClass", pointsPerClass, 1);
  checkCount("makeSpiral", "classes", classes, 1);
  checkNonNegative("makeSpiral", "noise", noise);
  const n = pointsPerClass * classes;
  const points = new Float32Array(n * 2);
  const labels = new Int32Array(n);
  const eps = rng.normal(n);
  const step = pointsPerClass > 1 ? 1 / (pointsPerClass - 1) : 0;
  for (let j = 0; j < classes; j++) {
    for (let i = 0; i < pointsPerClass; i++) {
      const ix = j * pointsPerClass + i;
      const r = i * step;
      const t = 4 * j + 4 * i * step + noise * eps[ix];
      points[2 * ix] = r * Math.sin(t);
      points[2 * ix + 1] = r * Math.cos(t);
      labels[ix] = j;
    }
  }
  return { points, labels, shape: [n, 2], classes: classNames(classes) };
}

export interface BlobsOptions {
  pointsPerClass?: number;
  /** Number of blobs (one per class) when `centers` is not given; centers uniform in [-box, box]². */
  classes?: number;
  centers?: readonly (readonly number[])[];
  /** Std of each blob. */
  std?: number;
  box?: number;
  rng: Rng;
}

/** Isotropic Gaussian blobs (scikit-learn `make_blobs`), one per class, in any dimension of `centers`. */
export function makeBlobs({ pointsPerClass = 100, classes = 3, centers, std = 1, box = 5, rng }: BlobsOptions): PointSet {
  checkCount("makeBlobs", "pointsPerClass", pointsPerClass, 1);
  checkNonNegative("makeBlobs", "std", std);
  const cs = centers ?? Array.from({ length: classes }, () => Array.from(rng.uniform(2, -box, box)));
  if (centers === undefined) checkCount("makeBlobs", "classes", classes, 1);
  const d = cs[0]?.length ?? 0;
  if (cs.length === 0 || d === 0 || cs.some((c) => c.length !== d)) {
    throw new ValueError(`makeBlobs: centers must be a non-empty list of equal-length points, got ${JSON.stringify(centers)}`);
  }
  const n = pointsPerClass * cs.length;
  const points = rng.normal(n * d, 0, std);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = Math.floor(i / pointsPerClass);
    labels[i] = k;
    for (let j = 0; j < d; j++) points[i * d + j] += cs[k][j];
  }
  return { points, labels, shape: [n, d], classes: classNames(cs.length) };
}

export interface XorOptions {
  points?: number;
  /** Std of Gaussian noise added to each coordinate. */
  noise?: number;
  rng: Rng;
}

/**
 * XOR: points uniform in [-1, 1]², label 1 when x·y < 0 (opposite quadrants share a class) — the
 * classic set no linear model separates (Minsky & Papert 1969).
 */
export function makeXor({ points = 200, noise = 0, rng }: XorOptions): PointSet {
  checkCount("makeXor", "points", points, 1);
  checkNonNegative("makeXor", "noise", noise);
  const xy = rng.uniform(points * 2, -1, 1);
  const labels = new Int32Array(points);
  const eps = noise > 0 ? rng.normal(points * 2, 0, noise) : undefined;
  for (let i = 0; i < points; i++) {
    labels[i] = xy[2 * i] * xy[2 * i + 1] < 0 ? 1 : 0;
    if (eps) { xy[2 * i] += eps[2 * i]; xy[2 * i + 1] += eps[2 * i + 1]; }
  }
  return { points: xy, labels, shape: [points, 2], classes: ["same sign", "opposite sign"] };
}

export interface CirclesOptions {
  pointsPerClass?: number;
  /** Radius of the inner circle relative to the outer one (radius 1). */
  factor?: number;
  noise?: number;
  rng: Rng;
}

/** Two concentric circles (scikit-learn `make_circles`): label 0 outer, 1 inner. */
export function makeCircles({ pointsPerClass = 100, factor = 0.5, noise = 0.05, rng }: CirclesOptions): PointSet {
  checkCount("makeCircles", "pointsPerClass", pointsPerClass, 1);
  if (!(factor > 0 && factor < 1)) throw new ValueError(`makeCircles: factor must be in (0, 1), got ${factor}`);
  checkNonNegative("makeCircles", "noise", noise);
  const n = 2 * pointsPerClass;
  const points = new Float32Array(n * 2);
  const labels = new Int32Array(n);
  const angle = rng.uniform(n, 0, 2 * Math.PI);
  const eps = rng.normal(n * 2, 0, noise);
  for (let i = 0; i < n; i++) {
    const k = i < pointsPerClass ? 0 : 1;
    const r = k === 0 ? 1 : factor;
    points[2 * i] = r * Math.cos(angle[i]) + eps[2 * i];
    points[2 * i + 1] = r * Math.sin(angle[i]) + eps[2 * i + 1];
    labels[i] = k;
  }
  return { points, labels, shape: [n, 2], classes: ["outer", "inner"] };
}
