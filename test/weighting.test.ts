/**
 * fit({ classWeight }) and fit({ sampleWeight }) / trainOnBatch(x, y, { sampleWeight }), on js,
 * wasm and wasm on 2 threads:
 *   - classWeight against TensorFlow.js's model.fit with the same classWeight (weights and losses
 *     after two epochs), for sparse, one-hot and binary labels;
 *   - the weighted loss Σ w·ℓ / n against a float64 transcription for every loss;
 *   - the weighted gradient: integer weights k_i equal repeating row i k_i times (batch gradient
 *     descent, the rate rescaled for the larger batch), for every loss;
 *   - weights of 1 are bit-identical to no weights, and classWeight is sampleWeight by class;
 *   - bad weights are refused naming what was expected and what came.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { Rng, expectSameWeights, modelBackends, oneHot, randomTensor, snapshot } from './helpers/model.js';
import { tf, tfl, tfReady } from './helpers/tf.js';

const ROWS = 13, IN = 5;
const rng = new Rng(21);
const X = randomTensor(rng, ROWS, IN);
const ids = [0, 1, 2, 1, 1, 0, 2, 2, 1, 0, 1, 1, 2];
const bin = [0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1];

type Kind = 'sparse' | 'categorical' | 'binary' | 'mse' | 'mae';
const setups: Record<Kind, { loss: nn.LossName; units: number; activation: nn.layers.ActivationName; y: () => nn.Tensor2D | number[]; classWeight: Record<number, number> }> = {
  sparse: { loss: 'sparseCategoricalCrossentropy', units: 3, activation: 'softmax', y: () => ids, classWeight: { 0: 1, 1: 0.25, 2: 3 } },
  categorical: { loss: 'categoricalCrossentropy', units: 3, activation: 'softmax', y: () => oneHot(ids, 3), classWeight: { 0: 2, 1: 0.5, 2: 1.5 } },
  binary: { loss: 'binaryCrossentropy', units: 1, activation: 'sigmoid', y: () => nn.tensor2d(Float32Array.from(bin), [ROWS, 1]), classWeight: { 0: 4, 1: 1 } },
  mse: { loss: 'meanSquaredError', units: 2, activation: 'linear', y: () => randomTensor(new Rng(3), ROWS, 2), classWeight: {} },
  mae: { loss: 'meanAbsoluteError', units: 2, activation: 'tanh', y: () => randomTensor(new Rng(4), ROWS, 2, 0.5), classWeight: {} },
};

function build(kind: Kind, lr = 0.1, seed = 2): nn.Sequential {
  const s = setups[kind];
  const m = nn.sequential({ seed, layers: [nn.layers.dense({ units: 6, activation: 'tanh', inputShape: [IN] }), nn.layers.dense({ units: s.units, activation: s.activation })] });
  m.compile({ optimizer: nn.optimizers.sgd({ learningRate: lr }), loss: s.loss });
  return m;
}

/** Per-row loss in float64, TensorFlow.js's formulas (probabilities clipped to [ε, 1 − ε] as float32). */
function rowLosses(kind: Kind, p: nn.Tensor2D, y: nn.Tensor2D | number[]): number[] {
  const lo = Math.fround(1e-7), hi = Math.fround(1 - 1e-7);
  const clip = (v: number) => Math.min(hi, Math.max(lo, v));
  const cols = p.cols;
  const out: number[] = [];
  for (let r = 0; r < p.rows; r++) {
    const pr = Array.from(p.data.subarray(r * cols, (r + 1) * cols));
    if (kind === 'sparse') {
      const s = pr.reduce((a, b) => a + b, 0);
      out.push(-Math.log(clip(pr[(y as number[])[r]!]! / s)));
      continue;
    }
    const yr = Array.from((y as nn.Tensor2D).data.subarray(r * cols, (r + 1) * cols));
    if (kind === 'categorical') {
      const s = pr.reduce((a, b) => a + b, 0);
      out.push(-yr.reduce((a, t, j) => a + t * Math.log(clip(pr[j]! / s)), 0));
    } else if (kind === 'binary') {
      out.push(-yr.reduce((a, t, j) => a + t * Math.log(clip(pr[j]!)) + (1 - t) * Math.log(1 - clip(pr[j]!)), 0) / cols);
    } else if (kind === 'mse') {
      out.push(yr.reduce((a, t, j) => a + (pr[j]! - t) ** 2, 0) / cols);
    } else {
      out.push(yr.reduce((a, t, j) => a + Math.abs(pr[j]! - t), 0) / cols);
    }
  }
  return out;
}

const weightsW = Array.from({ length: ROWS }, (_, i) => [0.5, 2, 0, 1.25, 3][i % 5]!);
const counts = Array.from({ length: ROWS }, (_, i) => [1, 3, 0, 2][i % 4]!);

const cases: { name: string; backend: 'js' | 'wasm'; threads?: number }[] = [
  ...modelBackends.map((b) => ({ name: b, backend: b })),
  ...(modelBackends.includes('wasm') ? [{ name: 'wasm, 2 threads', backend: 'wasm' as const, threads: 2 }] : []),
];

describe.each(cases)('classWeight / sampleWeight ($name)', ({ backend, threads }) => {
  const use = () => nn.setBackend(backend, threads ? { threads, minParallelWork: 0 } as nn.BackendOptions : {});
  afterAll(async () => nn.setBackend('js'));

  it('classWeight matches TensorFlow.js model.fit (weights and loss after two epochs) for sparse, one-hot and binary labels', async () => {
    await use();
    await tfReady();
    for (const kind of ['sparse', 'categorical', 'binary'] as const) {
      const s = setups[kind];
      const ours = build(kind);
      const theirs = tfl.sequential({ layers: [tfl.layers.dense({ units: 6, activation: 'tanh', inputShape: [IN] }), tfl.layers.dense({ units: s.units, activation: s.activation as 'softmax' })] });
      theirs.setWeights(ours.getWeights().map((w) => tf.tensor(w.data, w.shape)));
      theirs.compile({ optimizer: tf.train.sgd(0.1), loss: s.loss });
      const y = s.y();
      const ty = kind === 'sparse' ? tf.tensor2d(ids, [ROWS, 1]) : tf.tensor((y as nn.Tensor2D).data, [ROWS, s.units]);
      const h = await ours.fit(X, y, { epochs: 2, batchSize: 4, shuffle: false, classWeight: s.classWeight });
      const th = await theirs.fit(tf.tensor(X.data, [ROWS, IN]), ty, { epochs: 2, batchSize: 4, shuffle: false, classWeight: s.classWeight });
      h.history.loss!.forEach((v, i) => expect(v, `${kind} loss epoch ${i}`).toBeCloseTo(th.history.loss![i] as number, 5));
      const want = theirs.getWeights().map((w) => w.dataSync() as Float32Array);
      ours.getWeights().forEach((w, i) => w.data.forEach((v, j) => expect(Math.abs(v - want[i]![j]!), `${kind} weight ${i}[${j}]`).toBeLessThan(2e-5)));
      // A different classWeight really changes the result (the test can fail).
      const other = build(kind);
      await other.fit(X, y, { epochs: 2, batchSize: 4, shuffle: false });
      expect(Math.abs(other.getWeights()[2]!.data[0]! - want[2]![0]!)).toBeGreaterThan(1e-4);
      ours.dispose();
      other.dispose();
    }
  });

  it('the weighted loss is Σ w·ℓ / n for every loss (float64 transcription); weights of 1 change nothing', async () => {
    await use();
    for (const kind of Object.keys(setups) as Kind[]) {
      const y = setups[kind].y();
      const m = build(kind);
      const p = m.predict(X);
      const ls = rowLosses(kind, p, y);
      const want = ls.reduce((a, l, i) => a + weightsW[i]! * l, 0) / ROWS;
      const h = await m.fit(X, y, { epochs: 1, batchSize: ROWS, sampleWeight: weightsW });
      expect(Math.abs(h.history.loss![0]! - want), `${kind}: ${h.history.loss![0]} vs ${want}`).toBeLessThan(2e-6 * Math.max(1, want));
      const a = build(kind), b = build(kind);
      await a.fit(X, y, { epochs: 2, batchSize: 4, shuffle: false });
      await b.fit(X, y, { epochs: 2, batchSize: 4, shuffle: false, sampleWeight: new Float32Array(ROWS).fill(1) });
      expectSameWeights(snapshot(b), snapshot(a), `${kind}: weights of 1`);
      for (const x of [m, a, b]) x.dispose();
    }
  });

  it('integer weights k_i train as row i repeated k_i times (batch gradient descent), for every loss', async () => {
    await use();
    const m = counts.reduce((a, b) => a + b, 0);
    for (const kind of Object.keys(setups) as Kind[]) {
      const y = setups[kind].y();
      // Σ k_i g_i / n with rate lr·n/m equals Σ k_i g_i / m with rate lr.
      const weighted = build(kind, (0.1 * ROWS) / m);
      await weighted.fit(X, y, { epochs: 3, batchSize: ROWS, sampleWeight: counts });
      const rows = counts.flatMap((k, i) => Array<number>(k).fill(i));
      const xr = nn.tensor2d(rows.map((i) => Array.from(X.data.subarray(i * IN, (i + 1) * IN))));
      const yr = Array.isArray(y) ? rows.map((i) => y[i]!) : nn.tensor2d(rows.map((i) => Array.from(y.data.subarray(i * y.cols, (i + 1) * y.cols))));
      const repeated = build(kind, 0.1);
      await repeated.fit(xr, yr, { epochs: 3, batchSize: m });
      const want = snapshot(repeated);
      snapshot(weighted).forEach((w, t) => w.forEach((v, j) => expect(Math.abs(v - want[t]![j]!), `${kind} weight ${t}[${j}]`).toBeLessThan(3e-6)));
      weighted.dispose();
      repeated.dispose();
    }
  });

  it('classWeight equals sampleWeight by class (bit-exact), also with validationSplit; trainOnBatch takes sampleWeight', async () => {
    await use();
    const s = setups.sparse;
    const a = build('sparse'), b = build('sparse'), c = build('sparse'), d = build('sparse');
    const ha = await a.fit(X, ids, { epochs: 2, batchSize: 5, validationSplit: 0.3, classWeight: s.classWeight });
    const hb = await b.fit(X, ids, { epochs: 2, batchSize: 5, validationSplit: 0.3, sampleWeight: ids.map((c) => s.classWeight[c]!) });
    expectSameWeights(snapshot(b), snapshot(a), 'classWeight vs sampleWeight');
    expect(hb.history).toEqual(ha.history);
    const w = ids.map((k) => s.classWeight[k]!);
    const l1 = c.trainOnBatch(X, ids, { sampleWeight: w });
    await d.fit(X, ids, { epochs: 1, batchSize: ROWS, shuffle: false, sampleWeight: w });
    expectSameWeights(snapshot(c), snapshot(d), 'trainOnBatch vs fit with sampleWeight');
    expect(l1).toBeGreaterThan(0);
    for (const x of [a, b, c, d]) x.dispose();
  });

  it('refuses bad weights with clear errors, before training', async () => {
    await use();
    const m = build('sparse');
    const before = snapshot(m);
    const fit = (o: object) => m.fit(X, ids, { epochs: 1, ...o });
    await expect(fit({ sampleWeight: [1, 2] })).rejects.toThrow(/sampleWeight has 2 weights, expected one per row of x: 13/);
    await expect(fit({ sampleWeight: Float32Array.from(weightsW, (v, i) => (i === 4 ? NaN : v)) })).rejects.toThrow(/sampleWeight\[4\] is NaN; expected a finite number >= 0/);
    await expect(fit({ sampleWeight: weightsW.map((v, i) => (i === 2 ? -1 : v)) })).rejects.toThrow(/sampleWeight\[2\] is -1; expected a finite number >= 0/);
    await expect(fit({ sampleWeight: 'heavy' })).rejects.toThrow(/sampleWeight must be an array or Float32Array of one weight per row, got/);
    await expect(fit({ classWeight: { 0: 1, 1: 2 } })).rejects.toThrow(/classWeight has no weight for class 2, which row 2 of y holds; classWeight must cover every class in the training data \(it has 0, 1\)/);
    await expect(fit({ classWeight: { 0: 1, 1: 2, 2: 1, 3: 1 } })).rejects.toThrow(/classWeight has key '3', which is not a class id of this model; expected integers 0…2/);
    await expect(fit({ classWeight: { 0: 1, one: 2, 2: 1 } })).rejects.toThrow(/classWeight has key 'one'/);
    await expect(fit({ classWeight: { 0: 1, 1: -2, 2: 1 } })).rejects.toThrow(/classWeight\[1\] is -2; expected a finite number >= 0/);
    await expect(fit({ classWeight: { 0: 1, 1: 1, 2: 1 }, sampleWeight: weightsW })).rejects.toThrow(/give classWeight or sampleWeight, not both/);
    await expect(fit({ classWeigth: { 0: 1 } })).rejects.toThrow(/unknown option 'classWeigth'; did you mean 'classWeight'/);
    expect(() => m.trainOnBatch(X, ids, { sampleWeight: [1] })).toThrow(/trainOnBatch: sampleWeight has 1 weights, expected one per row of x: 13/);
    expect(() => m.trainOnBatch(X, ids, { sample_weight: [1] } as never)).toThrow(/trainOnBatch: unknown option 'sample_weight'/);
    expectSameWeights(snapshot(m), before, 'weights after refused calls');
    const reg = build('mse');
    // As TensorFlow.js: with several columns the class is the row's argmax, even for a regression target.
    await expect(reg.fit(X, setups.mse.y(), { classWeight: { 0: 1 } })).rejects.toThrow(/classWeight has no weight for class 1/);
    const b = build('binary');
    await expect(b.fit(X, nn.tensor2d(Float32Array.from(bin, (v, i) => (i === 3 ? 0.5 : v)), [ROWS, 1]), { classWeight: { 0: 1, 1: 1 } })).rejects.toThrow(/classWeight needs class-id labels, but row 3 of y is 0.5/);
    for (const x of [m, reg, b]) x.dispose();
  });
});
