/**
 * WorkerModel.fitDataset: the model trains in a worker_threads worker on batches pulled one at a
 * time from a dataset that stays on this thread (an array, a generator, nn.data.csv). The weights
 * and history equal those of model.fitDataset on the same batches here (same seed, same backend);
 * a bad batch rejects the fit naming the batch, with the worker's weights those after the last
 * good batch. Uses the built library (dist/node, `npm run build`).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as NN from '../src/index.js';

const root = new URL('..', import.meta.url).pathname;
const lib = pathToFileURL(join(root, 'dist/node/index.js')).href;
const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-worker-dataset-'));
const script = join(dir, 'worker.mjs');
let nn: typeof NN;

beforeAll(async () => {
  writeFileSync(script, `import { parentPort } from 'node:worker_threads';\nimport * as nn from '${lib}';\nnn.worker.serveWorker(parentPort);\n`);
  nn = await import(lib);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const IN = 7, OUT = 3, BATCH = 16, ROWS = 5 * BATCH + 9;

function rows(seed: number, n = ROWS) {
  let s = seed >>> 0;
  const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) / 2 ** 24;
  const x = new Float32Array(n * IN).map(() => r() * 2 - 1);
  const ids = Int32Array.from({ length: n }, (_, i) => (x[i * IN]! + x[i * IN + 1]! > 0 ? 1 : 0) + (x[i * IN + 2]! > 0.5 ? 1 : 0));
  return { x, ids };
}

function batches(d: { x: Float32Array; ids: Int32Array }) {
  const out: { xs: NN.Tensor2D; ys: Int32Array }[] = [];
  for (let s = 0; s < d.ids.length; s += BATCH) {
    const n = Math.min(BATCH, d.ids.length - s);
    out.push({ xs: nn.tensor2d(d.x.slice(s * IN, (s + n) * IN), [n, IN]), ys: d.ids.slice(s, s + n) });
  }
  return out;
}

const spec = (backend: 'js' | 'wasm') => ({
  seed: 4, backend, ...(backend === 'wasm' ? { backendOptions: { threads: 1 } } : {}),
  layers: [{ type: 'dense' as const, units: 12, activation: 'relu', inputShape: [IN] }, { type: 'dense' as const, units: OUT, activation: 'softmax' }],
  compile: { optimizer: { name: 'adam' as const, learningRate: 0.02 }, loss: 'sparseCategoricalCrossentropy' as const, metrics: ['accuracy' as const] },
});

function local(backend: 'js' | 'wasm'): NN.Sequential {
  const m = nn.worker.modelFromSpec(spec(backend));
  return m;
}

const flat = (ws: { data: ArrayLike<number> }[]) => ws.flatMap((w) => Array.from(w.data));

describe.each(['js', 'wasm'] as const)('WorkerModel.fitDataset (%s)', (backend) => {
  it('equals model.fitDataset on the same batches: weights, history, epoch callbacks; a generator and a dataset as validationData', async () => {
    await nn.setBackend(backend, backend === 'wasm' ? { threads: 1 } : {});
    const train = batches(rows(1)), val = batches(rows(2, 40));
    const ref = local(backend);
    const h0 = await ref.fitDataset(train, { epochs: 3, validationData: val });
    const wm = nn.worker.createWorkerModel(new Worker(script));
    try {
      await wm.init(spec(backend));
      const epochs: number[] = [];
      let batchLogs = 0;
      // A re-iterable object whose passes are generators, as nn.data.csv is.
      const dataset = { async *[Symbol.asyncIterator]() { yield* train; } };
      const h1 = await wm.fitDataset(dataset, { epochs: 3, validationData: { [Symbol.iterator]: () => val[Symbol.iterator]() }, onEpochEnd: (e) => epochs.push(e), onBatchEnd: () => batchLogs++ });
      expect(epochs).toEqual([0, 1, 2]);
      expect(batchLogs).toBe(3 * train.length);
      expect(h1.history).toEqual(h0.history);
      expect(flat(await wm.getWeights())).toEqual(flat(ref.getWeights()));
      // The caller's batches were copied, not transferred away.
      expect(train[0]!.xs.data.length).toBe(BATCH * IN);
      // In-memory validation data works as for fit.
      const [vx, vy] = [nn.tensor2d(rows(2, 40).x, [40, IN]), Array.from(rows(2, 40).ids)];
      const h2 = await wm.fitDataset(train, { epochs: 1, validationData: [vx, nn.tensor2d(Float32Array.from(vy), [40, 1])] });
      expect(h2.history.val_loss![0]).toBeCloseTo((await ref.fitDataset(train, { epochs: 1, validationData: [vx, vy] })).history.val_loss![0]!, 5);
    } finally {
      wm.terminate();
      ref.dispose();
    }
  });

  it("batches' sampleWeight crosses to the worker, and classWeight applies there: the same weights as model.fitDataset here", async () => {
    await nn.setBackend(backend, backend === 'wasm' ? { threads: 1 } : {});
    const train = batches(rows(5));
    const weighted = train.map((b, i) => ({ ...b, sampleWeight: Float32Array.from(b.ys, (_, r) => ((r + i) % 4) / 2) }));
    const wm = nn.worker.createWorkerModel(new Worker(script));
    try {
      for (const [data, args] of [[weighted, {}], [train, { classWeight: { 0: 0.5, 1: 2, 2: 1 } }]] as const) {
        const ref = local(backend);
        await ref.fitDataset(data, { epochs: 2, ...args });
        await wm.init(spec(backend));
        await wm.fitDataset(data, { epochs: 2, ...args });
        expect(flat(await wm.getWeights()), JSON.stringify(args)).toEqual(flat(ref.getWeights()));
        const plain = local(backend);
        await plain.fitDataset(train, { epochs: 2 });
        expect(flat(plain.getWeights())).not.toEqual(flat(ref.getWeights()));
        ref.dispose(); plain.dispose();
      }
      // The caller's weights were copied, not transferred away.
      expect(weighted[0]!.sampleWeight.length).toBe(BATCH);
    } finally {
      wm.terminate();
    }
  });

  it('a learning-rate schedule crosses to the worker (as its Keras config): the same weights and learning_rate log as here; a bad one is refused by name', async () => {
    await nn.setBackend(backend, backend === 'wasm' ? { threads: 1 } : {});
    const train = batches(rows(3));
    const schedule = () => nn.schedules.exponentialDecay({ initialLearningRate: 0.05, decaySteps: 2, decayRate: 0.5 });
    const withSchedule = { ...spec(backend), compile: { ...spec(backend).compile, optimizer: { name: 'adam' as const, learningRate: schedule() } } };
    const ref = nn.worker.modelFromSpec({ ...withSchedule, compile: { ...withSchedule.compile, optimizer: { name: 'adam', learningRate: schedule() } } });
    const h0 = await ref.fitDataset(train, { epochs: 2 });
    const wm = nn.worker.createWorkerModel(new Worker(script));
    try {
      await wm.init(withSchedule);
      const h1 = await wm.fitDataset(train, { epochs: 2 });
      expect(h1.history.learning_rate).toEqual(h0.history.learning_rate);
      expect(h1.history.learning_rate![1]).toBeLessThan(0.05 * 0.5 ** 2); // it decayed: the schedule, not a constant
      expect(flat(await wm.getWeights())).toEqual(flat(ref.getWeights()));
      const bad = { ...spec(backend), compile: { ...spec(backend).compile, optimizer: { name: 'adam' as const, learningRate: { class_name: 'Warp', config: {} } } } };
      await expect(wm.init(bad)).rejects.toThrow(/compile\.optimizer\.learningRate: learning-rate schedule class 'Warp' is not supported/);
    } finally {
      wm.terminate();
      ref.dispose();
    }
  });

  it('trains from nn.data.csv on this thread; a bad row rejects the fit naming line and column, the weights are those after the last good batch', async () => {
    await nn.setBackend(backend, backend === 'wasm' ? { threads: 1 } : {});
    const d = rows(3, 48);
    const line = (i: number) => `${Array.from(d.x.subarray(i * IN, (i + 1) * IN), (v) => v.toFixed(3)).join(',')},c${d.ids[i]}`;
    const header = `${Array.from({ length: IN }, (_, j) => `x${j}`).join(',')},y`;
    const good = [header, ...Array.from({ length: 48 }, (_, i) => line(i))].join('\n') + '\n';
    const bad = good.replace(`\n${line(40)}\n`, `\noops,${line(40).split(',').slice(1).join(',')}\n`); // data row 41 = line 42
    const pre = await nn.data.fitPreprocessing([good], { label: 'y' });
    const csv = (text: string) => nn.data.csv(new Blob([text]), { label: 'y', preprocessing: pre, batchSize: 8 });
    const specCsv = { ...spec(backend), layers: [{ ...spec(backend).layers[0]!, inputShape: [pre.inputUnits] }, spec(backend).layers[1]!] };
    const wm = nn.worker.createWorkerModel(new Worker(script));
    const ref = nn.worker.modelFromSpec(specCsv);
    try {
      await wm.init(specCsv);
      const h = await wm.fitDataset(csv(good), { epochs: 2 });
      expect(h.history.loss).toEqual((await ref.fitDataset(csv(good), { epochs: 2 })).history.loss);
      expect(flat(await wm.getWeights())).toEqual(flat(ref.getWeights()));
      // Batches 1-5 (rows 1-40) train; the sixth holds line 42's bad cell.
      await expect(wm.fitDataset(csv(bad), { epochs: 1 })).rejects.toThrow(/line 42, column "x0": "oops" is not a number/);
      await ref.fitDataset(csv(good), { epochs: 1, batchesPerEpoch: 5 });
      expect(flat(await wm.getWeights())).toEqual(flat(ref.getWeights()));
      // A one-shot generator over two epochs is refused as locally; a non-dataset before anything is posted.
      const gen = (async function* () { yield* batches(rows(5, 20)); })();
      await expect(wm.fitDataset(gen, { epochs: 2 })).rejects.toThrow(/one-shot iterator/);
      await expect(wm.fitDataset(42 as never)).rejects.toThrow(/expected a dataset/);
    } finally {
      wm.terminate();
      ref.dispose();
    }
  });
});
