// Threads in headless Chromium: a cross-origin isolated page (scripts/serve.mjs sends COOP/COEP)
// trains on 2 threads with results bit-identical to 1 thread; the same page served without the
// headers falls back to 1 thread and says why in backendInfo().reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { start, type Harness } from './browser/harness.js';

let h: Harness;
beforeAll(async () => { h = await start(); }, 120_000);
afterAll(async () => { await h?.close(); });

/** In the page: train a 784-128-10 MLP on `threads` threads; backendInfo, losses and weights. */
function trainIn(page: Page, threads: number) {
  return page.evaluate(async (threads) => {
    // Through Function so vitest does not rewrite this browser-side import().
    const nn = await new Function('u', 'return import(u)')('/dist/browser/wasm-mlp.js');
    await nn.setBackend('wasm', { threads });
    const info = nn.backendInfo();
    const n = 256;
    let s = 1;
    const x = new Float32Array(n * 784).map(() => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) / 2 ** 24);
    const y = new Float32Array(n * 10).map((_, i) => (i % 10 === Math.floor(i / 10) % 10 ? 1 : 0));
    const m = nn.sequential({ seed: 5 });
    m.add(nn.layers.dense({ units: 128, activation: 'relu', inputShape: [784] }));
    m.add(nn.layers.dense({ units: 10, activation: 'softmax' }));
    m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    const hist = await m.fit(nn.tensor2d(x, [n, 784]), nn.tensor2d(y, [n, 10]), { epochs: 2, batchSize: 64 });
    const weights = m.getWeights().map((w: { data: Float32Array }) => Array.from(w.data));
    m.dispose();
    return { info, crossOriginIsolated: globalThis.crossOriginIsolated, loss: hist.history.loss as number[], weights: weights as number[][] };
  }, threads);
}

describe('threads in the browser', () => {
  it('a cross-origin isolated page trains on 2 threads, bit-identical to 1 thread', async () => {
    const page = await h.newPage();
    await page.goto(h.url);
    const one = await trainIn(page, 1);
    const two = await trainIn(page, 2);
    expect(two.crossOriginIsolated).toBe(true);
    expect(two.info).toMatchObject({ name: 'wasm', threads: 2 });
    expect(two.info.reason).toBeUndefined();
    expect(two.loss).toEqual(one.loss);
    for (let i = 0; i < one.weights.length; i++) expect(two.weights[i]).toEqual(one.weights[i]);
    await page.close();
  });

  it('inside a (module) Web Worker of an isolated page, threads start as nested workers', async () => {
    const page = await h.newPage();
    await page.goto(h.url);
    const info = await page.evaluate(async () => {
      const source = `
        import * as nn from '${location.origin}/dist/browser/wasm-mlp.js';
        await nn.setBackend('wasm', { threads: 2 });
        const m = nn.sequential({ seed: 1, layers: [nn.layers.dense({ units: 256, activation: 'relu', inputShape: [784] }), nn.layers.dense({ units: 10 })] });
        m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
        const loss = m.trainOnBatch(nn.tensor2d(new Float32Array(64 * 784).fill(0.5), [64, 784]), nn.tensor2d(new Float32Array(640), [64, 10]));
        postMessage({ ...nn.backendInfo(), loss });`;
      const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })), { type: 'module' });
      return new Promise<Record<string, unknown>>((resolve, reject) => {
        worker.onmessage = (e) => resolve(e.data);
        worker.onerror = (e) => reject(new Error(e.message));
      });
    });
    expect(info).toMatchObject({ name: 'wasm', threads: 2 });
    expect(Number.isFinite(info.loss)).toBe(true);
    await page.close();
  });

  it('without COOP/COEP the page gets 1 thread and the reason', async () => {
    const page = await h.newPage();
    // Serve the page itself without the isolation headers.
    await page.route(h.url, async (route) => {
      const response = await route.fetch();
      const headers = { ...response.headers() };
      delete headers['cross-origin-opener-policy'];
      delete headers['cross-origin-embedder-policy'];
      await route.fulfill({ response, headers });
    });
    await page.goto(h.url);
    const r = await trainIn(page, 2);
    expect(r.crossOriginIsolated).toBe(false);
    expect(r.info.threads).toBe(1);
    expect(r.info.reason).toMatch(/not cross-origin isolated/);
    expect(r.loss.every(Number.isFinite)).toBe(true);
    await page.close();
  });
});
