/**
 * Metrics (src/metrics.ts, compiled in src/model/compile.ts, accumulated by
 * src/model/metric-tracker.ts): every Keras name on js, wasm and wasm with 2 threads, checked
 * against TensorFlow.js's tf.metrics (binary/categorical/sparse accuracy, mse, mae, precision,
 * recall), against Keras 3 (auc, precision, recall, top-k, …; when the Python venv exists) and
 * against direct float64 transcriptions of the definitions in this file. An identity model
 * (dense, linear, kernel = I) makes the predictions exactly the chosen values.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { createJsBackend } from '../src/backend/js/index.js';
import { Accuracy } from '../src/backend/contract.js';
import { tf, tfl, tfReady } from './helpers/tf.js';
import { python, runPython } from './helpers/python.js';
import { Rng } from './helpers/random.js';

const ROWS = 203;
const COLS = 7;

/** Predictions in (0, 1) with exact threshold values (0.5, t/199, 0, 1) mixed in, and 0/1 targets. */
function makeData(seed: number, rows = ROWS, cols = COLS): { p: Float32Array; y: Float32Array; ids: Float32Array; onehot: Float32Array } {
  const rng = new Rng(seed);
  const p = new Float32Array(rows * cols);
  const y = new Float32Array(rows * cols);
  for (let i = 0; i < p.length; i++) {
    const u = rng.next();
    p[i] = i % 11 === 0 ? Math.fround((i % 199) / 199) : i % 17 === 0 ? 0.5 : i % 29 === 0 ? 1 : i % 31 === 0 ? 0 : u;
    y[i] = rng.next() < 0.4 ? 1 : 0;
  }
  const ids = new Float32Array(rows);
  const onehot = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    ids[r] = Math.floor(rng.next() * cols);
    onehot[r * cols + ids[r]!] = 1;
  }
  return { p, y, ids, onehot };
}

/** A model whose output is its input: dense(units = cols, linear) with kernel I and bias 0. */
function identityModel(cols: number, loss: string, metrics: string[]): nn.Sequential {
  const m = nn.sequential({ seed: 1 });
  m.add(nn.layers.dense({ units: cols, inputShape: [cols], activation: 'linear' }));
  m.compile({ optimizer: 'sgd', loss: loss as never, metrics: metrics as never });
  const eye = new Float32Array(cols * cols);
  for (let i = 0; i < cols; i++) eye[i * cols + i] = 1;
  m.setWeights([{ shape: [cols, cols], data: eye }, { shape: [cols], data: new Float32Array(cols) }]);
  return m;
}

// ---- float64 transcriptions of the definitions ----------------------------------------------

/**
 * Keras 3 AUC (ROC, interpolation, 200 thresholds), threshold by threshold. A prediction counts as
 * positive at threshold i when ceil(p·199) − 1 ≥ i in float32 — Keras's bucketing for evenly spaced
 * thresholds, which differs from p > i/199 only when p·199 rounds up past an integer (the
 * edge-case test pins one such case against Keras's own number).
 */
function referenceAuc(p: Float32Array, y: Float32Array): number {
  const n = 200;
  const tpr: number[] = [], fpr: number[] = [];
  let pos = 0, neg = 0;
  for (let i = 0; i < y.length; i++) if (y[i]! > 0.5) pos++; else neg++;
  for (let t = 0; t < n; t++) {
    let tp = 0, fp = 0;
    for (let i = 0; i < p.length; i++) {
      const bucket = Math.min(n - 1, Math.max(0, Math.ceil(Math.fround(p[i]! * 199)) - 1));
      if (bucket >= t) { if (y[i]! > 0.5) tp++; else fp++; }
    }
    tpr.push(pos ? tp / pos : 0);
    fpr.push(neg ? fp / neg : 0);
  }
  let auc = 0;
  for (let i = 0; i < n - 1; i++) auc += (fpr[i]! - fpr[i + 1]!) * (tpr[i]! + tpr[i + 1]!) / 2;
  return auc;
}

function referenceTopK(p: Float32Array, cls: (r: number) => number, rows: number, cols: number, k = 5): number {
  let hit = 0;
  for (let r = 0; r < rows; r++) {
    const c = cls(r);
    const mine = p[r * cols + c]!;
    let larger = 0;
    for (let j = 0; j < cols; j++) if (p[r * cols + j]! > mine) larger++;
    if (larger < k) hit++;
  }
  return hit / rows;
}

const argmax = (a: Float32Array, r: number, cols: number): number => {
  let best = 0;
  for (let j = 1; j < cols; j++) if (a[r * cols + j]! > a[r * cols + best]!) best = j;
  return best;
};

// ---- the suites -----------------------------------------------------------------------------

const cases: { name: string; backend: 'js' | 'wasm'; threads?: number }[] = [
  { name: 'js', backend: 'js' },
  { name: 'wasm', backend: 'wasm' },
  { name: 'wasm, 2 threads', backend: 'wasm', threads: 2 },
];

describe('backend kernels: thresholdCounts and the top-k accuracy kinds', () => {
  it('js and wasm agree on every bucket, odd sizes, NaN and out-of-range predictions', async () => {
    const { createWasmBackend } = await import('../src/backend/wasm/index.js');
    for (const b of [createJsBackend(), await createWasmBackend({ threads: 1 })]) {
      for (const [n, buckets] of [[1, 3], [13, 3], [203, 200], [1001, 200]] as const) {
        const p = b.alloc(n * 4), t = b.alloc(n * 4), counts = b.alloc(2 * buckets * 4);
        const f = b.f32();
        const rng = new Rng(n);
        const want = new Int32Array(2 * buckets);
        for (let i = 0; i < n; i++) {
          const v = i === 0 ? NaN : i % 7 === 0 ? -0.25 : i % 9 === 0 ? 1.5 : i % 5 === 0 ? Math.fround((i % buckets) / (buckets - 1)) : rng.next();
          f[(p >>> 2) + i] = v;
          f[(t >>> 2) + i] = rng.next() < 0.5 ? 1 : 0;
          // bucket ≥ j ⇔ p > j/(buckets − 1) for j ≥ 1: count the thresholds strictly below p.
          let bucket = 0;
          for (let j = 1; j < buckets; j++) if (Math.fround(v) > Math.fround(j / (buckets - 1))) bucket = j;
          want[2 * bucket + (f[(t >>> 2) + i]! > 0.5 ? 1 : 0)]!++;
        }
        b.fill(2 * buckets, counts, 0);
        b.thresholdCounts(n, p, t, buckets, counts);
        b.thresholdCounts(n, p, t, buckets, counts); // accumulates
        const got = b.i32().slice(counts >>> 2, (counts >>> 2) + 2 * buckets);
        expect(Array.from(got), `${b.name} n=${n} buckets=${buckets}`).toEqual(Array.from(want, (c) => 2 * c));
        b.free(p); b.free(t); b.free(counts);
      }
      const rows = 9, cols = 7;
      const { p: pd, onehot, ids } = makeData(5, rows, cols);
      pd[3] = NaN;
      const p = b.alloc(rows * cols * 4), oh = b.alloc(rows * cols * 4), id = b.alloc(rows * 4);
      b.f32().set(pd, p >>> 2); b.f32().set(onehot, oh >>> 2); b.f32().set(ids, id >>> 2);
      const wantTop = Math.round(referenceTopK(pd, (r) => ids[r]!, rows, cols) * rows);
      expect(b.accuracyCount(Accuracy.topKCategorical, rows, cols, p, oh), `${b.name} top-k one-hot`).toBe(wantTop);
      expect(b.accuracyCount(Accuracy.topKSparse, rows, cols, p, id), `${b.name} top-k ids`).toBe(wantTop);
      b.dispose();
    }
  });
});

describe.each(cases)('metrics on $name', ({ backend, threads }) => {
  afterAll(async () => {
    await nn.setBackend('js');
  });

  it('evaluate reports every metric by its name, equal to TensorFlow.js / the definitions, in chunks of 16 rows', async () => {
    await nn.setBackend(backend, threads ? { threads, minParallelWork: 0 } : {});
    if (threads) expect(nn.backendInfo().threads).toBe(threads);
    await tfReady();
    const { p, y, ids, onehot } = makeData(42);
    const dense = ['accuracy', 'binaryAccuracy', 'mse', 'meanSquaredError', 'mae', 'mean_absolute_error', 'precision', 'recall', 'auc', 'AUC'];
    const m = identityModel(COLS, 'meanSquaredError', dense);
    const x = nn.tensor2d(p, [ROWS, COLS]);
    const e = m.evaluate(x, nn.tensor2d(y, [ROWS, COLS]), { batchSize: 16 });
    expect(Object.keys(e)).toEqual(['loss', ...dense]);
    const P = tf.tensor2d(p, [ROWS, COLS]), Y = tf.tensor2d(y, [ROWS, COLS]);
    const mean = (t: ReturnType<typeof tf.scalar>) => tf.mean(t).dataSync()[0]!;
    const hard = tf.cast(tf.greater(P, 0.5), 'float32');
    expect(e.binaryAccuracy).toBeCloseTo(mean(tfl.metrics.binaryAccuracy(Y, P)), 6);
    // 'accuracy' with an MSE loss and 7 outputs is categorical accuracy (argmax of the multi-hot target row).
    expect(e.accuracy).toBeCloseTo(mean(tfl.metrics.categoricalAccuracy(Y, P)), 6);
    expect(e.mse).toBeCloseTo(mean(tfl.metrics.meanSquaredError(Y, P)), 6);
    expect(e.meanSquaredError).toBe(e.mse);
    expect(e.mae).toBeCloseTo(mean(tfl.metrics.meanAbsoluteError(Y, P)), 6);
    expect(e.mean_absolute_error).toBe(e.mae);
    expect(e.precision).toBeCloseTo(tfl.metrics.precision(Y, hard).dataSync()[0]!, 6);
    expect(e.recall).toBeCloseTo(tfl.metrics.recall(Y, hard).dataSync()[0]!, 6);
    expect(e.auc).toBeCloseTo(referenceAuc(p, y), 12);
    expect(e.AUC).toBe(e.auc);
    // Whole data at once: the histogram metrics do not depend on how rows were chunked.
    const whole = m.evaluate(x, nn.tensor2d(y, [ROWS, COLS]), { batchSize: ROWS });
    for (const k of ['precision', 'recall', 'auc', 'binaryAccuracy']) expect(whole[k], k).toBe(e[k]);
    m.dispose();

    const cat = identityModel(COLS, 'categoricalCrossentropy', ['categoricalAccuracy', 'topKCategoricalAccuracy', 'accuracy']);
    const ec = cat.evaluate(x, nn.tensor2d(onehot, [ROWS, COLS]), { batchSize: 10 });
    const OH = tf.tensor2d(onehot, [ROWS, COLS]);
    expect(ec.categoricalAccuracy).toBeCloseTo(mean(tfl.metrics.categoricalAccuracy(OH, P)), 6);
    expect(ec.accuracy).toBe(ec.categoricalAccuracy);
    expect(ec.topKCategoricalAccuracy).toBeCloseTo(referenceTopK(p, (r) => argmax(onehot, r, COLS), ROWS, COLS), 12);
    cat.dispose();

    const sp = identityModel(COLS, 'sparseCategoricalCrossentropy', ['sparseCategoricalAccuracy', 'sparse_top_k_categorical_accuracy']);
    const es = sp.evaluate(x, Array.from(ids), { batchSize: 32 });
    expect(es.sparseCategoricalAccuracy).toBeCloseTo(mean(tfl.metrics.sparseCategoricalAccuracy(tf.tensor2d(ids, [ROWS, 1]), P)), 6);
    expect(es.sparse_top_k_categorical_accuracy).toBeCloseTo(referenceTopK(p, (r) => ids[r]!, ROWS, COLS), 12);
    expect(es.sparse_top_k_categorical_accuracy).toBe(ec.topKCategoricalAccuracy);
    sp.dispose();
  });

  it('edge cases: no positives (Keras gives 0), one class only, a single row, one output', async () => {
    await nn.setBackend(backend, threads ? { threads, minParallelWork: 0 } : {});
    const m = identityModel(1, 'binaryCrossentropy', ['precision', 'recall', 'auc', 'accuracy']);
    const p = [[0.9], [0.2], [0.7]];
    // No positive labels: recall and AUC are 0 (divide_no_nan), precision 0 (TP = 0).
    const none = m.evaluate(p, [[0], [0], [0]]);
    expect([none.precision, none.recall, none.auc]).toEqual([0, 0, 0]);
    expect(none.accuracy).toBeCloseTo(1 / 3, 12);
    // Only positives: no negatives, so FPR is 0 everywhere and the area is 0 too (as Keras).
    const all = m.evaluate(p, [[1], [1], [1]]);
    expect(all.precision).toBe(1);
    expect(all.recall).toBeCloseTo(2 / 3, 12);
    expect(all.auc).toBe(0);
    // Perfectly separated: AUC 1.
    const sep = m.evaluate([[0.9], [0.1], [0.8], [0.3]], [[1], [0], [1], [0]]);
    expect(sep.auc).toBeCloseTo(1, 12);
    expect([sep.precision, sep.recall]).toEqual([1, 1]);
    // 31/199 in float32 times 199 rounds above 31, so Keras buckets it with 0.158 (a tie): 0.5 (Keras 3 gives 0.5; p > t would give 0).
    expect(m.evaluate([[Math.fround(31 / 199)], [0.158]], [[1], [0]]).auc).toBe(0.5);
    const one = m.evaluate([[0.6]], [[1]], { batchSize: 1 });
    expect([one.precision, one.recall, one.accuracy]).toEqual([1, 1, 1]);
    m.dispose();
  });

  it('fit logs each metric and its val_ variant per epoch; the last val_ values equal evaluate() on the validation data', async () => {
    await nn.setBackend(backend, threads ? { threads, minParallelWork: 0 } : {});
    const data = nn.datasets.playground('circle', { n: 301, noise: 0.1, seed: 3 });
    const m = nn.sequential({ seed: 7 });
    m.add(nn.layers.dense({ units: 9, activation: 'tanh', inputShape: [2] }));
    m.add(nn.layers.dense({ units: 1, activation: 'sigmoid' }));
    const metrics = ['accuracy', 'precision', 'recall', 'auc', 'mse'];
    m.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy', metrics: metrics as never });
    const xs = data.x.toArray(), ys = data.y.toArray();
    const [xt, yt, xv, yv] = [xs.slice(0, 240), ys.slice(0, 240), xs.slice(240), ys.slice(240)];
    const batchLogs: Record<string, number>[] = [];
    const h = await m.fit(xt, yt, { epochs: 4, batchSize: 25, validationData: [xv, yv], callbacks: { onBatchEnd: (_b, logs) => { batchLogs.push({ ...logs }); } } });
    expect(Object.keys(h.history)).toEqual(['loss', ...metrics, 'val_loss', ...metrics.map((k) => `val_${k}`), 'learning_rate']);
    for (const k of Object.keys(h.history)) {
      expect(h.history[k]).toHaveLength(4);
      for (const v of h.history[k]!) expect(Number.isFinite(v), k).toBe(true);
    }
    const e = m.evaluate(xv, yv);
    for (const k of ['loss', ...metrics]) expect(h.history[`val_${k}`]!.at(-1), `val_${k}`).toBeCloseTo(e[k]!, 6);
    expect(h.history.auc!.at(-1)).toBeGreaterThan(0.7);
    expect(batchLogs[0]).toHaveProperty('auc');
    // The last batch of an epoch has the epoch's running precision/recall/AUC.
    expect(batchLogs[9]!.auc).toBe(h.history.auc![0]);
    m.dispose();
  });
});

describe('fitDataset / evaluateDataset', () => {
  it('metrics accumulate over the batches of a dataset: evaluateDataset equals evaluate on the same rows; earlyStopping maximises val_auc', async () => {
    await nn.setBackend('wasm');
    const { p, y } = makeData(77, 101, 3);
    const m = identityModel(3, 'meanSquaredError', ['precision', 'recall', 'auc', 'mae']);
    const batches = [0, 13, 50, 99].map((from, i, a) => ({
      xs: nn.tensor2d(p.slice(from * 3, (a[i + 1] ?? 101) * 3), [(a[i + 1] ?? 101) - from, 3]),
      ys: nn.tensor2d(y.slice(from * 3, (a[i + 1] ?? 101) * 3), [(a[i + 1] ?? 101) - from, 3]),
    }));
    const d = await m.evaluateDataset(batches);
    const e = m.evaluate(nn.tensor2d(p, [101, 3]), nn.tensor2d(y, [101, 3]));
    for (const k of ['precision', 'recall', 'auc']) expect(d[k], k).toBe(e[k]);
    expect(d.mae).toBeCloseTo(e.mae!, 6);
    const h = await m.fitDataset(batches, { epochs: 2, validationData: batches });
    expect(Object.keys(h.history)).toEqual(['loss', 'precision', 'recall', 'auc', 'mae', 'val_loss', 'val_precision', 'val_recall', 'val_auc', 'val_mae', 'learning_rate']);
    expect(nn.callbacks.earlyStopping({ monitor: 'val_auc' }).mode).toBe('max');
    expect(nn.callbacks.earlyStopping({ monitor: 'val_mae' }).mode).toBe('min');
    m.dispose();
  });
});

describe('compile and saving', () => {
  it('refuses unknown metrics and metrics whose targets do not match the loss, naming the fix', () => {
    const m = nn.sequential();
    m.add(nn.layers.dense({ units: 3, inputShape: [2], activation: 'softmax' }));
    expect(() => m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['f1' as never] })).toThrow(/unknown metric "f1".*'auc'/);
    expect(() => m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['categoricalAccuracy'] })).toThrow(/class ids; use 'sparseCategoricalAccuracy'/);
    expect(() => m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['sparseCategoricalAccuracy'] })).toThrow(/use 'categoricalAccuracy'/);
    expect(() => m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['auc'] })).toThrow(/targets shaped like the outputs/);
  });

  it('the metric names round-trip through model.json (TensorFlow.js still loads it) and .keras', async () => {
    await nn.setBackend('js');
    const m = nn.sequential({ seed: 2 });
    m.add(nn.layers.dense({ units: 3, inputShape: [2], activation: 'sigmoid' }));
    const metrics = ['acc', 'auc', 'recall', 'precision', 'mse', 'meanAbsoluteError', 'topKCategoricalAccuracy'];
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: metrics as never });
    const a = m.toArtifacts();
    // tfjs refuses metrics it does not have: its list holds the ones it knows, ours all of them.
    expect(a.trainingConfig!.metrics).toEqual(['accuracy', 'precision', 'mse', 'mae']);
    expect((a.userDefinedMetadata as { wasmMlp: { metrics: string[] } }).wasmMlp.metrics).toEqual(['accuracy', ...metrics.slice(1)]);
    const back = await nn.fromArtifacts(a);
    expect(back.trainingConfig!.metrics).toEqual(['accuracy', ...metrics.slice(1)]);
    const tfl = await import('@tensorflow/tfjs-layers');
    await tfReady();
    const tm = await tfl.loadLayersModel(tf.io.fromMemory(a));
    expect(tm.metricsNames).toEqual(['loss', 'acc', 'precision', 'mse', 'mae']);
    const { artifactsToKeras, kerasToArtifacts } = await import('../src/io/keras/index.js');
    const { mergeLimits } = await import('../src/io/limits.js');
    const k = await artifactsToKeras(a);
    const fromK = await nn.fromArtifacts(await kerasToArtifacts(k, mergeLimits({}, 'test'), {}, 'test'));
    expect(fromK.trainingConfig!.metrics).toEqual(['accuracy', 'auc', 'recall', 'precision', 'mse', 'mean_absolute_error', 'top_k_categorical_accuracy']);
    // A model with only 'accuracy' saves exactly as before (no userDefinedMetadata).
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy', metrics: ['accuracy'] });
    expect(m.toArtifacts().userDefinedMetadata).toBeUndefined();
    m.dispose(); back.dispose(); fromK.dispose();
  });
});

describe.skipIf(!python)('metrics against Keras 3 (update_state batch by batch)', () => {
  it('auc, precision, recall, binary/categorical/top-k accuracy, mse, mae on odd batch sizes', async () => {
    await nn.setBackend('wasm');
    const shapes = [[203, 7, 16], [97, 1, 10], [50, 3, 7]] as const;
    const datas = shapes.map(([rows, cols], i) => ({ rows, cols, ...makeData(100 + i, rows, cols) }));
    const job = { cases: datas.map((d, i) => ({ y: rows2(d.y, d.cols), p: rows2(d.p, d.cols), batch: shapes[i]![2] })) };
    const { results } = runPython<{ results: Record<string, number>[] }>('test/python/metrics_oracle.py', job);
    datas.forEach((d, i) => {
      const keras = results[i]!;
      const names = Object.keys(keras);
      const m = identityModel(d.cols, 'meanSquaredError', names.filter((n) => n !== 'topKCategoricalAccuracy' && n !== 'categoricalAccuracy'));
      const e = m.evaluate(nn.tensor2d(d.p, [d.rows, d.cols]), nn.tensor2d(d.y, [d.rows, d.cols]), { batchSize: shapes[i]![2] });
      for (const n of Object.keys(e)) if (n !== 'loss') expect(e[n], `${n} ${d.rows}×${d.cols}`).toBeCloseTo(keras[n]!, 6);
      m.dispose();
      if (d.cols > 1) {
        // Categorical metrics on the same predictions with multi-hot targets: argmax of the target row, as Keras.
        const c = identityModel(d.cols, 'categoricalCrossentropy', ['categoricalAccuracy', 'topKCategoricalAccuracy']);
        const ec = c.evaluate(nn.tensor2d(d.p, [d.rows, d.cols]), nn.tensor2d(d.y, [d.rows, d.cols]));
        expect(ec.categoricalAccuracy).toBeCloseTo(keras.categoricalAccuracy!, 6);
        expect(ec.topKCategoricalAccuracy).toBeCloseTo(keras.topKCategoricalAccuracy!, 6);
        c.dispose();
      }
    });
  }, 300_000);
});

describe.skipIf(!python)('a .keras file with metrics, evaluated by Keras 3', () => {
  it('Keras 3 loads the compiled metrics and computes the values evaluate() reports here', async () => {
    await nn.setBackend('js');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const file = join(mkdtempSync(join(tmpdir(), 'wasm-mlp-metrics-')), 'm.keras');
    const m = nn.sequential({ seed: 4 });
    m.add(nn.layers.dense({ units: 6, inputShape: [3], activation: 'softmax' }));
    const metrics = ['acc', 'auc', 'recall', 'precision', 'mse', 'meanAbsoluteError', 'topKCategoricalAccuracy', 'categoricalAccuracy'];
    m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: metrics as never });
    const { p: xd } = makeData(9, 61, 3);
    const { onehot } = makeData(10, 61, 6);
    const x = nn.tensor2d(xd, [61, 3]), y = nn.tensor2d(onehot, [61, 6]);
    await m.save(`file://${file}`);
    const ours = m.evaluate(x, y, { batchSize: 16 });
    const keras = runPython<{ metrics: string[]; values: Record<string, number> }>('test/python/metrics_oracle.py', { file, x: rows2(xd, 3), y: rows2(onehot, 6), batch: 16 });
    expect(keras.metrics).toEqual(['accuracy', 'auc', 'recall', 'precision', 'mse', 'mean_absolute_error', 'top_k_categorical_accuracy', 'categorical_accuracy']);
    const pairs: [string, string][] = [['loss', 'loss'], ['accuracy', 'accuracy'], ['auc', 'auc'], ['recall', 'recall'], ['precision', 'precision'], ['mse', 'mse'],
      ['meanAbsoluteError', 'mean_absolute_error'], ['topKCategoricalAccuracy', 'top_k_categorical_accuracy'], ['categoricalAccuracy', 'categorical_accuracy']];
    for (const [mine, theirs] of pairs) expect(ours[mine], mine).toBeCloseTo(keras.values[theirs]!, 5);
    m.dispose();
  }, 300_000);
});

function rows2(a: Float32Array, cols: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < a.length; i += cols) out.push(Array.from(a.subarray(i, i + cols)));
  return out;
}
