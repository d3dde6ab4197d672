import { describe, expect, it } from 'vitest';
import { datasets, featureNames, playground, playgroundFeatures, playgroundKinds, splitTrainTest } from '../src/datasets/index.js';
import { Tensor2D } from '../src/tensor.js';

/** Rows as [x1, x2, label]. */
function rows(d: { x: Tensor2D; y: Tensor2D }): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  for (let i = 0; i < d.x.shape[0]; i++) out.push([d.x.data[2 * i]!, d.x.data[2 * i + 1]!, d.y.data[i]!]);
  return out;
}
const count = (ys: Float32Array, v: number) => ys.reduce((c, y) => c + (y === v ? 1 : 0), 0);
const mean = (vs: number[]) => vs.reduce((a, b) => a + b, 0) / vs.length;
const variance = (vs: number[]) => {
  const m = mean(vs);
  return vs.reduce((a, v) => a + (v - m) ** 2, 0) / vs.length;
};
const F32_EPS = 1e-5;

describe('datasets.playground: shapes, labels, determinism', () => {
  it.each(playgroundKinds.map((k) => [k]))('%s: [n,2] / [n,1], default n = 500, labels 0/1, finite', (kind) => {
    const d = playground(kind);
    expect(d.x).toBeInstanceOf(Tensor2D);
    expect(d.x.shape).toEqual([500, 2]);
    expect(d.y.shape).toEqual([500, 1]);
    expect(d.x.data.every(Number.isFinite)).toBe(true);
    expect(d.y.data.every((v) => v === 0 || v === 1)).toBe(true);
  });

  it.each(playgroundKinds.map((k) => [k]))('%s: same seed → identical data; another seed → different', (kind) => {
    const a = playground(kind, { n: 200, noise: 0.2, seed: 42 });
    const b = playground(kind, { n: 200, noise: 0.2, seed: 42 });
    const c = playground(kind, { n: 200, noise: 0.2, seed: 43 });
    expect(Array.from(a.x.data)).toEqual(Array.from(b.x.data));
    expect(Array.from(a.y.data)).toEqual(Array.from(b.y.data));
    expect(Array.from(a.x.data)).not.toEqual(Array.from(c.x.data));
  });

  it.each(playgroundKinds.map((k) => [k]))("%s: labels 'signed' gives the same points with −1/+1", (kind) => {
    const b = playground(kind, { n: 120, noise: 0.3, seed: 5 });
    const s = playground(kind, { n: 120, noise: 0.3, seed: 5, labels: 'signed' });
    expect(Array.from(s.x.data)).toEqual(Array.from(b.x.data));
    expect(Array.from(s.y.data)).toEqual(Array.from(b.y.data).map((v) => 2 * v - 1));
  });

  it('rows are shuffled (classes are not in two blocks)', () => {
    const { y } = playground('gauss', { n: 100, seed: 3 });
    const firstHalfOnes = count(y.data.subarray(0, 50), 1);
    expect(firstHalfOnes).toBeGreaterThan(10);
    expect(firstHalfOnes).toBeLessThan(40);
  });

  it('odd n gives exactly n rows, the extra one in the +1 class', () => {
    const d = playground('circle', { n: 5, seed: 2 });
    expect(d.x.shape).toEqual([5, 2]);
    expect(count(d.y.data, 1)).toBe(3);
    expect(playground('spiral', { n: 1 }).x.shape).toEqual([1, 2]);
  });
});

describe('datasets.playground: geometry without noise', () => {
  it('circle: class 1 is the disc r < 2.5, class 0 the ring 3.5 ≤ r ≤ 5, exactly half each', () => {
    const d = playground('circle', { n: 600, seed: 11 });
    expect(count(d.y.data, 1)).toBe(300);
    expect(count(d.y.data, 0)).toBe(300);
    let maxInner = 0;
    let minOuter = Infinity;
    for (const [x1, x2, label] of rows(d)) {
      const r = Math.hypot(x1, x2);
      if (label === 1) maxInner = Math.max(maxInner, r);
      else minOuter = Math.min(minOuter, r);
      expect(r).toBeLessThanOrEqual(5 + F32_EPS);
    }
    expect(maxInner).toBeLessThan(2.5 + F32_EPS);
    expect(maxInner).toBeGreaterThan(2.3); // the disc is filled out to its edge
    expect(minOuter).toBeGreaterThanOrEqual(3.5 - F32_EPS);
    expect(minOuter).toBeLessThan(3.7);
  });

  it('xor: label 1 exactly in quadrants I and III, points 0.3..5.3 from the axes, quadrants about equally full', () => {
    const d = playground('xor', { n: 2000, seed: 4 });
    const quadrants = [0, 0, 0, 0];
    for (const [x1, x2, label] of rows(d)) {
      expect(label).toBe(x1 * x2 > 0 ? 1 : 0);
      for (const v of [x1, x2]) {
        expect(Math.abs(v)).toBeGreaterThanOrEqual(0.3 - F32_EPS);
        expect(Math.abs(v)).toBeLessThanOrEqual(5.3 + F32_EPS);
      }
      quadrants[(x1 > 0 ? 0 : 1) + (x2 > 0 ? 0 : 2)]!++;
    }
    for (const q of quadrants) expect(Math.abs(q - 500)).toBeLessThan(80);
    expect(Math.abs(count(d.y.data, 1) - 1000)).toBeLessThan(100);
  });

  it('gauss: class 1 centred on (2, 2), class 0 on (−2, −2), variance 0.5 per coordinate', () => {
    const d = playground('gauss', { n: 4000, seed: 9 });
    expect(count(d.y.data, 1)).toBe(2000);
    for (const [label, c] of [[1, 2], [0, -2]] as const) {
      const pts = rows(d).filter((r) => r[2] === label);
      const xs = pts.map((p) => p[0]);
      const ys = pts.map((p) => p[1]);
      expect(mean(xs)).toBeCloseTo(c, 1);
      expect(mean(ys)).toBeCloseTo(c, 1);
      expect(Math.abs(variance(xs) - 0.5)).toBeLessThan(0.05);
      expect(Math.abs(variance(ys) - 0.5)).toBeLessThan(0.05);
    }
  });

  it('gauss: noise widens the clouds (variance 0.5 + 7·noise, i.e. 4 at the slider end 0.5)', () => {
    const d = playground('gauss', { n: 4000, seed: 9, noise: 0.5 });
    const xs = rows(d).filter((r) => r[2] === 1).map((p) => p[0]);
    expect(Math.abs(variance(xs) - 4)).toBeLessThan(0.4);
    expect(mean(xs)).toBeCloseTo(2, 0);
  });

  it('spiral: two arms of 1.75 turns out to r = 5, the second rotated by π', () => {
    const d = playground('spiral', { n: 400, seed: 1 });
    expect(count(d.y.data, 1)).toBe(200);
    let maxR = 0;
    for (const [x1, x2, label] of rows(d)) {
      const r = Math.hypot(x1, x2);
      maxR = Math.max(maxR, r);
      if (r < 1e-6) continue;
      // x = r·sin t, y = r·cos t with t = 1.75·2π·(r/5) (+π for the second arm)
      const expected = 1.75 * 2 * Math.PI * (r / 5) + (label === 1 ? 0 : Math.PI);
      const diff = Math.atan2(x1, x2) - expected;
      const wrapped = Math.atan2(Math.sin(diff), Math.cos(diff));
      expect(Math.abs(wrapped)).toBeLessThan(1e-4);
    }
    expect(maxR).toBeLessThan(5);
    expect(maxR).toBeGreaterThan(4.9);
  });
});

describe('datasets.playground: noise', () => {
  it('circle and xor: noise keeps the points and flips some labels near the boundary', () => {
    for (const kind of ['circle', 'xor'] as const) {
      const clean = playground(kind, { n: 500, seed: 21 });
      const noisy = playground(kind, { n: 500, seed: 21, noise: 0.5 });
      expect(Array.from(noisy.x.data)).toEqual(Array.from(clean.x.data));
      let flipped = 0;
      for (let i = 0; i < 500; i++) if (noisy.y.data[i] !== clean.y.data[i]) flipped++;
      expect(flipped).toBeGreaterThan(25);
      expect(flipped).toBeLessThan(250);
    }
  });

  it('circle: flipped labels all lie within the jitter distance of the r = 2.5 boundary', () => {
    const clean = rows(playground('circle', { n: 2000, seed: 8 }));
    const noisy = rows(playground('circle', { n: 2000, seed: 8, noise: 0.1 }));
    let nearFlips = 0;
    let farFlips = 0;
    clean.forEach(([x1, x2, label], i) => {
      if (label === noisy[i]![2]) return;
      const r = Math.hypot(x1, x2);
      // at noise 0.1 the jitter is at most 0.5 per coordinate, i.e. 0.5·√2 ≈ 0.71 from r = 2.5
      if (Math.abs(r - 2.5) < 0.5 * Math.SQRT2 + F32_EPS) nearFlips++;
      else farFlips++;
    });
    expect(nearFlips).toBeGreaterThan(10);
    expect(farFlips).toBe(0);
  });

  it('spiral: noise moves each point by at most ±noise per coordinate, labels unchanged', () => {
    const clean = playground('spiral', { n: 300, seed: 6 });
    const noisy = playground('spiral', { n: 300, seed: 6, noise: 0.3 });
    // The generator draws the same random numbers with or without noise, so rows correspond.
    expect(Array.from(noisy.y.data)).toEqual(Array.from(clean.y.data));
    let moved = 0;
    let maxShift = 0;
    for (let i = 0; i < 600; i++) {
      const shift = Math.abs(noisy.x.data[i]! - clean.x.data[i]!);
      maxShift = Math.max(maxShift, shift);
      if (shift > 1e-3) moved++;
    }
    expect(maxShift).toBeLessThanOrEqual(0.3 + F32_EPS);
    expect(maxShift).toBeGreaterThan(0.25);
    expect(moved).toBeGreaterThan(500);
  });
});

describe('datasets.playground: option errors', () => {
  it('unknown kind names the valid ones', () => {
    expect(() => playground('moons' as never)).toThrow(/unknown kind 'moons'.*circle, xor, gauss, spiral/);
  });
  it.each([[0], [-3], [2.5], [NaN], ['100']])('n = %s is rejected', (n) => {
    expect(() => playground('xor', { n: n as number })).toThrow(/n must be a positive integer/);
  });
  it.each([[-0.1], [1.5], [NaN], [35]])('noise = %s is rejected', (noise) => {
    expect(() => playground('xor', { noise })).toThrow(/noise must be a number in \[0, 1\]/);
  });
  it('noise 0 and 1 are accepted', () => {
    expect(playground('xor', { n: 10, noise: 1 }).x.shape).toEqual([10, 2]);
    expect(playground('xor', { n: 10, noise: 0 }).x.shape).toEqual([10, 2]);
  });
  it('bad seed, labels or option names are rejected', () => {
    expect(() => playground('circle', { seed: 1.5 })).toThrow(/seed must be an integer/);
    expect(() => playground('circle', { labels: 'onehot' as never })).toThrow(/labels must be 'binary' or 'signed'/);
    expect(() => playground('circle', { noize: 0.1 } as never)).toThrow(/unknown option 'noize'/);
  });
});

describe('datasets.playgroundFeatures', () => {
  const x = [
    [1, 2],
    [-0.5, 3],
    [0, -1.5],
  ];
  it('computes every feature, columns in the order asked', () => {
    const f = playgroundFeatures(x, [...featureNames]);
    expect(f.shape).toEqual([3, 7]);
    const expected = x.map(([a, b]) => [a!, b!, a! * a!, b! * b!, a! * b!, Math.sin(a!), Math.sin(b!)]);
    f.toArray().forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 6)));
    const g = playgroundFeatures(x, ['x1x2', 'x1']);
    expect(g.toArray()).toEqual([[2, 1], [-1.5, -0.5], [-0, 0]]);
  });

  it('accepts a Tensor2D, e.g. a generated dataset; squares make the circle separable by r² < 6.25', () => {
    const d = playground('circle', { n: 200, seed: 3 });
    const f = playgroundFeatures(d.x, ['x1Squared', 'x2Squared']);
    expect(f.shape).toEqual([200, 2]);
    for (let i = 0; i < 200; i++) {
      const r2 = f.data[2 * i]! + f.data[2 * i + 1]!;
      expect(d.y.data[i]).toBe(r2 < 6.25 ? 1 : 0);
    }
  });

  it('rejects unknown names (listing the valid ones), an empty list and non-[n,2] input', () => {
    expect(() => playgroundFeatures(x, ['x3' as never])).toThrow(
      /unknown feature 'x3'.*x1, x2, x1Squared, x2Squared, x1x2, sinX1, sinX2/,
    );
    expect(() => playgroundFeatures(x, [])).toThrow(/non-empty/);
    expect(() => playgroundFeatures([[1, 2, 3]], ['x1'])).toThrow(/2 columns.*\[1, 3\]/);
    expect(() => playgroundFeatures([[1, 2], [3]], ['x1'])).toThrow(/ragged/);
  });
});

describe('datasets.splitTrainTest', () => {
  const n = 50;
  const x = Array.from({ length: n }, (_, i) => [i, -i]);
  const y = Array.from({ length: n }, (_, i) => [i * 10]);

  it('splits by testRatio, keeps x/y rows paired, covers every row once', () => {
    const s = splitTrainTest(x, y, { testRatio: 0.2, seed: 3 });
    expect(s.xTrain.shape).toEqual([40, 2]);
    expect(s.yTrain.shape).toEqual([40, 1]);
    expect(s.xTest.shape).toEqual([10, 2]);
    expect(s.yTest.shape).toEqual([10, 1]);
    const seen: number[] = [];
    for (const [xs, ys] of [[s.xTrain, s.yTrain], [s.xTest, s.yTest]] as const) {
      xs.toArray().forEach(([a, b], i) => {
        expect(b).toBe(-a!);
        expect(ys.data[i]).toBe(a! * 10);
        seen.push(a!);
      });
    }
    expect(seen.sort((p, q) => p - q)).toEqual(Array.from({ length: n }, (_, i) => i));
    // shuffled, not just cut
    expect(s.xTrain.toArray().map((r) => r[0])).not.toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it('is deterministic by seed; default testRatio is 0.5 (the Playground default)', () => {
    const a = splitTrainTest(x, y, { seed: 7 });
    const b = splitTrainTest(x, y, { seed: 7 });
    const c = splitTrainTest(x, y, { seed: 8 });
    expect(a.xTest.shape).toEqual([25, 2]);
    expect(Array.from(a.xTest.data)).toEqual(Array.from(b.xTest.data));
    expect(Array.from(a.xTest.data)).not.toEqual(Array.from(c.xTest.data));
  });

  it('works on playground output and on number[] labels', () => {
    const d = playground('spiral', { n: 100, seed: 2 });
    const s = datasets.splitTrainTest(d.x, d.y, { testRatio: 0.3 });
    expect(s.xTest.shape).toEqual([30, 2]);
    expect(s.yTrain.shape).toEqual([70, 1]);
    const ids = splitTrainTest(x, Array.from({ length: n }, (_, i) => i % 3), { testRatio: 0.1 });
    expect(ids.yTest.shape).toEqual([5, 1]);
    ids.xTest.toArray().forEach(([a], i) => expect(ids.yTest.data[i]).toBe(a! % 3));
  });

  it('rejects mismatched rows, bad ratios and empty sets', () => {
    expect(() => splitTrainTest(x, y.slice(1))).toThrow(/x has 50 rows but y has 49/);
    for (const testRatio of [0, 1, -0.2, 1.2, NaN]) {
      expect(() => splitTrainTest(x, y, { testRatio })).toThrow(/strictly between 0 and 1/);
    }
    expect(() => splitTrainTest([[1, 2], [3, 4]], [[0], [1]], { testRatio: 0.1 })).toThrow(/empty test set/);
    expect(() => splitTrainTest(x, y, { seed: 0.5 })).toThrow(/seed must be an integer/);
  });
});

describe('datasets namespace', () => {
  it('exposes playground, playgroundFeatures, splitTrainTest', () => {
    expect(Object.keys(datasets).sort()).toEqual(['playground', 'playgroundFeatures', 'splitTrainTest']);
    expect(datasets.playground).toBe(playground);
  });
});
