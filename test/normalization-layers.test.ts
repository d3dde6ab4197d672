/**
 * batchNormalization, layerNormalization and gaussianNoise beyond the TensorFlow.js numbers
 * (test/oracle-tfjs-normalization.test.ts): options and their errors, weights and their order,
 * summary, save/load round trips (ours and tf.loadLayersModel), a refused step leaving the moving
 * statistics alone, early stopping restoring them, and gaussianNoise's seeded noise.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { allFinite, expectSameWeights, modelBackends, Rng, snapshot, useBackend } from './helpers/model.js';
import { tf, tfl, tfReady } from './helpers/tf.js';

const IN = 5;

function bnModel(seed = 1): nn.Sequential {
  return nn.sequential({
    seed,
    layers: [
      nn.layers.dense({ units: 7, activation: 'relu', inputShape: [IN] }),
      nn.layers.batchNormalization({ momentum: 0.9 }),
      nn.layers.gaussianNoise({ stddev: 0.2 }),
      nn.layers.dense({ units: 6, activation: 'tanh' }),
      nn.layers.layerNormalization({ center: false }),
      nn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
}

function randomizeWeights(m: nn.Sequential, seed: number): void {
  const rng = new Rng(seed);
  m.setWeights(m.getWeights().map((w) => ({ shape: w.shape, data: w.name.endsWith('variance') ? rng.uniforms(w.data.length, 0.5, 2) : rng.uniforms(w.data.length, -0.8, 0.8) })));
}

const xy = (rows: number, seed: number) => {
  const rng = new Rng(seed);
  return { x: nn.tensor2d(rng.normals(rows * IN, 2), [rows, IN]), y: Array.from({ length: rows }, (_, i) => (i + rng.int(3)) % 3) };
};

describe('options', () => {
  it('bad options are refused with the key and the expected value named', () => {
    expect(() => nn.layers.batchNormalization({ momentun: 0.9 } as never)).toThrow(/layers\.batchNormalization: unknown option 'momentun'; did you mean 'momentum'\?/);
    expect(() => nn.layers.batchNormalization({ momentum: 1.5 })).toThrow(/momentum must be a number in \[0, 1\], got 1.5/);
    expect(() => nn.layers.batchNormalization({ epsilon: 0 })).toThrow(/epsilon must be a finite number > 0, got 0/);
    expect(() => nn.layers.batchNormalization({ epsilon: Number.NaN })).toThrow(/epsilon must be a finite number > 0/);
    expect(() => nn.layers.batchNormalization({ center: 'yes' } as never)).toThrow(/center must be true or false, got "yes"/);
    expect(() => nn.layers.batchNormalization({ axis: 0 })).toThrow(/axis must be -1 or 1/);
    expect(() => nn.layers.batchNormalization({ gammaInitializer: 'nope' } as never)).toThrow(/gammaInitializer/);
    expect(() => nn.layers.batchNormalization(5 as never)).toThrow(/expected an options object/);
    expect(() => nn.layers.layerNormalization({ momentum: 0.9 } as never)).toThrow(/layers\.layerNormalization: unknown option 'momentum'/);
    expect(() => nn.layers.layerNormalization({ epsilon: -1 })).toThrow(/epsilon must be a finite number > 0, got -1/);
    expect(() => nn.layers.layerNormalization({ scale: 1 } as never)).toThrow(/scale must be true or false, got 1/);
    expect(() => nn.layers.gaussianNoise({ stdev: 0.1 } as never)).toThrow(/layers\.gaussianNoise: unknown option 'stdev'; did you mean 'stddev'\?/);
    expect(() => nn.layers.gaussianNoise({ stddev: -0.1 })).toThrow(/stddev must be a finite number >= 0, got -0.1/);
    expect(() => nn.layers.gaussianNoise(undefined as never)).toThrow(/expected an options object like \{ stddev: 0.1 \}/);
    // Defaults as Keras.
    const bn = nn.layers.batchNormalization();
    expect([bn.momentum, bn.options.epsilon, bn.options.center, bn.options.scale]).toEqual([0.99, 1e-3, true, true]);
    const ln = nn.layers.layerNormalization();
    expect([ln.options.epsilon, ln.options.center, ln.options.scale]).toEqual([1e-3, true, true]);
  });
});

beforeAll(async () => {
  await tfReady();
});

describe.each(modelBackends)('%s backend', (backend) => {
  useBackend(backend);

  it('weights in TensorFlow.js order: trainable layer by layer, then the moving statistics', () => {
    const m = bnModel();
    expect(m.getWeights().map((w) => w.name)).toEqual([
      'dense/kernel', 'dense/bias', 'batch_normalization/gamma', 'batch_normalization/beta', 'dense_1/kernel', 'dense_1/bias',
      'layer_normalization/gamma', 'dense_2/kernel', 'dense_2/bias', 'batch_normalization/moving_mean', 'batch_normalization/moving_variance',
    ]);
    const ws = m.getWeights();
    expect(Array.from(ws[2]!.data)).toEqual(new Array(7).fill(1)); // gamma: ones
    expect(Array.from(ws[3]!.data)).toEqual(new Array(7).fill(0)); // beta: zeros
    expect(Array.from(ws[9]!.data)).toEqual(new Array(7).fill(0)); // moving mean: zeros
    expect(Array.from(ws[10]!.data)).toEqual(new Array(7).fill(1)); // moving variance: ones
    expect(() => m.setWeights(ws.slice(0, 9))).toThrow(/the model has 11 weights .*batch_normalization\/moving_variance/);
    const negative = ws.map((w) => ({ shape: w.shape, data: w.name.endsWith('moving_variance') ? Float32Array.from(w.data, (_, i) => (i === 3 ? -0.5 : 1)) : w.data }));
    expect(() => m.setWeights(negative)).toThrow(/weight 10 \(batch_normalization\/moving_variance\): value 3 is -0.5; a variance must be >= 0/);
    expect(Array.from(m.getWeights()[10]!.data)).toEqual(new Array(7).fill(1)); // nothing written
    m.dispose();
  });

  it('summary counts the moving statistics as non-trainable parameters', () => {
    const m = bnModel();
    const s = m.summary();
    expect(s).toMatch(/batch_normalization \(BatchNormalization\) +\(None, 7\) +28/);
    expect(s).toMatch(/layer_normalization \(LayerNormalization\)\s+\(None, 6\)\s+6/);
    expect(s).toMatch(/gaussian_noise \(GaussianNoise\)\s+\(None, 7\)\s+0/);
    const trainable = 5 * 7 + 7 + 14 + 7 * 6 + 6 + 6 + 6 * 3 + 3;
    expect(s).toContain(`Total params: ${trainable + 14}`);
    expect(s).toContain(`Trainable params: ${trainable}`);
    expect(s).toContain('Non-trainable params: 14');
    m.dispose();
  });

  it('fit trains (loss falls), moving statistics follow the batches, predict is deterministic', async () => {
    const m = bnModel(4);
    m.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const { x, y } = xy(101, 5);
    const h = await m.fit(x, y, { epochs: 15, batchSize: 16, shuffle: true });
    expect(h.history.loss.at(-1)!).toBeLessThan(h.history.loss[0]! * 0.8);
    const ws = m.getWeights();
    expect(allFinite(ws.map((w) => w.data))).toBe(true);
    // The moving mean approaches the mean of the relu layer's outputs (≥ 0), far from its initial 0.
    const movingMean = ws.find((w) => w.name.endsWith('moving_mean'))!.data;
    expect(Math.max(...movingMean)).toBeGreaterThan(0.05);
    expect(Math.min(...movingMean)).toBeGreaterThanOrEqual(0);
    expect(Array.from(m.predict(x).data)).toEqual(Array.from(m.predict(x).data));
    m.dispose();
  });

  it('a refused (diverging) step changes neither the weights nor the moving statistics', () => {
    const m = bnModel(2);
    m.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    const { x } = xy(9, 3);
    const good = nn.tensor2d(new Rng(1).normals(27), [9, 3]);
    m.trainOnBatch(x, good);
    const before = snapshot(m);
    // Targets of ±1e22: the loss or Adam's state (the gradient squared) overflows float32.
    const bad = nn.tensor2d(Float32Array.from({ length: 27 }, (_, i) => (i % 3 - 1) * 1e22), [9, 3]);
    expect(() => m.trainOnBatch(x, bad)).toThrow(/(loss became Infinity|Adam state overflowed).*the weights were not changed/);
    expectSameWeights(snapshot(m), before, 'after a refused step');
    m.dispose();
  });

  it('earlyStopping restoreBestWeights restores the moving statistics too', async () => {
    const m = bnModel(6);
    m.compile({ optimizer: nn.optimizers.sgd({ learningRate: 0.05 }), loss: 'sparseCategoricalCrossentropy' });
    const { x, y } = xy(40, 7);
    let best: Float32Array[] | undefined;
    let bestLoss = Infinity;
    // patience 0 with a loss that rises: the restored weights are those of the best epoch.
    const record = { onEpochEnd: (_e: number, logs?: Record<string, number>) => { if (logs!.loss < bestLoss) { bestLoss = logs!.loss; best = snapshot(m); } } };
    const stop = nn.callbacks.earlyStopping({ monitor: 'loss', patience: 100, restoreBestWeights: true });
    await m.fit(x, y, { epochs: 4, batchSize: 8, shuffle: false, callbacks: [record, stop] });
    expectSameWeights(snapshot(m), best!, 'restored best weights (moving statistics included)');
    m.dispose();
  });

  it('save → load round trip (model.json + weights) keeps every weight and prediction; tf.loadLayersModel predicts the same', async () => {
    const m = bnModel(8);
    randomizeWeights(m, 9);
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const { x } = xy(13, 10);
    m.trainOnBatch(x, [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0]);
    const want = m.predict(x).data;
    const a = m.toArtifacts();
    expect(a.weightSpecs.map((s) => s.name).slice(-2)).toEqual(['batch_normalization/moving_mean', 'batch_normalization/moving_variance']);
    const layers = (a.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }).config.layers;
    expect(layers.map((l) => l.class_name)).toEqual(['Dense', 'BatchNormalization', 'GaussianNoise', 'Dense', 'LayerNormalization', 'Dense']);
    expect(layers[1]!.config).toMatchObject({ axis: -1, momentum: 0.9, epsilon: 1e-3, center: true, scale: true, moving_variance_initializer: { class_name: 'Ones', config: {} } });
    expect(layers[4]!.config).toMatchObject({ axis: -1, center: false, scale: true });
    expect(layers[2]!.config).toMatchObject({ stddev: 0.2 });
    const back = await nn.fromArtifacts(a);
    expectSameWeights(snapshot(back), snapshot(m), 'weights after the round trip');
    expect(Array.from(back.predict(x).data)).toEqual(Array.from(want));
    const bn = back.layers[1] as nn.layers.BatchNormalization;
    expect([bn.momentum, bn.options.epsilon]).toEqual([0.9, 1e-3]);
    expect((back.layers[4] as nn.layers.LayerNormalization).options.center).toBe(false);
    expect((back.layers[2] as nn.layers.GaussianNoise).stddev).toBe(0.2);
    // TensorFlow.js loads our file and predicts the same (inference: moving statistics, no noise).
    const theirs = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: a.modelTopology, weightSpecs: a.weightSpecs as tf.io.WeightsManifestEntry[], weightData: a.weightData }));
    // (tfjs suffixes variable names it has seen before in this process: kernel_1, …)
    expect(theirs.weights.map((w) => w.name.split('/').pop()!.replace(/_\d+$/, ''))).toEqual(m.getWeights().map((w) => w.name.split('/')[1]));
    const tfPred = tf.tidy(() => (theirs.predict(tf.tensor2d(x.data, [13, IN])) as tf.Tensor).dataSync());
    expectClose(want, tfPred, { rel: 2e-5, abs: 2e-5, what: 'tfjs predict of our saved model' });
    back.dispose();
    m.dispose();
  });

  it('a model saved by TensorFlow.js with BatchNormalization / LayerNormalization / GaussianNoise loads and predicts the same', async () => {
    const theirs = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 6, activation: 'relu', inputShape: [IN] }),
        tfl.layers.batchNormalization({ momentum: 0.8, epsilon: 0.002, scale: false }),
        tfl.layers.gaussianNoise({ stddev: 0.3 }),
        tfl.layers.layerNormalization({ epsilon: 1e-4 }),
        tfl.layers.dense({ units: 2 }),
      ],
    });
    const rng = new Rng(12);
    theirs.setWeights(theirs.getWeights().map((w) => tf.tensor(rng.uniforms(w.size, 0.3, 1.2), w.shape)));
    let saved: tf.io.ModelArtifacts | undefined;
    await theirs.save(tf.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
    const ours = await nn.fromArtifacts(saved as nn.ModelArtifacts);
    expect(ours.layers.map((l) => l.className)).toEqual(['Dense', 'BatchNormalization', 'GaussianNoise', 'LayerNormalization', 'Dense']);
    const { x } = xy(7, 13);
    const want = tf.tidy(() => (theirs.predict(tf.tensor2d(x.data, [7, IN])) as tf.Tensor).dataSync());
    expectClose(ours.predict(x).data, want, { rel: 2e-5, abs: 2e-5, what: 'our predict of a tfjs-saved model' });
    ours.dispose();
  });

  it('saved configs wasm-mlp cannot honour are refused by name', async () => {
    const m = nn.sequential({ seed: 1, layers: [nn.layers.dense({ units: 3, inputShape: [2] }), nn.layers.batchNormalization()] });
    const a = m.toArtifacts();
    const edit = (patch: Record<string, unknown>) => {
      const topo = JSON.parse(JSON.stringify(a.modelTopology));
      Object.assign(topo.config.layers[1].config, patch);
      return nn.fromArtifacts({ ...a, modelTopology: topo });
    };
    await expect(edit({ axis: 0 })).rejects.toThrow(/batch_normalization.*axis 0 is not supported/);
    await expect(edit({ renorm: true })).rejects.toThrow(/renorm true is not supported/);
    await expect(edit({ virtual_batch_size: 4 })).rejects.toThrow(/virtual_batch_size 4 is not supported/);
    await expect(edit({ momentum: 2 })).rejects.toThrow(/momentum must be a number in \[0, 1\]/);
    await expect(edit({ center: 'no' })).rejects.toThrow(/center must be true or false/);
    const ok = await edit({ axis: [1] });
    expect(ok.layers[1]!.className).toBe('BatchNormalization');
    ok.dispose();
    m.dispose();
  });

  it('gaussianNoise: seeded noise of the right spread in training, the identity at inference', () => {
    const make = () => nn.sequential({ seed: 5, layers: [nn.layers.gaussianNoise({ stddev: 0.5, inputShape: [37] }), nn.layers.dense({ units: 1, kernelInitializer: 'ones', useBias: false })] });
    const rows = 301;
    const x = nn.tensor2d(new Float32Array(rows * 37).fill(1), [rows, 37]);
    const m = make();
    // At inference the output is Σ x = 37 exactly.
    expect(Array.from(m.predict(x).data).every((v) => v === 37)).toBe(true);
    // In training, with MSE against 37 and lr 1e-30 (nothing moves): the loss is the mean of (Σ noise)² = 37·0.25 in expectation.
    m.compile({ optimizer: nn.optimizers.sgd({ learningRate: 1e-30 }), loss: 'meanSquaredError' });
    const target = nn.tensor2d(new Float32Array(rows).fill(37), [rows, 1]);
    const loss = m.trainOnBatch(x, target);
    expect(loss).toBeGreaterThan(37 * 0.25 * 0.8);
    expect(loss).toBeLessThan(37 * 0.25 * 1.2);
    // A second step draws new noise; the same seed replays both.
    const loss2 = m.trainOnBatch(x, target);
    expect(loss2).not.toBe(loss);
    const again = make();
    again.compile({ optimizer: nn.optimizers.sgd({ learningRate: 1e-30 }), loss: 'meanSquaredError' });
    expect([again.trainOnBatch(x, target), again.trainOnBatch(x, target)]).toEqual([loss, loss2]);
    m.dispose();
    again.dispose();
  });
});

describe('gaussianNoise kernel: standard normal, the same on js and wasm', () => {
  it('mean 0, variance 1, normal tails; js and wasm agree', async () => {
    const { createJsBackend } = await import('../src/backend/js/index.js');
    const { createWasmBackend } = await import('../src/backend/wasm/index.js');
    const n = 40_001;
    const results: Float32Array[] = [];
    for (const b of [createJsBackend(), await createWasmBackend({ threads: 1 })]) {
      const x = b.alloc(n * 4), y = b.alloc(n * 4);
      b.fill(n, x, 0);
      b.gaussianNoise(n, x, y, 1, 12345);
      results.push(b.f32().slice(y >>> 2, (y >>> 2) + n));
      b.dispose();
    }
    const [js, wasm] = results as [Float32Array, Float32Array];
    expectClose(wasm, js, { rel: 1e-6, abs: 1e-6, what: 'wasm vs js gaussianNoise' });
    let s = 0, s2 = 0, beyond2 = 0;
    for (const v of js) { s += v; s2 += v * v; if (Math.abs(v) > 2) beyond2++; }
    expect(Math.abs(s / n)).toBeLessThan(0.02);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.03);
    expect(beyond2 / n).toBeGreaterThan(0.040); // P(|z| > 2) = 0.0455
    expect(beyond2 / n).toBeLessThan(0.051);
  });
});
