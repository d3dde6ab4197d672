/**
 * Property tests over the public API, on both backends: random layer stacks, shapes, batch sizes
 * (1 and larger than the dataset), activations, losses, optimizers and options. Every call either
 * works — finite results, predict shaped [rows, units], no arena bytes left after dispose — or
 * throws an Error with a message; never a hang, a crash, a non-Error throw (a WASM trap would
 * surface as `RuntimeError: unreachable`) or a silently wrong shape. Also random junk for
 * tensor2d, setWeights, fromArtifacts and loadModel (file:// in a temp dir).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { getBackend } from '../src/backend/index.js';
import { modelBackends, useBackend } from './helpers/model.js';

const activationNames = ['linear', 'step', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu', 'selu', 'softplus', 'swish', 'gelu', 'softmax'] as const;
const lossNames = ['meanSquaredError', 'meanAbsoluteError', 'binaryCrossentropy', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy'] as const;

/** A thrown value must be an Error with a real message, and not a wasm trap. */
function checkError(e: unknown, what: string): void {
  expect(e, `${what} threw a non-Error: ${String(e)}`).toBeInstanceOf(Error);
  const err = e as Error;
  expect(err.constructor.name, `${what}: ${err.message}`).not.toBe('RuntimeError');
  expect(err.message, `${what} threw an Error without a message`).toMatch(/\w{3}/);
  expect(err.message).not.toMatch(/unreachable|memory access out of bounds|is not a function|Cannot read properties/);
}

/** Run `call`; on success pass the value to `check`, on failure check the Error. */
async function worksOrThrows<T>(what: string, call: () => T | Promise<T>, check: (v: T) => void): Promise<boolean> {
  let value: T;
  try {
    value = await call();
  } catch (e) {
    checkError(e, what);
    return false;
  }
  check(value);
  return true;
}

const finite = (xs: ArrayLike<number>) => Array.prototype.every.call(xs, Number.isFinite as (v: unknown) => boolean);

// ---- arbitraries ---------------------------------------------------------------------------------

type LayerSpec =
  | { kind: 'dense'; units: number; activation: (typeof activationNames)[number]; useBias: boolean; l2: number }
  | { kind: 'dropout'; rate: number }
  | { kind: 'activation'; activation: (typeof activationNames)[number] }
  | { kind: 'leakyRelu' | 'elu' | 'prelu' };

const layerSpec: fc.Arbitrary<LayerSpec> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('dense' as const), units: fc.integer({ min: 1, max: 9 }), activation: fc.constantFrom(...activationNames), useBias: fc.boolean(), l2: fc.constantFrom(0, 0, 1e-3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('dropout' as const), rate: fc.double({ min: 0, max: 0.9, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('activation' as const), activation: fc.constantFrom(...activationNames) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom('leakyRelu' as const, 'elu' as const, 'prelu' as const) }) },
);

const optimizerSpec = fc.record({
  name: fc.constantFrom('sgd', 'momentum', 'adagrad', 'rmsprop', 'adam', 'adamw'),
  learningRate: fc.constantFrom(1e-4, 1e-2, 0.1, 1),
  clipValue: fc.constantFrom(undefined, 0.5),
  clipNorm: fc.constantFrom(undefined, 1),
  byName: fc.boolean(),
});

const scenario = fc.record({
  inputs: fc.integer({ min: 1, max: 7 }),
  layers: fc.array(layerSpec, { minLength: 1, maxLength: 4 }),
  loss: fc.constantFrom(...lossNames),
  optimizer: optimizerSpec,
  rows: fc.integer({ min: 1, max: 12 }),
  batchSize: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 20 })),
  epochs: fc.integer({ min: 1, max: 3 }),
  validationSplit: fc.constantFrom(undefined, 0.3),
  accuracy: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1000 }),
  scale: fc.constantFrom(1, 100),
});

function buildLayer(spec: LayerSpec, inputShape: number[] | undefined): nn.layers.Layer {
  const first = inputShape ? { inputShape } : {};
  switch (spec.kind) {
    case 'dense':
      return nn.layers.dense({ units: spec.units, activation: spec.activation, useBias: spec.useBias, kernelRegularizer: spec.l2 ? nn.regularizers.l2(spec.l2) : undefined, ...first });
    case 'dropout':
      return nn.layers.dropout({ rate: spec.rate, ...first });
    case 'activation':
      return nn.layers.activation({ activation: spec.activation, ...first });
    case 'leakyRelu':
      return nn.layers.leakyRelu(first);
    case 'elu':
      return nn.layers.elu(first);
    case 'prelu':
      return nn.layers.prelu(first);
  }
}

function optimizerOf(o: fc.RecordValue<{ name: string; learningRate: number; clipValue: number | undefined; clipNorm: number | undefined; byName: boolean }>) {
  if (o.byName) return o.name === 'momentum' ? 'sgd' : o.name;
  const clip = { ...(o.clipValue ? { clipValue: o.clipValue } : {}), ...(o.clipNorm ? { clipNorm: o.clipNorm } : {}) };
  switch (o.name) {
    case 'sgd': return nn.optimizers.sgd({ learningRate: o.learningRate, ...clip });
    case 'momentum': return nn.optimizers.sgd({ learningRate: o.learningRate, momentum: 0.9, nesterov: true, ...clip });
    case 'adagrad': return nn.optimizers.adagrad({ learningRate: o.learningRate, ...clip });
    case 'rmsprop': return nn.optimizers.rmsprop({ learningRate: o.learningRate, momentum: 0.5, centered: true, ...clip });
    case 'adam': return nn.optimizers.adam({ learningRate: o.learningRate, ...clip });
    default: return nn.optimizers.adamw({ learningRate: o.learningRate, ...clip });
  }
}

/** Seeded data in the range the loss expects (probabilities, one-hot rows, class ids). */
function dataFor(loss: string, rows: number, inputs: number, units: number, seed: number, scale: number) {
  let s = seed + 1;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const x = Array.from({ length: rows }, () => Array.from({ length: inputs }, () => (rand() * 2 - 1) * scale));
  const ids = Array.from({ length: rows }, () => Math.floor(rand() * units));
  if (loss === 'sparseCategoricalCrossentropy') return { x, y: ids };
  if (loss === 'categoricalCrossentropy') return { x, y: ids.map((c) => Array.from({ length: units }, (_, j) => (j === c ? 1 : 0))) };
  if (loss === 'binaryCrossentropy') return { x, y: x.map(() => Array.from({ length: units }, () => (rand() < 0.5 ? 0 : 1))) };
  return { x, y: x.map(() => Array.from({ length: units }, () => rand() * 2 - 1)) };
}

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/**
 * Scenarios that are valid by construction and must train without an error: unit-scale inputs, a
 * learning rate of at most 0.01 (the by-name optimizers' defaults are all ≤ 0.01), and a loss whose
 * domain the output layer meets — MSE/MAE with any output, categorical cross-entropy after a
 * softmax dense layer (sparse: with ≥ 2 units), binary cross-entropy after a sigmoid dense layer.
 * Everything else may fail, but only with a clear Error (worksOrThrows).
 */
function mustTrain(sc: Scenario): boolean {
  if (sc.scale !== 1 || !(sc.optimizer.byName || sc.optimizer.learningRate <= 0.01)) return false;
  if (sc.loss === 'meanSquaredError' || sc.loss === 'meanAbsoluteError') return true;
  const last = sc.layers.at(-1)!;
  if (last.kind !== 'dense') return false;
  if (sc.loss === 'categoricalCrossentropy') return last.activation === 'softmax';
  if (sc.loss === 'sparseCategoricalCrossentropy') return last.activation === 'softmax' && last.units >= 2;
  if (sc.loss === 'binaryCrossentropy') return last.activation === 'sigmoid';
  return false;
}

describe.each(modelBackends)('%s backend: properties of the public API', (backend) => {
  useBackend(backend);

  it('random models: build, compile, fit, trainOnBatch, evaluate, predict work with finite results or throw an Error; dispose frees all', async () => {
    const start = getBackend().arenaBytes();
    let mustTrainCount = 0;
    const failedToTrain: string[] = [];
    await fc.assert(
      fc.asyncProperty(scenario, async (sc) => {
        const layers = sc.layers.map((spec, i) => buildLayer(spec, i === 0 ? [sc.inputs] : undefined));
        const model = nn.sequential({ seed: sc.seed, layers });
        const units = model.outputUnits;
        expect(units).toBeGreaterThan(0);
        try {
          const compiled = await worksOrThrows('compile', () => model.compile({ optimizer: optimizerOf(sc.optimizer), loss: sc.loss, metrics: sc.accuracy ? ['accuracy'] : [] }), () => {});
          const { x, y } = dataFor(sc.loss, sc.rows, sc.inputs, units, sc.seed, sc.scale);
          // predict: always [rows, units], finite on finite input (weights are finite by construction).
          await worksOrThrows('predict', () => model.predict(x, { batchSize: sc.batchSize }), (p) => {
            expect(p.shape).toEqual([sc.rows, units]);
            expect(p.data.length).toBe(sc.rows * units);
            expect(finite(p.data), 'predictions').toBe(true);
          });
          if (!compiled) return;
          const fitted = await worksOrThrows(
            'fit',
            () => model.fit(x, y, { epochs: sc.epochs, batchSize: sc.batchSize, validationSplit: sc.rows > 3 ? sc.validationSplit : undefined, yieldEvery: 1000 }),
            (h) => {
              expect(h.epoch).toHaveLength(sc.epochs);
              for (const [k, v] of Object.entries(h.history)) {
                expect(v, k).toHaveLength(sc.epochs);
                expect(finite(v), `history.${k}: ${v}`).toBe(true);
              }
            },
          );
          if (mustTrain(sc)) {
            mustTrainCount++;
            if (!fitted) failedToTrain.push(JSON.stringify(sc));
          }
          // Whatever happened, the weights are finite (a diverging step is undone).
          for (const w of model.getWeights()) expect(finite(w.data), `weights ${w.name} after fit`).toBe(true);
          await worksOrThrows('trainOnBatch', () => model.trainOnBatch(x, y), (loss) => expect(Number.isFinite(loss), `trainOnBatch loss ${loss}`).toBe(true));
          await worksOrThrows('evaluate', () => model.evaluate(x, y, { batchSize: sc.batchSize }), (r) => {
            expect(Number.isFinite(r.loss), `evaluate loss ${r.loss}`).toBe(true);
            if (sc.accuracy) expect(r.accuracy! >= 0 && r.accuracy! <= 1, `accuracy ${r.accuracy}`).toBe(true);
          });
          // After a diverged run the weights are finite but may be huge: predict says so, or works.
          await worksOrThrows('predict after training', () => model.predict(x), (p) => {
            expect(p.shape).toEqual([sc.rows, units]);
            expect(finite(p.data)).toBe(true);
          });
        } finally {
          model.dispose();
        }
        expect(getBackend().arenaBytes(), 'arena bytes after dispose').toBe(start);
      }),
      { numRuns: Number(process.env.PROP_RUNS ?? 1000), seed: process.env.PROP_SEED ? Number(process.env.PROP_SEED) : backend === 'js' ? 101 : 202 },
    );
    // Every scenario that is valid by construction trained — and there were enough of them to count.
    expect(failedToTrain, 'valid scenarios that failed to train').toEqual([]);
    expect(mustTrainCount, 'valid-by-construction scenarios among the runs').toBeGreaterThanOrEqual(Math.min(50, Number(process.env.PROP_RUNS ?? 1000) / 20));
  });

  it('setWeights with junk: throws an Error or stores finite weights of the right shapes', async () => {
    const model = nn.sequential({ seed: 1, layers: [nn.layers.dense({ units: 3, inputShape: [2] }), nn.layers.prelu()] });
    const shapes = model.getWeights().map((w) => w.shape);
    const good = () => model.getWeights().map((w) => ({ shape: w.shape, data: w.data }));
    const junkValue = fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Infinity, -Infinity, 1e39), fc.string(), fc.constant(null), fc.constant(undefined));
    const junkWeight = fc.oneof(
      fc.anything(),
      fc.record({ shape: fc.array(fc.integer({ min: -2, max: 4 }), { maxLength: 3 }), data: fc.array(fc.double(), { maxLength: 8 }) }),
      fc.record({ shape: fc.constantFrom([2, 3], [3], [3, 2]), data: fc.oneof(fc.array(junkValue, { minLength: 3, maxLength: 6 }), fc.float32Array({ minLength: 3, maxLength: 6 }), fc.anything()) }),
      fc.record({ shape: fc.constantFrom([2, 3], [3]), dataSync: fc.func(fc.array(fc.double(), { maxLength: 6 })) }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.anything(), fc.array(junkWeight, { maxLength: 4 }), fc.tuple(fc.integer({ min: 0, max: 2 }), junkWeight).map(([i, w]) => { const ws: unknown[] = good(); ws[i] = w; return ws; })),
        async (junk) => {
          const before = model.getWeights();
          const ok = await worksOrThrows('setWeights', () => model.setWeights(junk as never), () => {});
          const after = model.getWeights();
          expect(after.map((w) => w.shape)).toEqual(shapes);
          for (const w of after) expect(finite(w.data)).toBe(true);
          if (!ok) expect(after).toEqual(before); // nothing written on failure
        },
      ),
      { numRuns: 300, seed: 7 },
    );
    model.dispose();
  });

  it('fromArtifacts with junk: a working model or an Error', async () => {
    const base = (() => {
      const m = nn.sequential({ seed: 2, layers: [nn.layers.dense({ units: 2, inputShape: [3], activation: 'relu' }), nn.layers.dense({ units: 1 })] });
      const a = m.toArtifacts();
      m.dispose();
      return a;
    })();
    const start = getBackend().arenaBytes();
    const junkArtifacts = fc.oneof(
      fc.anything(),
      fc.record({ modelTopology: fc.anything(), weightSpecs: fc.anything(), weightData: fc.anything() }, { requiredKeys: [] }),
      fc.record({ modelTopology: fc.oneof(fc.constant(base.modelTopology), fc.json(), fc.string()), weightSpecs: fc.oneof(fc.constant(base.weightSpecs), fc.anything()), weightData: fc.oneof(fc.constant(base.weightData), fc.uint8Array({ maxLength: 64 }).map((u) => u.buffer)) }),
    );
    await fc.assert(
      fc.asyncProperty(junkArtifacts, async (junk) => {
        await worksOrThrows('fromArtifacts', () => nn.fromArtifacts(junk as never), (m) => {
          const p = m.predict([[1, 2, 3]]);
          expect(p.shape).toEqual([1, m.outputUnits]);
          expect(finite(p.data)).toBe(true);
          m.dispose();
        });
        expect(getBackend().arenaBytes(), 'arena bytes after a failed or disposed load').toBe(start);
      }),
      { numRuns: 200, seed: 9 },
    );
  });
});

describe('loadModel from file:// with random bytes', () => {
  let dir = '';
  beforeAll(async () => {
    await nn.setBackend('js');
    dir = await mkdtemp(join(tmpdir(), 'wasm-mlp-prop-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('junk model.json / weights.bin load or throw an Error', async () => {
    const m = nn.sequential({ seed: 3, layers: [nn.layers.dense({ units: 2, inputShape: [2] })] });
    await m.save(`file://${join(dir, 'good')}`);
    m.dispose();
    const goodJson = JSON.parse(await (await import('node:fs/promises')).readFile(join(dir, 'good', 'model.json'), 'utf8'));
    let i = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify({ ...goodJson, modelTopology: v })), fc.jsonValue().map((v) => JSON.stringify({ ...goodJson, weightsManifest: v }))),
        fc.oneof(fc.constant(undefined), fc.uint8Array({ maxLength: 40 })),
        async (json, weights) => {
          const d = join(dir, `case${i++}`);
          await (await import('node:fs/promises')).mkdir(d);
          await writeFile(join(d, 'model.json'), json);
          if (weights) await writeFile(join(d, 'weights.bin'), weights);
          await worksOrThrows('loadModel', () => nn.loadModel(`file://${join(d, 'model.json')}`), (model) => {
            expect(model.predict([[0.5, -0.5]]).shape).toEqual([1, model.outputUnits]);
            model.dispose();
          });
        },
      ),
      { numRuns: 60, seed: 13 },
    );
  });
});

describe('tensor2d with junk', () => {
  it('gives a consistent Tensor2D or throws an Error', () => {
    const junk = fc.oneof(
      fc.anything(),
      fc.array(fc.array(fc.oneof(fc.double(), fc.string(), fc.constant(null)), { maxLength: 4 }), { maxLength: 4 }),
      fc.float32Array({ maxLength: 12 }),
      fc.array(fc.double(), { maxLength: 12 }),
    );
    const shape = fc.oneof(fc.constant(undefined), fc.tuple(fc.integer({ min: -1, max: 5 }), fc.integer({ min: -1, max: 5 })), fc.anything());
    fc.assert(
      fc.property(junk, shape, (values, sh) => {
        let t: nn.Tensor2D;
        try {
          t = nn.tensor2d(values as never, sh as never);
        } catch (e) {
          checkError(e, 'tensor2d');
          return;
        }
        const [rows, cols] = t.shape;
        expect(Number.isInteger(rows) && rows >= 0 && Number.isInteger(cols) && cols >= 0, `shape ${t.shape}`).toBe(true);
        expect(t.data).toBeInstanceOf(Float32Array);
        expect(t.data.length).toBe(rows * cols);
        expect(t.toArray()).toHaveLength(rows);
      }),
      { numRuns: 1000, seed: 17 },
    );
  });
});
