/**
 * TensorFlow.js as the oracle for batchNormalization and layerNormalization (and gaussianNoise at
 * inference): the same networks (odd sizes: 5 inputs, 9 rows) built in tfjs-layers (cpu backend,
 * float32) and here with identical weights — moving statistics included — compared on
 *   - predict (inference: moving mean/variance for batch norm),
 *   - evaluate before and after training,
 *   - the loss of three trainOnBatch steps (batch statistics, gradients through them),
 *   - every weight after each step: gamma, beta AND the moving mean/variance TensorFlow.js updates,
 * on the js and wasm backends, and on wasm with 2 threads (bit-identical to 1 thread as well).
 *
 * Tolerance: |ours − tfjs| ≤ 2e-5·|tfjs| + 2e-5 for every value, as test/oracle-tfjs.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { expectSameWeights, modelBackends, Rng, snapshot, useBackend } from './helpers/model.js';
import { tf, tfl, tfReady } from './helpers/tf.js';
import { expectValuesClose, expectWeightsMatch } from './helpers/tf-compare.js';

const IN = 5;
const ROWS = 9;
const OUT = 3;

type Spec =
  | { kind: 'dense'; units: number; activation: string }
  | { kind: 'bn'; momentum?: number; epsilon?: number; center?: boolean; scale?: boolean }
  | { kind: 'ln'; epsilon?: number; center?: boolean; scale?: boolean }
  | { kind: 'noise'; stddev: number };

const dense = (units: number, activation: string): Spec => ({ kind: 'dense', units, activation });

function buildOurs(specs: Spec[]): nn.Sequential {
  const m = nn.sequential({ seed: 3 });
  specs.forEach((s, i) => {
    const first = i === 0 ? { inputShape: [IN] } : {};
    if (s.kind === 'dense') m.add(nn.layers.dense({ units: s.units, activation: s.activation as nn.layers.ActivationName, ...first }));
    else if (s.kind === 'bn') { const { kind: _k, ...o } = s; m.add(nn.layers.batchNormalization({ ...o, ...first })); }
    else if (s.kind === 'ln') { const { kind: _k, ...o } = s; m.add(nn.layers.layerNormalization({ ...o, ...first })); }
    else m.add(nn.layers.gaussianNoise({ stddev: s.stddev, ...first }));
  });
  return m;
}

function buildTf(specs: Spec[]): tfl.Sequential {
  const m = tfl.sequential();
  specs.forEach((s, i) => {
    const first = i === 0 ? { inputShape: [IN] } : {};
    if (s.kind === 'dense') m.add(tfl.layers.dense({ units: s.units, activation: s.activation as 'linear', ...first }));
    else if (s.kind === 'bn') { const { kind: _k, ...o } = s; m.add(tfl.layers.batchNormalization({ ...o, ...first })); }
    else if (s.kind === 'ln') { const { kind: _k, ...o } = s; m.add(tfl.layers.layerNormalization({ ...o, ...first })); }
    else m.add(tfl.layers.gaussianNoise({ stddev: s.stddev, ...first }));
  });
  return m;
}

/** Seeded values for every weight by its kind, written into both models (the same order: tfjs's). */
function seedWeights(ours: nn.Sequential, theirs: tfl.Sequential, seed: number): void {
  const rng = new Rng(seed);
  const ws = ours.getWeights();
  expect(ws.map((w) => w.name.split('/')[1]), 'weight order (trainable, then non-trainable)').toEqual(theirs.weights.map((w) => w.name.split('/').pop()));
  const range: Record<string, [number, number]> = {
    kernel: [-0.7, 0.7], bias: [-0.3, 0.3], gamma: [0.6, 1.4], beta: [-0.3, 0.3], moving_mean: [-0.5, 0.5], moving_variance: [0.4, 2],
  };
  const values = ws.map((w) => {
    const [lo, hi] = range[w.name.split('/')[1]!]!;
    return { shape: w.shape, data: rng.uniforms(w.data.length, lo, hi) };
  });
  expect(theirs.getWeights().map((w) => w.shape), 'tfjs and our weight shapes').toEqual(values.map((v) => v.shape));
  ours.setWeights(values);
  theirs.setWeights(values.map((v) => tf.tensor(v.data, v.shape)));
}

interface Case {
  name: string;
  layers: Spec[];
  ours: () => nn.optimizers.Optimizer;
  theirs: () => tf.Optimizer;
  /**
   * tfjs-layers 4.22 cannot train batchNormalization without gamma or beta (it reads them
   * unconditionally in training) nor layerNormalization without gamma (its gradient dies on the
   * null scale): those cases train against tfjs autodiff of the same forward pass written in tf
   * ops, with plain SGD (lr 0.1) and Keras's moving-average rule, instead of the tfjs layers.
   */
  autodiff?: boolean;
}

const sgd = { ours: () => nn.optimizers.sgd({ learningRate: 0.1 }), theirs: () => tf.train.sgd(0.1) };
const adam = { ours: () => nn.optimizers.adam({ learningRate: 0.01 }), theirs: () => tf.train.adam(0.01, 0.9, 0.999, 1e-7) };

const CASES: Case[] = [
  { name: 'dense → batchNorm(momentum 0.9) → dense → layerNorm → dense, sgd', layers: [dense(7, 'relu'), { kind: 'bn', momentum: 0.9 }, dense(6, 'tanh'), { kind: 'ln' }, dense(OUT, 'linear')], ...sgd },
  { name: 'batchNorm first (no input gradient), default momentum, adam', layers: [{ kind: 'bn' }, dense(7, 'tanh'), { kind: 'bn', epsilon: 0.01 }, dense(OUT, 'linear')], ...adam },
  { name: 'batchNorm center: false / scale: false, layerNorm center: false, sgd (tfjs autodiff)', layers: [dense(7, 'tanh'), { kind: 'bn', momentum: 0.5, center: false }, dense(6, 'sigmoid'), { kind: 'bn', momentum: 0.8, scale: false }, { kind: 'ln', center: false }, dense(OUT, 'linear')], ...sgd, autodiff: true },
  { name: 'layerNorm first, scale: false, and layerNorm before the output, sgd (tfjs autodiff)', layers: [{ kind: 'ln', scale: false, epsilon: 1e-5 }, dense(9, 'relu'), { kind: 'ln' }, dense(OUT, 'linear')], ...sgd, autodiff: true },
  { name: 'layerNorm first and before the output, adam', layers: [{ kind: 'ln', epsilon: 1e-5 }, dense(9, 'relu'), { kind: 'ln' }, dense(OUT, 'linear')], ...adam },
  { name: 'gaussianNoise (identity at inference) with batchNorm, sgd', layers: [dense(7, 'relu'), { kind: 'noise', stddev: 0 }, { kind: 'bn', momentum: 0.7 }, dense(OUT, 'linear')], ...sgd },
];

function data(seed: number): { x: Float32Array; y: Float32Array } {
  const rng = new Rng(seed);
  // Inputs with different means and scales per feature: what normalization is for.
  const x = Float32Array.from(rng.normals(ROWS * IN), (v, i) => v * (1 + (i % IN)) + (i % IN) - 1);
  return { x, y: rng.normals(ROWS * OUT) };
}

beforeAll(async () => {
  await tfReady();
});

/**
 * The forward pass of `specs` in tf ops on weights `w` (in getWeights order: trainable layer by
 * layer, then the moving statistics). In training, batch norm uses the batch's moments and
 * reports them through `batchStats` (for the moving-average update).
 */
function tfForward(specs: Spec[], w: tf.Tensor[], x: tf.Tensor, training: boolean, batchStats: tf.Tensor[]): tf.Tensor {
  let t = 0;
  const trainableCount = specs.reduce((n, s) => n + (s.kind === 'dense' ? 2 : s.kind === 'noise' ? 0 : (s.center === false ? 0 : 1) + (s.scale === false ? 0 : 1)), 0);
  let moving = trainableCount;
  let h = x;
  for (const s of specs) {
    if (s.kind === 'dense') {
      h = tf.add(tf.matMul(h as tf.Tensor2D, w[t++] as tf.Tensor2D), w[t++]!);
      if (s.activation === 'sigmoid') h = tf.sigmoid(h);
      else if (s.activation === 'relu') h = tf.relu(h);
      else if (s.activation === 'tanh') h = tf.tanh(h);
      else if (s.activation !== 'linear') throw new Error(`tfForward: add activation ${s.activation}`);
    } else if (s.kind === 'bn' || s.kind === 'ln') {
      const gamma = s.scale === false ? undefined : w[t++];
      const beta = s.center === false ? undefined : w[t++];
      let mean: tf.Tensor, variance: tf.Tensor;
      if (s.kind === 'ln') ({ mean, variance } = tf.moments(h, 1, true));
      else if (training) { ({ mean, variance } = tf.moments(h, 0)); batchStats.push(tf.keep(tf.clone(mean)), tf.keep(tf.clone(variance))); moving += 2; }
      else { mean = w[moving++]!; variance = w[moving++]!; }
      h = tf.mul(tf.sub(h, mean), tf.rsqrt(tf.add(variance, s.epsilon ?? 1e-3)));
      if (gamma) h = tf.mul(h, gamma);
      if (beta) h = tf.add(h, beta);
    }
  }
  return h;
}

/** The autodiff oracle: predict, evaluate and three SGD steps with tfjs gradients; the moving statistics updated as Keras. */
async function compareAutodiff(c: Case): Promise<nn.Sequential> {
  const ours = buildOurs(c.layers);
  const rng = new Rng(21);
  ours.setWeights(ours.getWeights().map((w) => ({ shape: w.shape, data: w.name.endsWith('variance') ? rng.uniforms(w.data.length, 0.4, 2) : rng.uniforms(w.data.length, -0.7, 0.7) })));
  ours.compile({ optimizer: c.ours(), loss: 'meanSquaredError' });
  const d = data(22);
  const x = nn.tensor2d(d.x, [ROWS, IN]), y = nn.tensor2d(d.y, [ROWS, OUT]);
  const tx = tf.tensor2d(d.x, [ROWS, IN]), ty = tf.tensor2d(d.y, [ROWS, OUT]);
  let w = ours.getWeights().map((v) => tf.tensor(v.data, v.shape));
  const trainable = ours.getWeights().filter((v) => !v.name.includes('moving_')).length;
  const momenta = c.layers.filter((s) => s.kind === 'bn').map((s) => (s as { momentum?: number }).momentum ?? 0.99);
  const predict = () => tf.tidy(() => tfForward(c.layers, w, tx, false, []).dataSync());
  const initial = snapshot(ours);
  expectValuesClose(ours.predict(x).data, predict(), 'predict (inference) before training');
  for (let step = 1; step <= 3; step++) {
    const stats: tf.Tensor[] = [];
    const f = (...ps: tf.Tensor[]) => tf.mean(tf.square(tf.sub(tfForward(c.layers, [...ps, ...w.slice(trainable)], tx, true, stats), ty))) as tf.Scalar;
    const { value, grads } = tf.valueAndGrads(f)(w.slice(0, trainable));
    const next = w.map((v, i) => {
      if (i < trainable) return tf.sub(v, tf.mul(grads[i]!, 0.1));
      const k = i - trainable, layer = k >> 1;
      // moving −= (moving − batch)·(1 − momentum), as tfjs/Keras.
      return tf.sub(v, tf.mul(tf.sub(v, stats[k]!), 1 - momenta[layer]!));
    });
    const mine = ours.trainOnBatch(x, y);
    expectValuesClose([mine], [value.dataSync()[0]!], `trainOnBatch loss, step ${step}`);
    tf.dispose([...w, ...grads, value, ...stats]);
    w = next;
    ours.getWeights().forEach((v, i) => expectValuesClose(v.data, w[i]!.dataSync(), `weights after step ${step}: ${v.name}`));
  }
  expectValuesClose(ours.predict(x).data, predict(), 'predict (inference) after three steps');
  ours.getWeights().forEach((v, t) => {
    const moved = Math.max(...v.data.map((u, i) => Math.abs(u - initial[t]![i]!)));
    expect(moved, `${v.name} moved over three steps`).toBeGreaterThan(1e-4);
  });
  tf.dispose([...w, tx, ty]);
  return ours;
}

/** predict, evaluate, three trainOnBatch steps and every weight, against tfjs. */
async function compareTraining(c: Case): Promise<nn.Sequential> {
  if (c.autodiff) return compareAutodiff(c);
  const ours = buildOurs(c.layers);
  const theirs = buildTf(c.layers);
  seedWeights(ours, theirs, 21);
  ours.compile({ optimizer: c.ours(), loss: 'meanSquaredError' });
  theirs.compile({ optimizer: c.theirs(), loss: 'meanSquaredError' });
  const d = data(22);
  const x = nn.tensor2d(d.x, [ROWS, IN]), y = nn.tensor2d(d.y, [ROWS, OUT]);
  const tx = tf.tensor2d(d.x, [ROWS, IN]), ty = tf.tensor2d(d.y, [ROWS, OUT]);
  const tfPredict = () => tf.tidy(() => (theirs.predict(tx) as tf.Tensor).dataSync());
  const tfEvaluate = () => (theirs.evaluate(tx, ty, { batchSize: ROWS }) as tf.Scalar).dataSync()[0]!;
  const initial = snapshot(ours);
  expectValuesClose(ours.predict(x).data, tfPredict(), 'predict (inference) before training');
  expectValuesClose([ours.evaluate(x, y).loss], [tfEvaluate()], 'evaluate before training');
  for (let step = 1; step <= 3; step++) {
    const mine = ours.trainOnBatch(x, y);
    const want = (await theirs.trainOnBatch(tx, ty)) as number;
    expectValuesClose([mine], [want], `trainOnBatch loss, step ${step}`);
    expectWeightsMatch(ours, theirs, `weights after step ${step}`);
  }
  expectValuesClose(ours.predict(x).data, tfPredict(), 'predict (inference) after three steps');
  expectValuesClose([ours.evaluate(x, y).loss], [tfEvaluate()], 'evaluate after three steps');
  // Every weight really moved, the moving statistics included: comparing frozen values would prove nothing.
  ours.getWeights().forEach((w, t) => {
    const moved = Math.max(...w.data.map((v, i) => Math.abs(v - initial[t]![i]!)));
    expect(moved, `${w.name} moved over three steps`).toBeGreaterThan(1e-4);
  });
  tf.dispose([tx, ty]);
  return ours;
}

describe.each(modelBackends)('%s backend: normalization layers vs TensorFlow.js', (backend) => {
  useBackend(backend);

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    (await compareTraining(c)).dispose();
  });

  it('a larger batch (61 rows × 37 features) predicts and trains as tfjs', async () => {
    const specs: Spec[] = [{ kind: 'bn', momentum: 0.6 }, { kind: 'ln' }];
    const ours = nn.sequential({ seed: 1 });
    ours.add(nn.layers.dense({ units: 37, inputShape: [IN] }));
    for (const s of specs) ours.add(s.kind === 'bn' ? nn.layers.batchNormalization({ momentum: 0.6 }) : nn.layers.layerNormalization());
    const theirs = tfl.sequential({ layers: [tfl.layers.dense({ units: 37, inputShape: [IN] }), tfl.layers.batchNormalization({ momentum: 0.6 }), tfl.layers.layerNormalization()] });
    seedWeights(ours, theirs, 5);
    ours.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    theirs.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
    const rng = new Rng(8);
    const X = rng.normals(61 * IN, 2), Y = rng.normals(61 * 37);
    const tx = tf.tensor2d(X, [61, IN]), ty = tf.tensor2d(Y, [61, 37]);
    for (let step = 1; step <= 2; step++) {
      expectValuesClose([ours.trainOnBatch(nn.tensor2d(X, [61, IN]), nn.tensor2d(Y, [61, 37]))], [(await theirs.trainOnBatch(tx, ty)) as number], `loss ${step}`);
      expectWeightsMatch(ours, theirs, `weights after step ${step}`);
    }
    expectValuesClose(ours.predict(nn.tensor2d(X, [61, IN])).data, tf.tidy(() => (theirs.predict(tx) as tf.Tensor).dataSync()), 'predict');
    tf.dispose([tx, ty]);
    ours.dispose();
  });
});

describe('wasm backend on 2 threads: normalization layers vs TensorFlow.js, and bit-identical to 1 thread', () => {
  afterAll(async () => {
    await nn.setBackend('wasm', { threads: 1 });
  });

  it.each(CASES.slice(0, 4).map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    await nn.setBackend('wasm', { threads: 1 });
    const one = await compareTraining(c);
    const oneWeights = snapshot(one);
    one.dispose();
    // minParallelWork 0: every gemm and optimizer step of these small layers is split.
    await nn.setBackend('wasm', { threads: 2, minParallelWork: 0 });
    expect(nn.backendInfo().threads).toBe(2);
    const two = await compareTraining(c);
    expectSameWeights(snapshot(two), oneWeights, '2 threads vs 1 thread');
    two.dispose();
  });
});
