/** JSON as Keras (2 and 3, via tensorflowjs_converter) writes it, not only as tfjs does. */
import { beforeAll, expect, it } from 'vitest';
import * as nn from '../src/index.js';

beforeAll(() => nn.setBackend('js'));

it('loads Keras 3 spellings: InputLayer batch_shape, dtype policies, module keys, L2, negative_slope, snake_case optimizer', async () => {
  const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
  const init = (cls: string) => ({ module: 'keras.initializers', class_name: cls, config: { seed: null }, registered_name: null });
  const modelTopology = {
    class_name: 'Sequential',
    config: {
      name: 'keras_mlp',
      trainable: true,
      dtype: policy,
      layers: [
        { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 3], dtype: 'float32', sparse: false, name: 'input_layer' }, registered_name: null },
        { module: 'keras.layers', class_name: 'Dense', config: { name: 'hidden', trainable: true, dtype: policy, units: 4, activation: 'silu', use_bias: true,
          kernel_initializer: init('VarianceScaling'), bias_initializer: init('Zeros'), kernel_regularizer: { module: 'keras.regularizers', class_name: 'L2', config: { l2: 0.001 }, registered_name: null },
          bias_regularizer: null, kernel_constraint: null, bias_constraint: null }, registered_name: null, build_config: { input_shape: [null, 3] } },
        { module: 'keras.layers', class_name: 'LeakyReLU', config: { name: 'leaky', trainable: true, dtype: policy, negative_slope: 0.1 }, registered_name: null },
        { module: 'keras.layers', class_name: 'Dense', config: { name: 'out', trainable: true, dtype: policy, units: 2, activation: 'softmax', use_bias: true,
          kernel_initializer: init('GlorotUniform'), bias_initializer: init('Zeros'), kernel_regularizer: null, bias_regularizer: null, kernel_constraint: null, bias_constraint: null } },
      ],
    },
  };
  const trainingConfig = { loss: 'categorical_crossentropy', metrics: [['accuracy']], optimizer_config: { class_name: 'Adam', config: { name: 'adam', learning_rate: 0.002, beta_1: 0.85, beta_2: 0.995, epsilon: 1e-7, weight_decay: null, clipnorm: null, global_clipnorm: null, clipvalue: 0.5, use_ema: false } } };
  const weightSpecs = [
    { name: 'hidden/kernel', shape: [3, 4], dtype: 'float32' }, { name: 'hidden/bias', shape: [4], dtype: 'float32' },
    { name: 'out/kernel', shape: [4, 2], dtype: 'float32' }, { name: 'out/bias', shape: [2], dtype: 'float32' },
  ];
  const values = Float32Array.from({ length: 12 + 4 + 8 + 2 }, (_, i) => Math.sin(i + 1) * 0.5);
  const model = await nn.fromArtifacts({ modelTopology, weightSpecs, weightData: values.buffer, trainingConfig });
  expect(model.name).toBe('keras_mlp');
  expect(model.layers.map((l) => l.name)).toEqual(['hidden', 'leaky', 'out']);
  expect((model.layers[1] as nn.layers.LeakyReLU).alpha).toBe(0.1);
  const hidden = model.layers[0] as nn.layers.Dense;
  expect(hidden.activation.name).toBe('swish');
  expect(hidden.kernelRegularizer).toMatchObject({ l1: 0, l2: 0.001 });
  expect(hidden.kernelInitializer.className).toBe('VarianceScaling');
  const tc = model.trainingConfig!;
  expect(tc.optimizer.getConfig()).toEqual({ learning_rate: 0.002, beta1: 0.85, beta2: 0.995, epsilon: 1e-7 });
  expect(tc.optimizer.clipValue).toBe(0.5);
  expect(tc.metrics).toEqual(['accuracy']);
  // The hand computation of the first output row agrees.
  const x = [0.3, -0.7, 1.1];
  const w = Array.from(values);
  const h = [0, 1, 2, 3].map((j) => {
    const z = x.reduce((s, xi, i) => s + xi * w[i * 4 + j]!, w[12 + j]!);
    const sw = z / (1 + Math.exp(-z));
    return sw > 0 ? sw : 0.1 * sw;
  });
  const logits = [0, 1].map((j) => h.reduce((s, hi, i) => s + hi * w[16 + i * 2 + j]!, w[24 + j]!));
  const e = logits.map((l) => Math.exp(l - Math.max(...logits)));
  const p = e.map((v) => v / (e[0]! + e[1]!));
  const got = model.predict([x]).data;
  expect(got[0]).toBeCloseTo(p[0]!, 5);
  expect(got[1]).toBeCloseTo(p[1]!, 5);
  // Saving it again writes the kept initializer and explicit alpha.
  const again = model.toArtifacts();
  const layers = (again.modelTopology as any).config.layers;
  expect(layers[0].config.kernel_initializer.class_name).toBe('VarianceScaling');
  expect(layers[1].config.alpha).toBe(0.1);
  model.dispose();
});
