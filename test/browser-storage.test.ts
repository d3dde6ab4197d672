// Saving and loading in a real browser: indexeddb://, localstorage:// (both survive a page
// reload) and downloads:// (the browser receives model.json + weights), in headless Chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, screenshots, type Harness } from './browser/harness.js';

let h: Harness;
beforeAll(async () => { h = await start(); }, 120_000);
afterAll(async () => { await h?.close(); });

type Win = { nn: any; x: number[][] };

describe('browser storage schemes', () => {
  it('indexeddb:// and localstorage:// round-trip, also after a reload, with identical predictions', async () => {
    const context = await h.browser.newContext();
    const page = await context.newPage();
    await page.goto(h.url);
    const saved = await page.evaluate(async () => {
      const nn = await new Function('u', 'return import(u)')('/dist/browser/wasm-mlp.js');
      await nn.ready();
      const m = nn.sequential({ seed: 5, layers: [
        nn.layers.dense({ units: 7, activation: 'relu', inputShape: [3] }),
        nn.layers.prelu(),
        nn.layers.dropout({ rate: 0.3 }),
        nn.layers.dense({ units: 4, activation: 'softmax' }),
      ] });
      m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
      const x = [[0.1, -0.2, 0.3], [1, 2, -3], [0.5, 0.5, 0.5]];
      await m.fit(x, [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]], { epochs: 3, batchSize: 2 });
      const idb = await m.save('indexeddb://browser-test-model');
      const ls = await m.save('localstorage://browser-test-model');
      return { predicted: Array.from(m.predict(x).data), idb, ls, x };
    });
    expect(saved.predicted).toHaveLength(12);
    await page.reload();
    const loaded = await page.evaluate(async (x) => {
      const nn = await new Function('u', 'return import(u)')('/dist/browser/wasm-mlp.js');
      await nn.ready();
      const a = await nn.loadModel('indexeddb://browser-test-model');
      const b = await nn.loadModel('localstorage://browser-test-model');
      const fromIdb = Array.from(a.predict(x).data);
      // A loaded model can go on training: the optimizer and loss came with it.
      await a.fit(x, [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]], { epochs: 1, batchSize: 3 });
      let missing = '';
      try { await nn.loadModel('indexeddb://no-such-model'); } catch (e) { missing = (e as Error).message; }
      return {
        fromIdb,
        fromLs: Array.from(b.predict(x).data),
        layers: a.layers.map((l: { className: string }) => l.className),
        missing,
      };
    }, saved.x);
    for (let i = 0; i < 12; i++) {
      expect(loaded.fromIdb[i]).toBeCloseTo(saved.predicted[i]!, 6);
      expect(loaded.fromLs[i]).toBeCloseTo(saved.predicted[i]!, 6);
    }
    expect(loaded.layers).toEqual(['Dense', 'PReLU', 'Dropout', 'Dense']);
    expect(loaded.missing).toMatch(/no-such-model/);
    await page.screenshot({ path: `${screenshots}/storage.png` });
    await context.close();
  });

  it('downloads:// hands the browser a model.json and its weights', async () => {
    const context = await h.browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(h.url);
    const downloads: { name: string; size: number }[] = [];
    page.on('download', async (d) => {
      const path = await d.path();
      const { statSync } = await import('node:fs');
      downloads.push({ name: d.suggestedFilename(), size: path ? statSync(path).size : -1 });
    });
    await page.evaluate(async () => {
      const nn = await new Function('u', 'return import(u)')('/dist/browser/wasm-mlp.js');
      await nn.ready();
      const m = nn.sequential({ seed: 1, layers: [nn.layers.dense({ units: 5, inputShape: [4] })] });
      await m.save('downloads://my-model');
    });
    await expect.poll(() => downloads.length, { timeout: 10_000 }).toBe(2);
    const names = downloads.map((d) => d.name).sort();
    expect(names).toEqual(['my-model.json', 'my-model.weights.bin']);
    expect(downloads.find((d) => d.name.endsWith('.bin'))!.size).toBe((4 * 5 + 5) * 4);
    await context.close();
  });
});
