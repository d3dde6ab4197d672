/**
 * model.fitDataset: batches from an (async) iterable train exactly as fit() on the same rows in
 * the same order (same seed, shuffle off), on every backend and with threads; bad batches are
 * refused before any step on them, naming the batch, with the model left as after the last good one.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as nn from '../src/index.js';
import { Rng } from './helpers/random.js';

const IN = 48, HIDDEN = 96, OUT = 5, BATCH = 64, ROWS = 7 * BATCH + 19; // a short last batch

function data(seed: number, rows = ROWS) {
  const rng = new Rng(seed);
  const r = () => rng.next();
  const x = new Float32Array(rows * IN).map(() => r() * 2 - 1);
  const ids = new Int32Array(rows).map(() => Math.floor(r() * OUT));
  return { x, ids };
}

function model(loss: 'sparseCategoricalCrossentropy' | 'categoricalCrossentropy' = 'sparseCategoricalCrossentropy'): nn.Sequential {
  const m = nn.sequential({ seed: 11 });
  m.add(nn.layers.dense({ units: HIDDEN, activation: 'relu', inputShape: [IN] }));
  m.add(nn.layers.dropout({ rate: 0.2 })); // uses the model's generator: the same draws either way
  m.add(nn.layers.dense({ units: OUT, activation: 'softmax' }));
  m.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.01 }), loss, metrics: ['accuracy'] });
  return m;
}

/** The rows of `d` as batches of BATCH rows (the last one shorter), as Tensor2Ds. */
function batches(d: { x: Float32Array; ids: Int32Array }, rows = d.ids.length) {
  const out: { xs: nn.Tensor2D; ys: Int32Array }[] = [];
  for (let s = 0; s < rows; s += BATCH) {
    const n = Math.min(BATCH, rows - s);
    out.push({ xs: nn.tensor2d(d.x.slice(s * IN, (s + n) * IN), [n, IN]), ys: d.ids.slice(s, s + n) });
  }
  return out;
}

const flat = (m: nn.Sequential) => m.getWeights().flatMap((w) => Array.from(w.data));

const cases = [
  { name: 'js', set: () => nn.setBackend('js') },
  { name: 'wasm', set: () => nn.setBackend('wasm', { threads: 1 }) },
  { name: 'wasm, 2 threads', set: () => nn.setBackend('wasm', { threads: 2 }) },
];

afterAll(async () => {
  await nn.setBackend('wasm', { threads: 1 });
});

describe.each(cases)('fitDataset ($name)', ({ name, set }) => {
  it('gives the weights and history of fit(shuffle: false) on the same batches: array, async generator, tf.data-style iterator()', async () => {
    await set();
    if (name.includes('threads')) expect(nn.backendInfo().threads).toBe(2);
    const d = data(1);
    const val = data(2, 50);
    const valX = nn.tensor2d(val.x, [50, IN]);
    const ref = model();
    const h0 = await ref.fit(nn.tensor2d(d.x, [ROWS, IN]), d.ids, { epochs: 3, batchSize: BATCH, shuffle: false, validationData: [valX, val.ids] });
    const want = flat(ref);

    const list = batches(d);
    const asyncIterable = { async *[Symbol.asyncIterator]() { for (const b of list) { await Promise.resolve(); yield b; } } };
    const tfData = { iterator: async () => { let i = 0; return { next: async () => (i < list.length ? { value: list[i++]!, done: false } : { value: undefined, done: true }) }; } };
    for (const [kind, ds] of [['array', list], ['async iterable', asyncIterable], ['tf.data-style', tfData]] as const) {
      const m = model();
      const h = await m.fitDataset(ds as nn.Dataset, { epochs: 3, validationData: [valX, val.ids] });
      expect(flat(m), `${kind}: weights`).toEqual(want);
      expect(h.history, `${kind}: history`).toEqual(h0.history);
      expect(h.params).toEqual({ epochs: 3, batchSize: BATCH, samples: ROWS });
      m.dispose();
    }
    // A one-shot generator with batchesPerEpoch: epochs take consecutive batches of one stream.
    const gen = model();
    function* endless() { for (;;) yield* list; }
    await gen.fitDataset(endless(), { epochs: 3, batchesPerEpoch: list.length });
    expect(flat(gen)).toEqual(want);
    gen.dispose();
    ref.dispose();
  });

  it('one-hot targets as TensorFlow.js-style tensors, and a dataset as validationData; evaluateDataset = evaluate', async () => {
    await set();
    const d = data(3);
    const oneHot = new Float32Array(ROWS * OUT);
    d.ids.forEach((c, i) => { oneHot[i * OUT + c] = 1; });
    const tfTensor = (data: Float32Array, shape: number[]) => ({ shape, dataSync: () => data, dtype: 'float32' });
    const list = batches(d).map((b, i) => ({
      xs: tfTensor(b.xs.data, [b.xs.rows, IN]),
      ys: tfTensor(oneHot.slice(i * BATCH * OUT, (i * BATCH + b.xs.rows) * OUT), [b.xs.rows, OUT]),
    }));
    const ref = model('categoricalCrossentropy');
    const h0 = await ref.fit(nn.tensor2d(d.x, [ROWS, IN]), nn.tensor2d(oneHot, [ROWS, OUT]), { epochs: 2, batchSize: BATCH, shuffle: false });
    const m = model('categoricalCrossentropy');
    const h = await m.fitDataset(list, { epochs: 2, validationData: list });
    expect(flat(m)).toEqual(flat(ref));
    expect(h.history.loss).toEqual(h0.history.loss);
    const e = ref.evaluate(nn.tensor2d(d.x, [ROWS, IN]), nn.tensor2d(oneHot, [ROWS, OUT]));
    const e2 = await m.evaluateDataset(list);
    expect(e2.loss).toBeCloseTo(e.loss, 5);
    expect(e2.accuracy).toBeCloseTo(e.accuracy!, 10);
    expect(h.history.val_loss![1]).toBeCloseTo(e.loss, 5);
    ref.dispose();
    m.dispose();
  });

  it('refuses bad batches naming epoch and batch; the weights are those after the last good batch', async () => {
    await set();
    const d = data(4);
    const good = batches(d);
    const bad: [string, unknown, RegExp][] = [
      ['shape lie', { xs: { shape: [BATCH, IN], data: new Float32Array(BATCH * IN - 3) }, ys: d.ids.slice(0, BATCH) }, /shape \[64, 48\] needs 3072 values \(64 × 48\), got 3069/],
      ['narrow xs', { xs: nn.tensor2d(new Float32Array(BATCH * (IN - 1)), [BATCH, IN - 1]), ys: d.ids.slice(0, BATCH) }, /expected 48 columns.*got 47/],
      ['NaN', { xs: nn.tensor2d(new Float32Array(BATCH * IN).fill(0.5).fill(NaN, 7 * IN + 2, 7 * IN + 3), [BATCH, IN]), ys: d.ids.slice(0, BATCH) }, /row 7, column 2 is NaN/],
      ['Infinity label', { xs: good[0]!.xs, ys: Float32Array.from(d.ids.slice(0, BATCH)).fill(Infinity, 5, 6) }, /Infinity/],
      ['class id', { xs: good[0]!.xs, ys: Int32Array.from(d.ids.slice(0, BATCH)).fill(OUT, 9, 10) }, /label 9 is 5/],
      ['row mismatch', { xs: good[0]!.xs, ys: d.ids.slice(0, BATCH - 1) }, /x has 64 rows but y has 63/],
      ['not a batch', [1, 2, 3, 4], /expected a batch \{ xs, ys/],
    ];
    for (const [what, b, msg] of bad) {
      // Epoch 2, batch 3: after one full epoch and two batches.
      const stream = { *[Symbol.iterator]() { yield* good; } };
      let epoch = 0;
      const src = { *[Symbol.iterator]() { epoch++; for (let i = 0; i < good.length; i++) yield epoch === 2 && i === 2 ? b : good[i]; } };
      const m = model();
      const ends: number[] = [];
      await expect(m.fitDataset(src as nn.Dataset, { epochs: 3, callbacks: { onBatchEnd: (i) => { ends.push(i); } } }), what)
        .rejects.toThrow(new RegExp(`^fitDataset: epoch 2, batch 3 \\(index 2\\): .*${msg.source}.*nothing was trained on this batch`));
      expect(ends.length, what).toBe(good.length + 2);
      // The reference: one epoch and the first two batches of the next, the same generator draws.
      const ref = model();
      await ref.fitDataset(stream, { epochs: 1 });
      await ref.fitDataset(good.slice(0, 2), { epochs: 2, initialEpoch: 1 });
      expect(flat(m), `${what}: weights after the refusal`).toEqual(flat(ref));
      // The model is usable afterwards.
      await m.fitDataset(good, { epochs: 1 });
      m.dispose();
      ref.dispose();
    }
  });
});

describe.each(cases)('fitDataset with loss weights ($name)', ({ set }) => {
  it('classWeight gives the weights and history of fit with classWeight on the same batches', async () => {
    await set();
    const d = data(21);
    const classWeight = { 0: 1, 1: 3, 2: 0.5, 3: 2, 4: 0 };
    const ref = model();
    const h0 = await ref.fit(nn.tensor2d(d.x, [ROWS, IN]), d.ids, { epochs: 2, batchSize: BATCH, shuffle: false, classWeight });
    const m = model();
    const h1 = await m.fitDataset(batches(d), { epochs: 2, classWeight });
    expect(flat(m)).toEqual(flat(ref));
    expect(h1.history.loss).toEqual(h0.history.loss);
    // The weights matter (the test can fail): unweighted training ends elsewhere.
    const plain = model();
    await plain.fitDataset(batches(d), { epochs: 2 });
    expect(flat(plain)).not.toEqual(flat(ref));
    for (const x of [ref, m, plain]) x.dispose();
  });

  it("a batch's sampleWeight ({ xs, ys, sampleWeight } or Keras's [xs, ys, sampleWeight]) trains as trainOnBatch with it; validation ignores it", async () => {
    await set();
    const d = data(22);
    const list = batches(d);
    const sw = list.map((b, i) => Float32Array.from({ length: b.ys.length }, (_, r) => ((r * 7 + i) % 5) / 2));
    const ref = model();
    for (let i = 0; i < list.length; i++) ref.trainOnBatch(list[i]!.xs, list[i]!.ys, { sampleWeight: sw[i]! });
    const a = model();
    await a.fitDataset(list.map((b, i) => ({ ...b, sampleWeight: sw[i]! })), { epochs: 1 });
    expect(flat(a)).toEqual(flat(ref));
    const b = model();
    await b.fitDataset(list.map((x, i) => [x.xs, x.ys, Array.from(sw[i]!)] as nn.Batch), { epochs: 1 });
    expect(flat(b)).toEqual(flat(ref));
    // Mixed: weighted and unweighted batches in one pass (an unweighted batch is weight 1 per row).
    const c = model(), cRef = model();
    await c.fitDataset(list.map((x, i) => (i % 2 ? x : { ...x, sampleWeight: sw[i]! })), { epochs: 1 });
    for (let i = 0; i < list.length; i++) cRef.trainOnBatch(list[i]!.xs, list[i]!.ys, i % 2 ? undefined : { sampleWeight: sw[i]! });
    expect(flat(c)).toEqual(flat(cRef));
    // Validation batches' weights are not read (validation is unweighted, as fit's).
    const v1 = await a.evaluateDataset(list.map((x, i) => ({ ...x, sampleWeight: sw[i]! })));
    const v2 = await a.evaluateDataset(list);
    expect(v1).toEqual(v2);
    for (const x of [ref, a, b, c, cRef]) x.dispose();
  });

  it('refuses bad weights naming epoch and batch, before any step on that batch', async () => {
    await set();
    const list = batches(data(23, 3 * BATCH));
    const m = model();
    const bad = (w: unknown) => list.map((b, i) => (i === 1 ? { ...b, sampleWeight: w } : b)) as nn.Batch[];
    await expect(m.fitDataset(bad(new Float32Array(BATCH).fill(-1)))).rejects.toThrow(/^fitDataset: epoch 1, batch 2 \(index 1\): sampleWeight\[0\] is -1; expected a finite number >= 0; nothing was trained on this batch/);
    await expect(m.fitDataset(bad([1, 2]))).rejects.toThrow(/epoch 1, batch 2 .*sampleWeight has 2 weights, expected one per row of x: 64/);
    await expect(m.fitDataset(list.map((b) => ({ ...b, sampleWeight: new Float32Array(BATCH) })), { classWeight: { 0: 1, 1: 1, 2: 1, 3: 1, 4: 1 } }))
      .rejects.toThrow(/batch 1 .*carries sampleWeight and classWeight is set; give one or the other/);
    await expect(m.fitDataset(list, { classWeight: { 0: 1, 1: 2 } })).rejects.toThrow(/epoch 1, batch 1 .*classWeight has no weight for class [2-4]/);
    await expect(m.fitDataset(list, { classWeight: { 9: 1 } })).rejects.toThrow(/^fitDataset: classWeight has key '9', which is not a class id of this model; expected integers 0…4/);
    m.dispose();
  });
});

describe('fitDataset options and datasets', () => {
  it('refuses misspelt and unsupported options, non-datasets, one-shot iterators over several epochs, and empty datasets', async () => {
    const m = model();
    const list = batches(data(5, 100));
    await expect(m.fitDataset(list, { epoch: 2 } as never)).rejects.toThrow(/fitDataset: unknown option 'epoch'; did you mean 'epochs'\?/);
    await expect(m.fitDataset(list, { batchSize: 2 } as never)).rejects.toThrow(/fitDataset: option 'batchSize' is not supported/);
    await expect(m.fitDataset(list, { classWeights: {} } as never)).rejects.toThrow(/fitDataset: unknown option 'classWeights'; did you mean 'classWeight'\?/);
    await expect(m.fitDataset(42 as never)).rejects.toThrow(/fitDataset: expected a dataset .* got number 42/);
    await expect(m.fitDataset('a.csv' as never)).rejects.toThrow(/fitDataset: expected a dataset/);
    function* once() { yield* list; }
    await expect(m.fitDataset(once(), { epochs: 2 })).rejects.toThrow(/one-shot iterator .* epochs 2 to 2 would find it empty/);
    await expect(m.fitDataset([], { epochs: 1 })).rejects.toThrow(/the dataset yielded no batches in epoch 1/);
    // A one-shot iterator ending within batchesPerEpoch × epochs: a warning, and the epochs it had.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const h = await m.fitDataset(once(), { epochs: 5, batchesPerEpoch: 1 });
    expect(h.epoch).toEqual([0, 1]);
    expect(warn.mock.calls[0]![0]).toMatch(/ran out of batches at epoch 3, batch 1.*at least batchesPerEpoch × epochs = 5/);
    warn.mockRestore();
    m.dispose();
  });

  it('closes the iterator when training ends early (a file stream would be released)', async () => {
    const m = model();
    const list = batches(data(6, 200));
    let closed = 0;
    const ds = { [Symbol.asyncIterator]() { let i = 0; return { next: async () => ({ value: list[i++ % list.length]!, done: false }), return: async () => { closed++; return { value: undefined, done: true as const }; } }; } };
    await m.fitDataset(ds, { epochs: 3, batchesPerEpoch: 2, callbacks: { onEpochEnd(e) { if (e === 1) m.stopTraining = true; } } });
    expect(closed).toBe(1);
    await expect(m.fitDataset(ds, { epochs: 1, batchesPerEpoch: 2, callbacks: { onBatchEnd() { throw new Error('callback failed'); } } })).rejects.toThrow('callback failed');
    expect(closed).toBe(2);
    m.dispose();
  });
});
