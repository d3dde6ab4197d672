/**
 * Checkpoints: `save(…, { includeOptimizer: true })` writes TensorFlow.js's optimizer weights
 * ('iter', then '<weight>/<slot>', group 'optimizer') and the random position; loading restores
 * them, so training resumes bit-for-bit as one uninterrupted run (both backends, every optimizer,
 * dropout and shuffling on). nn.callbacks.modelCheckpoint saves through the handlers. The
 * TensorFlow.js oracle: its own includeOptimizer file has the same specs, loads here, and ours
 * loads in tf.loadLayersModel with the optimizer state in place.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { expectSameWeights, modelBackends, snapshot, useBackend } from './helpers/model.js';
import { Rng } from './helpers/random.js';
import { tf, tfl, tfReady } from './helpers/tf.js';

function data(seed: number, rows = 83, cols = 5, classes = 3): { x: nn.Tensor2D; y: nn.Tensor2D } {
  const rng = new Rng(seed);
  const x = new Float32Array(rows * cols), y = new Float32Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += (x[r * cols + c] = rng.uniform(-1, 1));
    y[r * classes + (s > 0.5 ? 0 : s > -0.5 ? 1 : 2)] = 1;
  }
  return { x: nn.tensor2d(x, [rows, cols]), y: nn.tensor2d(y, [rows, classes]) };
}

function build(optimizer: nn.Optimizer | string, seed = 11): nn.Sequential {
  const m = nn.sequential({ seed });
  m.add(nn.layers.dense({ units: 7, activation: 'relu', inputShape: [5] }));
  m.add(nn.layers.dropout({ rate: 0.3 }));
  m.add(nn.layers.dense({ units: 3, activation: 'softmax' }));
  m.compile({ optimizer: optimizer as never, loss: 'categoricalCrossentropy', metrics: ['accuracy', 'auc'] });
  return m;
}

const optimizers: [string, () => nn.Optimizer][] = [
  ['adam', () => nn.optimizers.adam({ learningRate: 0.01 })],
  ['sgd', () => nn.optimizers.sgd({ learningRate: 0.05 })],
  ['sgd momentum nesterov', () => nn.optimizers.sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true })],
  ['rmsprop centered', () => nn.optimizers.rmsprop({ learningRate: 0.01, momentum: 0.5, centered: true })],
  ['adagrad', () => nn.optimizers.adagrad({ learningRate: 0.1 })],
  ['adamw', () => nn.optimizers.adamw({ learningRate: 0.01, weightDecay: 0.01 })],
  ['nadam', () => nn.optimizers.nadam({ learningRate: 0.01 })],
  ['adamax', () => nn.optimizers.adamax({ learningRate: 0.01 })],
];

describe.each(modelBackends)('resume from a checkpoint on %s', (backend) => {
  useBackend(backend);

  it('modelCheckpoint to file://, kill, load, fit with initialEpoch = savedEpoch: the same weights and history as one run', async () => {
    const { x, y } = data(1);
    const fitArgs = { batchSize: 16, validationSplit: 0.2, shuffle: true } as const;
    const whole = build(nn.optimizers.adam({ learningRate: 0.02 }));
    const h1 = await whole.fit(x, y, { ...fitArgs, epochs: 5 });

    const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-ckpt-'));
    const first = build(nn.optimizers.adam({ learningRate: 0.02 }));
    const ckpt = nn.callbacks.modelCheckpoint({ filepath: `file://${dir}/ckpt` });
    await first.fit(x, y, { ...fitArgs, epochs: 3, callbacks: [ckpt] });
    first.dispose(); // "killed": nothing of it is used again
    const resumed = await nn.loadModel(`file://${dir}/ckpt/model.json`);
    expect(resumed.savedEpoch).toBe(3);
    expect(resumed.trainingConfig!.metrics).toEqual(['accuracy', 'auc']);
    const h2 = await resumed.fit(x, y, { ...fitArgs, epochs: 5, initialEpoch: resumed.savedEpoch });
    expectSameWeights(snapshot(resumed), snapshot(whole), `${backend}: resumed vs uninterrupted`);
    expect(h2.epoch).toEqual([3, 4]);
    for (const k of Object.keys(h1.history)) expect(h2.history[k], k).toEqual(h1.history[k]!.slice(3));
    // The model.json is a TensorFlow.js file with optimizer weights.
    const json = JSON.parse(readFileSync(join(dir, 'ckpt', 'model.json'), 'utf8'));
    const specs = json.weightsManifest[0].weights as { name: string; group?: string; dtype: string }[];
    expect(specs.map((s) => `${s.group ?? 'model'}:${s.name}`)).toEqual([
      'model:dense/kernel', 'model:dense/bias', 'model:dense_1/kernel', 'model:dense_1/bias', 'optimizer:iter',
      'optimizer:dense/kernel/m', 'optimizer:dense/bias/m', 'optimizer:dense_1/kernel/m', 'optimizer:dense_1/bias/m',
      'optimizer:dense/kernel/v', 'optimizer:dense/bias/v', 'optimizer:dense_1/kernel/v', 'optimizer:dense_1/bias/v',
    ]);
    expect(specs.find((s) => s.name === 'iter')!.dtype).toBe('int32');
    whole.dispose(); resumed.dispose();
  });

  it.each(optimizers)('every optimizer resumes bit-for-bit through toArtifacts/fromArtifacts: %s', async (_name, make) => {
    const { x, y } = data(2, 41);
    const whole = build(make(), 3);
    await whole.fit(x, y, { epochs: 4, batchSize: 8 });
    const part = build(make(), 3);
    await part.fit(x, y, { epochs: 2, batchSize: 8 });
    const resumed = await nn.fromArtifacts(part.toArtifacts({ includeOptimizer: true, epoch: 2 }));
    await resumed.fit(x, y, { epochs: 4, batchSize: 8, initialEpoch: resumed.savedEpoch });
    expectSameWeights(snapshot(resumed), snapshot(whole), `${backend} ${_name}`);
    // Without the optimizer state the run differs (the test can fail).
    const fresh = await nn.fromArtifacts(part.toArtifacts());
    await fresh.fit(x, y, { epochs: 2, batchSize: 8 });
    expect(snapshot(fresh)[0]).not.toEqual(snapshot(whole)[0]);
    for (const m of [whole, part, resumed, fresh]) m.dispose();
  });
});

describe('modelCheckpoint options', () => {
  useBackend('js');

  it('saveBestOnly with mode auto (max for auc), placeholders in the path, saveFreq in batches', async () => {
    const { x, y } = data(3);
    const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-ckpt-'));
    const m = build('adam');
    const saved: string[] = [];
    const best = nn.callbacks.modelCheckpoint({ filepath: `file://${dir}/e{epoch:02d}-{val_auc:.3f}`, monitor: 'val_auc', saveBestOnly: true });
    expect(best.mode).toBe('max');
    const h = await m.fit(x, y, { epochs: 6, batchSize: 16, validationSplit: 0.25, callbacks: [best, { onEpochEnd: () => { if (best.lastSaved) saved.push(best.lastSaved); } }] });
    const aucs = h.history.val_auc!;
    const expected = new Set<string>();
    let top = -Infinity;
    aucs.forEach((v, e) => { if (v > top) { top = v; expected.add(`e${String(e + 1).padStart(2, '0')}-${v.toFixed(3)}`); } });
    expect(readdirSync(dir).sort()).toEqual([...expected].sort());
    expect(best.best).toBe(Math.max(...aucs));
    const byBatch = nn.callbacks.modelCheckpoint({ filepath: `file://${dir}/b`, saveFreq: 3 });
    const counts: number[] = [];
    await m.fit(x, y, { epochs: 1, batchSize: 16, callbacks: [byBatch, { onBatchEnd: (b) => { counts.push(b); } }] });
    expect(byBatch.lastSaved).toBe(`file://${dir}/b`);
    expect(JSON.parse(readFileSync(join(dir, 'b', 'model.json'), 'utf8')).userDefinedMetadata.wasmMlp.epoch).toBe(0);
    m.dispose();
  });

  it('refuses bad options and a missing monitor, naming them', async () => {
    expect(() => nn.callbacks.modelCheckpoint({} as never)).toThrow(/filepath must be a URL/);
    expect(() => nn.callbacks.modelCheckpoint({ filepath: 'file://x', saveFreq: 0 })).toThrow(/saveFreq must be 'epoch' or an integer >= 1/);
    expect(() => nn.callbacks.modelCheckpoint({ filepath: 'file://x', mode: 'up' as never })).toThrow(/mode must be/);
    expect(() => nn.callbacks.modelCheckpoint({ filepath: 'file://x', savebestonly: true } as never)).toThrow(/savebestonly/);
    expect(nn.callbacks.formatFilepath('m-{epoch:03d}-{loss:.2f}-{epoch}', { epoch: 7, loss: 0.12345 })).toBe('m-007-0.12-7');
    expect(() => nn.callbacks.formatFilepath('{val_loss}', { loss: 1 })).toThrow(/\{val_loss\} is not in the logs/);
    const m = build('adam');
    const { x, y } = data(4, 20);
    await expect(m.fit(x, y, { epochs: 1, callbacks: [nn.callbacks.modelCheckpoint({ filepath: 'file://never', saveBestOnly: true })] }))
      .rejects.toThrow(/monitor 'val_loss' is not in the logs/);
    expect(() => m.toArtifacts({ includeOptimizer: 'yes' } as never)).toThrow(/includeOptimizer must be a boolean/);
    await expect(m.save('file:///tmp/x.keras', { includeOptimizer: true })).rejects.toThrow(/not for/);
    m.dispose();
  });
});

describe('optimizer weights against TensorFlow.js', () => {
  useBackend('js');

  it("tfjs's includeOptimizer file has our spec names and order; it loads here with its state, and ours loads in tf.loadLayersModel", async () => {
    await tfReady();
    const { x, y } = data(5, 32);
    const tm = tfl.sequential({ layers: [
      tfl.layers.dense({ units: 4, activation: 'tanh', inputShape: [5], name: 'dense' }),
      tfl.layers.dense({ units: 3, activation: 'softmax', name: 'dense_1' }),
    ] });
    tm.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const tx = tf.tensor2d(x.data, [32, 5]), ty = tf.tensor2d(y.data, [32, 3]);
    await tm.fit(tx, ty, { epochs: 2, batchSize: 8, shuffle: false });
    let saved: tf.io.ModelArtifacts | undefined;
    await tm.save(tf.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }), { includeOptimizer: true });
    const ours = await nn.fromArtifacts(saved as never);
    const a = ours.toArtifacts({ includeOptimizer: true });
    expect(a.weightSpecs.map((s) => [s.name, s.shape, s.dtype, s.group])).toEqual(saved!.weightSpecs!.map((s) => [s.name, s.shape, s.dtype, s.group]));
    // The state came across: one more step on the same batch agrees with tfjs's.
    await tm.trainOnBatch(tf.slice(tx, [0, 0], [8, 5]), tf.slice(ty, [0, 0], [8, 3]));
    ours.trainOnBatch(nn.tensor2d(x.data.subarray(0, 40), [8, 5]), nn.tensor2d(y.data.subarray(0, 24), [8, 3]));
    const want = tm.getWeights().map((w) => w.dataSync());
    ours.getWeights().forEach((w, i) => w.data.forEach((v, j) => expect(v, `weight ${i}[${j}]`).toBeCloseTo(want[i]![j]!, 5)));
    // And back: tfjs loads our file and has the iteration count and moments.
    const back = await tfl.loadLayersModel(tf.io.fromMemory(a as never));
    const ow = await back.optimizer.getWeights();
    expect(ow.map((w) => w.name)).toEqual(a.weightSpecs.filter((s) => s.group === 'optimizer').map((s) => s.name));
    expect(ow[0]!.tensor.dataSync()[0]).toBe(8);
    const m0 = a.weightSpecs.findIndex((s) => s.name === 'dense/kernel/m');
    expect(m0).toBeGreaterThan(0);
    ours.dispose();
  });
});

describe('epochs and initialEpoch, read as TensorFlow.js and Keras read them', () => {
  it('epochs is the index to stop before: the same epoch numbers and batch counts as tfjs fit and fitDataset', async () => {
    await tfReady();
    const { x, y } = data(3, 24);
    const tm = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, activation: 'softmax', inputShape: [5] })] });
    tm.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const tx = tf.tensor2d(x.data, [24, 5]), ty = tf.tensor2d(y.data, [24, 3]);
    const ours = build('sgd');
    for (const [epochs, initialEpoch] of [[4, 1], [3, 3], [1, 0]] as const) {
      const theirs: number[] = [];
      const th = await tm.fit(tx, ty, { epochs, initialEpoch, batchSize: 8, callbacks: { onEpochEnd: async (e) => { theirs.push(e); } } });
      const mine: number[] = [];
      const h = await ours.fit(x, y, { epochs, initialEpoch, batchSize: 8, callbacks: { onEpochEnd: (e) => { mine.push(e); } } });
      expect(mine, `fit epochs ${epochs} initialEpoch ${initialEpoch}`).toEqual(theirs);
      expect(h.epoch).toEqual(th.epoch);
      const batches = [0, 1, 2].map(() => ({ xs: nn.tensor2d(x.data.slice(0, 40), [8, 5]), ys: nn.tensor2d(y.data.slice(0, 24), [8, 3]) }));
      const hd = await ours.fitDataset(batches, { epochs, initialEpoch });
      expect(hd.epoch, `fitDataset epochs ${epochs} initialEpoch ${initialEpoch}`).toEqual(th.epoch);
    }
    // A count from initialEpoch (what this library read before, and an easy slip) is refused, saying why.
    await expect(ours.fit(x, y, { epochs: 2, initialEpoch: 5 })).rejects.toThrow(/epochs \(2\) is below initialEpoch \(5\).*pass epochs: 7/);
    await expect(ours.fitDataset([], { epochs: 2, initialEpoch: 5 })).rejects.toThrow(/fitDataset: epochs \(2\) is below initialEpoch \(5\)/);
    await expect(ours.fit(x, y, { epochs: 2, initialEpoch: 1.5 })).rejects.toThrow(/fit: initialEpoch must be an integer >= 0, got number 1\.5/);
    tm.dispose(); tx.dispose(); ty.dispose(); ours.dispose();
  });
});
