/**
 * Learning-rate schedules (nn.schedules.*): the Keras 3 formulas written out in float64 here,
 * the values Keras 3 itself computes (Python oracle), training with a schedule = training with
 * the same per-step rates set by hand (bit-exact, js / wasm / wasm on 2 threads), the rate in the
 * epoch logs and history, and saving: TensorFlow.js format (round trip; tfjs gets no training
 * config it would misread) and Keras 3 `.keras` (Keras loads our schedule, we load Keras's).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { Rng, expectSameWeights, modelBackends, oneHot, randomTensor, snapshot } from './helpers/model.js';
import { python, runPython } from './helpers/python.js';

const S = nn.schedules;

/** Keras 3's formulas, in float64 (keras/src/optimizers/schedules/learning_rate_schedule.py). */
const reference = {
  exponential: (lr0: number, steps: number, rate: number, staircase: boolean) => (step: number) =>
    lr0 * rate ** (staircase ? Math.floor(step / steps) : step / steps),
  piecewise: (b: number[], v: number[]) => (step: number) => {
    for (let i = 0; i < b.length; i++) if (step <= b[i]!) return v[i]!;
    return v[b.length]!;
  },
  cosine: (lr0: number, D: number, alpha: number, target: number | null, W: number) => (step: number) => {
    const decay = (s: number, from: number) => from * ((1 - alpha) * 0.5 * (1 + Math.cos((Math.PI * s) / D)) + alpha);
    if (target === null) return decay(Math.min(step, D), lr0);
    const s = Math.min(step, D + W);
    return s < W ? lr0 + ((target - lr0) * s) / W : decay(s - W, target);
  },
};

const cases = [
  { s: () => S.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 7, decayRate: 0.5 }), f: reference.exponential(0.1, 7, 0.5, false) },
  { s: () => S.exponentialDecay({ initialLearningRate: 0.3, decaySteps: 4, decayRate: 0.96, staircase: true }), f: reference.exponential(0.3, 4, 0.96, true) },
  { s: () => S.piecewiseConstantDecay({ boundaries: [3, 10], values: [0.5, 0.1, 0.02] }), f: reference.piecewise([3, 10], [0.5, 0.1, 0.02]) },
  { s: () => S.cosineDecay({ initialLearningRate: 0.2, decaySteps: 9 }), f: reference.cosine(0.2, 9, 0, null, 0) },
  { s: () => S.cosineDecay({ initialLearningRate: 0.2, decaySteps: 9, alpha: 0.1 }), f: reference.cosine(0.2, 9, 0.1, null, 0) },
  { s: () => S.cosineDecay({ initialLearningRate: 0.01, decaySteps: 10, alpha: 0.05, warmupTarget: 0.3, warmupSteps: 5 }), f: reference.cosine(0.01, 10, 0.05, 0.3, 5) },
  { s: () => S.cosineDecay({ initialLearningRate: 0, decaySteps: 6, warmupTarget: 0.1, warmupSteps: 3 }), f: reference.cosine(0, 6, 0, 0.1, 3) },
];
const steps = Array.from({ length: 25 }, (_, i) => i);

describe('schedule formulas (Keras 3, float64 reference)', () => {
  it('every schedule matches its formula at steps 0..24, boundaries and caps included', () => {
    for (const { s, f } of cases) {
      const sched = s();
      for (const step of steps) expect(sched.rate(step), `${sched.className} ${JSON.stringify(sched.getConfig())} step ${step}`).toBeCloseTo(f(step), 14);
    }
    // Spot values worked by hand: 0.1·0.5^(7/7) at step 7; piecewise is inclusive at a boundary; cosine ends at alpha·lr0.
    expect(cases[0]!.s().rate(7)).toBeCloseTo(0.05, 15);
    expect(cases[2]!.s().rate(3)).toBe(0.5);
    expect(cases[2]!.s().rate(4)).toBe(0.1);
    expect(cases[4]!.s().rate(9)).toBeCloseTo(0.02, 15);
    expect(cases[4]!.s().rate(100)).toBeCloseTo(0.02, 15);
    expect(cases[5]!.s().rate(5)).toBeCloseTo(0.3, 15);
  });

  it('refuses unknown keys, bad values and inconsistent lists, naming what was expected', () => {
    expect(() => S.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9, decay_steps: 3 } as never)).toThrow(/unknown option 'decay_steps'; did you mean 'decaySteps'/);
    expect(() => S.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.9 })).toThrow(/decaySteps: expected a finite number > 0, got 0/);
    expect(() => S.exponentialDecay({ initialLearningRate: NaN, decaySteps: 1, decayRate: 0.9 })).toThrow(/initialLearningRate: expected a finite number > 0, got NaN/);
    expect(() => S.piecewiseConstantDecay({ boundaries: [5, 3], values: [1, 2, 3] })).toThrow(/boundaries must increase, got 5 then 3/);
    expect(() => S.piecewiseConstantDecay({ boundaries: [5], values: [1] })).toThrow(/expected 2 values for 1 boundaries, got 1/);
    expect(() => S.cosineDecay({ initialLearningRate: 0.1, decaySteps: 10, alpha: 2 })).toThrow(/alpha: expected a fraction in \[0, 1\], got 2/);
    expect(() => S.cosineDecay({ initialLearningRate: 0.1, decaySteps: 10, warmup: 3 } as never)).toThrow(/unknown option 'warmup'/);
    expect(() => nn.optimizers.sgd({ learningRate: { rate: () => 0.1 } as never })).toThrow(/learningRate: expected a finite number > 0/);
  });
});

describe.skipIf(!python)('schedule values against Keras 3 (Python oracle)', () => {
  it('Keras computes the same rates (float32) from our serialized schedules', () => {
    // An integral initialLearningRate is written as a JSON integer (JS has no 1.0), which makes
    // Keras compute the schedule in int32; the oracle gets the float cases.
    const scheds = cases.map((c) => c.s()).filter((s) => !Number.isInteger((s.getConfig() as { initial_learning_rate?: number }).initial_learning_rate ?? 0.5));
    const r = runPython<{ schedules: number[][] }>('test/python/keras_oracle.py', { schedules: scheds.map((s) => ({ schedule: s.toJSON(), steps })) });
    scheds.forEach((s, k) => {
      steps.forEach((step, i) => {
        const keras = r.schedules[k]![i]!;
        expect(Math.abs(s.rate(step) - keras), `${s.className} step ${step}: ours ${s.rate(step)}, Keras ${keras}`).toBeLessThanOrEqual(2e-6 * Math.abs(keras) + 1e-9);
      });
    });
  }, 240_000);
});

const threadCases: { name: string; backend: 'js' | 'wasm'; threads?: number }[] = [
  ...modelBackends.map((b) => ({ name: b, backend: b })),
  ...(modelBackends.includes('wasm') ? [{ name: 'wasm, 2 threads', backend: 'wasm' as const, threads: 2 }] : []),
];

function smallModel(seed: number): nn.Sequential {
  return nn.sequential({
    seed,
    layers: [nn.layers.dense({ units: 7, activation: 'tanh', inputShape: [5] }), nn.layers.dense({ units: 3, activation: 'softmax' })],
  });
}

describe.each(threadCases)('training with a schedule ($name)', ({ backend, threads }) => {
  afterAll(async () => {
    await nn.setBackend('js');
  });

  it('equals training with the same per-step rates set by hand (sgd, adam, rmsprop); history has learning_rate', async () => {
    await nn.setBackend(backend, threads ? { threads } : {});
    const rng = new Rng(11);
    const x = randomTensor(rng, 23, 5);
    const ids = Array.from({ length: 23 }, (_, i) => (i * 7) % 3);
    const y = oneHot(ids, 3);
    const batchSize = 6; // 4 steps per epoch, the last one of 5 rows
    for (const make of [
      (lr: nn.optimizers.LearningRate) => nn.optimizers.sgd({ learningRate: lr, momentum: 0.5 }),
      (lr: nn.optimizers.LearningRate) => nn.optimizers.adam({ learningRate: lr }),
      (lr: nn.optimizers.LearningRate) => nn.optimizers.rmsprop({ learningRate: lr }),
    ]) {
      const schedule = S.exponentialDecay({ initialLearningRate: 0.2, decaySteps: 3, decayRate: 0.5, staircase: true });
      const a = smallModel(4);
      a.compile({ optimizer: make(schedule), loss: 'categoricalCrossentropy' });
      const h = await a.fit(x, y, { epochs: 3, batchSize, shuffle: false });
      // The rate after each epoch is the schedule at the next step (4, 8, 12 updates done).
      expect(h.history.learning_rate).toEqual([schedule.rate(4), schedule.rate(8), schedule.rate(12)]);

      const b = smallModel(4);
      const opt = make(0.123);
      b.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
      let step = 0;
      for (let epoch = 0; epoch < 3; epoch++) {
        for (let start = 0; start < 23; start += batchSize) {
          const end = Math.min(23, start + batchSize);
          opt.learningRate = schedule.rate(step++);
          b.trainOnBatch(nn.tensor2d(x.data.slice(start * 5, end * 5), [end - start, 5]), nn.tensor2d(y.data.slice(start * 3, end * 3), [end - start, 3]));
        }
      }
      expectSameWeights(snapshot(a), snapshot(b), `${opt.className} schedule vs per-step rates`);
      a.dispose();
      b.dispose();
    }
  });

  it('a constant rate is logged as is; setting a scheduled rate is refused', async () => {
    await nn.setBackend(backend, threads ? { threads } : {});
    const m = smallModel(1);
    const opt = nn.optimizers.adam({ learningRate: S.cosineDecay({ initialLearningRate: 0.1, decaySteps: 5 }) });
    expect(() => {
      opt.learningRate = 0.1;
    }).toThrow(/follows a CosineDecay schedule and cannot be set/);
    m.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.004 }), loss: 'categoricalCrossentropy' });
    const h = await m.fit([[1, 2, 3, 4, 5]], oneHot([1], 3), { epochs: 2 });
    expect(h.history.learning_rate).toEqual([0.004, 0.004]);
    m.dispose();
  });
});

describe('saving a schedule', () => {
  beforeAll(async () => {
    await nn.setBackend('js');
  });
  const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-schedules-'));
  const schedule = () => S.cosineDecay({ initialLearningRate: 0.01, decaySteps: 40, alpha: 0.1, warmupTarget: 0.2, warmupSteps: 4 });

  it('TensorFlow.js format: round trip keeps the schedule; tfjs gets no training config (it would read the object as a number)', async () => {
    const m = smallModel(2);
    m.compile({ optimizer: nn.optimizers.sgd({ learningRate: schedule(), momentum: 0.9 }), loss: 'categoricalCrossentropy' });
    const art = m.toArtifacts();
    expect(art.trainingConfig).toBeUndefined();
    const saved = (art.userDefinedMetadata as any).wasmMlp.trainingConfig.optimizer_config;
    expect(saved.class_name).toBe('Momentum');
    expect(saved.config.learning_rate).toEqual({ module: 'keras.optimizers.schedules', class_name: 'CosineDecay', config: schedule().getConfig(), registered_name: null });
    const back = await nn.fromArtifacts(art);
    const lr = back.optimizer!.learningRate as nn.schedules.CosineDecay;
    expect(lr).toBeInstanceOf(S.CosineDecay);
    expect(lr.getConfig()).toEqual(schedule().getConfig());
    // A model without a schedule still saves its config where tfjs reads it.
    const plain = smallModel(2);
    plain.compile({ optimizer: nn.optimizers.sgd({ learningRate: 0.1 }), loss: 'categoricalCrossentropy' });
    expect(plain.toArtifacts().trainingConfig?.optimizer_config).toEqual({ class_name: 'SGD', config: { learning_rate: 0.1 } });
    // A damaged schedule is refused with its place named.
    (saved.config.learning_rate as any).config.decay_rate = 0.5;
    await expect(nn.fromArtifacts(art)).rejects.toThrow(/learning_rate \(CosineDecay\): unknown config key 'decay_rate'/);
    saved.config.learning_rate = { class_name: 'InverseTimeDecay', config: {} };
    await expect(nn.fromArtifacts(art)).rejects.toThrow(/schedule class 'InverseTimeDecay' is not supported \(wasm-mlp has ExponentialDecay, PiecewiseConstantDecay, CosineDecay\)/);
  });

  it.skipIf(!python)('Keras 3 .keras: Keras loads our schedule and computes the same rates; a Keras-saved schedule loads here', async () => {
    const m = smallModel(2);
    m.compile({ optimizer: nn.optimizers.adam({ learningRate: schedule() }), loss: 'categoricalCrossentropy' });
    await m.save(`file://${dir}/ours.keras`);
    const keras = S.exponentialDecay({ initialLearningRate: 0.05, decaySteps: 3, decayRate: 0.7, staircase: true });
    const r = runPython<any>('test/python/keras_oracle.py', {
      load: [{ file: `${dir}/ours.keras`, x: [[1, 2, 3, 4, 5]] }],
      make_scheduled: { file: `${dir}/keras.keras`, schedule: keras.toJSON() },
    });
    const loaded = r.load[0];
    expect(loaded.warnings.filter((w: string) => /optimizer/i.test(w))).toEqual([]);
    expect(loaded.compile.schedule.serialized).toEqual(schedule().toJSON());
    loaded.compile.schedule.values.forEach((v: number, step: number) => expect(v).toBeCloseTo(schedule().rate(step), 6));
    const back = await nn.loadModel(`file://${dir}/keras.keras`);
    const lr = back.optimizer!.learningRate as nn.schedules.ExponentialDecay;
    expect(lr.getConfig()).toEqual(keras.getConfig());
    r.make_scheduled.schedule.values.forEach((v: number, step: number) => expect(lr.rate(step)).toBeCloseTo(v, 6));
  }, 240_000);
});
