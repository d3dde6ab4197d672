/**
 * Round trips through TensorFlow.js as the oracle: wasm-mlp → tf.loadLayersModel(fromMemory)
 * and tfjs-built → nn.fromArtifacts, for every layer and activation both libraries have.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { backendCases } from './helpers/backends.js';
import { expectClose } from './helpers/expect.js';
import { Rng } from './helpers/random.js';

const sharedActivations = ['linear', 'sigmoid', 'tanh', 'relu', 'elu', 'selu', 'softplus', 'swish', 'gelu', 'softmax'] as const;

async function useBackend(name: string): Promise<void> {
  if (name === 'js') await nn.setBackend('js');
  else await nn.setBackend('wasm', name === 'wasm-relaxed' ? { build: 'relaxed' } : {});
}

function inputs(rows: number, cols: number, seed: number): number[][] {
  const r = new Rng(seed);
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => r.uniform(-2, 2)));
}

/** Give every weight random values (PReLU alphas start at zero otherwise). */
function randomizeWeights(model: nn.Sequential, seed: number): void {
  const r = new Rng(seed);
  model.setWeights(model.getWeights().map((w) => ({ shape: w.shape, data: r.uniforms(w.data.length, -0.8, 0.8) })));
}

function toTfjs(a: nn.ModelArtifacts): tf.io.IOHandler {
  return tf.io.fromMemory({ modelTopology: a.modelTopology, weightSpecs: a.weightSpecs as tf.io.WeightsManifestEntry[], weightData: a.weightData, trainingConfig: a.trainingConfig as tf.io.TrainingConfig | undefined });
}

async function tfjsArtifacts(model: tfl.LayersModel, includeOptimizer = false): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    saved = a;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }), { includeOptimizer });
  return saved!;
}

function tfjsPredict(model: tfl.LayersModel, x: number[][]): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor2d(x)) as tf.Tensor).dataSync() as Float32Array);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe.each(backendCases().map((c) => c.name))('TensorFlow.js round trips (%s)', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(sharedActivations)('wasm-mlp → tfjs: Dense(%s) with every layer kind', async (act) => {
    const model = nn.sequential({ seed: 5, name: 'roundtrip' });
    model.add(nn.layers.dense({ units: 7, activation: act, inputShape: [5], kernelRegularizer: nn.regularizers.l2(0.001) }));
    model.add(nn.layers.dropout({ rate: 0.3 }));
    model.add(nn.layers.leakyRelu({ alpha: 0.2 }));
    model.add(nn.layers.dense({ units: 6, activation: 'leakyRelu', useBias: false, kernelInitializer: 'heNormal' }));
    model.add(nn.layers.prelu());
    model.add(nn.layers.elu({ alpha: 1 })); // tfjs's ELU layer refuses any other alpha
    model.add(nn.layers.activation({ activation: act }));
    model.add(nn.layers.activation({ activation: 'leakyRelu' }));
    model.add(nn.layers.dense({ units: 3, activation: act }));
    model.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.003 }), loss: 'meanSquaredError' });
    randomizeWeights(model, 11);
    const x = inputs(9, 5, 3);
    const ours = model.predict(x).data;
    const artifacts = model.toArtifacts();
    const tfModel = await tfl.loadLayersModel(toTfjs(artifacts));
    const theirs = tfjsPredict(tfModel, x);
    expectClose(theirs, ours, { rel: 1e-5, abs: 1e-5, what: `tfjs prediction of the saved ${act} model` });
    // Names are kept; the loaded model is compiled with the same optimizer.
    expect(tfModel.layers[0]!.name).toBe('dense');
    expect(tfModel.optimizer.getClassName()).toBe('Adam');
    expect((tfModel.optimizer.getConfig() as { learningRate: number }).learningRate).toBe(0.003);
    // And back into wasm-mlp.
    const back = await nn.fromArtifacts(artifacts);
    expectClose(back.predict(x).data, ours, { rel: 1e-6, abs: 1e-7, what: 'wasm-mlp reload' });
    expect(back.layers.map((l) => l.name)).toContain('dense_1_leaky_re_lu');
    model.dispose();
    back.dispose();
    tfModel.dispose();
  });

  it.each(sharedActivations)('tfjs → wasm-mlp: Dense(%s) with every layer kind', async (act) => {
    const tfModel = tfl.sequential({ name: 'from_tfjs' });
    tfModel.add(tfl.layers.inputLayer({ inputShape: [4] }));
    tfModel.add(tfl.layers.dense({ units: 6, activation: act, kernelInitializer: 'glorotUniform', biasInitializer: 'randomNormal' }));
    tfModel.add(tfl.layers.dropout({ rate: 0.25 }));
    tfModel.add(tfl.layers.leakyReLU({}));
    tfModel.add(tfl.layers.prelu({ alphaInitializer: tfl.initializers.randomUniform({ minval: 0.1, maxval: 0.5 }) as never }));
    tfModel.add(tfl.layers.elu({ alpha: 1 })); // tfjs's ELU layer refuses any other alpha
    tfModel.add(tfl.layers.activation({ activation: act }));
    tfModel.add(tfl.layers.dense({ units: 5, activation: act, useBias: false, kernelRegularizer: tfl.regularizers.l1l2({ l1: 0.01, l2: 0.02 }) }));
    tfModel.compile({ optimizer: tf.train.rmsprop(0.01, 0.8, 0.1), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const x = inputs(8, 4, 7);
    const want = tfjsPredict(tfModel, x);
    const artifacts = await tfjsArtifacts(tfModel, true);
    const model = await nn.fromArtifacts(artifacts as never);
    expect(model.backendName).toBe(backend.startsWith('wasm') ? 'wasm' : 'js');
    expectClose(model.predict(x).data, want, { rel: 1e-5, abs: 1e-5, what: `wasm-mlp prediction of the tfjs ${act} model` });
    expect(model.layers.map((l) => l.name)).toEqual(tfModel.layers.filter((l) => l.getClassName() !== 'InputLayer').map((l) => l.name));
    const leaky = model.layers[2] as nn.layers.LeakyReLU;
    expect(leaky.alpha).toBeCloseTo(0.3); // tfjs's default, written explicitly
    const tc = model.trainingConfig!;
    expect(tc.optimizer).toBeInstanceOf(nn.optimizers.RMSprop);
    expect((tc.optimizer as nn.optimizers.RMSprop).rho).toBe(0.8);
    expect((tc.optimizer as nn.optimizers.RMSprop).momentum).toBe(0.1);
    expect(tc.loss).toBe('categoricalCrossentropy');
    expect(tc.metrics).toEqual(['accuracy']);
    model.dispose();
    tfModel.dispose();
  });

  it('loads a model_config-wrapped topology and keeps training', async () => {
    const tfModel = tfl.sequential({ layers: [tfl.layers.dense({ units: 8, inputShape: [2], activation: 'tanh' }), tfl.layers.dense({ units: 1, activation: 'sigmoid' })] });
    tfModel.compile({ optimizer: tf.train.adam(0.05), loss: 'binaryCrossentropy', metrics: ['acc'] });
    const a = await tfjsArtifacts(tfModel);
    const wrapped = { ...a, modelTopology: { keras_version: '2.15.0', backend: 'tensorflow', model_config: a.modelTopology, training_config: tfModel.getTrainingConfig() } };
    const model = await nn.fromArtifacts(wrapped as never);
    const x = [[0, 0], [0, 1], [1, 0], [1, 1]];
    const y = [[0], [1], [1], [0]];
    const h = await model.fit(x, y, { epochs: 200, batchSize: 4 });
    expect(h.history.loss.at(-1)!).toBeLessThan(h.history.loss[0]!);
    expect(h.history.accuracy).toBeDefined();
    model.dispose();
    tfModel.dispose();
  });

  it('maps every optimizer both ways (tfjs compiles what it knows; AdamW rides in userDefinedMetadata)', async () => {
    const cases: [nn.optimizers.Optimizer, string | null][] = [
      [nn.optimizers.sgd({ learningRate: 0.2 }), 'SGD'],
      [nn.optimizers.sgd({ learningRate: 0.2, momentum: 0.8, nesterov: true }), 'Momentum'],
      [nn.optimizers.adam({ learningRate: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, clipNorm: 2 }), 'Adam'],
      [nn.optimizers.rmsprop({ learningRate: 0.01, rho: 0.7, momentum: 0.2, centered: true }), 'RMSProp'],
      [nn.optimizers.adagrad({ learningRate: 0.3, initialAccumulatorValue: 0.2 }), 'Adagrad'],
      [nn.optimizers.adamw({ learningRate: 0.02, weightDecay: 0.01 }), null],
      [nn.optimizers.adamax({ learningRate: 0.02, beta1: 0.8, epsilon: 1e-6 }), 'Adamax'],
      [nn.optimizers.nadam({ learningRate: 0.02, beta2: 0.99 }), null],
    ];
    for (const [opt, tfjsClass] of cases) {
      const model = nn.sequential({ seed: 1, layers: [nn.layers.dense({ units: 3, inputShape: [2], activation: 'softmax' })] });
      model.compile({ optimizer: opt, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
      const a = model.toArtifacts();
      const back = await nn.fromArtifacts(a);
      const got = back.trainingConfig!;
      expect(got.optimizer.constructor).toBe(opt.constructor);
      expect(got.optimizer.getConfig()).toEqual(opt.getConfig());
      expect(got.optimizer.clipNorm).toBe(opt.clipNorm);
      expect(got.loss).toBe('sparseCategoricalCrossentropy');
      const tfModel = await tfl.loadLayersModel(toTfjs(a));
      if (tfjsClass) expect(tfModel.optimizer.getClassName()).toBe(tfjsClass);
      else expect(tfModel.optimizer).toBeUndefined();
      model.dispose();
      back.dispose();
      tfModel.dispose();
    }
  });

  it("'step' has no tfjs equivalent: wasm-mlp reloads it, tfjs refuses it", async () => {
    const model = nn.sequential({ seed: 2, layers: [nn.layers.dense({ units: 3, inputShape: [2], activation: 'step' })] });
    const a = model.toArtifacts();
    const back = await nn.fromArtifacts(a);
    expect(Array.from(back.predict([[1, -1]]).data)).toEqual(Array.from(model.predict([[1, -1]]).data));
    await expect(tfl.loadLayersModel(toTfjs(a))).rejects.toThrow(/step/);
    model.dispose();
    back.dispose();
  });

  it('ELU with alpha != 1 round-trips in wasm-mlp (tfjs only loads alpha 1; Keras loads any)', async () => {
    const model = nn.sequential({ seed: 3, layers: [nn.layers.dense({ units: 4, inputShape: [3] }), nn.layers.elu({ alpha: 0.7 })] });
    const back = await nn.fromArtifacts(model.toArtifacts());
    expect((back.layers[1] as nn.layers.ELU).alpha).toBe(0.7);
    const x = inputs(5, 3, 1);
    expect(Array.from(back.predict(x).data)).toEqual(Array.from(model.predict(x).data));
    model.dispose();
    back.dispose();
  });

  it('fromArtifacts accepts weightData as ArrayBuffer[] and as a typed array', async () => {
    const model = nn.sequential({ seed: 4, layers: [nn.layers.dense({ units: 3, inputShape: [2] }), nn.layers.dense({ units: 2 })] });
    const a = model.toArtifacts();
    const parts = [a.weightData.slice(0, 10), a.weightData.slice(10)];
    const x = [[0.5, -0.25]];
    for (const weightData of [parts, new Uint8Array(a.weightData)]) {
      const back = await nn.fromArtifacts({ ...a, weightData });
      expect(Array.from(back.predict(x).data)).toEqual(Array.from(model.predict(x).data));
      back.dispose();
    }
    model.dispose();
  });
});
