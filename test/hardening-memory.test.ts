/**
 * Memory failure modes, on both backends:
 * - a model too big for the 4 GiB arena is refused before anything is allocated (the message gives
 *   the size it needs; the arena and the backend's memory size are unchanged), and the backend
 *   keeps working for other models;
 * - buffers at offsets beyond 2 GiB are addressed correctly (offsets are unsigned);
 * - dispose() returns every byte, and a model that is garbage-collected without dispose() has its
 *   arena freed by the FinalizationRegistry.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { getBackend } from '../src/backend/index.js';
import { modelBackends, Rng, snapshot, useBackend } from './helpers/model.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Bytes of the backend's whole memory (the wasm Memory or the js ArrayBuffer). */
const memorySize = () => getBackend().f32().buffer.byteLength;
const arenaBytes = () => getBackend().arenaBytes();

function small(seed = 3): nn.Sequential {
  const m = nn.sequential({
    seed,
    layers: [
      nn.layers.dense({ units: 7, activation: 'relu', inputShape: [5] }),
      nn.layers.dropout({ rate: 0.25 }),
      nn.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return m;
}

function smallData(rows = 20) {
  const rng = new Rng(11);
  const x = nn.tensor2d(rng.normals(rows * 5), [rows, 5]);
  const y = new Float32Array(rows * 3);
  for (let r = 0; r < rows; r++) y[r * 3 + (r % 3)] = 1;
  return { x, y: nn.tensor2d(y, [rows, 3]) };
}

async function trainsAndPredicts(): Promise<void> {
  const m = small();
  const { x, y } = smallData();
  const h = await m.fit(x, y, { epochs: 3, batchSize: 6 });
  expect(h.history.loss!.every(Number.isFinite)).toBe(true);
  const p = m.predict(x);
  expect(p.shape).toEqual([20, 3]);
  expect(p.data.every(Number.isFinite)).toBe(true);
  m.dispose();
}

/** The call must throw an out-of-memory Error and leave the arena and memory size untouched. */
function expectRefusedUpFront(call: () => unknown, ...patterns: RegExp[]): string {
  const bytes = arenaBytes();
  const size = memorySize();
  let error: unknown;
  try {
    call();
  } catch (e) {
    error = e;
  }
  expect(error, 'the call should be refused').toBeInstanceOf(Error);
  const message = (error as Error).message;
  expect(message).toMatch(/Out of memory/);
  for (const p of patterns) expect(message).toMatch(p);
  expect(arenaBytes(), 'arena bytes after the refusal').toBe(bytes);
  expect(memorySize(), 'memory size after the refusal (nothing allocated, nothing grown)').toBe(size);
  return message;
}

describe.each(modelBackends)('%s backend: memory', (backend) => {
  useBackend(backend);

  it('dense 100000 → 20000 (2e9 parameters, 16 GB) is refused with the size it needs; the backend still works', async () => {
    await trainsAndPredicts();
    const m = nn.sequential({ layers: [nn.layers.dense({ units: 20000, inputShape: [100000] })] });
    expect(m.countParams()).toBe(2_000_020_000);
    // Weights + gradients: 2 × 2,000,020,000 × 4 bytes.
    expectRefusedUpFront(() => m.getWeights(), /needs 14\.90 GiB \(16000160000 bytes\)/, /2000020000 parameters/, /4\.00 GiB arena/);
    expectRefusedUpFront(() => m.predict([new Array(100000).fill(0)]), /16000160000 bytes/);
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    await expect(m.fit([new Array(100000).fill(0)], [new Array(20000).fill(0)])).rejects.toThrow(/Out of memory.*GiB/);
    m.dispose();
    await trainsAndPredicts();
  });

  it('weights fit but Adam state does not: refused before the weights are allocated', async () => {
    // 10000 → 20000: 200 M parameters, 0.8 GB per copy. Weights + gradients (1.6 GB) would fit,
    // Adam's two slots plus the pre-step backup of weights and slots (5 copies, 4 GB) do not.
    const m = nn.sequential({ layers: [nn.layers.dense({ units: 20000, inputShape: [10000] })] });
    m.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    expectRefusedUpFront(() => m.getWeights(), /weights, gradients, optimizer state/, /5\.22 GiB \(5600560000 bytes\)/);
    m.dispose();
    await trainsAndPredicts();
  });

  it('a batch too big for the arena is refused up front (fit and predict), then smaller batches work', async () => {
    // 2 → 100000 → 1: 800 KB of activations per row; 6000 rows need 4.5 GiB.
    const m = nn.sequential({ seed: 1, layers: [nn.layers.dense({ units: 100000, inputShape: [2] }), nn.layers.dense({ units: 1 })] });
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    m.getWeights();
    const rows = 6000;
    const x = nn.tensor2d(new Float32Array(rows * 2), [rows, 2]);
    const y = nn.tensor2d(new Float32Array(rows), [rows, 1]);
    expectRefusedUpFront(() => m.predict(x, { batchSize: rows }), /a batch of 6000 rows/);
    const before = snapshot(m);
    await expect(m.fit(x, y, { batchSize: rows })).rejects.toThrow(/Out of memory: a batch of 6000 rows/);
    expect(snapshot(m)).toEqual(before);
    expect(m.predict(x.data.subarray(0, 8) && nn.tensor2d(x.data.subarray(0, 8), [4, 2])).shape).toEqual([4, 1]);
    m.dispose();
  });

  it('buffers placed beyond 2 GiB work (offsets are unsigned) and match a model placed low', async () => {
    const { x, y } = smallData();
    const low = small(9);
    await low.fit(x, y, { epochs: 2, batchSize: 7, shuffle: false });
    const want = low.predict(x);
    low.dispose();

    // Fill the low 2 GiB of a fresh backend with an untouched block, so the model lands above it.
    await nn.setBackend(backend);
    const b = getBackend();
    const ballast = b.alloc(2 ** 31 + 4096);
    try {
      const high = small(9);
      await high.fit(x, y, { epochs: 2, batchSize: 7, shuffle: false });
      expect(high.predict(x).data).toEqual(want.data);
      high.dispose();
    } finally {
      b.free(ballast);
      b.dispose();
      await nn.setBackend(backend);
    }
  });

  it('dispose returns every arena byte: built, compiled twice, trained, predicted with bigger batches', async () => {
    const start = arenaBytes();
    const m = small();
    const { x, y } = smallData(40);
    await m.fit(x, y, { epochs: 2, batchSize: 5, validationSplit: 0.25 });
    m.compile({ optimizer: nn.optimizers.rmsprop({ centered: true, momentum: 0.5 }), loss: 'categoricalCrossentropy' });
    m.trainOnBatch(x, y);
    m.predict(x, { batchSize: 40 });
    m.evaluate(x, y, { batchSize: 3 });
    expect(arenaBytes()).toBeGreaterThan(start);
    m.dispose();
    expect(arenaBytes()).toBe(start);
  });

  it('a model garbage-collected without dispose() has its arena freed (FinalizationRegistry)', async () => {
    const start = arenaBytes();
    // In a function, so no reference to the model survives the call.
    const forget = () => {
      const m = small();
      const { x, y } = smallData();
      m.trainOnBatch(x, y);
      m.predict(x);
      return arenaBytes();
    };
    const used = forget() - start;
    expect(used).toBeGreaterThan(0);
    for (let i = 0; i < 50 && arenaBytes() !== start; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(arenaBytes(), `${used} bytes of a forgotten model`).toBe(start);
  });

  it('a disposed model is not freed twice when it is later collected', async () => {
    const start = arenaBytes();
    (() => {
      const m = small();
      m.getWeights();
      m.dispose();
    })();
    const other = small(4);
    other.getWeights();
    const withOther = arenaBytes();
    for (let i = 0; i < 5; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(arenaBytes()).toBe(withOther);
    expect(other.predict(smallData().x).shape).toEqual([20, 3]);
    other.dispose();
    expect(arenaBytes()).toBe(start);
  });
});
