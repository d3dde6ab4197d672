/**
 * reduceLROnPlateau and learningRateScheduler (Keras 3 semantics) inside real fit() runs on every
 * backend, with the monitored metric scripted epoch by epoch: the exact rate after each epoch,
 * worked out by hand and checked against Keras 3's own ReduceLROnPlateau fed the same logs
 * (Python oracle). The scheduler's run equals epoch-by-epoch fits with the rate set by hand.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { Rng, expectSameWeights, modelBackends, oneHot, randomTensor, snapshot, useBackend } from './helpers/model.js';
import { python, runPython } from './helpers/python.js';

interface Scenario {
  lr: number;
  options: nn.callbacks.ReduceLROnPlateauOptions;
  /** Keras's option names, for the oracle. */
  keras: Record<string, unknown>;
  values: number[];
  /** The optimizer's rate after each epoch's callbacks. */
  after: number[];
}

const scenarios: Scenario[] = [
  {
    lr: 1,
    options: { factor: 0.5, patience: 2, minDelta: 0, cooldown: 1, minLr: 0.1 },
    keras: { factor: 0.5, patience: 2, min_delta: 0, cooldown: 1, min_lr: 0.1 },
    values: [1, 0.9, 0.95, 0.95, 0.8, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85],
    // Worked by hand: reductions at epochs 3, 6, 8 and 10 (the last one floored at minLr); cooldown
    // epochs 4, 7, 9, 11 reset the wait first.
    after: [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125, 0.1, 0.1],
  },
  {
    lr: 0.2,
    options: { monitor: 'val_accuracy', factor: 0.1, patience: 1, minDelta: 0.01 },
    keras: { monitor: 'val_accuracy', factor: 0.1, patience: 1, min_delta: 0.01, mode: 'max' }, // the oracle's model has no accuracy metric to infer 'max' from
    values: [0.5, 0.505, 0.52, 0.52, 0.6],
    // 'auto' is 'max' for accuracy; 0.505 is not 0.01 better than 0.5.
    after: [0.2, 0.02, 0.02, 0.002, 0.002],
  },
  {
    lr: 0.01,
    options: { patience: 0, factor: 0.2 },
    keras: { patience: 0, factor: 0.2 },
    values: [3, 3, 2, 2.00005, 1],
    // Default minDelta 1e-4: 2.00005 is no improvement on 2; patience 0 reduces at once.
    after: [0.01, 0.002, 0.002, 0.0004, 0.0004],
  },
];

const rng = new Rng(5);
const x = randomTensor(rng, 12, 4);
const y = oneHot(Array.from({ length: 12 }, (_, i) => i % 3), 3);
const model = (lr: nn.optimizers.LearningRate) => {
  const m = nn.sequential({ seed: 9, layers: [nn.layers.dense({ units: 5, activation: 'relu', inputShape: [4] }), nn.layers.dense({ units: 3, activation: 'softmax' })] });
  m.compile({ optimizer: nn.optimizers.sgd({ learningRate: lr }), loss: 'categoricalCrossentropy' });
  return m;
};

/** Fit with the scripted metric written into the epoch logs before the callback reads them. */
async function runScenario(s: Scenario): Promise<{ after: number[]; logged: number[] }> {
  const m = model(s.lr);
  const monitor = s.options.monitor ?? 'val_loss';
  const after: number[] = [];
  const h = await m.fit(x, y, {
    epochs: s.values.length,
    batchSize: 4,
    callbacks: [
      { onEpochEnd: (epoch, logs) => void (logs![monitor] = s.values[epoch]!) },
      nn.callbacks.reduceLROnPlateau(s.options),
      { onEpochEnd: () => void after.push(m.optimizer!.learningRate as number) },
    ],
  });
  m.dispose();
  return { after, logged: h.history.learning_rate! };
}

describe.each(modelBackends)('LR callbacks (%s)', (backend) => {
  useBackend(backend);
  afterAll(async () => nn.setBackend('js'));

  it('reduceLROnPlateau: the exact rate after every epoch for scripted metric sequences', async () => {
    for (const s of scenarios) {
      const r = await runScenario(s);
      r.after.forEach((v, i) => expect(v, `${JSON.stringify(s.options)} epoch ${i}`).toBeCloseTo(s.after[i]!, 14));
      // The logs hold the rate the epoch trained with (before this epoch's reduction), as Keras logs it.
      r.logged.forEach((v, i) => expect(v).toBeCloseTo(i === 0 ? s.lr : s.after[i - 1]!, 14));
    }
  });

  it('learningRateScheduler sets every epoch\'s rate; the run equals epoch-by-epoch fits with the rate set by hand', async () => {
    const a = model(0.1);
    const seen: [number, number][] = [];
    const h = await a.fit(x, y, {
      epochs: 5, batchSize: 5, shuffle: false,
      callbacks: [nn.callbacks.learningRateScheduler((epoch, lr) => (seen.push([epoch, lr]), epoch < 2 ? lr : lr * 0.5))],
    });
    const rates = [0.1, 0.1, 0.05, 0.025, 0.0125];
    expect(seen).toEqual([[0, 0.1], [1, 0.1], [2, 0.1], [3, 0.05], [4, 0.025]]);
    expect(h.history.learning_rate).toEqual(rates);
    const b = model(0.5);
    for (let e = 0; e < 5; e++) {
      b.optimizer!.learningRate = rates[e]!;
      await b.fit(x, y, { epochs: 1, batchSize: 5, shuffle: false });
    }
    expectSameWeights(snapshot(a), snapshot(b), 'learningRateScheduler vs rates set by hand');
    a.dispose();
    b.dispose();
  });

  it('refuses a scheduled optimizer, a missing monitor, bad options and a bad scheduled value, with clear errors', async () => {
    const sched = nn.schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 2, decayRate: 0.5 });
    for (const cb of [nn.callbacks.reduceLROnPlateau(), nn.callbacks.learningRateScheduler((_, lr) => lr)]) {
      const m = model(sched);
      await expect(m.fit(x, y, { epochs: 1, callbacks: [cb] })).rejects.toThrow(/follows a ExponentialDecay schedule, which a callback cannot change/);
      m.dispose();
    }
    const m = model(0.1);
    await expect(m.fit(x, y, { epochs: 1, callbacks: [nn.callbacks.reduceLROnPlateau()] })).rejects.toThrow(/monitor 'val_loss' is not in the epoch logs \(available: loss, learning_rate\)/);
    await expect(m.fit(x, y, { epochs: 2, callbacks: [nn.callbacks.learningRateScheduler((e) => (e === 1 ? NaN : 0.1))] })).rejects.toThrow(/returned NaN for epoch 1; expected a finite number > 0/);
    m.dispose();
    expect(() => nn.callbacks.reduceLROnPlateau({ factor: 1 })).toThrow(/factor: expected a number in \(0, 1\), got 1/);
    expect(() => nn.callbacks.reduceLROnPlateau({ patience: 1.5 })).toThrow(/patience: expected an integer >= 0, got 1.5/);
    expect(() => nn.callbacks.reduceLROnPlateau({ min_lr: 0.1 } as never)).toThrow(/unknown option 'min_lr'; did you mean 'minLr'/);
    expect(() => nn.callbacks.reduceLROnPlateau({ mode: 'up' as never })).toThrow(/mode: expected 'auto', 'min' or 'max', got "up"/);
    expect(() => nn.callbacks.learningRateScheduler(0.1 as never)).toThrow(/expected a function \(epoch, lr\) => lr, got 0.1/);
  });
});

describe.skipIf(!python)('reduceLROnPlateau against Keras 3 (Python oracle)', () => {
  it('Keras\'s ReduceLROnPlateau fed the same logs gives the same rates', () => {
    const r = runPython<{ plateau: { logged: number[]; after: number[] }[] }>('test/python/keras_oracle.py', {
      plateau: scenarios.map((s) => ({ lr: s.lr, options: s.keras, values: s.values })),
    });
    scenarios.forEach((s, k) => {
      // Keras keeps the rate in float32.
      r.plateau[k]!.after.forEach((v, i) => expect(v, `scenario ${k} epoch ${i}`).toBeCloseTo(Math.fround(s.after[i]!), 7));
      r.plateau[k]!.logged.forEach((v, i) => expect(v).toBeCloseTo(Math.fround(i === 0 ? s.lr : s.after[i - 1]!), 7));
    });
  }, 240_000);
});
