// nn.worker: training in a Web Worker keeps the page responsive (a timer keeps ticking during fit),
// logs stream back, predict/getWeights come back; and the same helper works over Node worker_threads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { root, start, type Harness } from './browser/harness.js';

let h: Harness;
beforeAll(async () => { h = await start(); }, 120_000);
afterAll(async () => { await h?.close(); });

describe('nn.worker', () => {
  it('trains in a Web Worker while the main thread keeps ticking', async () => {
    const page = await h.newPage();
    await page.goto(h.url);
    const r = await page.evaluate(async () => {
      // Through Function so vitest does not rewrite this browser-side import().
      const nn = await new Function('u', 'return import(u)')('/dist/browser/wasm-mlp.js');
      const wm = nn.worker.createWorkerModel(new URL('/playground/worker.js', location.href));
      const info = await wm.init({
        seed: 1,
        layers: [{ type: 'dense', units: 64, activation: 'tanh', inputShape: [2] }, { type: 'dense', units: 64, activation: 'tanh' }, { type: 'dense', units: 1, activation: 'sigmoid' }],
        compile: { optimizer: { name: 'adam', learningRate: 0.01 }, loss: 'binaryCrossentropy', metrics: ['accuracy'] },
      });
      const { x, y } = nn.datasets.playground('spiral', { n: 2000, seed: 1 });
      let ticks = 0;
      const timer = setInterval(() => { ticks++; }, 10);
      const epochs: number[] = [];
      // The page timer's count at each epoch message: if training blocked the page, none would fire in between.
      const ticksAtEpoch: number[] = [];
      let batches = 0;
      let weightShapes: number[][] = [];
      const history = await wm.fit(x, y, {
        epochs: 40, batchSize: 8, weightsEvery: 20,
        onEpochEnd: (e: number, _logs: unknown, w?: { shape: number[] }[]) => { epochs.push(e); ticksAtEpoch.push(ticks); if (w) weightShapes = w.map((t) => t.shape); },
        onBatchEnd: () => { batches++; },
      });
      clearInterval(timer);
      const pred = await wm.predict(x);
      const weights = await wm.getWeights();
      wm.terminate();
      return { info, ticks, ticksAtEpoch, epochs: epochs.length, batches, weightShapes, loss: history.history.loss, predShape: pred.shape, nWeights: weights.length };
    });
    expect(r.info.backend).toBe('wasm');
    // The page's timer kept running while the worker trained: it fired between the epoch messages
    // all through the fit (counts, not durations, so a loaded machine cannot fail it).
    const firstHalf = r.ticksAtEpoch[19]! - r.ticksAtEpoch[0]!;
    const secondHalf = r.ticksAtEpoch[39]! - r.ticksAtEpoch[20]!;
    expect(firstHalf, `timer ticks between epochs 1 and 20: ${firstHalf}`).toBeGreaterThan(0);
    expect(secondHalf, `timer ticks between epochs 21 and 40: ${secondHalf}`).toBeGreaterThan(0);
    expect(r.epochs).toBe(40);
    expect(r.batches).toBe(40 * 250);
    expect(r.weightShapes).toEqual([[2, 64], [64], [64, 64], [64], [64, 1], [1]]);
    expect(r.loss.at(-1)).toBeLessThan(r.loss[0]);
    expect(r.predShape).toEqual([2000, 1]);
    expect(r.nWeights).toBe(6);
    await page.close();
  });

  it('works over Node worker_threads too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wasm-mlp-worker-'));
    const lib = pathToFileURL(join(root, 'dist/node/index.js')).href;
    const script = join(dir, 'worker.mjs');
    writeFileSync(script, `import { parentPort } from 'node:worker_threads';\nimport * as nn from '${lib}';\nnn.worker.serveWorker(parentPort);\n`);
    const nn = await import(lib);
    const wm = nn.worker.createWorkerModel(new Worker(script));
    try {
      await wm.init({ seed: 2, layers: [{ type: 'dense', units: 8, activation: 'tanh', inputShape: [2] }, { type: 'dense', units: 1, activation: 'sigmoid' }], compile: { optimizer: { name: 'adam', learningRate: 0.05 }, loss: 'binaryCrossentropy', metrics: ['accuracy'] } });
      const { x, y } = nn.datasets.playground('xor', { n: 200, seed: 2 });
      const seen: number[] = [];
      const hist = await wm.fit(x, y, { epochs: 40, batchSize: 10, onEpochEnd: (e: number) => seen.push(e) });
      expect(seen).toHaveLength(40);
      expect(hist.history.accuracy.at(-1)).toBeGreaterThan(0.9);
      const ws = await wm.getWeights();
      expect(ws.map((w: { shape: number[] }) => w.shape)).toEqual([[2, 8], [8], [8, 1], [1]]);
      await wm.setWeights(ws);
      expect((await wm.evaluate(x, y)).accuracy).toBeGreaterThan(0.9);
      await expect(wm.init({ layers: [{ type: 'conv2d' }], compile: { optimizer: 'sgd', loss: 'meanSquaredError' } })).rejects.toThrow(/unknown layer type 'conv2d'/);
    } finally {
      wm.terminate();
    }
  });
});
