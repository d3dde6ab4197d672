/**
 * The TensorFlow Playground's four classification datasets, seeded, plus its input features and
 * a seeded train/test split. Written from the Playground's generator (tensorflow/playground,
 * src/dataset.ts) so the same settings give data with the same shape and noise behaviour.
 *
 * Two kinds of noise, as in the Playground:
 * - circle and xor keep the points where they are and decide the LABEL from a jittered copy of
 *   the point, so noise flips labels near the boundary;
 * - gauss widens the clouds, and spiral moves the points themselves.
 * The Playground's UI slider 0..50 is `noise` 0..0.5 here (`noise = slider / 100`).
 */
import { Tensor2D, tensor2d, type Tensor2DLike } from '../tensor.js';

/** The four dataset kinds. */
export const playgroundKinds = ['circle', 'xor', 'gauss', 'spiral'] as const;
export type PlaygroundKind = (typeof playgroundKinds)[number];

/** The Playground's seven input features. */
export const featureNames = ['x1', 'x2', 'x1Squared', 'x2Squared', 'x1x2', 'sinX1', 'sinX2'] as const;
export type FeatureName = (typeof featureNames)[number];

export interface PlaygroundOptions {
  /** Number of points, a positive integer (default 500, the Playground's). */
  n?: number;
  /** 0..1; the Playground's slider value / 100 (default 0). */
  noise?: number;
  /** Integer seed of the generator (default 1). The same seed gives the same data. */
  seed?: number;
  /** 'binary' labels are 0/1 (default; for sigmoid + binaryCrossentropy), 'signed' are −1/+1 as in the Playground. */
  labels?: 'binary' | 'signed';
}

export interface PlaygroundData {
  /** [n, 2] coordinates (x1, x2). */
  x: Tensor2D;
  /** [n, 1] class labels: 0/1, or −1/+1 with `labels: 'signed'`. */
  y: Tensor2D;
}

export interface SplitOptions {
  /** Fraction of rows that go to the test set, strictly between 0 and 1 (default 0.5, the Playground's 50%). */
  testRatio?: number;
  /** Integer seed of the shuffle (default 1). */
  seed?: number;
}

export interface TrainTestSplit {
  xTrain: Tensor2D;
  yTrain: Tensor2D;
  xTest: Tensor2D;
  yTest: Tensor2D;
}

// ---- random numbers ------------------------------------------------------------------------------

/** mulberry32: a tiny 32-bit PRNG, plenty for data generation. Returns floats in [0, 1). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Rng {
  uniform(a: number, b: number): number;
  /** A normal sample with the given mean and VARIANCE (the Playground's parameterisation). */
  normal(mean: number, variance: number): number;
  /** An integer in [0, k). */
  index(k: number): number;
}

function makeRng(seed: number): Rng {
  const next = mulberry32(seed);
  return {
    uniform: (a, b) => a + (b - a) * next(),
    normal: (mean, variance) => {
      // Box–Muller; 1 − u keeps the log argument in (0, 1].
      const u1 = 1 - next();
      const u2 = next();
      return mean + Math.sqrt(variance) * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    },
    index: (k) => Math.floor(next() * k),
  };
}

/** Fisher–Yates permutation of 0..n−1. */
function permutation(n: number, rng: Rng): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.index(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

// ---- the generators (labels ±1, as the Playground) ----------------------------------------------

type Point = [x1: number, x2: number, label: 1 | -1];

/** Half the points go to the first class (the extra one when n is odd). */
function halves(n: number): [number, number] {
  const first = Math.ceil(n / 2);
  return [first, n - first];
}

/** Inner disc (r < 2.5, label +1) and outer ring (3.5 ≤ r < 5, label −1); noise jitters only the point used for the label. */
function circle(n: number, noise: number, rng: Rng): Point[] {
  const radius = 5;
  const points: Point[] = [];
  const labelOf = (x: number, y: number): 1 | -1 => (Math.hypot(x, y) < radius * 0.5 ? 1 : -1);
  const ring = (count: number, rMin: number, rMax: number) => {
    for (let i = 0; i < count; i++) {
      const r = rng.uniform(rMin, rMax);
      const angle = rng.uniform(0, 2 * Math.PI);
      const x = r * Math.sin(angle);
      const y = r * Math.cos(angle);
      const jx = rng.uniform(-radius, radius) * noise;
      const jy = rng.uniform(-radius, radius) * noise;
      points.push([x, y, labelOf(x + jx, y + jy)]);
    }
  };
  const [inner, outer] = halves(n);
  ring(inner, 0, radius * 0.5);
  ring(outer, radius * 0.7, radius);
  return points;
}

/** Uniform in [−5, 5]², pushed 0.3 away from both axes; label +1 when x·y ≥ 0 (of the jittered point). */
function xor(n: number, noise: number, rng: Rng): Point[] {
  const padding = 0.3;
  const points: Point[] = [];
  for (let i = 0; i < n; i++) {
    let x = rng.uniform(-5, 5);
    x += x > 0 ? padding : -padding;
    let y = rng.uniform(-5, 5);
    y += y > 0 ? padding : -padding;
    const jx = rng.uniform(-5, 5) * noise;
    const jy = rng.uniform(-5, 5) * noise;
    points.push([x, y, (x + jx) * (y + jy) >= 0 ? 1 : -1]);
  }
  return points;
}

/**
 * Two gaussian clouds, +1 around (2, 2) and −1 around (−2, −2). Per-coordinate variance grows
 * linearly with noise: 0.5 at noise 0, 4 at noise 0.5 (the slider's end), 7.5 at noise 1.
 * Points are not clipped, so with much noise a few fall outside [−6, 6] (as in the Playground).
 */
function gauss(n: number, noise: number, rng: Rng): Point[] {
  const variance = 0.5 + 7 * noise;
  const points: Point[] = [];
  const cloud = (count: number, c: number, label: 1 | -1) => {
    for (let i = 0; i < count; i++) points.push([rng.normal(c, variance), rng.normal(c, variance), label]);
  };
  const [pos, neg] = halves(n);
  cloud(pos, 2, 1);
  cloud(neg, -2, -1);
  return points;
}

/** Two interleaved spirals (1.75 turns, radius 0 → 5), the second rotated by π; noise moves each point by up to ±noise. */
function spiral(n: number, noise: number, rng: Rng): Point[] {
  const points: Point[] = [];
  const arm = (count: number, deltaT: number, label: 1 | -1) => {
    for (let i = 0; i < count; i++) {
      const r = (i / count) * 5;
      const t = ((1.75 * i) / count) * 2 * Math.PI + deltaT;
      const x = r * Math.sin(t) + rng.uniform(-1, 1) * noise;
      const y = r * Math.cos(t) + rng.uniform(-1, 1) * noise;
      points.push([x, y, label]);
    }
  };
  const [pos, neg] = halves(n);
  arm(pos, 0, 1);
  arm(neg, Math.PI, -1);
  return points;
}

const generators: Record<PlaygroundKind, (n: number, noise: number, rng: Rng) => Point[]> = { circle, xor, gauss, spiral };

// ---- validation ----------------------------------------------------------------------------------

function checkKeys(where: string, options: object, allowed: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new Error(`${where}: unknown option '${key}'; valid options are ${allowed.join(', ')}`);
  }
}

function checkSeed(where: string, seed: unknown): number {
  if (typeof seed !== 'number' || !Number.isInteger(seed)) throw new Error(`${where}: seed must be an integer, got ${String(seed)}`);
  return seed;
}

function asTensor(where: string, what: string, v: Tensor2DLike | readonly number[]): Tensor2D {
  if (v instanceof Tensor2D) return v;
  const items = v as readonly unknown[];
  if (Array.isArray(items) && items.length > 0 && typeof items[0] === 'number') {
    return tensor2d((items as readonly number[]).map((c) => [c])); // plain labels → one column
  }
  try {
    return tensor2d(v as number[][]);
  } catch (e) {
    throw new Error(`${where}: ${what} must be a Tensor2D or number[][]: ${(e as Error).message}`);
  }
}

// ---- public API ----------------------------------------------------------------------------------

/**
 * Generate one of the TensorFlow Playground's classification datasets.
 *
 * Rows come out shuffled (seeded), as the Playground shuffles before it splits; half the points
 * (rounded up) are generated for the +1 class. With noise, circle and xor labels near the boundary
 * may flip, so the classes need not stay exactly balanced.
 *
 * @param kind 'circle' | 'xor' | 'gauss' | 'spiral'
 * @param options `{ n = 500, noise = 0, seed = 1, labels = 'binary' }`; noise is the Playground
 *   slider / 100 and must lie in [0, 1].
 * @returns `{ x: [n, 2], y: [n, 1] }`, y in {0, 1} (or {−1, +1} with `labels: 'signed'`).
 * @throws Error for an unknown kind (naming the valid ones), a non-positive or fractional n,
 *   noise outside [0, 1], a fractional seed or an unknown option.
 *
 * @example
 * const { x, y } = playground('xor', { n: 400, noise: 0.1, seed: 7 });
 */
export function playground(kind: PlaygroundKind, options: PlaygroundOptions = {}): PlaygroundData {
  const where = 'datasets.playground';
  if (!(playgroundKinds as readonly string[]).includes(kind as string)) {
    throw new Error(`${where}: unknown kind '${String(kind)}'; valid kinds are ${playgroundKinds.join(', ')}`);
  }
  checkKeys(where, options, ['n', 'noise', 'seed', 'labels']);
  const { n = 500, noise = 0, seed = 1, labels = 'binary' } = options;
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) throw new Error(`${where}: n must be a positive integer, got ${String(n)}`);
  if (typeof noise !== 'number' || !(noise >= 0 && noise <= 1)) {
    throw new Error(`${where}: noise must be a number in [0, 1] (the Playground's slider value / 100), got ${String(noise)}`);
  }
  checkSeed(where, seed);
  if (labels !== 'binary' && labels !== 'signed') throw new Error(`${where}: labels must be 'binary' or 'signed', got ${String(labels)}`);

  const rng = makeRng(seed);
  const points = generators[kind](n, noise, rng);
  const order = permutation(n, rng);
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n);
  const negative = labels === 'signed' ? -1 : 0;
  for (let i = 0; i < n; i++) {
    const [x1, x2, label] = points[order[i]!]!;
    x[2 * i] = x1;
    x[2 * i + 1] = x2;
    y[i] = label === 1 ? 1 : negative;
  }
  return { x: new Tensor2D(x, [n, 2]), y: new Tensor2D(y, [n, 1]) };
}

const featureFns: Record<FeatureName, (x1: number, x2: number) => number> = {
  x1: (x1) => x1,
  x2: (_x1, x2) => x2,
  x1Squared: (x1) => x1 * x1,
  x2Squared: (_x1, x2) => x2 * x2,
  x1x2: (x1, x2) => x1 * x2,
  sinX1: (x1) => Math.sin(x1),
  sinX2: (_x1, x2) => Math.sin(x2),
};

/**
 * Map Playground points [n, 2] to the chosen input features, one column per name, in the given
 * order: 'x1', 'x2', 'x1Squared', 'x2Squared', 'x1x2', 'sinX1', 'sinX2'.
 *
 * @example
 * playgroundFeatures(x, ['x1Squared', 'x2Squared']); // the circle becomes linearly separable
 * @throws Error when x is not [n, 2], names is empty, or a name is unknown (listing the valid ones).
 */
export function playgroundFeatures(x: Tensor2DLike, names: readonly FeatureName[]): Tensor2D {
  const where = 'datasets.playgroundFeatures';
  const t = asTensor(where, 'x', x);
  if (t.shape[1] !== 2) throw new Error(`${where}: x must have 2 columns (x1, x2), got shape [${t.shape.join(', ')}]`);
  if (!Array.isArray(names) || names.length === 0) {
    throw new Error(`${where}: names must be a non-empty array of feature names: ${featureNames.join(', ')}`);
  }
  const fns = names.map((name: FeatureName) => {
    if (!(featureNames as readonly string[]).includes(name)) {
      throw new Error(`${where}: unknown feature '${String(name)}'; valid features are ${featureNames.join(', ')}`);
    }
    return featureFns[name];
  });
  const rows = t.shape[0];
  const cols = fns.length;
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const x1 = t.data[2 * r]!;
    const x2 = t.data[2 * r + 1]!;
    for (let c = 0; c < cols; c++) out[r * cols + c] = fns[c]!(x1, x2);
  }
  return new Tensor2D(out, [rows, cols]);
}

/**
 * Shuffle rows (seeded) and split them into a training and a test set; x and y rows stay paired.
 * The test set gets round(n · testRatio) rows; both sets must end up non-empty.
 *
 * @param x features [n, d]
 * @param y targets [n, k]; a plain number[] (e.g. class ids) is taken as one column
 * @param options `{ testRatio = 0.5, seed = 1 }`
 * @throws Error when row counts differ, testRatio is not in (0, 1), or a set would be empty.
 */
export function splitTrainTest(x: Tensor2DLike, y: Tensor2DLike | readonly number[], options: SplitOptions = {}): TrainTestSplit {
  const where = 'datasets.splitTrainTest';
  checkKeys(where, options, ['testRatio', 'seed']);
  const { testRatio = 0.5, seed = 1 } = options;
  if (typeof testRatio !== 'number' || !(testRatio > 0 && testRatio < 1)) {
    throw new Error(`${where}: testRatio must be a number strictly between 0 and 1, got ${String(testRatio)}`);
  }
  checkSeed(where, seed);
  const xs = asTensor(where, 'x', x);
  const ys = asTensor(where, 'y', y);
  const n = xs.shape[0];
  if (ys.shape[0] !== n) throw new Error(`${where}: x has ${n} rows but y has ${ys.shape[0]}; they must match`);
  const nTest = Math.round(n * testRatio);
  const nTrain = n - nTest;
  if (nTest === 0 || nTrain === 0) {
    throw new Error(`${where}: testRatio ${testRatio} of ${n} rows leaves an empty ${nTest === 0 ? 'test' : 'training'} set; use more rows or another ratio`);
  }
  const order = permutation(n, makeRng(seed));
  const take = (t: Tensor2D, from: number, count: number): Tensor2D => {
    const cols = t.shape[1];
    const out = new Float32Array(count * cols);
    for (let i = 0; i < count; i++) out.set(t.row(order[from + i]!), i * cols);
    return new Tensor2D(out, [count, cols]);
  };
  return {
    xTrain: take(xs, 0, nTrain),
    yTrain: take(ys, 0, nTrain),
    xTest: take(xs, nTrain, nTest),
    yTest: take(ys, nTrain, nTest),
  };
}
