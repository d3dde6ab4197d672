/**
 * Does training work end to end, on every backend: XOR and the four TensorFlow Playground datasets
 * reach high held-out accuracy with small networks; dropout is the identity at inference and
 * inverted dropout (keep 1 − rate, scale 1/(1 − rate)) in training; early stopping restores the
 * best epoch's weights; the same seed replays a run bit for bit; callbacks fire in Keras order
 * and are awaited; history has the Keras keys; fit leaves the event loop responsive. Finally the
 * js and wasm backends agree on a short run (losses within 1e-4 relative).
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { expectSameWeights, modelBackends, Rng, snapshot, useBackend, wasmPresent } from './helpers/model.js';

type Kind = 'circle' | 'xor' | 'gauss' | 'spiral';
type Feature = 'x1' | 'x2' | 'x1Squared' | 'x2Squared' | 'x1x2' | 'sinX1' | 'sinX2';

const PLAYGROUND: Record<Kind, { hidden: number[]; epochs: number; lr: number; minAccuracy: number; features?: Feature[] }> = {
  circle: { hidden: [8], epochs: 60, lr: 0.03, minAccuracy: 0.95 },
  xor: { hidden: [8], epochs: 60, lr: 0.03, minAccuracy: 0.95 },
  gauss: { hidden: [4], epochs: 20, lr: 0.03, minAccuracy: 0.97 },
  spiral: { hidden: [16, 16], epochs: 150, lr: 0.01, minAccuracy: 0.9, features: ['x1', 'x2', 'x1Squared', 'x2Squared', 'x1x2', 'sinX1', 'sinX2'] },
};

const XOR_X = [[0, 0], [0, 1], [1, 0], [1, 1]];
const XOR_Y = [[0], [1], [1], [0]];

/** A small regression set: y = sin(x1) + x2·x3 on U(−1, 1)³. */
function regressionData(n: number, seed: number): { x: nn.Tensor2D; y: nn.Tensor2D } {
  const rng = new Rng(seed);
  const x = rng.uniforms(n * 3, -1, 1);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = Math.sin(x[3 * i]!) + x[3 * i + 1]! * x[3 * i + 2]!;
  return { x: nn.tensor2d(x, [n, 3]), y: nn.tensor2d(y, [n, 1]) };
}

describe.each(modelBackends)('%s backend', (backend) => {
  useBackend(backend);

  it('learns XOR', async () => {
    const model = nn.sequential({ seed: 3 });
    model.add(nn.layers.dense({ units: 8, activation: 'tanh', inputShape: [2] }));
    model.add(nn.layers.dense({ units: 1, activation: 'sigmoid' }));
    model.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const h = await model.fit(XOR_X, XOR_Y, { epochs: 300, batchSize: 4 });
    expect(model.backendName).toBe(backend);
    expect(h.history.loss.at(-1)).toBeLessThan(0.1);
    expect(h.history.loss.at(-1)!).toBeLessThan(h.history.loss[0]! / 5);
    expect(Array.from(model.predict(XOR_X).data, (v) => (v > 0.5 ? 1 : 0))).toEqual([0, 1, 1, 0]);
    expect(model.evaluate(XOR_X, XOR_Y).accuracy).toBe(1);
    model.dispose();
  });

  describe('TensorFlow Playground datasets (50% held out, noise 0.1)', () => {
    it.each(Object.keys(PLAYGROUND) as Kind[])('%s', async (kind) => {
      const c = PLAYGROUND[kind];
      const { x, y } = nn.datasets.playground(kind, { n: 500, noise: 0.1, seed: 3 });
      const features = c.features ? nn.datasets.playgroundFeatures(x, c.features) : x;
      const split = nn.datasets.splitTrainTest(features, y, { testRatio: 0.5, seed: 2 });
      const model = nn.sequential({ seed: 1 });
      c.hidden.forEach((units, i) => model.add(nn.layers.dense({ units, activation: 'tanh', ...(i === 0 ? { inputShape: [features.cols] } : {}) })));
      model.add(nn.layers.dense({ units: 1, activation: 'sigmoid' }));
      model.compile({ optimizer: nn.optimizers.adam({ learningRate: c.lr }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
      const before = model.evaluate(split.xTest, split.yTest).accuracy!;
      await model.fit(split.xTrain, split.yTrain, { epochs: c.epochs, batchSize: 16 });
      const test = model.evaluate(split.xTest, split.yTest);
      expect(test.accuracy, `${kind}: held-out accuracy (was ${before} before training)`).toBeGreaterThanOrEqual(c.minAccuracy);
      // Accuracy from evaluate agrees with thresholding predict at 0.5.
      const p = model.predict(split.xTest).data;
      let ok = 0;
      for (let i = 0; i < p.length; i++) if ((p[i]! > 0.5 ? 1 : 0) === split.yTest.data[i]) ok++;
      expect(ok / p.length).toBeCloseTo(test.accuracy!, 10);
      model.dispose();
    });
  });

  describe('dropout', () => {
    it('is the identity at inference: predict is repeatable and equals the same network without dropout', async () => {
      const withDropout = nn.sequential({
        seed: 5,
        layers: [
          nn.layers.dense({ units: 9, activation: 'relu', inputShape: [4] }),
          nn.layers.dropout({ rate: 0.5 }),
          nn.layers.dense({ units: 7, activation: 'tanh' }),
          nn.layers.dropout({ rate: 0.3 }),
          nn.layers.dense({ units: 3 }),
        ],
      });
      withDropout.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      const rng = new Rng(6);
      const x = nn.tensor2d(rng.normals(10 * 4), [10, 4]);
      const y = nn.tensor2d(rng.normals(10 * 3), [10, 3]);
      await withDropout.fit(x, y, { epochs: 2, batchSize: 4 }); // training mode must not leak into predict
      const p1 = withDropout.predict(x).data;
      const p2 = withDropout.predict(x).data;
      expect(Array.from(p2)).toEqual(Array.from(p1));
      const plain = nn.sequential({
        seed: 99,
        layers: [
          nn.layers.dense({ units: 9, activation: 'relu', inputShape: [4] }),
          nn.layers.dense({ units: 7, activation: 'tanh' }),
          nn.layers.dense({ units: 3 }),
        ],
      });
      plain.setWeights(withDropout.getWeights());
      expect(Array.from(plain.predict(x).data)).toEqual(Array.from(p1));
      // And evaluate also runs without dropout: equal to the MSE of predict.
      plain.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      expect(withDropout.evaluate(x, y).loss).toBe(plain.evaluate(x, y).loss);
      withDropout.dispose();
      plain.dispose();
    });

    it.each([0.2, 0.5, 0.75])('rate %s keeps ≈ 1 − rate of the units, scaled by 1/(1 − rate), with a fresh mask per step', (rate) => {
      // Dropout(rate) → Dense(1, no bias, zero kernel), MSE against −1 on one all-ones row: the
      // prediction is 0, so d(loss)/d(pred) = 2 and the kernel gradient is 2·mask. One SGD step with
      // learning rate 0.5 therefore leaves kernel = −mask exactly.
      const n = 4000;
      const model = nn.sequential({
        seed: 8,
        layers: [nn.layers.dropout({ rate, inputShape: [n] }), nn.layers.dense({ units: 1, useBias: false, kernelInitializer: 'zeros' })],
      });
      model.compile({ optimizer: nn.optimizers.sgd({ learningRate: 0.5 }), loss: 'meanSquaredError' });
      const x = nn.tensor2d(new Float32Array(n).fill(1), [1, n]);
      const y = [[-1]];
      const scale = Math.fround(1 / (1 - rate));
      const masks: Float32Array[] = [];
      for (let step = 0; step < 2; step++) {
        model.setWeights([{ shape: [n, 1], data: new Float32Array(n) }]);
        const loss = model.trainOnBatch(x, y);
        expect(loss).toBe(1); // (0 − (−1))²: dropout does not change a zero prediction
        const mask = Float32Array.from(model.getWeights()[0]!.data, (v) => -v);
        const kept = mask.filter((v) => v !== 0);
        for (const v of kept) expect(v).toBe(scale);
        expect(mask.every((v) => v === 0 || v === scale)).toBe(true);
        // Binomial(n, 1 − rate): 5 standard deviations.
        const sd = Math.sqrt(rate * (1 - rate) / n);
        expect(Math.abs(kept.length / n - (1 - rate)), `kept ${kept.length} of ${n}`).toBeLessThan(5 * sd);
        masks.push(mask);
      }
      let differ = 0;
      for (let i = 0; i < n; i++) if (masks[0]![i] !== masks[1]![i]) differ++;
      // Independent masks differ in 2·rate·(1 − rate) of the places.
      expect(differ / n).toBeGreaterThan(rate * (1 - rate));
      model.dispose();
    });
  });

  describe('early stopping', () => {
    /**
     * y = w·x fitted to y = 3x from w = 0 by full-batch SGD, validated on y = 1.5x: w climbs
     * monotonically past 1.5, so val_loss falls and then rises.
     */
    async function run(restoreBestWeights: boolean) {
      const x = Array.from({ length: 24 }, (_, i) => [-1 + (2 * i) / 23]);
      const yTrain = x.map(([v]) => [3 * v!]);
      const yVal = x.map(([v]) => [1.5 * v!]);
      const model = nn.sequential({ seed: 1, layers: [nn.layers.dense({ units: 1, useBias: false, kernelInitializer: 'zeros', inputShape: [1] })] });
      model.compile({ optimizer: nn.optimizers.sgd({ learningRate: 0.3 }), loss: 'meanSquaredError' });
      const perEpoch: Float32Array[][] = [];
      const recorder = { onEpochEnd: () => void perEpoch.push(snapshot(model)) };
      const es = nn.callbacks.earlyStopping({ monitor: 'val_loss', patience: 2, restoreBestWeights });
      const h = await model.fit(x, yTrain, { epochs: 40, batchSize: 24, shuffle: false, validationData: [x, yVal], callbacks: [recorder, es] });
      return { model, h, es, perEpoch };
    }

    it('stops `patience` epochs after the best val_loss and restores that epoch\'s weights', async () => {
      const { model, h, es, perEpoch } = await run(true);
      const val = h.history.val_loss!;
      const best = val.indexOf(Math.min(...val));
      expect(best, `val_loss per epoch: ${val.join(', ')}`).toBeGreaterThan(0); // it first improved…
      expect(val.at(-1)!).toBeGreaterThan(val[best]!); // …then got worse
      expect(h.history.loss.length).toBe(best + 2 + 1);
      expect(h.epoch).toEqual(Array.from({ length: best + 3 }, (_, i) => i));
      expect(es.bestEpoch).toBe(best);
      expect(es.stoppedEpoch).toBe(best + 2);
      expectSameWeights(snapshot(model), perEpoch[best]!, 'weights after fit vs the best epoch');
      // And those are not simply the last epoch's weights.
      expect(perEpoch.at(-1)![0]![0]).not.toBe(perEpoch[best]![0]![0]);
      expect(model.evaluate([[0.5]], [[0.75]]).loss).toBeCloseTo((perEpoch[best]![0]![0]! * 0.5 - 0.75) ** 2, 6);
      model.dispose();
    });

    it('without restoreBestWeights keeps the last epoch\'s weights', async () => {
      const { model, perEpoch } = await run(false);
      expectSameWeights(snapshot(model), perEpoch.at(-1)!, 'weights after fit vs the last epoch');
      model.dispose();
    });
  });

  it('the same seed replays a run exactly (init, shuffle, dropout); another seed does not', async () => {
    const { x, y } = regressionData(90, 7);
    const train = async (seed: number) => {
      const model = nn.sequential({
        seed,
        layers: [
          nn.layers.dense({ units: 12, activation: 'relu', inputShape: [3] }),
          nn.layers.dropout({ rate: 0.3 }),
          nn.layers.dense({ units: 6, activation: 'tanh' }),
          nn.layers.dense({ units: 1 }),
        ],
      });
      model.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.01 }), loss: 'meanSquaredError' });
      const h = await model.fit(x, y, { epochs: 4, batchSize: 16, shuffle: true, validationSplit: 0.2 });
      const w = snapshot(model);
      model.dispose();
      return { h, w };
    };
    const a = await train(42);
    const b = await train(42);
    const c = await train(43);
    expect(b.h.history).toEqual(a.h.history);
    expectSameWeights(b.w, a.w, 'same seed');
    expect(c.h.history.loss).not.toEqual(a.h.history.loss);
  });

  it('evaluate/predict do not depend on batchSize; accuracy matches a hand count (categorical, sparse, binary)', () => {
    const rng = new Rng(17);
    const n = 23;
    const x = nn.tensor2d(rng.normals(n * 4), [n, 4]);
    const ids = Array.from({ length: n }, () => rng.int(3));
    const oneHotY = nn.tensor2d(Float32Array.from({ length: n * 3 }, (_, k) => (ids[Math.floor(k / 3)] === k % 3 ? 1 : 0)), [n, 3]);
    const build = (loss: string) => {
      const m = nn.sequential({ seed: 30, layers: [nn.layers.dense({ units: 5, activation: 'relu', inputShape: [4] }), nn.layers.dense({ units: 3, activation: 'softmax' })] });
      m.compile({ optimizer: 'sgd', loss, metrics: ['accuracy'] });
      return m;
    };
    const cce = build('categoricalCrossentropy');
    const sparse = build('sparseCategoricalCrossentropy');
    const p = cce.predict(x);
    let correct = 0;
    for (let r = 0; r < n; r++) {
      const row = Array.from(p.row(r));
      if (row.indexOf(Math.max(...row)) === ids[r]) correct++;
    }
    const full = cce.evaluate(x, oneHotY);
    expect(full.accuracy).toBeCloseTo(correct / n, 12);
    expect(sparse.evaluate(x, ids).accuracy).toBeCloseTo(correct / n, 12);
    expect(sparse.evaluate(x, ids).loss).toBeCloseTo(full.loss, 6);
    for (const batchSize of [1, 4, 7, 23, 100]) {
      const e = cce.evaluate(x, oneHotY, { batchSize });
      expect(Math.abs(e.loss - full.loss), `loss with batchSize ${batchSize}`).toBeLessThanOrEqual(1e-6 * full.loss);
      expect(e.accuracy).toBe(full.accuracy);
      expect(Array.from(cce.predict(x, { batchSize }).data)).toEqual(Array.from(p.data));
    }
    // Binary accuracy on a 2-unit sigmoid output counts every element (Keras binary_accuracy).
    const bin = nn.sequential({ seed: 31, layers: [nn.layers.dense({ units: 2, activation: 'sigmoid', inputShape: [4] })] });
    bin.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    const yb = nn.tensor2d(Float32Array.from({ length: n * 2 }, () => (rng.next() < 0.5 ? 1 : 0)), [n, 2]);
    const pb = bin.predict(x).data;
    let ok = 0;
    for (let i = 0; i < pb.length; i++) if ((pb[i]! > 0.5 ? 1 : 0) === yb.data[i]) ok++;
    expect(bin.evaluate(x, yb).accuracy).toBeCloseTo(ok / (2 * n), 12);
    [cce, sparse, bin].forEach((m) => m.dispose());
  });

  describe('callbacks and history', () => {
    it('fires hooks in Keras order with the right batch counts (incl. the last partial batch) and awaits async hooks', async () => {
      const model = nn.sequential({ seed: 2, layers: [nn.layers.dense({ units: 4, activation: 'relu', inputShape: [3] }), nn.layers.dense({ units: 1, activation: 'sigmoid' })] });
      model.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
      const rng = new Rng(3);
      const x = nn.tensor2d(rng.normals(10 * 3), [10, 3]);
      const y = nn.tensor2d(Float32Array.from({ length: 10 }, (_, i) => i % 2), [10, 1]);
      const events: string[] = [];
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
      const batchLogs: Record<string, number>[] = [];
      const epochLogs: Record<string, number>[] = [];
      await model.fit(x, y, {
        epochs: 2, batchSize: 4, shuffle: false,
        callbacks: {
          onTrainBegin: async () => { await sleep(2); events.push('trainBegin'); },
          onEpochBegin: async (e) => { events.push(`epochBegin ${e}`); },
          onBatchBegin: (b, logs) => { events.push(`batchBegin ${b} size ${logs?.size}`); },
          onBatchEnd: async (b, logs) => { batchLogs.push({ ...logs }); await sleep(1); events.push(`batchEnd ${b}`); },
          onEpochEnd: async (e, logs) => { epochLogs.push({ ...logs }); await sleep(2); events.push(`epochEnd ${e}`); },
          onTrainEnd: async () => { await sleep(1); events.push('trainEnd'); },
        },
      });
      const epoch = (e: number) => [
        `epochBegin ${e}`,
        'batchBegin 0 size 4', 'batchEnd 0',
        'batchBegin 1 size 4', 'batchEnd 1',
        'batchBegin 2 size 2', 'batchEnd 2',
        `epochEnd ${e}`,
      ];
      // An async hook that was not awaited would push its event late, out of this order.
      expect(events).toEqual(['trainBegin', ...epoch(0), ...epoch(1), 'trainEnd']);
      expect(batchLogs.map((l) => l.size)).toEqual([4, 4, 2, 4, 4, 2]);
      for (const l of batchLogs) {
        expect(Object.keys(l).sort()).toEqual(['accuracy', 'batch', 'loss', 'size']);
        expect(Number.isFinite(l.loss)).toBe(true);
        expect(l.accuracy! * l.size!).toBeCloseTo(Math.round(l.accuracy! * l.size!), 6);
      }
      // The epoch loss is the sample-weighted mean of the batch losses (Keras).
      for (let e = 0; e < 2; e++) {
        const b = batchLogs.slice(3 * e, 3 * e + 3);
        const mean = b.reduce((s, l) => s + l.loss! * l.size!, 0) / 10;
        expect(epochLogs[e]!.loss).toBeCloseTo(mean, 10);
        expect(Object.keys(epochLogs[e]!).sort()).toEqual(['accuracy', 'learning_rate', 'loss']);
      }
      model.dispose();
    });

    it('predict, evaluate and getWeights inside callbacks see the current weights and do not disturb training', async () => {
      const { x, y } = regressionData(30, 5);
      const probe = nn.tensor2d(new Rng(6).normals(11 * 3), [11, 3]); // more rows than a batch
      const make = () => {
        const m = nn.sequential({ seed: 12, layers: [nn.layers.dense({ units: 6, activation: 'tanh', inputShape: [3] }), nn.layers.dense({ units: 1 })] });
        m.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.02 }), loss: 'meanSquaredError' });
        return m;
      };
      const a = make();
      let lastPredict: Float32Array | undefined;
      let lastWeights: Float32Array[] | undefined;
      let batchPredictions = 0;
      await a.fit(x, y, {
        epochs: 3, batchSize: 4,
        callbacks: {
          onBatchEnd: () => { expect(a.predict(probe).shape).toEqual([11, 1]); batchPredictions++; },
          onEpochEnd: () => {
            lastPredict = a.predict(probe).data;
            lastWeights = snapshot(a);
            expect(Number.isFinite(a.evaluate(x, y).loss)).toBe(true);
          },
        },
      });
      expect(batchPredictions).toBe(3 * 8);
      expectSameWeights(snapshot(a), lastWeights!, 'weights after fit vs read in the last onEpochEnd');
      expect(Array.from(a.predict(probe).data)).toEqual(Array.from(lastPredict!));
      // Same seed without the callbacks: the same training.
      const b = make();
      await b.fit(x, y, { epochs: 3, batchSize: 4 });
      expectSameWeights(snapshot(b), snapshot(a), 'with vs without predicting inside callbacks');
      a.dispose();
      b.dispose();
    });

    it('history has loss/accuracy/val_loss/val_accuracy with validationSplit (the last rows) and with validationData', async () => {
      const { x, y } = nn.datasets.playground('circle', { n: 50, noise: 0, seed: 4 });
      const make = () => {
        const m = nn.sequential({ seed: 3, layers: [nn.layers.dense({ units: 5, activation: 'tanh', inputShape: [2] }), nn.layers.dense({ units: 1, activation: 'sigmoid' })] });
        m.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.01 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
        return m;
      };
      const a = make();
      const h1 = await a.fit(x, y, { epochs: 3, batchSize: 8, validationSplit: 0.2 });
      expect(Object.keys(h1.history).sort()).toEqual(['accuracy', 'learning_rate', 'loss', 'val_accuracy', 'val_loss']);
      for (const k of Object.keys(h1.history)) expect(h1.history[k], k).toHaveLength(3);
      expect(h1.params).toEqual({ epochs: 3, batchSize: 8, samples: 40 });
      // validationSplit holds out the LAST 20% of rows (before shuffling), as Keras.
      const xVal = nn.tensor2d(x.data.slice(40 * 2), [10, 2]);
      const yVal = nn.tensor2d(y.data.slice(40), [10, 1]);
      const ev = a.evaluate(xVal, yVal);
      expect(h1.history.val_loss!.at(-1)).toBeCloseTo(ev.loss, 6);
      expect(h1.history.val_accuracy!.at(-1)).toBeCloseTo(ev.accuracy!, 6);

      const b = make();
      const h2 = await b.fit(x, y, { epochs: 2, batchSize: 50, validationData: [xVal, yVal] });
      expect(Object.keys(h2.history).sort()).toEqual(['accuracy', 'learning_rate', 'loss', 'val_accuracy', 'val_loss']);
      expect(h2.history.loss).toHaveLength(2);
      expect(h2.params.samples).toBe(50);
      expect(h2.history.val_loss!.at(-1)).toBeCloseTo(b.evaluate(xVal, yVal).loss, 6);

      const c = nn.sequential({ seed: 3, layers: [nn.layers.dense({ units: 1, inputShape: [2] })] });
      c.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      const h3 = await c.fit(x, y, { epochs: 2 });
      expect(Object.keys(h3.history)).toEqual(['loss', 'learning_rate']);
      [a, b, c].forEach((m) => m.dispose());
    });
  });

  it('fit keeps the event loop responsive (a 5 ms interval keeps ticking)', async () => {
    // About 0.3–0.5 s of training in ONE epoch, so only yields between batches can let the timer run.
    const n = backend === 'js' ? 30000 : 120000;
    const rng = new Rng(9);
    const x = nn.tensor2d(rng.uniforms(n * 32, -1, 1), [n, 32]);
    const y = nn.tensor2d(rng.uniforms(n, -1, 1), [n, 1]);
    const model = nn.sequential({
      seed: 1,
      layers: [nn.layers.dense({ units: 64, activation: 'relu', inputShape: [32] }), nn.layers.dense({ units: 64, activation: 'relu' }), nn.layers.dense({ units: 1 })],
    });
    model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const ticks: number[] = [];
    const timer = setInterval(() => ticks.push(performance.now()), 5);
    const t0 = performance.now();
    try {
      await model.fit(x, y, { epochs: 1, batchSize: 32 });
    } finally {
      clearInterval(timer);
    }
    const t1 = performance.now();
    const elapsed = t1 - t0;
    const times = [t0, ...ticks.filter((t) => t <= t1), t1];
    const maxGap = Math.max(...times.slice(1).map((t, i) => t - times[i]!));
    expect(ticks.length, `${ticks.length} ticks in ${elapsed.toFixed(0)} ms`).toBeGreaterThanOrEqual(Math.max(8, elapsed / 40));
    // Without yields between batches the whole epoch would be one gap. (Not a fixed bound in ms:
    // other processes on a loaded machine stretch gaps too.)
    expect(maxGap, `longest stretch without a tick in a ${elapsed.toFixed(0)} ms fit`).toBeLessThan(elapsed / 3);
    model.dispose();
  });
});

describe.runIf(wasmPresent)('js and wasm agree', () => {
  it('same seed, no dropout, 5 epochs: losses within 1e-4 relative, weights within 1e-3', async () => {
    const { x, y } = regressionData(120, 11);
    const models: nn.Sequential[] = [];
    for (const name of ['js', 'wasm'] as const) {
      await nn.setBackend(name);
      const m = nn.sequential({
        seed: 21,
        layers: [nn.layers.dense({ units: 13, activation: 'tanh', inputShape: [3] }), nn.layers.dense({ units: 7, activation: 'gelu' }), nn.layers.dense({ units: 1 })],
      });
      m.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.01 }), loss: 'meanSquaredError' });
      m.getWeights(); // build now, on this backend
      expect(m.backendName).toBe(name);
      models.push(m);
    }
    const [js, wasm] = models as [nn.Sequential, nn.Sequential];
    expectSameWeights(snapshot(wasm), snapshot(js), 'initial weights from the same seed');
    const hj = await js.fit(x, y, { epochs: 5, batchSize: 16, validationSplit: 0.25 });
    const hw = await wasm.fit(x, y, { epochs: 5, batchSize: 16, validationSplit: 0.25 });
    for (const k of ['loss', 'val_loss']) {
      hj.history[k]!.forEach((v, i) => {
        const w = hw.history[k]![i]!;
        expect(Math.abs(w - v), `${k}[${i}]: js ${v}, wasm ${w}`).toBeLessThanOrEqual(1e-4 * Math.abs(v));
      });
    }
    const wj = snapshot(js), ww = snapshot(wasm);
    wj.forEach((arr, t) => arr.forEach((v, i) => expect(Math.abs(ww[t]![i]! - v), `weight ${t}[${i}]`).toBeLessThanOrEqual(1e-3 * (1 + Math.abs(v)))));
    js.dispose();
    wasm.dispose();
  });
});
