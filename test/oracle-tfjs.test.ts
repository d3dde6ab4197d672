/**
 * TensorFlow.js as the oracle for whole models: the same 5→7→6→3 network (odd sizes) is built in
 * tfjs-layers (cpu backend, float32) and here, given identical weights, and compared on
 *   - predict (every activation, incl. softmax, and the LeakyReLU / PReLU / ELU / Activation layers),
 *   - evaluate loss before and after training,
 *   - the loss returned by three trainOnBatch steps (with regularisation penalties, as tfjs),
 *   - every weight after those three steps,
 * for every hidden activation, every loss (fused and non-fused), every optimizer and an L1 and an
 * L2 kernel regulariser. AdamW is not in tfjs: it is checked against a float64 implementation of
 * Keras's rule, with the gradients from tfjs autodiff.
 *
 * Tolerance: |ours − tfjs| ≤ 2e-5·|tfjs| + 2e-5 for every value (TOL in helpers/tf-compare.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { modelBackends, Rng, useBackend } from './helpers/model.js';
import { tf, tfl, tfReady } from './helpers/tf.js';
import { expectValuesClose, expectWeightsMatch } from './helpers/tf-compare.js';

const IN = 5;
const ROWS = 8;
const OUT = 3;

type LayerSpec =
  | { kind: 'dense'; units: number; activation: string; kernelRegularizer?: { l1?: number; l2?: number } }
  | { kind: 'leakyRelu'; alpha: number }
  | { kind: 'prelu' }
  | { kind: 'elu' }
  | { kind: 'activation'; activation: string };

type LossName = 'meanSquaredError' | 'meanAbsoluteError' | 'binaryCrossentropy' | 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy';

const dense = (units: number, activation: string, kernelRegularizer?: { l1?: number; l2?: number }): LayerSpec =>
  ({ kind: 'dense', units, activation, ...(kernelRegularizer ? { kernelRegularizer } : {}) });

/** 5 → 7 → 6 → 3 with the given hidden activation and output activation. */
const net = (hidden: string, output: string): LayerSpec[] => [dense(7, hidden), dense(6, hidden), dense(OUT, output)];

function buildOurs(specs: LayerSpec[]): nn.Sequential {
  const m = nn.sequential({ seed: 1 });
  specs.forEach((s, i) => {
    const first = i === 0 ? { inputShape: [IN] } : {};
    switch (s.kind) {
      case 'dense': {
        const r = s.kernelRegularizer;
        const reg = r ? (r.l1 ? nn.regularizers.l1(r.l1) : nn.regularizers.l2(r.l2!)) : undefined;
        m.add(nn.layers.dense({ units: s.units, activation: s.activation as nn.layers.ActivationName, ...first, ...(reg ? { kernelRegularizer: reg } : {}) }));
        break;
      }
      case 'leakyRelu': m.add(nn.layers.leakyRelu({ alpha: s.alpha, ...first })); break;
      case 'prelu': m.add(nn.layers.prelu({ ...first })); break;
      case 'elu': m.add(nn.layers.elu({ ...first })); break;
      case 'activation': m.add(nn.layers.activation({ activation: s.activation as nn.layers.ActivationName, ...first })); break;
    }
  });
  return m;
}

function buildTf(specs: LayerSpec[]): tfl.Sequential {
  const m = tfl.sequential();
  specs.forEach((s, i) => {
    const first = i === 0 ? { inputShape: [IN] } : {};
    switch (s.kind) {
      case 'dense': {
        // tfjs has no 'leakyRelu' activation string: a linear Dense followed by a LeakyReLU(0.01) layer.
        const leaky = s.activation === 'leakyRelu';
        const r = s.kernelRegularizer;
        const reg = r ? (r.l1 ? tfl.regularizers.l1({ l1: r.l1 }) : tfl.regularizers.l2({ l2: r.l2! })) : undefined;
        m.add(tfl.layers.dense({ units: s.units, activation: (leaky ? 'linear' : s.activation) as 'linear', ...first, ...(reg ? { kernelRegularizer: reg } : {}) }));
        if (leaky) m.add(tfl.layers.leakyReLU({ alpha: 0.01 }));
        break;
      }
      case 'leakyRelu': m.add(tfl.layers.leakyReLU({ alpha: s.alpha, ...first })); break;
      case 'prelu': m.add(tfl.layers.prelu({ ...first })); break;
      case 'elu': m.add(tfl.layers.elu({ ...first })); break;
      case 'activation': m.add(tfl.layers.activation({ activation: s.activation as 'linear', ...first })); break;
    }
  });
  return m;
}

/**
 * Seeded weights for our model's layout, then written into both models: kernels U(−0.7, 0.7),
 * biases U(−0.3, 0.3), PReLU alphas U(0.05, 0.4) (non-zero, so their gradient matters).
 * `outputBias` overrides the last bias (BCE on a linear output needs outputs inside (0, 1)).
 */
function seedWeights(ours: nn.Sequential, theirs: tfl.Sequential, seed: number, opts: { outputBias?: number; outputKernelScale?: number } = {}): void {
  const rng = new Rng(seed);
  const ws = ours.getWeights();
  const last = ws.length - 1;
  const values = ws.map((w, t) => {
    const d = new Float32Array(w.data.length);
    const kind = w.name.split('/').pop();
    for (let i = 0; i < d.length; i++) {
      if (kind === 'kernel') d[i] = rng.uniform(-0.7, 0.7) * (t === last - 1 ? opts.outputKernelScale ?? 1 : 1);
      else if (kind === 'alpha') d[i] = rng.uniform(0.05, 0.4);
      else d[i] = t === last && opts.outputBias !== undefined ? opts.outputBias : rng.uniform(-0.3, 0.3);
    }
    return { shape: w.shape, data: d };
  });
  const tfShapes = theirs.getWeights().map((w) => w.shape);
  expect(tfShapes, 'tfjs and our weight layouts').toEqual(values.map((v) => v.shape));
  ours.setWeights(values);
  theirs.setWeights(values.map((v) => tf.tensor(v.data, v.shape)));
}

interface Data { x: Float32Array; y: Float32Array; yCols: number; ours: { x: nn.Tensor2D; y: nn.Tensor2D | number[] } }

function makeData(loss: LossName, seed: number): Data {
  const rng = new Rng(seed);
  const x = rng.normals(ROWS * IN);
  let y: Float32Array, yCols = OUT;
  const ids = Array.from({ length: ROWS }, (_, r) => (r + rng.int(OUT)) % OUT);
  switch (loss) {
    case 'meanSquaredError':
    case 'meanAbsoluteError':
      y = rng.normals(ROWS * OUT);
      break;
    case 'binaryCrossentropy':
      y = Float32Array.from({ length: ROWS * OUT }, () => (rng.next() < 0.5 ? 1 : 0));
      break;
    case 'categoricalCrossentropy':
      y = new Float32Array(ROWS * OUT);
      ids.forEach((c, r) => (y[r * OUT + c] = 1));
      break;
    case 'sparseCategoricalCrossentropy':
      y = Float32Array.from(ids);
      yCols = 1;
      break;
  }
  return {
    x, y, yCols,
    ours: { x: nn.tensor2d(x, [ROWS, IN]), y: loss === 'sparseCategoricalCrossentropy' ? ids : nn.tensor2d(y, [ROWS, OUT]) },
  };
}

interface TrainCase {
  name: string;
  layers: LayerSpec[];
  loss: LossName;
  ours: () => nn.optimizers.Optimizer;
  theirs: () => tf.Optimizer;
  weights?: { outputBias?: number; outputKernelScale?: number };
}

const sgd = { ours: () => nn.optimizers.sgd({ learningRate: 0.1 }), theirs: () => tf.train.sgd(0.1) };

const HIDDEN_ACTIVATIONS = ['linear', 'sigmoid', 'tanh', 'relu', 'elu', 'selu', 'softplus', 'swish', 'gelu', 'mish'];

const CASES: TrainCase[] = [
  // every hidden activation (MSE, SGD)
  ...HIDDEN_ACTIVATIONS.map((a): TrainCase => ({ name: `hidden ${a}`, layers: net(a, 'linear'), loss: 'meanSquaredError', ...sgd })),
  { name: 'hidden leakyRelu (dense activation)', layers: net('leakyRelu', 'linear'), loss: 'meanSquaredError', ...sgd },
  // activation layers
  {
    name: 'LeakyReLU(0.2) and PReLU layers', loss: 'meanSquaredError', ...sgd,
    layers: [dense(7, 'linear'), { kind: 'leakyRelu', alpha: 0.2 }, dense(6, 'linear'), { kind: 'prelu' }, dense(OUT, 'linear')],
  },
  {
    name: 'ELU and Activation(tanh) layers', loss: 'meanSquaredError', ...sgd,
    layers: [dense(7, 'linear'), { kind: 'elu' }, dense(6, 'linear'), { kind: 'activation', activation: 'tanh' }, dense(OUT, 'linear')],
  },
  // every loss
  { name: 'meanAbsoluteError', layers: net('tanh', 'linear'), loss: 'meanAbsoluteError', ...sgd },
  { name: 'binaryCrossentropy + sigmoid (fused)', layers: net('tanh', 'sigmoid'), loss: 'binaryCrossentropy', ...sgd },
  {
    name: 'binaryCrossentropy on a linear output in (0, 1) (not fused)', layers: net('tanh', 'linear'), loss: 'binaryCrossentropy', ...sgd,
    weights: { outputBias: 0.5, outputKernelScale: 0.15 },
  },
  { name: 'categoricalCrossentropy + softmax (fused)', layers: net('relu', 'softmax'), loss: 'categoricalCrossentropy', ...sgd },
  {
    name: 'categoricalCrossentropy after an Activation(softmax) layer', loss: 'categoricalCrossentropy', ...sgd,
    layers: [...net('tanh', 'linear'), { kind: 'activation', activation: 'softmax' }],
  },
  { name: 'categoricalCrossentropy on sigmoid outputs (not fused)', layers: net('tanh', 'sigmoid'), loss: 'categoricalCrossentropy', ...sgd },
  { name: 'sparseCategoricalCrossentropy + softmax (fused)', layers: net('tanh', 'softmax'), loss: 'sparseCategoricalCrossentropy', ...sgd },
  { name: 'sparseCategoricalCrossentropy on sigmoid outputs (not fused)', layers: net('tanh', 'sigmoid'), loss: 'sparseCategoricalCrossentropy', ...sgd },
  { name: 'meanSquaredError on a softmax output', layers: net('tanh', 'softmax'), loss: 'meanSquaredError', ...sgd },
  // every optimizer (tanh network, MSE)
  ...([
    ['sgd + momentum', () => nn.optimizers.sgd({ learningRate: 0.1, momentum: 0.9 }), () => tf.train.momentum(0.1, 0.9, false)],
    ['sgd + nesterov', () => nn.optimizers.sgd({ learningRate: 0.1, momentum: 0.9, nesterov: true }), () => tf.train.momentum(0.1, 0.9, true)],
    ['adagrad', () => nn.optimizers.adagrad({ learningRate: 0.1, initialAccumulatorValue: 0.1 }), () => tf.train.adagrad(0.1, 0.1)],
    ['rmsprop', () => nn.optimizers.rmsprop({ learningRate: 0.01, rho: 0.9 }), () => tf.train.rmsprop(0.01, 0.9, 0, 1e-7, false)],
    // tfjs's centered RMSprop computes sqrt(ms − (mg² + ε)) — ε subtracted — where TF/Keras and we
    // use sqrt(ms − mg² + ε). At step 1 ms − mg² = ρ(1−ρ)g², comparable to ε = 1e-7 for |g| ~ 1e-3,
    // so the comparison uses an ε far below every ρ(1−ρ)g² to test the rest of the rule.
    ['rmsprop centered', () => nn.optimizers.rmsprop({ learningRate: 0.01, rho: 0.9, centered: true, epsilon: 1e-14 }), () => tf.train.rmsprop(0.01, 0.9, 0, 1e-14, true)],
    ['rmsprop centered + momentum', () => nn.optimizers.rmsprop({ learningRate: 0.01, rho: 0.8, momentum: 0.5, centered: true, epsilon: 1e-14 }), () => tf.train.rmsprop(0.01, 0.8, 0.5, 1e-14, true)],
    ['rmsprop + momentum', () => nn.optimizers.rmsprop({ learningRate: 0.01, rho: 0.8, momentum: 0.7 }), () => tf.train.rmsprop(0.01, 0.8, 0.7, 1e-7, false)],
    ['adam', () => nn.optimizers.adam({ learningRate: 0.01, beta1: 0.8, beta2: 0.95 }), () => tf.train.adam(0.01, 0.8, 0.95, 1e-7)],
    ['adamax', () => nn.optimizers.adamax({ learningRate: 0.01, beta1: 0.8, beta2: 0.95 }), () => tf.train.adamax(0.01, 0.8, 0.95, 1e-7)],
  ] as const).map(([name, ours, theirs]): TrainCase => ({ name: `optimizer ${name}`, layers: net('tanh', 'linear'), loss: 'meanSquaredError', ours, theirs })),
  // regularisers (trainOnBatch loss includes the penalty, evaluate does not — in both)
  { name: 'L2 kernel regulariser', layers: [dense(7, 'tanh', { l2: 0.05 }), dense(6, 'tanh', { l2: 0.05 }), dense(OUT, 'linear', { l2: 0.05 })], loss: 'meanSquaredError', ...sgd },
  { name: 'L1 kernel regulariser', layers: [dense(7, 'tanh', { l1: 0.02 }), dense(6, 'tanh', { l1: 0.02 }), dense(OUT, 'linear', { l1: 0.02 })], loss: 'meanSquaredError', ...sgd },
];

const PREDICT_ACTIVATIONS = [...HIDDEN_ACTIVATIONS, 'leakyRelu', 'softmax'];

beforeAll(async () => {
  await tfReady();
});

/**
 * The MSE loss of a 3-layer tanh MLP at float32 copies of the float64 weights `w64` ([W, b] per
 * layer), and its gradients, by TensorFlow.js autodiff of an explicit forward pass: the oracle the
 * float64 optimizer transcriptions below step with.
 */
function tanhMlpLossAndGrads(w64: Float64Array[], shapes: number[][], x: tf.Tensor2D, y: tf.Tensor2D): { g: Float32Array[]; wantLoss: number } {
  const params = w64.map((w, i) => tf.tensor(Float32Array.from(w), shapes[i]!));
  const f = (...ps: tf.Tensor[]) => {
    let h: tf.Tensor = x;
    for (let l = 0; l < 3; l++) {
      h = tf.add(tf.matMul(h as tf.Tensor2D, ps[2 * l] as tf.Tensor2D), ps[2 * l + 1]!);
      if (l < 2) h = tf.tanh(h);
    }
    return tf.mean(tf.square(tf.sub(h, y))) as tf.Scalar;
  };
  const { value, grads } = tf.valueAndGrads(f)(params);
  const out = { g: grads.map((gr) => gr.dataSync() as Float32Array), wantLoss: value.dataSync()[0]! };
  tf.dispose([...params, ...grads, value]);
  return out;
}

describe.each(modelBackends)('%s backend vs TensorFlow.js', (backend) => {
  useBackend(backend);

  describe('predict with identical weights', () => {
    it.each(PREDICT_ACTIVATIONS)('all layers %s', (act) => {
      const specs = net(act, act);
      const ours = buildOurs(specs);
      const theirs = buildTf(specs);
      seedWeights(ours, theirs, 11);
      const { x } = makeData('meanSquaredError', 12);
      const want = tf.tidy(() => (theirs.predict(tf.tensor2d(x, [ROWS, IN])) as tf.Tensor).dataSync());
      expectValuesClose(ours.predict(nn.tensor2d(x, [ROWS, IN])).data, want, `predict ${act}`);
      ours.dispose();
    });

    it('LeakyReLU, PReLU, ELU and Activation layers', () => {
      const specs: LayerSpec[] = [
        dense(7, 'linear'), { kind: 'leakyRelu', alpha: 0.3 }, dense(6, 'linear'), { kind: 'prelu' }, dense(5, 'linear'),
        { kind: 'elu' }, dense(OUT, 'linear'), { kind: 'activation', activation: 'softmax' },
      ];
      const ours = buildOurs(specs);
      const theirs = buildTf(specs);
      seedWeights(ours, theirs, 13);
      const { x } = makeData('meanSquaredError', 14);
      const want = tf.tidy(() => (theirs.predict(tf.tensor2d(x, [ROWS, IN])) as tf.Tensor).dataSync());
      expectValuesClose(ours.predict(nn.tensor2d(x, [ROWS, IN])).data, want, 'predict layers');
      ours.dispose();
    });
  });

  describe('evaluate, three trainOnBatch steps, weights', () => {
    it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const ours = buildOurs(c.layers);
      const theirs = buildTf(c.layers);
      seedWeights(ours, theirs, 21, c.weights);
      ours.compile({ optimizer: c.ours(), loss: c.loss });
      theirs.compile({ optimizer: c.theirs(), loss: c.loss });
      const d = makeData(c.loss, 22);
      const tx = tf.tensor2d(d.x, [ROWS, IN]);
      const ty = tf.tensor2d(d.y, [ROWS, d.yCols]);
      const initial = ours.getWeights().map((w) => w.data);
      const tfEvaluate = () => (theirs.evaluate(tx, ty, { batchSize: ROWS }) as tf.Scalar).dataSync()[0]!;

      expectValuesClose([ours.evaluate(d.ours.x, d.ours.y).loss], [tfEvaluate()], 'evaluate before training');
      for (let step = 1; step <= 3; step++) {
        const mine = ours.trainOnBatch(d.ours.x, d.ours.y);
        const want = (await theirs.trainOnBatch(tx, ty)) as number;
        expectValuesClose([mine], [want], `trainOnBatch loss, step ${step}`);
        expectWeightsMatch(ours, theirs, `weights after step ${step}`);
      }
      expectValuesClose([ours.evaluate(d.ours.x, d.ours.y).loss], [tfEvaluate()], 'evaluate after three steps');
      // The weights really moved: comparing two frozen models would prove nothing.
      const moved = Math.max(...ours.getWeights().map((w, t) => Math.max(...w.data.map((v, i) => Math.abs(v - initial[t]![i]!)))));
      expect(moved, 'largest weight change over three steps').toBeGreaterThan(1e-3);
      tx.dispose();
      ty.dispose();
      ours.dispose();
    });
  });

  it('regularised trainOnBatch loss = evaluate loss + penalty (tfjs and ours)', async () => {
    const specs = [dense(7, 'tanh', { l2: 0.05 }), dense(6, 'tanh', { l2: 0.05 }), dense(OUT, 'linear', { l2: 0.05 })];
    const ours = buildOurs(specs);
    const theirs = buildTf(specs);
    seedWeights(ours, theirs, 31);
    ours.compile({ optimizer: nn.optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
    const d = makeData('meanSquaredError', 32);
    let penalty = 0;
    for (const w of ours.getWeights()) if (w.name.endsWith('kernel')) for (const v of w.data) penalty += 0.05 * v * v;
    expect(penalty).toBeGreaterThan(0.1);
    const evalLoss = ours.evaluate(d.ours.x, d.ours.y).loss;
    const trainLoss = ours.trainOnBatch(d.ours.x, d.ours.y);
    expectValuesClose([trainLoss], [evalLoss + penalty], 'trainOnBatch loss with penalty');
    ours.dispose();
  });

  it('setWeights takes TensorFlow.js tensors directly (API.md: "{ shape, data } objects or TensorFlow.js tensors")', () => {
    const specs = net('tanh', 'linear');
    const ours = buildOurs(specs);
    const theirs = buildTf(specs);
    ours.setWeights(theirs.getWeights() as unknown as Parameters<nn.Sequential['setWeights']>[0]);
    ours.getWeights().forEach((w, t) => expect(Array.from(w.data), w.name).toEqual(Array.from(theirs.getWeights()[t]!.dataSync())));
    ours.dispose();
  });

  describe('Nadam against a float64 transcription of Keras 3\'s rule (momentum schedule included)', () => {
    it('five steps, gradients from tfjs autodiff', () => {
      const specs = net('tanh', 'linear');
      const ours = buildOurs(specs);
      const theirs = buildTf(specs);
      seedWeights(ours, theirs, 43);
      const lr = 0.01, beta1 = 0.9, beta2 = 0.99, eps = 1e-7;
      ours.compile({ optimizer: nn.optimizers.nadam({ learningRate: lr, beta1, beta2, epsilon: eps }), loss: 'meanSquaredError' });
      const d = makeData('meanSquaredError', 44);
      const shapes = ours.getWeights().map((w) => w.shape);
      let w64 = ours.getWeights().map((w) => Float64Array.from(w.data));
      const m = w64.map((w) => new Float64Array(w.length));
      const v = w64.map((w) => new Float64Array(w.length));
      const x = tf.tensor2d(d.x, [ROWS, IN]);
      const y = tf.tensor2d(d.y, [ROWS, OUT]);
      // keras/src/optimizers/nadam.py: _u_product starts at 1 and is multiplied by
      // β1·(1 − ½·0.96^(iterations+1)) before each step's update_step.
      let uProduct = 1;
      for (let t = 1; t <= 5; t++) {
        const { g, wantLoss } = tanhMlpLossAndGrads(w64, shapes, x, y);
        uProduct *= beta1 * (1 - 0.5 * 0.96 ** t);
        // update_step, line by line: local_step = t, next_step = t + 1.
        const uT = beta1 * (1 - 0.5 * 0.96 ** t);
        const uT1 = beta1 * (1 - 0.5 * 0.96 ** (t + 1));
        const uProductT1 = uProduct * uT1;
        const beta2Power = beta2 ** t;
        w64 = w64.map((w, i) => {
          const out = new Float64Array(w.length);
          for (let k = 0; k < w.length; k++) {
            const gk = g[i]![k]!;
            m[i]![k] = m[i]![k]! + (gk - m[i]![k]!) * (1 - beta1);
            v[i]![k] = v[i]![k]! + (gk * gk - v[i]![k]!) * (1 - beta2);
            const mHat = (uT1 * m[i]![k]!) / (1 - uProductT1) + ((1 - uT) * gk) / (1 - uProduct);
            const vHat = v[i]![k]! / (1 - beta2Power);
            out[k] = w[k]! - (mHat * lr) / (Math.sqrt(vHat) + eps);
          }
          return out;
        });
        const mine = ours.trainOnBatch(d.ours.x, d.ours.y);
        expectValuesClose([mine], [wantLoss], `nadam loss, step ${t}`);
        ours.getWeights().forEach((w, i) => expectValuesClose(w.data, w64[i]!, `nadam step ${t}: ${w.name}`));
      }
      tf.dispose([x, y]);
      ours.dispose();
    });
  });

  describe('AdamW against a float64 implementation of Keras\'s rule', () => {
    it('three steps, gradients from tfjs autodiff', () => {
      const specs = net('tanh', 'linear');
      const ours = buildOurs(specs);
      const theirs = buildTf(specs);
      seedWeights(ours, theirs, 41);
      const lr = 0.01, beta1 = 0.9, beta2 = 0.99, eps = 1e-7, wd = 0.1;
      ours.compile({ optimizer: nn.optimizers.adamw({ learningRate: lr, beta1, beta2, epsilon: eps, weightDecay: wd }), loss: 'meanSquaredError' });
      const d = makeData('meanSquaredError', 42);
      const shapes = ours.getWeights().map((w) => w.shape);
      // Reference state in float64.
      let w64 = ours.getWeights().map((w) => Float64Array.from(w.data));
      const m = w64.map((w) => new Float64Array(w.length));
      const v = w64.map((w) => new Float64Array(w.length));
      const x = tf.tensor2d(d.x, [ROWS, IN]);
      const y = tf.tensor2d(d.y, [ROWS, OUT]);
      for (let t = 1; t <= 3; t++) {
        // Loss and gradients at the current (f32) weights.
        const { g, wantLoss } = tanhMlpLossAndGrads(w64, shapes, x, y);
        // Keras 3 AdamW: decoupled decay first (w −= lr·wd·w), then Adam as Keras writes it:
        //   m += (1−β1)(g − m);  v += (1−β2)(g² − v);  α = lr·sqrt(1−β2ᵗ)/(1−β1ᵗ);  w −= α·m / (sqrt(v) + ε).
        // (ε sits outside the bias correction there; with these gradients that differs from the
        // tfjs form lr·m̂/(sqrt(v̂) + ε) by far less than the tolerance.)
        w64 = w64.map((w, i) => {
          const out = new Float64Array(w.length);
          for (let k = 0; k < w.length; k++) {
            const gk = g[i]![k]!;
            const decayed = w[k]! - lr * wd * w[k]!;
            m[i]![k] = m[i]![k]! + (1 - beta1) * (gk - m[i]![k]!);
            v[i]![k] = v[i]![k]! + (1 - beta2) * (gk * gk - v[i]![k]!);
            const alpha = (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
            out[k] = decayed - (alpha * m[i]![k]!) / (Math.sqrt(v[i]![k]!) + eps);
          }
          return out;
        });
        const mine = ours.trainOnBatch(d.ours.x, d.ours.y);
        expectValuesClose([mine], [wantLoss], `adamw loss, step ${t}`);
        ours.getWeights().forEach((w, i) => expectValuesClose(w.data, w64[i]!, `adamw step ${t}: ${w.name}`));
      }
      tf.dispose([x, y]);
      ours.dispose();
    });
  });
});
