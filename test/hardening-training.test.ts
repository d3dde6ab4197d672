/**
 * Training failure modes that must lose nothing, on both backends:
 * - a step whose gradient, weights or optimizer state stop being finite is undone whole: the
 *   weights AND the optimizer state (Adam moments, step count) are those from before it, so
 *   training on afterwards gives bit-for-bit what a twin that never saw the bad batch gives;
 * - clipValue / clipNorm bound a step even for an enormous gradient;
 * - fit refuses a second fit, compile and dispose while it runs, and models on different backends
 *   train side by side (interleaved) exactly as they do one after the other.
 */
import { describe, expect, it } from 'vitest';
import * as nn from '../src/index.js';
import { allFinite, expectSameWeights, modelBackends, Rng, snapshot, useBackend } from './helpers/model.js';

/** 3 → 4 → 2, all linear. */
function twoLayer(optimizer: nn.optimizers.Optimizer | string, seed = 5): nn.Sequential {
  const m = nn.sequential({
    seed,
    layers: [nn.layers.dense({ units: 4, inputShape: [3] }), nn.layers.dense({ units: 2 })],
  });
  m.compile({ optimizer, loss: 'meanSquaredError' });
  m.getWeights();
  return m;
}

function batches(count: number, rows = 4, seed = 8): { x: nn.Tensor2D; y: nn.Tensor2D }[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => ({ x: nn.tensor2d(rng.normals(rows * 3), [rows, 3]), y: nn.tensor2d(rng.normals(rows * 2), [rows, 2]) }));
}

function expectThrows(call: () => unknown, ...patterns: RegExp[]): void {
  let error: unknown;
  try { call(); } catch (e) { error = e; }
  expect(error, 'the call should throw').toBeInstanceOf(Error);
  for (const p of patterns) expect((error as Error).message).toMatch(p);
}

describe.each(modelBackends)('%s backend: divergence undoes the whole step', (backend) => {
  useBackend(backend);

  /**
   * Train `model` and a twin on the same good batches; give `model` one bad batch in the middle
   * (it must throw with `pattern` and change nothing); then both must stay bit-identical.
   */
  function expectBadBatchLeavesNoTrace(make: () => nn.Sequential, pattern: RegExp): void {
    const model = make();
    const twin = make();
    const good = batches(6);
    for (const b of good.slice(0, 3)) { model.trainOnBatch(b.x, b.y); twin.trainOnBatch(b.x, b.y); }
    const bad = overflowingGradient(model);
    const before = snapshot(model);
    expectThrows(() => model.trainOnBatch(bad.x, bad.y), pattern, /weights were not changed/);
    expectSameWeights(snapshot(model), before, 'weights after the refused step');
    for (const [i, b] of good.slice(3).entries()) {
      const l1 = model.trainOnBatch(b.x, b.y);
      const l2 = twin.trainOnBatch(b.x, b.y);
      expect(l1, `loss of good batch ${i} after the refused one`).toBe(l2);
      expectSameWeights(snapshot(model), snapshot(twin), `after good batch ${i}: the optimizer state (moments, step count) must be as if the bad batch never came`);
    }
    model.dispose();
    twin.dispose();
  }

  /**
   * A batch whose loss is finite but whose gradient overflows float32: inputs of 1e22 give hidden
   * activations h ~ 1e22; targets 1e17 away from the model's own prediction keep the loss near
   * 1e34 while the last kernel's gradient h·dz ~ 1e39 overflows. (So the step is refused after the
   * optimizer has run — the case where its state must be restored, not merely left alone.)
   */
  function overflowingGradient(model: nn.Sequential): { x: number[][]; y: number[][] } {
    const x = [[1e22, 1e22, 1e22]];
    const pred = model.predict(x).toArray();
    return { x, y: pred.map((row) => row.map((v) => v + 1e17)) };
  }

  it.each([
    ['adam', () => nn.optimizers.adam({ learningRate: 0.01 })],
    ['adamw', () => nn.optimizers.adamw({ learningRate: 0.01 })],
    ['rmsprop centered + momentum', () => nn.optimizers.rmsprop({ learningRate: 0.01, momentum: 0.9, centered: true })],
    ['sgd + nesterov', () => nn.optimizers.sgd({ learningRate: 0.01, momentum: 0.9, nesterov: true })],
    ['adagrad', () => nn.optimizers.adagrad({ learningRate: 0.01 })],
  ] as const)('%s: a NaN/Infinity gradient is refused and the optimizer state is kept', (_name, opt) => {
    expectBadBatchLeavesNoTrace(() => twoLayer(opt()), /gradient became NaN or Infinity/);
  });

  it("Adam: a gradient whose square overflows makes v Infinity while the weights stay finite — caught too", () => {
    // One linear weight 1e-5 on x = 1e13: prediction 1e8, loss 1e16 (finite), gradient 2e21 (finite),
    // but (1−β2)·g² ≈ 4e39 overflows float32: v = Infinity and the step is a silent 0. Without the
    // state check, that weight would never move again.
    const make = () => {
      const m = nn.sequential({ seed: 1, layers: [nn.layers.dense({ units: 1, useBias: false, inputShape: [1] })] });
      m.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.01 }), loss: 'meanSquaredError' });
      m.setWeights([{ shape: [1, 1], data: new Float32Array([1e-5]) }]);
      return m;
    };
    const model = make();
    const before = snapshot(model);
    expectThrows(() => model.trainOnBatch([[1e13]], [[0]]), /Adam state overflowed/, /weights were not changed/);
    expectSameWeights(snapshot(model), before, 'weights');
    // Training on normally afterwards: the weight moves, exactly as in a fresh twin.
    const twin = make();
    for (let i = 0; i < 3; i++) {
      model.trainOnBatch([[1], [2]], [[1], [3]]);
      twin.trainOnBatch([[1], [2]], [[1], [3]]);
    }
    expect(snapshot(model)[0]![0]).not.toBe(1e-5);
    expectSameWeights(snapshot(model), snapshot(twin), 'after the refused step');
  });

  it('fit stops at the bad batch, names epoch and batch, keeps weights and Adam state from before it', async () => {
    const good = batches(3, 4, 21);
    const model = twoLayer(nn.optimizers.adam({ learningRate: 0.01 }));
    const twin = twoLayer(nn.optimizers.adam({ learningRate: 0.01 }));
    for (const b of good) twin.trainOnBatch(b.x, b.y);
    const bad = overflowingGradient(twin); // what the model will predict when it reaches batch 4
    const rows = [...good.flatMap((b) => b.x.toArray()), ...bad.x];
    const ys = [...good.flatMap((b) => b.y.toArray()), ...bad.y];
    // Batch 4 of epoch 1 (unshuffled, batches of 4) is the single overflowing row.
    await expect(model.fit(rows, ys, { epochs: 3, batchSize: 4, shuffle: false })).rejects.toThrow(
      /fit: training diverged at epoch 1, batch 4: the gradient became NaN or Infinity\. The weights are those from before this step/,
    );
    expectSameWeights(snapshot(model), snapshot(twin), 'weights after the diverged fit vs a twin trained on the 3 good batches');
    // Same optimizer state: the next steps agree bit for bit.
    for (const b of batches(3, 4, 22)) {
      model.trainOnBatch(b.x, b.y);
      twin.trainOnBatch(b.x, b.y);
    }
    expectSameWeights(snapshot(model), snapshot(twin), 'after three more steps');
    // And fit runs again.
    await expect(model.fit(good[0]!.x, good[0]!.y, { epochs: 2 })).resolves.toBeDefined();
  });

  it('a NaN loss (log of a negative prediction) stops training before any update', async () => {
    // binaryCrossentropy on a linear output: the loss of negative predictions is not defined.
    const m = nn.sequential({ seed: 2, layers: [nn.layers.dense({ units: 1, inputShape: [2] })] });
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    m.setWeights([{ shape: [2, 1], data: new Float32Array([-5, -5]) }, { shape: [1], data: new Float32Array([-5]) }]);
    const before = snapshot(m);
    let loss: number | undefined;
    let error: unknown;
    try { loss = m.trainOnBatch([[1, 1]], [[1]]); } catch (e) { error = e; }
    if (error === undefined) {
      // Clipped like TensorFlow.js: then the loss and the step must be finite.
      expect(Number.isFinite(loss)).toBe(true);
      expect(allFinite(snapshot(m))).toBe(true);
    } else {
      expect((error as Error).message).toMatch(/trainOnBatch: the loss became (NaN|Infinity|-Infinity); the weights were not changed/);
      expectSameWeights(snapshot(m), before, 'weights');
    }
  });
});

describe.each(modelBackends)('%s backend: gradient clipping bounds a step', (backend) => {
  useBackend(backend);

  /** One SGD step (lr 1) on a gradient of about 1e9 per weight; returns the largest weight change. */
  function largestStep(clip: { clipValue?: number; clipNorm?: number }): number {
    const m = nn.sequential({ seed: 3, layers: [nn.layers.dense({ units: 2, inputShape: [3] })] });
    m.compile({ optimizer: nn.optimizers.sgd({ learningRate: 1, ...clip }), loss: 'meanSquaredError' });
    const before = snapshot(m).flatMap((w) => Array.from(w));
    m.trainOnBatch([[1e4, -2e4, 3e4], [2e4, 1e4, -1e4]], [[1e5, -1e5], [-1e5, 1e5]]);
    const after = snapshot(m).flatMap((w) => Array.from(w));
    expect(after.every(Number.isFinite)).toBe(true);
    const step = Math.max(...after.map((v, i) => Math.abs(v - before[i]!)));
    m.dispose();
    return step;
  }

  it('without clipping the step is huge (the control)', () => {
    expect(largestStep({})).toBeGreaterThan(1e8);
  });

  it('clipValue 0.5: no weight moves more than lr × 0.5', () => {
    const step = largestStep({ clipValue: 0.5 });
    expect(step).toBeLessThanOrEqual(0.5 * (1 + 1e-6));
    expect(step).toBeGreaterThan(0.49); // the clip is hit, the gradient is not zeroed
  });

  it('clipNorm 2: each parameter tensor moves by a vector of norm at most lr × 2', () => {
    const m = nn.sequential({ seed: 3, layers: [nn.layers.dense({ units: 2, inputShape: [3] })] });
    m.compile({ optimizer: nn.optimizers.sgd({ learningRate: 1, clipNorm: 2 }), loss: 'meanSquaredError' });
    const before = snapshot(m);
    m.trainOnBatch([[1e4, -2e4, 3e4], [2e4, 1e4, -1e4]], [[1e5, -1e5], [-1e5, 1e5]]);
    const after = snapshot(m);
    for (let t = 0; t < after.length; t++) {
      const norm = Math.hypot(...Array.from(after[t]!, (v, i) => v - before[t]![i]!));
      expect(norm, `tensor ${t}`).toBeLessThanOrEqual(2 * (1 + 1e-5));
      expect(norm, `tensor ${t}`).toBeGreaterThan(1.99);
    }
    m.dispose();
  });

  it('clipValue keeps Adam going where the raw gradient would overflow its state', () => {
    const m = nn.sequential({ seed: 1, layers: [nn.layers.dense({ units: 1, useBias: false, inputShape: [1] })] });
    m.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.01, clipValue: 1 }), loss: 'meanSquaredError' });
    m.setWeights([{ shape: [1, 1], data: new Float32Array([1e-5]) }]);
    const loss = m.trainOnBatch([[1e13]], [[0]]); // unclipped, this is the overflow case above
    expect(Number.isFinite(loss)).toBe(true);
    expect(Math.abs(snapshot(m)[0]![0]! - 1e-5)).toBeCloseTo(0.01, 4); // Adam's first step is ±lr
  });
});

describe('concurrency', () => {
  it('fit refuses a second fit, compile and dispose while it runs; predict inside it has the right shape', async () => {
    await nn.setBackend('js');
    const m = twoLayer('adam');
    const { x, y } = batches(1, 16)[0]!;
    const shapes: number[][] = [];
    const refusals: string[] = [];
    const run = m.fit(x, y, {
      epochs: 3, batchSize: 4, yieldEvery: 0,
      callbacks: {
        onBatchEnd: () => {
          shapes.push([...m.predict(x).shape]);
          for (const call of [() => m.compile({ optimizer: 'sgd', loss: 'meanAbsoluteError' }), () => m.dispose()]) {
            try { call(); } catch (e) { refusals.push((e as Error).message); }
          }
        },
      },
    });
    await expect(m.fit(x, y)).rejects.toThrow(/already training/);
    const h = await run;
    expect(h.history.loss).toHaveLength(3);
    expect(m.trainingConfig?.loss).toBe('meanSquaredError');
    expect(m.isDisposed).toBe(false);
    expect(shapes.every((s) => s[0] === 16 && s[1] === 2)).toBe(true);
    expect(refusals).toHaveLength(24);
    expect(refusals.filter((r) => /compile: this model is training/.test(r))).toHaveLength(12);
    expect(refusals.filter((r) => /dispose: this model is training/.test(r))).toHaveLength(12);
    m.dispose();
  });

  it.runIf(modelBackends.includes('wasm'))('a js model and a wasm model trained interleaved match one-after-the-other runs', async () => {
    const data = batches(1, 64, 30)[0]!;
    const make = async (backend: 'js' | 'wasm') => {
      await nn.setBackend(backend);
      const m = twoLayer(nn.optimizers.adam({ learningRate: 0.02 }), 12);
      expect(m.backendName).toBe(backend);
      return m;
    };
    const order: string[] = [];
    const fit = (m: nn.Sequential, tag: string) =>
      m.fit(data.x, data.y, { epochs: 4, batchSize: 8, yieldEvery: 0, callbacks: { onBatchEnd: () => { order.push(tag); } } });

    const [jsA, wasmA] = [await make('js'), await make('wasm')];
    const [hJs, hWasm] = await Promise.all([fit(jsA, 'js'), fit(wasmA, 'wasm')]);
    // They really interleaved: the first 32 batch ends are not all from one model.
    expect(new Set(order.slice(0, 32)).size).toBe(2);

    const jsB = await make('js');
    const hJsB = await fit(jsB, 'js');
    const wasmB = await make('wasm');
    const hWasmB = await fit(wasmB, 'wasm');
    expect(hJs.history.loss).toEqual(hJsB.history.loss);
    expect(hWasm.history.loss).toEqual(hWasmB.history.loss);
    expectSameWeights(snapshot(jsA), snapshot(jsB), 'js model, interleaved vs alone');
    expectSameWeights(snapshot(wasmA), snapshot(wasmB), 'wasm model, interleaved vs alone');
    // And the two backends agree with each other up to float rounding.
    const a = snapshot(jsA).flatMap((w) => Array.from(w));
    const b = snapshot(wasmA).flatMap((w) => Array.from(w));
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-3);
    for (const m of [jsA, wasmA, jsB, wasmB]) m.dispose();
  });
});
