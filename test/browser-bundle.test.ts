// The browser bundle in a plain page: it loads, picks wasm with SIMD and relaxed SIMD, the server
// sends COOP/COEP and the right MIME types, and the activations page draws every activation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, screenshots, type Harness } from './browser/harness.js';

let h: Harness;
beforeAll(async () => { h = await start(); }, 120_000);
afterAll(async () => { await h?.close(); });

describe('browser bundle', () => {
  it('serves pages and the bundle with COOP/COEP and correct MIME types', async () => {
    const get = (p: string) => fetch(new URL(p, h.url));
    const js = await get('/dist/browser/wasm-mlp.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(js.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect((await get('/playground/index.html')).headers.get('content-type')).toMatch(/^text\/html/);
    expect((await get('/style.css')).headers.get('content-type')).toMatch(/^text\/css/);
    expect((await get('/playground')).status).toBe(200); // redirected to /playground/
    expect((await get('/../package.json')).status).toBe(404);
    expect((await get('/dist/../package.json')).status).toBe(404);
  });

  it('loads in a plain page and reports wasm with SIMD and relaxed SIMD', async () => {
    const page = await h.newPage();
    await page.goto(h.url);
    await page.waitForFunction(() => (window as { __backendInfo?: unknown }).__backendInfo);
    const info = await page.evaluate(() => (window as unknown as { __backendInfo: Record<string, unknown> }).__backendInfo);
    expect(info).toMatchObject({ name: 'wasm', simd: true, relaxedSimd: true, crossOriginIsolated: true });
    // The public API works from an inline module too, and trains.
    const acc = await page.evaluate(async () => {
      // Through Function so vitest does not rewrite this browser-side import().
      const nn = await new Function('u', 'return import(u)')('/dist/browser/wasm-mlp.js');
      const { x, y } = nn.datasets.playground('circle', { n: 200, seed: 3 });
      const m = nn.sequential({ seed: 1, layers: [nn.layers.dense({ units: 8, activation: 'tanh', inputShape: [2] }), nn.layers.dense({ units: 1, activation: 'sigmoid' })] });
      m.compile({ optimizer: nn.optimizers.adam({ learningRate: 0.05 }), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
      await m.fit(x, y, { epochs: 60, batchSize: 20 });
      return m.evaluate(x, y).accuracy;
    });
    expect(acc).toBeGreaterThan(0.95);
    await page.screenshot({ path: `${screenshots}/index.png` });
    await page.close();
  });

  it('activations page plots every activation with notes computed from nn.activations', async () => {
    const page = await h.newPage();
    await page.goto(new URL('/activations/', h.url).href);
    await page.waitForFunction(() => (window as { __activationsReady?: unknown }).__activationsReady);
    const names = await page.evaluate(() => (window as unknown as { __activationsReady: string[] }).__activationsReady);
    expect(names).toEqual(['linear', 'step', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'elu', 'selu', 'softplus', 'swish', 'gelu', 'mish', 'softmax']);
    expect(await page.locator('article.act canvas').count()).toBe(13); // mish added by issue 14
    expect(await page.locator('#mish .formula').innerText()).toBe('f(x) = x·tanh(ln(1 + eˣ))');
    expect(await page.locator('#mish').innerText()).toContain('f′(0) = 0.6');
    expect(await page.locator('#sigmoid').innerText()).toContain('with 0.25');
    expect(await page.locator('#tanh').innerText()).toContain('with 1 (not 0.25)');
    expect(await page.locator('#leakyRelu').innerText()).toContain('f′(−3) = 0.01');
    expect(await page.locator('#softmax').innerText()).toContain('[0.42, 0.31, 0.27]');
    await page.screenshot({ path: `${screenshots}/activations.png`, fullPage: true });
    await page.close();
  });
});
