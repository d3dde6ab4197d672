/**
 * Keras 3 .keras files, with Keras 3 itself (JAX backend, CPU) as the oracle:
 *  - Keras load_model of our file predicts what we predict (1e-5), keeps the compile config, and
 *    can continue fit; the Keras-trained file comes back and we predict what Keras predicts;
 *  - our load of Keras-saved files (every layer kind and activation we read — batch and layer
 *    normalization with their moving statistics, gaussian noise — five optimizers)
 *    predicts what Keras predicts and restores the compile config;
 *  - the zip entries, HDF5 tree and config keys are Keras's own (compared with h5py against the
 *    same model re-saved by Keras).
 * Both backends (js, wasm). Python comes from test/helpers/python.ts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { expectClose } from './helpers/expect.js';
import { python, runPython } from './helpers/python.js';

const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-keras3-'));
const rows = (n: number, d: number, seed: number): number[][] =>
  Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, j) => Math.sin(seed + i * 1.7 + j * 0.9) * 1.8));
const X = rows(11, 7, 1);
const flat = (a: number[][]) => a.flat();

/** One model per activation Keras has, plus one with every layer kind; compiled in different ways. */
function ourModels(): Record<string, nn.Sequential> {
  const L = nn.layers;
  const out: Record<string, nn.Sequential> = {};
  for (const act of ['linear', 'relu', 'sigmoid', 'tanh', 'elu', 'selu', 'softplus', 'swish', 'gelu', 'softmax'] as const) {
    out[`act_${act}`] = nn.sequential({ seed: 3, layers: [L.dense({ units: 13, activation: act, inputShape: [7] }), L.dense({ units: 3, activation: act })] });
  }
  const kinds = nn.sequential({
    seed: 5,
    name: 'all_kinds',
    layers: [
      L.dense({ units: 9, activation: 'leakyRelu', inputShape: [7], kernelRegularizer: nn.regularizers.l2(0.001) }),
      L.dropout({ rate: 0.3 }),
      L.prelu({ alphaInitializer: nn.initializers.constant({ value: 0.25 }) }),
      L.dense({ units: 6, useBias: false, kernelInitializer: nn.initializers.heNormal() }),
      L.leakyRelu({ alpha: 0.15 }),
      L.elu({ alpha: 0.6 }),
      L.activation({ activation: 'gelu' }),
      L.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  kinds.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.004, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, clipNorm: 2 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  out.kinds = kinds;
  const norm = nn.sequential({
    seed: 6,
    name: 'norm',
    layers: [
      L.dense({ units: 8, activation: 'relu', inputShape: [7] }),
      L.batchNormalization({ momentum: 0.9, epsilon: 0.002 }),
      L.gaussianNoise({ stddev: 0.1 }),
      L.dense({ units: 6, activation: 'tanh' }),
      L.batchNormalization({ scale: false }),
      L.layerNormalization({ center: false, epsilon: 1e-4 }),
      L.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  // Values that make every weight matter (the moving statistics included; variances positive).
  norm.setWeights(norm.getWeights().map((w, t) => ({ shape: w.shape, data: Float32Array.from(w.data, (_, i) => (w.name.endsWith('variance') ? 0.5 + Math.abs(Math.sin(t + i)) : Math.sin(3 * t + i * 1.3) * 0.6)) })));
  norm.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.002 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  out.norm = norm;
  out.act_tanh!.compile({ optimizer: nn.optimizers.sgd({ learningRate: 0.07, momentum: 0.9, nesterov: true }), loss: 'meanSquaredError' });
  out.act_relu!.compile({ optimizer: nn.optimizers.rmsprop({ learningRate: 0.003, rho: 0.8, momentum: 0.2, centered: true }), loss: 'meanAbsoluteError' });
  out.act_sigmoid!.compile({ optimizer: nn.optimizers.adagrad({ learningRate: 0.05, initialAccumulatorValue: 0.3 }), loss: 'binaryCrossentropy' });
  out.act_softmax!.compile({ optimizer: nn.optimizers.adamw({ learningRate: 0.002, weightDecay: 0.02 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return out;
}

describe.skipIf(!python)('Keras 3 .keras files (oracle: Keras 3 on JAX)', () => {
  it('Keras load_model of our files (js and wasm backends) predicts what we predict, keeps the compile config and continues fit; the result comes back', async () => {
    const ours: Record<string, number[]> = {};
    const names: string[] = [];
    for (const backend of ['js', 'wasm'] as const) {
      await nn.setBackend(backend);
      const models = ourModels();
      for (const [name, m] of Object.entries(models)) {
        const key = `${backend}-${name}`;
        // Every model from js; from wasm the one with every layer kind (the files differ only in weights).
        if (backend === 'wasm' && name !== 'kinds' && name !== 'act_gelu' && name !== 'norm') {
          m.dispose();
          continue;
        }
        await m.save(`file://${dir}/${key}.keras`);
        ours[key] = Array.from(m.predict(X).data);
        names.push(key);
        m.dispose();
      }
    }
    const Y = X.map((_, i) => [0, 1, 2].map((k) => (k === i % 3 ? 1 : 0)));
    const r = runPython('test/python/keras_oracle.py', {
      load: names.map((key) => ({ file: `${dir}/${key}.keras`, x: X })),
      layout: ['js-kinds', 'js-act_tanh', 'js-act_relu', 'js-act_linear', 'js-norm'].map((key) => ({ file: `${dir}/${key}.keras` })),
      fit: { file: `${dir}/wasm-kinds.keras`, x: X, y: Y, out: `${dir}/kinds-keras-trained.keras`, epochs: 40 },
    });
    expect(r.keras_version).toMatch(/^3\./);
    // The same zip entries and HDF5 tree (groups, datasets, shapes, dtypes, attributes) and the
    // same config.json layer keys as Keras writes when it saves the model it loaded from our file.
    for (const l of r.layout) {
      expect(l.entries[0]).toEqual(l.entries[1]);
      expect(l.diffs).toEqual([]);
    }
    // Keras restores everything, optimizer included, without a warning.
    for (const l of r.load) expect(l.warnings.filter((w: string) => /Skipping|mismatch|could not/i.test(w))).toEqual([]);
    names.forEach((key, i) => expectClose(flat(r.load[i].predict), ours[key]!, { rel: 1e-5, abs: 1e-5, what: `${key}: Keras predict vs ours` }));
    for (const backend of ['js']) {
      const cfg = (n: string) => r.load[names.indexOf(`${backend}-${n}`)].compile;
      expect(r.load[names.indexOf(`wasm-kinds`)].compile).toEqual(cfg('kinds'));
      expect(r.load[names.indexOf(`${backend}-kinds`)].layers).toEqual(['Dense', 'LeakyReLU', 'Dropout', 'PReLU', 'Dense', 'LeakyReLU', 'ELU', 'Activation', 'Dense']);
      expect(r.load[names.indexOf(`${backend}-norm`)].layers).toEqual(['Dense', 'BatchNormalization', 'GaussianNoise', 'Dense', 'BatchNormalization', 'LayerNormalization', 'Dense']);
      // Compile configs as Keras sees them.
      expect(cfg('kinds')).toMatchObject({ optimizer: 'Adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] });
      expect(cfg('kinds').config).toMatchObject({ beta_1: 0.8, beta_2: 0.99, epsilon: 1e-6, clipnorm: 2 });
      expect(cfg('kinds').config.learning_rate).toBeCloseTo(0.004, 7);
      expect(cfg('act_tanh')).toMatchObject({ optimizer: 'SGD', loss: 'mean_squared_error', config: { momentum: 0.9, nesterov: true } });
      expect(cfg('act_relu')).toMatchObject({ optimizer: 'RMSprop', loss: 'mean_absolute_error', config: { rho: 0.8, momentum: 0.2, centered: true } });
      expect(cfg('act_sigmoid')).toMatchObject({ optimizer: 'Adagrad', loss: 'binary_crossentropy', config: { initial_accumulator_value: 0.3 } });
      expect(cfg('act_softmax')).toMatchObject({ optimizer: 'AdamW', config: { weight_decay: 0.02 } });
      expect(cfg('act_linear')).toBeNull();
    }
    // Keras continued training: finite, falling loss, changed weights.
    expect(r.fit.changed).toBe(true);
    expect(r.fit.loss.every(Number.isFinite)).toBe(true);
    expect(r.fit.after).toBeLessThan(r.fit.before * 0.9);
    // …and the Keras-trained file loads here (both backends) and predicts what Keras predicts.
    for (const backend of ['js', 'wasm'] as const) {
      await nn.setBackend(backend);
      const back = await nn.loadModel(`file://${dir}/kinds-keras-trained.keras`);
      expectClose(back.predict(X).data, flat(r.fit.predict), { rel: 1e-5, abs: 1e-5, what: `${backend}: ours vs Keras after Keras training` });
      expect(back.trainingConfig?.optimizer.getConfig()).toMatchObject({ beta1: 0.8, beta2: 0.99, epsilon: 1e-6 });
      expect(back.trainingConfig?.optimizer.clipNorm).toBe(2);
      expect(back.trainingConfig?.loss).toBe('categoricalCrossentropy');
      back.dispose();
    }
  }, 300_000);

  describe('Keras-saved files', () => {
    let made: Record<string, { file: string; predict: number[][]; compile: any }>;
    beforeAll(() => {
      made = runPython('test/python/keras_oracle.py', { make: { dir, x: X } }).make;
    }, 300_000);

    for (const backend of ['js', 'wasm'] as const) {
      it(`${backend}: we load them and predict what Keras predicts, with the compile config`, async () => {
        await nn.setBackend(backend);
        for (const [name, m] of Object.entries(made)) {
          const model = await nn.loadModel(`file://${m.file}`);
          expectClose(model.predict(X).data, flat(m.predict), { rel: 1e-5, abs: 1e-5, what: `${backend} ${name}: ours vs Keras` });
          const tc = model.trainingConfig;
          if (!m.compile) expect(tc).toBeUndefined();
          else {
            const o = tc!.optimizer;
            expect(o.learningRate).toBeCloseTo(m.compile.config.learning_rate, 7);
            if (name === 'kinds') {
              expect(o.className).toBe('Adam');
              expect(o.getConfig()).toMatchObject({ beta1: 0.85, beta2: 0.995, epsilon: 1e-6 });
              expect(o.clipNorm).toBe(1.5);
              expect(tc!.loss).toBe('categoricalCrossentropy');
              expect(tc!.metrics).toEqual(['accuracy']);
              expect(model.layers.map((l) => l.className)).toEqual(['Dense', 'Dropout', 'LeakyReLU', 'Dense', 'PReLU', 'ELU', 'Activation', 'Dense', 'Activation', 'Dense']);
            }
            if (name === 'sgd') expect([o.className, tc!.loss, (o as nn.optimizers.SGD).momentum, (o as nn.optimizers.SGD).nesterov]).toEqual(['SGD', 'binaryCrossentropy', 0.9, true]);
            if (name === 'rmsprop') expect(o.getConfig()).toMatchObject({ rho: 0.8, momentum: 0.1, centered: true });
            if (name === 'adagrad') expect([o.className, tc!.loss]).toEqual(['Adagrad', 'meanAbsoluteError']);
            if (name === 'adamw') expect([o.className, (o as nn.optimizers.AdamW).weightDecay]).toEqual(['AdamW', 0.01]);
            if (name === 'norm') {
              expect(model.layers.map((l) => l.className)).toEqual(['Dense', 'BatchNormalization', 'GaussianNoise', 'Dense', 'BatchNormalization', 'LayerNormalization', 'Dense']);
              const bn = model.layers[1] as nn.layers.BatchNormalization;
              expect([bn.momentum, bn.options.epsilon, (model.layers[4] as nn.layers.BatchNormalization).options.center]).toEqual([0.9, 0.002, false]);
              expect((model.layers[5] as nn.layers.LayerNormalization).options).toMatchObject({ center: false, scale: true, epsilon: 1e-4 });
              expect(model.getWeights().map((w) => w.name).filter((n) => n.includes('moving'))).toHaveLength(4);
            }
          }
          // Loaded models train here too.
          if (tc) {
            const y = model.predict(X);
            const h = await model.fit(X, y, { epochs: 1, batchSize: 4 });
            expect(Number.isFinite(h.history.loss[0])).toBe(true);
          }
          model.dispose();
        }
      }, 120_000);
    }

    it('refuses a layer class wasm-mlp lacks and a Functional model, naming them', async () => {
      await expect(nn.loadModel(`file://${dir}/noise.keras`)).rejects.toThrow(/layer class 'GaussianDropout' is not supported/);
      await expect(nn.loadModel(`file://${dir}/functional.keras`)).rejects.toThrow(/model class "Functional" is not supported; wasm-mlp loads Sequential/);
    });
  });
});

afterAll(async () => {
  await nn.setBackend('js');
});
