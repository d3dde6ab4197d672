/**
 * Bad input, on every backend: each call fails with an Error whose message names what was expected
 * and what came, and leaves the model's weights exactly as they were (getWeights before/after).
 * Also: use after dispose, two concurrent fit calls, and a diverging run that must stop with the
 * epoch and batch named and the weights from before the bad step.
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { allFinite, expectSameWeights, modelBackends, Rng, snapshot, useBackend } from './helpers/model.js';

const IN = 4;
const OUT = 3;
const ROWS = 6;

/** 4 → 5 (tanh) → 3, compiled with `loss` (softmax output for the cross-entropies). */
function makeModel(loss: 'meanSquaredError' | 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy' = 'meanSquaredError', compile = true): nn.Sequential {
  const model = nn.sequential({
    seed: 4,
    layers: [
      nn.layers.dense({ units: 5, activation: 'tanh', inputShape: [IN] }),
      nn.layers.dense({ units: OUT, activation: loss === 'meanSquaredError' ? 'linear' : 'softmax' }),
    ],
  });
  if (compile) model.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.01 }), loss });
  model.getWeights(); // build, so the weights exist before the bad call
  return model;
}

function data(seed = 1): { x: number[][]; y: number[][]; ids: number[] } {
  const rng = new Rng(seed);
  const x = Array.from({ length: ROWS }, () => Array.from({ length: IN }, () => rng.normal()));
  const y = Array.from({ length: ROWS }, () => Array.from({ length: OUT }, () => rng.normal()));
  return { x, y, ids: Array.from({ length: ROWS }, (_, i) => i % OUT) };
}

/** The call must throw (or reject) with a message matching every pattern; weights must be unchanged. */
async function expectFails(model: nn.Sequential, call: () => unknown, ...patterns: RegExp[]): Promise<Error> {
  const before = snapshot(model);
  let error: unknown;
  try {
    await call();
  } catch (e) {
    error = e;
  }
  expect(error, 'the call should have failed').toBeInstanceOf(Error);
  const message = (error as Error).message;
  for (const p of patterns) expect(message).toMatch(p);
  expectSameWeights(snapshot(model), before, `weights after "${message.slice(0, 80)}"`);
  return error as Error;
}

/** After a failed call the model must still train normally. */
function expectStillTrains(model: nn.Sequential, y: nn.Labels = data().y): void {
  const before = snapshot(model);
  const loss = model.trainOnBatch(data().x, y);
  expect(Number.isFinite(loss)).toBe(true);
  expect(snapshot(model)).not.toEqual(before);
}

const with_ = (rows: number[][], r: number, c: number, v: number) => rows.map((row, i) => row.map((x, j) => (i === r && j === c ? v : x)));

describe.each(modelBackends)('%s backend: bad input fails clearly and changes nothing', (backend) => {
  useBackend(backend);

  describe('feature matrix', () => {
    it.each(['fit', 'trainOnBatch', 'evaluate', 'predict'] as const)('wrong x width in %s names 4 expected and 5 got', async (method) => {
      const model = makeModel();
      const { y } = data();
      const x5 = data().x.map((r) => [...r, 0]);
      const call = { fit: () => model.fit(x5, y), trainOnBatch: () => model.trainOnBatch(x5, y), evaluate: () => model.evaluate(x5, y), predict: () => model.predict(x5) }[method];
      await expectFails(model, call, new RegExp(method), /expected 4 columns/, /got 5/);
      expectStillTrains(model);
    });

    it('wrong width of a wrapped Float32Array tensor', async () => {
      const model = makeModel();
      await expectFails(model, () => model.predict(nn.tensor2d(new Float32Array(12), [2, 6])), /expected 4 columns/, /got 6/, /\[2,6\]/);
    });

    it.each([
      ['NaN in x', (x: number[][]) => with_(x, 1, 2, Number.NaN), /row 1, column 2 is NaN/],
      ['Infinity in x', (x: number[][]) => with_(x, 3, 0, Number.POSITIVE_INFINITY), /row 3, column 0 is Infinity/],
      ['-Infinity in x', (x: number[][]) => with_(x, 5, 3, Number.NEGATIVE_INFINITY), /row 5, column 3 is -Infinity/],
    ] as const)('%s (fit, trainOnBatch, evaluate, predict)', async (_name, corrupt, where) => {
      const model = makeModel();
      const { x, y } = data();
      const bad = corrupt(x);
      for (const call of [() => model.fit(bad, y), () => model.trainOnBatch(bad, y), () => model.evaluate(bad, y), () => model.predict(bad)]) {
        await expectFails(model, call, where, /finite/);
      }
      expectStillTrains(model);
    });

    it('NaN deep in a large Float32Array is found (fit)', async () => {
      const model = makeModel();
      const xs = new Float32Array(1000 * IN).fill(0.5);
      xs[777 * IN + 1] = Number.NaN;
      const ys = new Float32Array(1000 * OUT);
      await expectFails(model, () => model.fit(nn.tensor2d(xs, [1000, IN]), nn.tensor2d(ys, [1000, OUT])), /row 777, column 1 is NaN/);
    });

    it('Infinity in the training rows or in the validationSplit rows names its row in x (fit checks its copy of the training rows)', async () => {
      const xs = new Float32Array(1000 * IN).fill(0.5);
      const ys = new Float32Array(1000 * OUT);
      for (const [row, col] of [[3, 0], [899, IN - 1], [950, 1]] as const) {
        const model = makeModel();
        const bad = xs.slice();
        bad[row * IN + col] = -Infinity;
        await expectFails(model, () => model.fit(nn.tensor2d(bad, [1000, IN]), nn.tensor2d(ys, [1000, OUT]), { validationSplit: 0.1 }), new RegExp(`fit x: value at row ${row}, column ${col} is -Infinity`));
      }
    });

    it('ragged rows name the row and both lengths', async () => {
      const model = makeModel();
      const { x, y } = data();
      const ragged = x.map((r, i) => (i === 2 ? r.slice(0, 3) : r));
      await expectFails(model, () => model.fit(ragged, y), /ragged/, /row 0 has 4/, /row 2 has 3/);
      await expectFails(model, () => model.predict(ragged), /ragged/, /row 2 has 3/);
      const raggedY = y.map((r, i) => (i === 4 ? [...r, 1] : r));
      await expectFails(model, () => model.trainOnBatch(x, raggedY), /ragged/, /row 4 has 4/);
    });

    it('empty data', async () => {
      const model = makeModel();
      await expectFails(model, () => model.fit([], []), /at least one row/, /empty/);
      await expectFails(model, () => model.predict([]), /at least one row/, /empty/);
      await expectFails(model, () => model.evaluate(nn.tensor2d(new Float32Array(0), [0, IN]), nn.tensor2d(new Float32Array(0), [0, OUT])), /at least one row/);
    });

    it('not a matrix at all', async () => {
      const model = makeModel();
      await expectFails(model, () => model.predict('abc' as unknown as number[][]), /expected a Tensor2D or number\[\]\[\]/, /string/);
      await expectFails(model, () => model.fit([1, 2, 3, 4] as unknown as number[][], data().y), /row 0 is number 1/);
    });
  });

  describe('labels', () => {
    it('x/y row mismatch names both counts', async () => {
      const model = makeModel();
      const { x, y } = data();
      await expectFails(model, () => model.fit(x, y.slice(0, 5)), /x has 6 rows but y has 5/);
      await expectFails(model, () => model.trainOnBatch(x.slice(0, 4), y), /x has 4 rows but y has 6/);
      await expectFails(model, () => model.evaluate(x, y.slice(0, 1)), /x has 6 rows but y has 1/);
    });

    it('wrong label width names the output units and what came', async () => {
      const model = makeModel();
      const { x, y } = data();
      await expectFails(model, () => model.fit(x, y.map((r) => r.slice(0, 2))), /3 wide/, /got 2/);
      const cce = makeModel('categoricalCrossentropy');
      await expectFails(cce, () => cce.trainOnBatch(x, data().ids.map((c) => [c])), /3 wide/, /got 1/, /sparseCategoricalCrossentropy/);
    });

    it.each([
      ['NaN', Number.NaN, /NaN/],
      ['Infinity', Number.POSITIVE_INFINITY, /Infinity/],
    ] as const)('%s in y', async (_name, v, pattern) => {
      const model = makeModel();
      const { x, y } = data();
      const bad = with_(y, 2, 1, v);
      await expectFails(model, () => model.fit(x, bad), /labels/, /row 2, column 1/, pattern, /finite/);
      await expectFails(model, () => model.trainOnBatch(x, bad), /row 2, column 1/, pattern);
      await expectFails(model, () => model.evaluate(x, bad), /row 2, column 1/, pattern);
    });

    it.each([
      ['out of range', 3, /label 4 is 3/],
      ['negative', -1, /label 4 is -1/],
      ['not an integer', 1.5, /label 4 is 1.5/],
      ['NaN', Number.NaN, /NaN/],
    ] as const)('sparse class id %s', async (_name, v, pattern) => {
      const model = makeModel('sparseCategoricalCrossentropy');
      const { x, ids } = data();
      const bad = ids.map((c, i) => (i === 4 ? v : c));
      for (const call of [() => model.fit(x, bad), () => model.trainOnBatch(x, bad), () => model.evaluate(x, Float32Array.from(bad))]) {
        await expectFails(model, call, pattern);
      }
      const e = await expectFails(model, () => model.fit(x, bad), pattern);
      if (!Number.isNaN(v)) expect(e.message).toMatch(/\[0, 2\]/);
      expectStillTrains(model, ids);
    });

    it('sparse labels with two columns', async () => {
      const model = makeModel('sparseCategoricalCrossentropy');
      const { x, ids } = data();
      await expectFails(model, () => model.fit(x, ids.map((c) => [c, 0])), /one class id per row/, /got 2 columns/);
    });

    it('validationData and validationSplit are checked before training starts', async () => {
      const model = makeModel();
      const { x, y } = data();
      await expectFails(model, () => model.fit(x, y, { validationData: [x.map((r) => r.slice(1)), y] }), /validationData x/, /expected 4 columns/, /got 3/);
      await expectFails(model, () => model.fit(x, y, { validationData: [x, y.slice(2)] }), /validationData y/, /6 rows but y has 4/);
      await expectFails(model, () => model.fit(x, y, { validationSplit: 1.5 }), /validationSplit/, /\(0, 1\)/, /1\.5/);
      await expectFails(model, () => model.fit(x, y, { validationSplit: 0.9 }), /validationSplit 0.9 of 6 samples/, /no training samples/);
    });
  });

  describe('options', () => {
    it.each([0, -1, 2.5, Number.NaN, '8'])('batchSize %s', async (v) => {
      const model = makeModel();
      const { x, y } = data();
      await expectFails(model, () => model.fit(x, y, { batchSize: v as number }), /batchSize must be an integer >= 1/, new RegExp(`got .*${String(v)}`));
      await expectFails(model, () => model.predict(x, { batchSize: v as number }), /batchSize must be an integer >= 1/);
    });

    it.each([0, -3, 1.5, Number.POSITIVE_INFINITY])('epochs %s', async (v) => {
      const model = makeModel();
      const { x, y } = data();
      await expectFails(model, () => model.fit(x, y, { epochs: v }), /epochs must be an integer >= 1/, new RegExp(`got number ${String(v)}`));
    });

    it('unknown activation, loss and optimizer names list the valid ones', async () => {
      expect(() => nn.layers.dense({ units: 3, activation: 'relu6' as nn.layers.ActivationName })).toThrow(/unknown activation "relu6".*'relu'.*'softmax'/);
      // (mish and adamax were the examples here until issue 14 added them.)
      expect(() => nn.layers.activation({ activation: 'hardSigmoid' as nn.layers.ActivationName })).toThrow(/unknown activation "hardSigmoid"/);
      const model = makeModel();
      await expectFails(model, () => model.compile({ optimizer: 'adam', loss: 'hinge' }), /unknown loss "hinge"/, /'meanSquaredError'/, /'sparseCategoricalCrossentropy'/);
      await expectFails(model, () => model.compile({ optimizer: 'adadelta', loss: 'meanSquaredError' }), /unknown optimizer "adadelta"/, /'adam'/, /'sgd'/);
      await expectFails(model, () => model.compile({ optimizer: 'adam', loss: 'meanSquaredError', metrics: ['f1'] }), /unknown metric "f1"/, /'accuracy'/);
      // The earlier, valid compile still stands.
      expect(model.trainingConfig?.loss).toBe('meanSquaredError');
      expectStillTrains(model);
    });

    it.each([-0.1, 1, 1.5, Number.NaN])('dropout rate %s is outside [0, 1)', (rate) => {
      expect(() => nn.layers.dropout({ rate })).toThrow(/rate must be a number in \[0, 1\), got/);
      expect(() => nn.layers.dropout({ rate })).toThrow(new RegExp(`got ${String(rate)}|got null`));
    });

    it.each([0, -2, 2.5])('dense units %s', (units) => {
      expect(() => nn.layers.dense({ units })).toThrow(new RegExp(`units must be an integer >= 1, got ${units}`));
    });

    it('fit, trainOnBatch and evaluate before compile say to compile first', async () => {
      const model = makeModel('meanSquaredError', false);
      const { x, y } = data();
      await expectFails(model, () => model.fit(x, y), /fit: compile the model first/);
      await expectFails(model, () => model.trainOnBatch(x, y), /trainOnBatch: compile the model first/);
      await expectFails(model, () => model.evaluate(x, y), /evaluate: compile the model first/);
      expect(model.predict(x).shape).toEqual([ROWS, OUT]); // predict needs no compile
    });
  });

  describe('setWeights', () => {
    it('wrong count, shape, length, non-finite values — nothing is written', async () => {
      const model = makeModel();
      const ws = model.getWeights();
      await expectFails(model, () => model.setWeights(ws.slice(0, 3)), /has 4 weights/, /got 3/);
      const swapped = ws.map((w, i) => (i === 0 ? { shape: [5, 4], data: w.data } : w));
      await expectFails(model, () => model.setWeights(swapped), /weight 0/, /expected shape \[4,5\]/, /got \[5,4\]/);
      const short = ws.map((w, i) => (i === 1 ? { shape: w.shape, data: w.data.slice(1) } : w));
      await expectFails(model, () => model.setWeights(short), /weight 1/, /expected 5 values/, /got 4/);
      // A bad value in the LAST weight: the valid earlier ones must not have been written either.
      const changed = ws.map((w) => ({ shape: w.shape, data: w.data.map((v) => v + 1) }));
      changed[3]!.data[2] = Number.NaN;
      await expectFails(model, () => model.setWeights(changed), /weight 3/, /value 2 is number NaN/, /finite/);
      changed[3]!.data[2] = Number.POSITIVE_INFINITY;
      await expectFails(model, () => model.setWeights(changed), /Infinity/);
    });
  });

  describe('lifecycle', () => {
    it('every use after dispose fails clearly', async () => {
      const model = makeModel();
      const { x, y } = data();
      model.dispose();
      expect(model.isDisposed).toBe(true);
      const calls: [string, () => unknown][] = [
        ['predict', () => model.predict(x)],
        ['evaluate', () => model.evaluate(x, y)],
        ['trainOnBatch', () => model.trainOnBatch(x, y)],
        ['fit', () => model.fit(x, y)],
        ['getWeights', () => model.getWeights()],
        ['setWeights', () => model.setWeights([])],
        ['compile', () => model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' })],
        ['add', () => model.add(nn.layers.dense({ units: 2 }))],
      ];
      for (const [name, call] of calls) {
        let err: unknown;
        try { await call(); } catch (e) { err = e; }
        expect(err, `${name} after dispose`).toBeInstanceOf(Error);
        expect((err as Error).message, name).toMatch(/disposed/);
      }
      expect(() => model.dispose()).not.toThrow(); // disposing twice is harmless
    });

    it('a second concurrent fit is rejected clearly and the first completes', async () => {
      const model = makeModel();
      const { x, y } = data();
      const first = model.fit(x, y, { epochs: 20, batchSize: 2, yieldEvery: 0 });
      const second = model.fit(x, y, { epochs: 1 });
      await expect(second).rejects.toThrow(/already training/);
      expect(() => model.trainOnBatch(x, y)).toThrow(/training in fit\(\)/);
      const h = await first;
      expect(h.history.loss).toHaveLength(20);
      expect(h.history.loss.every(Number.isFinite)).toBe(true);
      // Afterwards fit works again.
      const again = await model.fit(x, y, { epochs: 2 });
      expect(again.history.loss).toHaveLength(2);
    });

    it('a diverging run stops with the epoch and batch named, keeping the last finite weights', async () => {
      const model = nn.sequential({
        seed: 2,
        layers: [nn.layers.dense({ units: 8, activation: 'relu', inputShape: [IN] }), nn.layers.dense({ units: 1 })],
      });
      model.compile({ optimizer: nn.optimizers.sgd({ learningRate: 50 }), loss: 'meanSquaredError' });
      const rng = new Rng(3);
      const x = nn.tensor2d(rng.normals(64 * IN, 3), [64, IN]);
      const y = nn.tensor2d(rng.normals(64, 1e4), [64, 1]);
      const afterBatch: Float32Array[][] = [snapshot(model)];
      const where: string[] = [];
      let error: unknown;
      try {
        await model.fit(x, y, {
          epochs: 50, batchSize: 8,
          callbacks: { onBatchEnd: (b) => { afterBatch.push(snapshot(model)); where.push(`${b}`); } },
        });
      } catch (e) {
        error = e;
      }
      expect(error, 'fit should reject').toBeInstanceOf(Error);
      const message = (error as Error).message;
      expect(message).toMatch(/diverged at epoch \d+, batch \d+/);
      const [, epoch, batch] = /epoch (\d+), batch (\d+)/.exec(message)!.map(Number);
      // The named epoch/batch is the step after the last completed one (8 batches per epoch, 1-based).
      const completed = afterBatch.length - 1;
      expect((epoch! - 1) * 8 + batch!, message).toBe(completed + 1);
      const weights = snapshot(model);
      expect(allFinite(weights), 'weights after divergence must be finite').toBe(true);
      expectSameWeights(weights, afterBatch.at(-1)!, 'weights vs those after the last good batch');
      // fit is usable again after the error (no stuck "already training" state). The last good
      // weights may be finite yet huge, so start again from the initial ones.
      model.setWeights(model.getWeights().map((w, i) => ({ shape: w.shape, data: afterBatch[0]![i]! })));
      model.compile({ optimizer: nn.optimizers.sgd({ learningRate: 1e-6 }), loss: 'meanSquaredError' });
      await expect(model.fit(x, y, { epochs: 1 })).resolves.toBeDefined();
    });

    /** A linear model on inputs ~1e18: the loss is finite (f64) but xᵀ·dz ~ 1e36 per element. */
    function overflowCase(learningRate: number) {
      const model = nn.sequential({ seed: 1, layers: [nn.layers.dense({ units: 1, inputShape: [2] })] });
      model.compile({ optimizer: nn.optimizers.sgd({ learningRate }), loss: 'meanSquaredError' });
      model.getWeights();
      return { model, x: [[1e18, -1e18], [2e18, 1e18]], y: [[0], [1]] };
    }

    it('trainOnBatch whose gradient overflows throws and leaves the weights unchanged', async () => {
      // Kernel 1e-5 on x = 1e22: prediction 2e17, loss 4e34 (finite even in f32), but the kernel
      // gradient x·2(p − y) ≈ 4e39 overflows f32.
      const { model } = overflowCase(1);
      model.setWeights([{ shape: [2, 1], data: new Float32Array([1e-5, 1e-5]) }, { shape: [1], data: new Float32Array([0]) }]);
      await expectFails(model, () => model.trainOnBatch([[1e22, 1e22]], [[0]]), /trainOnBatch: the gradient became NaN or Infinity/, /weights were not changed/);
    });

    it('an update that overflows the weights to ±Infinity is caught, not stored (trainOnBatch and fit)', async () => {
      // Gradient ~1e36 is finite, but learning rate 1e4 makes the step ~1e40 > f32 max.
      const { model, x, y } = overflowCase(1e4);
      const before = snapshot(model);
      let error: unknown;
      try { model.trainOnBatch(x, y); } catch (e) { error = e; }
      expect(allFinite(snapshot(model)), `weights after trainOnBatch: ${snapshot(model).map((w) => Array.from(w)).join(' | ')}`).toBe(true);
      expect(error, 'trainOnBatch should throw instead of storing infinite weights').toBeInstanceOf(Error);
      expectSameWeights(snapshot(model), before, 'weights after the refused step');
      const second = overflowCase(1e4);
      await expect(second.model.fit(second.x, second.y, { epochs: 2 })).rejects.toThrow(/diverged at epoch 1, batch 1/);
      expect(allFinite(snapshot(second.model)), 'weights after the diverged fit').toBe(true);
    });

    it('an unknown backend name is rejected and the current backend stays', async () => {
      await expect(nn.setBackend('gpu' as 'js')).rejects.toThrow(/Unknown backend 'gpu': expected 'wasm' or 'js'/);
      expect(nn.backendInfo().name).toBe(backend);
    });
  });
});
